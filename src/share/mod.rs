//! Share links: the whole UI state in a URL fragment, compact and versioned, so a student can
//! send the exact state to a teacher and a docs author can embed it.
//!
//! A link is `v<version>.<payload>`, e.g. `v2.AAARAAAKaGFwcHktcGF0aA`. The payload is unpadded
//! base64url (RFC 4648 §5) of one method byte (0 = stored, 1 = raw DEFLATE, RFC 1951) and the
//! body. The body is a small hand-rolled binary record (varints and length-prefixed strings);
//! an edited scenario travels as postcard (the same compact binary the built-ins are compiled
//! to), so the page needs no TOML parser; a scenario that does not validate is reported with
//! the field paths of `Scenario::validate`. Version 1 carried the scenario as TOML text: its
//! links to a built-in still open, its custom-scenario links are refused as too old. The format,
//! the compatibility promise and every error message are in `docs/share-links.md`.
//!
//! The viewer (the page's first view, built without the `studio` feature) reads and writes links
//! to built-ins only: it has no DEFLATE and no postcard reader of edited scenarios, and answers a
//! link that needs them with [`ShareError::NeedsStudio`], on which the page hands itself to the
//! studio with the address unchanged (docs/perf.md).
//!
//! Decoding never panics: every length is checked against what remains, the decompressed size
//! is capped ([`MAX_DECOMPRESSED`]), and the link's own length is capped ([`MAX_LINK`]).
//! Yew-free and deterministic, like `sim/`.

pub mod base64url;
// The frozen layouts of edited scenarios: read only by the studio (see [`ShareError::NeedsStudio`]).
#[cfg(feature = "studio")]
mod v2;
#[cfg(feature = "studio")]
mod v3;
#[cfg(feature = "studio")]
mod v4;
#[cfg(feature = "studio")]
mod v5;

use std::fmt;

use crate::sim::scenario::{self, Scenario, ScenarioError};

/// The version this build writes, and the newest it reads. Bump it whenever the body layout or
/// the postcard layout of `Scenario` (the fields of `sim/spec.rs`) changes.
pub const VERSION: u8 = 6;
/// Cap on the decompressed body (a decompression bomb stops here).
pub const MAX_DECOMPRESSED: usize = 1 << 20;
/// Cap on the link text itself.
pub const MAX_LINK: usize = 2 << 20;

const METHOD_STORED: u8 = 0;
const METHOD_DEFLATE: u8 = 1;
const KIND_BUILTIN: u8 = 0;
const KIND_CUSTOM: u8 = 1;

/// Everything a link restores.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareState {
    /// The format version the link was written in ([`decode`] reports it; [`encode`] always
    /// writes [`VERSION`]).
    pub version: u8,
    pub scenario: ScenarioRef,
    /// The trace step shown.
    pub step: usize,
    /// Which panels are open, by name.
    pub panels: Vec<String>,
    /// The selected trace event, if any.
    pub selected: Option<usize>,
}

/// Which scenario the state is about.
// One value per page load: its size does not matter, and `Custom(Scenario)` reads better than a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioRef {
    /// A built-in scenario, by id.
    Builtin(String),
    /// An edited scenario, carried in full.
    Custom(Scenario),
}

