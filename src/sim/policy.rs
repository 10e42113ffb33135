//! A server node's configuration and decisions, derived from its [`NodeSpec`]: the
//! [`server_config`] its SMTP sessions run with and the [`NodePolicy`] that answers their
//! questions (local domain? may this client relay? password right? greylisted? loop?).
//!
//! Shared by the world (`world.rs`) and the "be the client" console (`console.rs`), so a
//! session typed by a student and a session in the simulation cannot disagree.

use std::collections::BTreeMap;

use core::net::IpAddr;

use crate::smtp::address::{ForwardPath, ReversePath};
use crate::smtp::catalogue;
use crate::smtp::command::{MailParams, RcptParams};
use crate::smtp::event::Envelope;
use crate::smtp::server::{Extensions, Policy, ServerConfig, SessionInfo, Verdict, VrfyAnswer};

use super::clock::Millis;
use super::dns::{self, Lookup};
use super::scenario::{in_network, parse_cidr, Fullness, NodeSpec};
use super::trace::{AuthChecks, SpfCheck};
use super::{mime, spf};

/// The server configuration of a node listening on `port`: port 587 is submission (AUTH
/// offered when the node has accounts, and required unless `submission_requires_auth = false`,
/// RFC 6409 §4.3); every other port is relay/MX.
///
/// A node's `extensions` list, when given, selects and orders what it offers (a keyword with
/// its own option, like `dsn`, also needs that option on) and is printed exactly
/// (RFC 5321 §4.1.1.1); `replies` gives the free text of replies by catalogue key.
pub fn server_config(spec: &NodeSpec, port: u16) -> ServerConfig {
    let submission = port == 587;
    let listed = |keyword: &str| match &spec.extensions {
        Some(list) => list.iter().any(|l| l.split(' ').next() == Some(keyword)),
        None => true,
    };
    let auth = !spec.accounts.is_empty() && submission && listed("AUTH");
    ServerConfig {
        hostname: spec.host.clone(),
        extensions: Extensions {
            size: listed("SIZE"),
            pipelining: spec.pipelining && listed("PIPELINING"),
            eight_bit_mime: listed("8BITMIME"),
            starttls: spec.starttls && listed("STARTTLS"),
            auth_plain: auth,
            auth_login: auth,
            enhanced_status_codes: spec.enhanced_status_codes && listed("ENHANCEDSTATUSCODES"),
            smtputf8: spec.smtputf8 && listed("SMTPUTF8"),
            dsn: spec.dsn && listed("DSN"),
            ..Extensions::default()
        },
        require_auth: submission && spec.submission_requires_auth,
        require_tls: spec.require_tls,
        max_message_size: spec.size_limit,
        texts: spec.replies.clone(),
        // AUTH is listed only where the node offers it (port 587 with accounts).
        ehlo_keywords: spec.extensions.as_ref().map(|list| {
            let off = |line: &str| match line.split(' ').next().unwrap_or("") {
                "PIPELINING" => !spec.pipelining,
                "STARTTLS" => !spec.starttls,
                "AUTH" => !auth,
                "ENHANCEDSTATUSCODES" => !spec.enhanced_status_codes,
                "SMTPUTF8" => !spec.smtputf8,
                "DSN" => !spec.dsn,
                _ => false,
            };
            list.iter().filter(|l| !off(l)).cloned().collect()
        }),
        ..ServerConfig::default()
    }
}

/// VRFY against the node's `full_names` (RFC 5321 §3.5.1): the string matches a user by the
/// whole name, one word of it, the local part or the whole mailbox (case-insensitive; "user
/// name" is "a fuzzy term", RFC 821 §3.3). Without `full_names` nothing is checked (252).
pub(crate) fn vrfy(spec: &NodeSpec, string: &str) -> VrfyAnswer {
    if spec.full_names.is_empty() {
        return VrfyAnswer::NotChecked;
    }
    let s = string.trim().trim_start_matches('<').trim_end_matches('>');
    let hits: Vec<_> = spec
        .full_names
        .iter()
        .filter(|f| {
            let local = f.mailbox.rsplit_once('@').map_or(f.mailbox.as_str(), |(l, _)| l);
            f.name.eq_ignore_ascii_case(s)
                || f.name.split_whitespace().any(|w| w.eq_ignore_ascii_case(s))
                || local.eq_ignore_ascii_case(s)
                || f.mailbox.eq_ignore_ascii_case(s)
        })
        .collect();
    match hits.as_slice() {
        [] => VrfyAnswer::Unknown,
        [one] => VrfyAnswer::Found(format!("{} <{}>", one.name, one.mailbox)),
        _ => VrfyAnswer::Ambiguous,
    }
}

