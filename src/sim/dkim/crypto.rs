//! DKIM's public-key half: signing keys made from the scenario seed, their DNS records, signing
//! and checking a signature. RustCrypto's `ed25519-dalek` (RFC 8463) and `rsa` (RSASSA-PKCS1-v1_5,
//! RFC 6376 §3.3.1); nothing here is home-made crypto.
//!
//! Behind the `dkim` cargo feature, which the studio and every native build have. The viewer (the
//! page's first view, built without default features) leaves these crates out, ≈ 80 KB gzip of
//! wasm (docs/perf.md): there [`Key`] has no values, so no key is ever made, and the player hands
//! a scenario that [`needs_crypto`](super::needs_crypto) to the studio instead of running it
//! (`Player::needs_studio`). Everything else of DKIM (tag lists, canonicalization, the body hash)
//! is the same code in both builds.

use super::Algorithm;

/// True when this build can sign and verify (the `dkim` feature).
pub const AVAILABLE: bool = cfg!(feature = "dkim");

#[cfg(feature = "dkim")]
mod imp {
    use ed25519_dalek::{Signer as _, Verifier as _};
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
    use rsa::signature::SignatureEncoding;
    use sha2::{Digest, Sha256};

    use super::Algorithm;
    use crate::smtp::base64;

    /// A signing key of a scenario's server.
    #[derive(Clone, Debug)]
    pub enum Key {
        Ed25519(Box<ed25519_dalek::SigningKey>),
        Rsa(Box<rsa::RsaPrivateKey>),
    }

    impl Key {
        /// The key a scenario's signer uses, derived from `seed` (so traces stay byte-exact). The
        /// seed is spread into a ChaCha stream; RSA keys are 2048 bits (RFC 8301 §3.2: signers
        /// SHOULD use at least 2048).
        pub fn generate(algorithm: Algorithm, seed: u64) -> Key {
            use rand_core::SeedableRng as _;
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
            match algorithm {
                Algorithm::Ed25519Sha256 => {
                    let mut secret = [0u8; 32];
                    rand_core::RngCore::fill_bytes(&mut rng, &mut secret);
                    Key::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&secret)))
                }
                Algorithm::RsaSha256 => {
                    // A 2048-bit modulus always exists for a ChaCha stream; generation only fails
                    // for sizes the crate refuses, and 2048 is not one of them.
                    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap_or_else(|e| unreachable!("2048-bit RSA key generation: {e}"));
                    Key::Rsa(Box::new(key))
                }
            }
        }

        pub fn algorithm(&self) -> Algorithm {
            match self {
                Key::Ed25519(_) => Algorithm::Ed25519Sha256,
                Key::Rsa(_) => Algorithm::RsaSha256,
            }
        }

        /// The `p=` of the TXT record that publishes the public half (RFC 6376 §3.6.1; RFC 8463
        /// §4.2 for the 32-byte Ed25519 key; RSA as DER SubjectPublicKeyInfo, as deployed).
        pub fn public_key(&self) -> String {
            match self {
                Key::Ed25519(k) => base64::encode(k.verifying_key().as_bytes()),
                Key::Rsa(k) => {
                    let der = k.to_public_key().to_public_key_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default();
                    base64::encode(&der)
                }
            }
        }

        pub(in crate::sim::dkim) fn sign(&self, data: &[u8]) -> Vec<u8> {
            match self {
                // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data.
                Key::Ed25519(k) => k.sign(&Sha256::digest(data)).to_bytes().to_vec(),
                // RFC 6376 §3.3.1: RSASSA-PKCS1-v1_5 with SHA-256 over the data.
                Key::Rsa(k) => rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone()).sign(data).to_vec(),
            }
        }
    }

    /// Some(whether `signature` over `data` verifies with `public_key`), None when the key or the
    /// signature cannot be read as one of `algorithm`.
    pub(in crate::sim::dkim) fn verify(algorithm: Algorithm, public_key: &[u8], data: &[u8], signature: &[u8]) -> Option<bool> {
        match algorithm {
            Algorithm::Ed25519Sha256 => {
                let key = ed25519_dalek::VerifyingKey::from_bytes(public_key.try_into().ok()?).ok()?;
                let signature = ed25519_dalek::Signature::from_slice(signature).ok()?;
                Some(key.verify(&Sha256::digest(data), &signature).is_ok())
            }
            Algorithm::RsaSha256 => {
                let key =
                    rsa::RsaPublicKey::from_public_key_der(public_key).or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(public_key)).ok()?;
                // RFC 8301 §3.2: verifiers MUST NOT accept keys under 1024 bits.
                if rsa::traits::PublicKeyParts::size(&key) < 128 {
                    return Some(false);
                }
                let signature = rsa::pkcs1v15::Signature::try_from(signature).ok()?;
                Some(rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(data, &signature).is_ok())
            }
        }
    }

    /// The key of a signer, made from `seed`.
    pub(in crate::sim::dkim) fn make(algorithm: Algorithm, seed: u64) -> Option<Key> {
        Some(Key::generate(algorithm, seed))
    }
}

#[cfg(not(feature = "dkim"))]
mod imp {
    use super::Algorithm;

    /// A signing key: none exist in this build (see the module documentation).
    #[derive(Clone, Debug)]
    pub enum Key {}

    impl Key {
        pub fn algorithm(&self) -> Algorithm {
            match *self {}
        }

        pub fn public_key(&self) -> String {
            match *self {}
        }

        pub(in crate::sim::dkim) fn sign(&self, _data: &[u8]) -> Vec<u8> {
            match *self {}
        }
    }

    /// This build cannot check a signature (the player never runs such a scenario here).
    pub(in crate::sim::dkim) fn verify(_algorithm: Algorithm, _public_key: &[u8], _data: &[u8], _signature: &[u8]) -> Option<bool> {
        None
    }

    pub(in crate::sim::dkim) fn make(_algorithm: Algorithm, _seed: u64) -> Option<Key> {
        None
    }
}

pub use imp::Key;
pub(super) use imp::{make, verify};