/// Why a link could not be read — said plainly, for the page to show.
#[derive(Clone, Debug, PartialEq)]
pub enum ShareError {
    /// The text is not a share link at all (no `v<n>.` prefix).
    NotALink,
    /// Made by a newer smtp-sim.
    NewerVersion { found: u32 },
    /// A version this build no longer reads: v0, and a v1 link carrying an edited scenario
    /// (made by a development version that wrote scenarios as TOML; v1 built-in links still open).
    OlderVersion { found: u32 },
    /// Cut or damaged: base64, DEFLATE or the record did not check out. `detail` says where.
    Incomplete { detail: String },
    /// The decompressed body would exceed [`MAX_DECOMPRESSED`] (or the link [`MAX_LINK`]).
    TooLarge { limit: usize },
    /// The link names a built-in scenario this build does not have.
    UnknownBuiltin { id: String },
    /// The edited scenario in the link does not validate (errors name the field path).
    InvalidScenario { errors: Vec<ScenarioError> },
    /// The state cannot be written as a link: the custom scenario could not be serialized
    /// (no such scenario is known; the variant keeps [`encode`] free of panics).
    Unencodable { detail: String },
    /// The viewer build only: the link carries an edited scenario (or a compressed record), which
    /// the studio reads (the page loads it and opens the same address there).
    NeedsStudio,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => write!(f, "this is not an smtp-sim share link (it should start with \"v{VERSION}.\"); the default scenario is shown instead"),
            ShareError::NewerVersion { found } => {
                write!(f, "this link was made by a newer smtp-sim (v{found}); this page understands v{VERSION}. Open it with the newer version, or ask for a new link")
            }
            ShareError::OlderVersion { found: 1 } => f.write_str(
                "this link was made by an older development version of smtp-sim (v1) that wrote edited scenarios as TOML, which this page no longer reads; the default scenario is shown instead",
            ),
            ShareError::OlderVersion { found } => write!(f, "this link was made by an old smtp-sim (v{found}) whose links can no longer be read; the default scenario is shown instead"),
            ShareError::Incomplete { detail } => {
                write!(f, "the link is incomplete — it may have been cut when copied; the default scenario is shown instead ({detail})")
            }
            ShareError::TooLarge { limit } => write!(f, "the link holds more than {limit} bytes of state, more than smtp-sim accepts; the default scenario is shown instead"),
            ShareError::UnknownBuiltin { id } => write!(f, "the link names the built-in scenario {id:?}, which this version of smtp-sim does not have; the default scenario is shown instead"),
            ShareError::InvalidScenario { errors } => {
                write!(f, "the edited scenario in this link has problems:")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
            ShareError::Unencodable { detail } => write!(f, "this state cannot be put in a link: {detail}"),
            ShareError::NeedsStudio => f.write_str("this link carries an edited scenario, which the full simulator opens; it is loading"),
        }
    }
}

impl std::error::Error for ShareError {}

/// The link text for `state` (without the `#`), always in the current [`VERSION`]. Never
/// panics: should the custom scenario not be serializable (see
/// [`ShareError::Unencodable`]), it links to the built-in with the same id instead; use
/// [`try_encode`] to be told.
pub fn encode(state: &ShareState) -> String {
    try_encode(state).unwrap_or_else(|_| {
        let fallback = ShareState {
            scenario: ScenarioRef::Builtin(match &state.scenario {
                ScenarioRef::Builtin(id) => id.clone(),
                ScenarioRef::Custom(s) => s.id.clone(),
            }),
            ..state.clone()
        };
        try_encode(&fallback).unwrap_or_default()
    })
}

/// [`encode`], reporting a custom scenario that cannot be written.
pub fn try_encode(state: &ShareState) -> Result<String, ShareError> {
    let mut body = Vec::new();
    let (kind, data) = match &state.scenario {
        ScenarioRef::Builtin(id) => (KIND_BUILTIN, id.as_bytes().to_vec()),
        ScenarioRef::Custom(s) => (KIND_CUSTOM, custom_bytes(s)?),
    };
    body.push(kind);
    put_varint(&mut body, state.step as u64);
    put_varint(&mut body, state.selected.map_or(0, |s| s as u64 + 1));
    put_varint(&mut body, state.panels.len() as u64);
    for p in &state.panels {
        put_bytes(&mut body, p.as_bytes());
    }
    put_bytes(&mut body, &data);
    if body.len() > MAX_DECOMPRESSED {
        return Err(ShareError::TooLarge { limit: MAX_DECOMPRESSED });
    }
    // Compress only when it pays: a built-in reference is a few bytes that DEFLATE would grow.
    let mut payload = Vec::with_capacity(body.len() + 1);
    match deflate(&body).filter(|d| d.len() < body.len()) {
        Some(deflated) => {
            payload.push(METHOD_DEFLATE);
            payload.extend_from_slice(&deflated);
        }
        None => {
            payload.push(METHOD_STORED);
            payload.extend_from_slice(&body);
        }
    }
    Ok(format!("v{VERSION}.{}", base64url::encode(&payload)))
}

