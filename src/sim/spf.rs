//! A small SPF evaluator (RFC 7208) over the simulated DNS: enough to teach how a receiving
//! server checks whether the connecting host may send mail for the MAIL FROM domain.
//!
//! Supported: `v=spf1` with the mechanisms `all`, `ip4`, `ip6`, `a`, `mx`, `include`, the
//! qualifiers `+ - ~ ?`, and the limit of 10 DNS-querying terms (§4.6.4). Not supported:
//! macros (§7), `exists`, `ptr`, `redirect=` (they give `PermError`, said in the reason).

use core::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::dns::{Answer, Lookup, QType, Zone};
use super::scenario::{in_network, parse_cidr};

/// The result of `check_host()` (RFC 7208 §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpfResult {
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

impl SpfResult {
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::None => "none",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

/// Evaluates the SPF policy of `domain` for a client at `ip`. Every DNS query made is pushed
/// to `lookups`, and the reason is said in words.
/// The value of a `Received-SPF:` header field (RFC 7208 §9.1) for a check made by `receiver`:
/// the result, a comment in plain ASCII saying why, and the key-value pairs a reader (or a later
/// filter) can trust because the receiving server wrote them.
pub fn received_spf(result: SpfResult, why: &str, receiver: &str, ip: IpAddr, envelope_from: &str, helo: Option<&str>) -> String {
    // A comment may not hold unbalanced parentheses or 8-bit text (RFC 5322 §3.2.2).
    let comment: String = why
        .replace('§', "section ")
        .chars()
        .map(|c| match c {
            '(' => '[',
            ')' => ']',
            '\\' => '/',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect();
    let mut v = format!("{} ({receiver}: {comment}) client-ip={ip}; envelope-from=\"{envelope_from}\";", result.as_str());
    if let Some(h) = helo {
        v.push_str(&format!(" helo={h};"));
    }
    v.push_str(&format!(" receiver={receiver};"));
    v
}

pub fn check_host(zone: &Zone, ip: IpAddr, domain: &str, lookups: &mut Vec<Lookup>) -> (SpfResult, String) {
    let mut budget = 10;
    check(zone, ip, domain, lookups, &mut budget, 0)
}

fn spf_record(zone: &Zone, domain: &str, lookups: &mut Vec<Lookup>) -> Result<Option<String>, SpfResult> {
    let l = zone.query(domain, QType::Txt);
    lookups.push(l.clone());
    match l.answer {
        Answer::ServFail => Err(SpfResult::TempError),
        Answer::NxDomain | Answer::NoData => Ok(None),
        Answer::Records(txts) => {
            // §4.5: records that begin with "v=spf1"; more than one is a PermError.
            let spf: Vec<String> = txts.into_iter().filter(|t| t == "v=spf1" || t.starts_with("v=spf1 ")).collect();
            match spf.len() {
                0 => Ok(None),
                1 => Ok(spf.into_iter().next()),
                _ => Err(SpfResult::PermError),
            }
        }
    }
}

fn check(zone: &Zone, ip: IpAddr, domain: &str, lookups: &mut Vec<Lookup>, budget: &mut u32, depth: u32) -> (SpfResult, String) {
    let record = match spf_record(zone, domain, lookups) {
        Err(r) => return (r, format!("the SPF lookup for {domain} failed ({})", r.as_str())),
        Ok(None) => return (SpfResult::None, format!("{domain} publishes no SPF record")),
        Ok(Some(r)) => r,
    };
    for term in record.split_ascii_whitespace().skip(1) {
        let (qualifier, mech) = match term.as_bytes().first() {
            Some(b'+') => (SpfResult::Pass, &term[1..]),
            Some(b'-') => (SpfResult::Fail, &term[1..]),
            Some(b'~') => (SpfResult::SoftFail, &term[1..]),
            Some(b'?') => (SpfResult::Neutral, &term[1..]),
            _ => (SpfResult::Pass, term),
        };
        let (name, arg) = match mech.split_once(':') {
            Some((n, a)) => (n.to_ascii_lowercase(), Some(a)),
            None => (mech.to_ascii_lowercase(), None),
        };
        let matched = match name.as_str() {
            "all" => true,
            "ip4" | "ip6" => arg.and_then(parse_cidr).is_some_and(|net| in_network(ip, net)),
            "a" | "mx" | "include" => {
                // §4.6.4: at most 10 terms that cause DNS queries.
                if *budget == 0 {
                    return (SpfResult::PermError, "more than 10 DNS-querying terms (RFC 7208 §4.6.4)".into());
                }
                *budget -= 1;
                let target = arg.unwrap_or(domain);
                match name.as_str() {
                    "a" => host_matches(zone, target, ip, lookups),
                    "mx" => {
                        let l = zone.query(target, QType::Mx);
                        lookups.push(l.clone());
                        match l.answer {
                            Answer::Records(rs) => rs.iter().any(|r| r.split_once(' ').is_some_and(|(_, h)| host_matches(zone, h, ip, lookups))),
                            _ => false,
                        }
                    }
                    _ => {
                        if depth >= 10 {
                            return (SpfResult::PermError, "include: nested too deeply".into());
                        }
                        let (r, _) = check(zone, ip, target, lookups, budget, depth + 1);
                        match r {
                            SpfResult::Pass => true,
                            SpfResult::TempError => return (r, format!("include:{target} had a temporary DNS error")),
                            SpfResult::PermError | SpfResult::None => return (SpfResult::PermError, format!("include:{target} has no usable SPF record")),
                            _ => false,
                        }
                    }
                }
            }
            other if other.starts_with("redirect=") || other.starts_with("exp=") || other == "exists" || other == "ptr" => {
                return (SpfResult::PermError, format!("the simulator does not evaluate {term:?}"));
            }
            _ => return (SpfResult::PermError, format!("unknown SPF term {term:?}")),
        };
        if matched {
            let why = match qualifier {
                SpfResult::Pass => format!("{ip} matches {term:?} in the SPF record of {domain}"),
                SpfResult::Fail => format!("{ip} is not allowed to send for {domain}: its SPF record ends its list of allowed hosts with {term:?}"),
                _ => format!("{ip} matched {term:?} in the SPF record of {domain}"),
            };
            return (qualifier, why);
        }
    }
    // §4.7: no match and no "all" → neutral.
    (SpfResult::Neutral, format!("no term of {domain}'s SPF record matched {ip}"))
}

fn host_matches(zone: &Zone, host: &str, ip: IpAddr, lookups: &mut Vec<Lookup>) -> bool {
    let qtype = if ip.is_ipv4() { QType::A } else { QType::Aaaa };
    let l = zone.query(host, qtype);
    lookups.push(l.clone());
    match l.answer {
        Answer::Records(addrs) => addrs.iter().any(|a| a.parse::<IpAddr>().ok() == Some(ip)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dns::{AddressRecord, MxRecord, TxtRecord};

    fn zone(policy: &str) -> Zone {
        Zone {
            mx: vec![MxRecord { domain: "example.com".into(), preference: 10, host: "smtp.example.com".into() }],
            a: vec![AddressRecord { name: "smtp.example.com".into(), address: "192.0.2.25".into() }],
            txt: vec![TxtRecord { name: "example.com".into(), text: policy.into() }],
            ..Zone::default()
        }
    }

    fn result(policy: &str, ip: &str) -> SpfResult {
        check_host(&zone(policy), ip.parse().unwrap(), "example.com", &mut Vec::new()).0
    }

    #[test]
    fn ip4_and_all() {
        assert_eq!(result("v=spf1 ip4:192.0.2.0/24 -all", "192.0.2.25"), SpfResult::Pass);
        assert_eq!(result("v=spf1 ip4:192.0.2.0/24 -all", "203.0.113.66"), SpfResult::Fail);
        assert_eq!(result("v=spf1 ip4:192.0.2.25 ~all", "203.0.113.66"), SpfResult::SoftFail);
        assert_eq!(result("v=spf1 ip4:192.0.2.25", "203.0.113.66"), SpfResult::Neutral);
    }

    #[test]
    fn a_and_mx_use_the_zone() {
        assert_eq!(result("v=spf1 mx -all", "192.0.2.25"), SpfResult::Pass);
        assert_eq!(result("v=spf1 a:smtp.example.com -all", "192.0.2.25"), SpfResult::Pass);
        assert_eq!(result("v=spf1 a -all", "192.0.2.25"), SpfResult::Fail);
    }

    #[test]
    fn no_record_and_bad_records() {
        let z = Zone::default();
        assert_eq!(check_host(&z, "192.0.2.1".parse().unwrap(), "example.com", &mut Vec::new()).0, SpfResult::None);
        assert_eq!(result("v=spf1 frobnicate -all", "192.0.2.25"), SpfResult::PermError);
        assert_eq!(result("v=spf1 include:example.com -all", "203.0.113.1"), SpfResult::PermError, "self-include loop ends");
    }
}