/// The domain of an address (`""` without `@`).
pub(crate) fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Is `address` delivered into a mailbox on this node (rather than relayed)? Its domain is one
/// of the node's `domains`, or it is the bare `postmaster` (RFC 5321 §4.5.1).
pub(crate) fn is_local(spec: &NodeSpec, address: &str) -> bool {
    let d = domain_of(address);
    spec.domains.iter().any(|x| x.eq_ignore_ascii_case(d)) || address.eq_ignore_ascii_case("postmaster")
}

/// The retrieval protocols a server node offers, read from its `ports`: POP3 on 110 (RFC 1939
/// §3) and IMAP on 143 (RFC 9051 §2.1). The world's pull clients, the POP3/IMAP consoles and the
/// node panels all ask here, so they cannot disagree about what a node serves.
pub fn serves_pop3(spec: &NodeSpec) -> bool {
    spec.ports.contains(&110)
}

/// See [`serves_pop3`]: IMAP on port 143.
pub fn serves_imap(spec: &NodeSpec) -> bool {
    spec.ports.contains(&143)
}

/// The ports a server node speaks SMTP on: its `ports` without POP3's 110 and IMAP's 143
/// ([`serves_pop3`], [`serves_imap`]). The SMTP console offers and accepts only these.
pub fn smtp_ports(spec: &NodeSpec) -> Vec<u16> {
    spec.ports.iter().copied().filter(|&p| p != 110 && p != 143).collect()
}

/// The mailbox an account of a server node reads with POP3 or IMAP: `user` itself when it is an
/// address (`bob@example.org`), else `user@` the node's first domain. `None` when that mailbox
/// is not one of the node's `mailboxes` (RFC 1939 §7 and RFC 9051 §6.2.3 leave the mapping from
/// user name to maildrop to the site; this is smtp-sim's rule).
pub fn account_mailbox(spec: &NodeSpec, user: &str) -> Option<String> {
    let address = if user.contains('@') { user.to_string() } else { format!("{user}@{}", spec.domains.first()?) };
    spec.mailboxes.iter().find(|m| m.eq_ignore_ascii_case(&address)).cloned()
}

/// What a server node decides when its SMTP session asks (RFC 5321 leaves these to the site).
pub(crate) struct NodePolicy<'a> {
    pub(crate) spec: &'a NodeSpec,
    pub(crate) zone: &'a dns::Zone,
    pub(crate) client_ip: Option<IpAddr>,
    pub(crate) now: Millis,
    pub(crate) greylist: &'a mut BTreeMap<(String, String, String), Millis>,
    pub(crate) max_received: usize,
    /// DNS queries made while deciding (SPF), for the trace.
    pub(crate) lookups: Vec<Lookup>,
    pub(crate) spf_notes: Vec<String>,
    /// Set when a MAIL FROM was answered: the `Received-SPF:` value for that transaction's
    /// message (RFC 7208 §9.1), or `None` when no SPF check was made.
    pub(crate) spf_header: Option<Option<String>>,
    /// The sender of the transaction in progress (for greylisting triples).
    pub(crate) mail_from: String,
    /// The virtual clock in seconds since 1970 (DKIM `x=`).
    pub(crate) unix_now: u64,
    /// 0–99 from the world's random stream: whether DMARC `pct=` selects this message.
    pub(crate) dmarc_sample: u8,
    /// The SPF result of the transaction in progress, for DMARC.
    pub(crate) spf_result: Option<SpfCheck>,
    /// Set at the end of the data by a server with `dmarc = true`: what it checked.
    pub(crate) auth: Option<AuthChecks>,
}

impl NodePolicy<'_> {
    pub(crate) fn may_relay(&self, info: &SessionInfo) -> bool {
        self.spec.open_relay
            || (self.spec.relay_authenticated && info.auth_user.is_some())
            || self.client_ip.is_some_and(|ip| self.spec.relay_from.iter().filter_map(|n| parse_cidr(n)).any(|net| in_network(ip, net)))
    }
}