/// Read a link (with or without the leading `#`, or a whole URL with the link as fragment).
pub fn decode(link: &str) -> Result<ShareState, ShareError> {
    if link.len() > MAX_LINK {
        return Err(ShareError::TooLarge { limit: MAX_LINK });
    }
    let link = link.trim();
    let link = link.rsplit_once('#').map_or(link, |(_, fragment)| fragment);
    let Some(rest) = link.strip_prefix('v') else {
        return Err(if link.is_empty() { ShareError::Incomplete { detail: "the link is empty".into() } } else { ShareError::NotALink });
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(if rest.is_empty() {
            ShareError::Incomplete { detail: "only \"v\" is left of the link".into() }
        } else {
            ShareError::NotALink
        });
    }
    let version: u32 = rest[..digits].parse().unwrap_or(u32::MAX);
    let payload = &rest[digits..];
    // Versions are read newest-first; an older format is migrated to the current state.
    match version {
        1..=6 => {
            let Some(payload) = payload.strip_prefix('.') else {
                return Err(ShareError::Incomplete { detail: "the \".\" after the version is missing".into() });
            };
            // v1 to v6 share the record; they differ only in how a custom scenario is written
            // (v1: TOML; v2 to v5: postcard of the layouts frozen in `v2.rs` to `v5.rs`; v6:
            // today's).
            decode_record(payload, version as u8)
        }
        v if v > u32::from(VERSION) => Err(ShareError::NewerVersion { found: v }),
        v => Err(ShareError::OlderVersion { found: v }),
    }
}

fn decode_record(payload: &str, version: u8) -> Result<ShareState, ShareError> {
    let raw = base64url::decode(payload.as_bytes()).map_err(|e| ShareError::Incomplete {
        detail: match e {
            base64url::Base64Error::Character(i) => format!("character {} is not base64url", i + 1),
            base64url::Base64Error::Length | base64url::Base64Error::TrailingBits => {
                "the base64url text ends in the middle of a byte".into()
            }
        },
    })?;
    let Some((&method, data)) = raw.split_first() else {
        return Err(ShareError::Incomplete { detail: "there is no payload after the version".into() });
    };
    let body = match method {
        METHOD_STORED => {
            if data.len() > MAX_DECOMPRESSED {
                return Err(ShareError::TooLarge { limit: MAX_DECOMPRESSED });
            }
            data.to_vec()
        }
        METHOD_DEFLATE => inflate(data)?,
        m => return Err(ShareError::Incomplete { detail: format!("unknown compression method {m}") }),
    };
    let mut r = Reader { data: &body, at: 0 };
    let kind = r.byte("the scenario kind")?;
    let step = r.usize("the step")?;
    let selected = match r.varint("the selected event")? {
        0 => None,
        n => Some(usize::try_from(n - 1).map_err(|_| r.damaged("the selected event is out of range"))?),
    };
    let count = r.usize("the number of panels")?;
    let mut panels = Vec::new();
    for _ in 0..count {
        panels.push(r.string("a panel name")?);
    }
    let data = r.bytes("the scenario")?;
    if r.at != body.len() {
        return Err(r.damaged("there are bytes after the end of the record"));
    }
    let scenario = match kind {
        KIND_BUILTIN => {
            let text = std::str::from_utf8(data).map_err(|_| r.damaged("the scenario is not UTF-8"))?.to_string();
            if !scenario::BUILTIN.iter().any(|(id, _)| *id == text) {
                return Err(ShareError::UnknownBuiltin { id: text });
            }
            ScenarioRef::Builtin(text)
        }
        // v1 wrote the scenario as TOML, which the page no longer parses (no page ever made one).
        KIND_CUSTOM if version == 1 => return Err(ShareError::OlderVersion { found: 1 }),
        KIND_CUSTOM => ScenarioRef::Custom(custom_scenario(data, version)?),
        k => return Err(r.damaged(&format!("unknown scenario kind {k}"))),
    };
    Ok(ShareState { version, scenario, step, panels, selected })
}

/// Raw DEFLATE at level 9 (the viewer writes built-in links only, which DEFLATE would grow).
#[cfg(feature = "studio")]
fn deflate(body: &[u8]) -> Option<Vec<u8>> {
    Some(miniz_oxide::deflate::compress_to_vec(body, 9))
}

#[cfg(not(feature = "studio"))]
fn deflate(_body: &[u8]) -> Option<Vec<u8>> {
    None
}

#[cfg(feature = "studio")]
fn inflate(data: &[u8]) -> Result<Vec<u8>, ShareError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(data, MAX_DECOMPRESSED).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge { limit: MAX_DECOMPRESSED },
        _ => ShareError::Incomplete { detail: "the compressed data ends early or is damaged".into() },
    })
}

#[cfg(not(feature = "studio"))]
fn inflate(_data: &[u8]) -> Result<Vec<u8>, ShareError> {
    Err(ShareError::NeedsStudio)
}

#[cfg(feature = "studio")]
fn custom_bytes(s: &Scenario) -> Result<Vec<u8>, ShareError> {
    postcard::to_allocvec(s).map_err(|e| ShareError::Unencodable { detail: e.to_string() })
}

/// The viewer never holds an edited scenario (it has no editor and hands saved edits to the
/// studio), so [`encode`] falls back to the built-in, should it ever be asked.
#[cfg(not(feature = "studio"))]
fn custom_bytes(_s: &Scenario) -> Result<Vec<u8>, ShareError> {
    Err(ShareError::NeedsStudio)
}

#[cfg(not(feature = "studio"))]
fn custom_scenario(_data: &[u8], _version: u8) -> Result<Scenario, ShareError> {
    Err(ShareError::NeedsStudio)
}

/// An edited scenario from its postcard bytes: all of them read, then validated.
#[cfg(feature = "studio")]
fn custom_scenario(data: &[u8], version: u8) -> Result<Scenario, ShareError> {
    let damaged = || ShareError::Incomplete { detail: "the edited scenario in the link is damaged".into() };
    let (scenario, rest): (Scenario, &[u8]) = if version == 2 {
        let (old, rest): (v2::Scenario, &[u8]) = postcard::take_from_bytes(data).map_err(|_| damaged())?;
        (v2::migrate(old), rest)
    } else if version == 3 {
        let (old, rest): (v3::Scenario, &[u8]) = postcard::take_from_bytes(data).map_err(|_| damaged())?;
        (v3::migrate(old), rest)
    } else if version == 4 {
        let (old, rest): (v4::Scenario, &[u8]) = postcard::take_from_bytes(data).map_err(|_| damaged())?;
        (v4::migrate(old), rest)
    } else if version == 5 {
        let (old, rest): (v5::Scenario, &[u8]) = postcard::take_from_bytes(data).map_err(|_| damaged())?;
        (v5::migrate(old), rest)
    } else {
        postcard::take_from_bytes(data).map_err(|_| damaged())?
    };
    if !rest.is_empty() {
        return Err(damaged());
    }
    scenario.validate().map_err(|errors| ShareError::InvalidScenario { errors })?;
    Ok(scenario)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    // LEB128: seven bits per byte, high bit set on all but the last.
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn damaged(&self, what: &str) -> ShareError {
        ShareError::Incomplete { detail: format!("{what} (at byte {} of {})", self.at, self.data.len()) }
    }

    fn byte(&mut self, what: &str) -> Result<u8, ShareError> {
        let b = *self.data.get(self.at).ok_or_else(|| self.damaged(&format!("{what} is missing")))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self, what: &str) -> Result<u64, ShareError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what)?;
            n |= u64::from(b & 0x7f)
                .checked_shl(shift)
                .filter(|_| shift < 63 || b & 0x7f <= 1)
                .ok_or_else(|| self.damaged(&format!("{what} is too large")))?;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(self.damaged(&format!("{what} is too large")))
    }

    fn usize(&mut self, what: &str) -> Result<usize, ShareError> {
        let n = self.varint(what)?;
        usize::try_from(n).map_err(|_| self.damaged(&format!("{what} is too large")))
    }

    fn bytes(&mut self, what: &str) -> Result<&'a [u8], ShareError> {
        let len = self.usize(what)?;
        let end = self.at.checked_add(len).filter(|&e| e <= self.data.len()).ok_or_else(|| self.damaged(&format!("{what} ends early")))?;
        let b = &self.data[self.at..end];
        self.at = end;
        Ok(b)
    }

    fn string(&mut self, what: &str) -> Result<String, ShareError> {
        let b = self.bytes(what)?;
        let s = std::str::from_utf8(b).map_err(|_| self.damaged(&format!("{what} is not UTF-8")))?;
        Ok(s.to_string())
    }
}