impl Policy for NodePolicy<'_> {
    fn mail_from(&mut self, from: &ReversePath, _params: &MailParams, info: &SessionInfo) -> Verdict {
        self.mail_from = match from {
            ReversePath::Null => String::new(),
            ReversePath::Path(p) => p.mailbox.to_string().to_ascii_lowercase(),
        };
        self.spf_header = Some(None);
        self.spf_result = None;
        // RFC 7208 §2.4: check the MAIL FROM domain against the connecting address.
        if self.spec.spf {
            if let (ReversePath::Path(p), Some(ip)) = (from, self.client_ip) {
                let addr = p.mailbox.to_string();
                let domain = domain_of(&addr).to_string();
                let (result, why) = spf::check_host(self.zone, ip, &domain, &mut self.lookups);
                // RFC 7208 §9.1: the result travels with the message as a trace header field.
                self.spf_header = Some(Some(spf::received_spf(result, &why, &self.spec.host, ip, &addr, info.helo.as_deref())));
                self.spf_notes.push(why);
                self.spf_result = Some(SpfCheck { result, domain: domain.clone() });
                // RFC 7489 §10.1: a receiver that evaluates DMARC should not refuse on an SPF fail
                // alone before DKIM and DMARC have been checked — forwarded mail fails SPF.
                if result == spf::SpfResult::Fail && !self.spec.dmarc {
                    return Verdict::Reject(&catalogue::SPF_FAIL);
                }
            }
        }
        Verdict::Accept
    }

    fn rcpt_to(&mut self, to: &ForwardPath, _params: &RcptParams, info: &SessionInfo) -> Verdict {
        let addr = match to {
            ForwardPath::Postmaster(_) => return Verdict::Accept,
            ForwardPath::Path(p) => p.mailbox.to_string(),
        };
        let domain = domain_of(&addr);
        let local = self.spec.domains.iter().any(|d| d.eq_ignore_ascii_case(domain));
        if local {
            if addr.to_ascii_lowercase().starts_with("postmaster@") {
                return Verdict::Accept;
            }
            // A forwarding alias or a mailing list is an address of this server too.
            let known = self.spec.mailboxes.iter().any(|m| m.eq_ignore_ascii_case(&addr))
                || self.spec.forward.iter().any(|f| f.from.eq_ignore_ascii_case(&addr))
                || self.spec.lists.iter().any(|l| l.address.eq_ignore_ascii_case(&addr));
            if !known {
                return Verdict::Reject(&catalogue::UNKNOWN_USER);
            }
            if let Some(f) = self.spec.full.iter().find(|f| f.mailbox.eq_ignore_ascii_case(&addr)) {
                return Verdict::Reject(match f.kind {
                    Fullness::Temporary => &catalogue::MAILBOX_FULL_TEMP,
                    Fullness::Permanent => &catalogue::MAILBOX_FULL,
                });
            }
        } else if !(self.spec.relay_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) || self.may_relay(info)) {
            return Verdict::Reject(&catalogue::RELAY_DENIED);
        }
        // RFC 6647: greylisting keys on (client address, sender, recipient).
        if let Some(delay) = self.spec.greylist {
            let key = (self.client_ip.map(|i| i.to_string()).unwrap_or_default(), self.mail_from.clone(), addr.to_ascii_lowercase());
            match self.greylist.get(&key) {
                None => {
                    self.greylist.insert(key, self.now);
                    return Verdict::Reject(&catalogue::GREYLISTED);
                }
                Some(first) if self.now < first + delay.0 => return Verdict::Reject(&catalogue::GREYLISTED),
                Some(_) => {}
            }
        }
        Verdict::Accept
    }

    fn vrfy(&mut self, string: &str) -> VrfyAnswer {
        vrfy(self.spec, string)
    }

    fn authenticate(&mut self, _mechanism: &str, _authzid: &str, user: &str, password: &str) -> bool {
        self.spec.accounts.iter().any(|a| a.user == user && a.password == password)
    }

    fn data(&mut self, _envelope: &Envelope, message: &[u8], _info: &SessionInfo) -> Verdict {
        // RFC 5321 §6.3: count Received: lines to detect loops.
        if mime::count_headers(message, "Received") >= self.max_received {
            return Verdict::Reject(&catalogue::MAIL_LOOP);
        }
        // `CRYPTO` is false only in the viewer, which never runs such a scenario (the player hands
        // it to the studio); the constant lets the build drop the checks (docs/perf.md).
        if super::dkim::CRYPTO && self.spec.dmarc {
            let checks = super::dmarc::receive_checks(
                &self.spec.host,
                self.zone,
                message,
                self.spf_result.take(),
                self.unix_now,
                self.dmarc_sample,
                &mut self.lookups,
            );
            let reject = checks.dmarc.as_ref().is_some_and(|d| d.disposition == super::dmarc::Disposition::Reject);
            self.auth = Some(checks);
            if reject {
                return Verdict::Reject(&catalogue::DMARC_REJECTED);
            }
        }
        Verdict::Accept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::builtin;

    #[test]
    fn an_account_reads_its_own_mailbox_or_none() {
        let scenario = builtin("auth-submission").expect("built-in");
        let mut relay = scenario.nodes.iter().find(|n| n.id == "relay").expect("relay").clone();
        assert_eq!(account_mailbox(&relay, "alice").as_deref(), Some("alice@example.com"));
        assert_eq!(account_mailbox(&relay, "ALICE@example.com").as_deref(), Some("alice@example.com"));
        assert_eq!(account_mailbox(&relay, "carol"), None, "no such mailbox");
        relay.domains.clear();
        assert_eq!(account_mailbox(&relay, "alice"), None, "no domain to complete the name");
        assert!(!serves_pop3(&relay) && !serves_imap(&relay));
        relay.ports.extend([110, 143]);
        assert!(serves_pop3(&relay) && serves_imap(&relay));
    }
}
