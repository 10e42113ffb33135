//! A small SPF evaluator (RFC 7208) over the simulated DNS: enough to teach how a receiving
//! server checks whether the connecting host may send mail for the MAIL FROM domain.
//!
//! The record is parsed whole before anything is evaluated (§4.6: a syntax error anywhere is a
//! `PermError`), then its terms are evaluated left to right (§4.6.2).
//!
//! Supported: every mechanism of §5 — `all`, `include`, `a`, `mx`, `ptr`, `ip4`, `ip6`,
//! `exists` — with the qualifiers `+ - ~ ?` and the dual CIDR lengths of `a`/`mx`
//! (`a:host/24//64`, `mx/30`, §5.3, §5.4); the modifiers `redirect=` (§6.1) and `exp=` (§6.2,
//! parsed; the explanation text is not fetched); unknown modifiers are ignored (§6); the limits of
//! §4.6.4 (10 DNS-querying terms, 10 MX names per `mx`, 2 void lookups). Not supported: macros
//! (§7) — a domain-spec with `%` gives `PermError`, said in the reason. The simulated DNS has no
//! reverse zone, so `ptr` finds no names and never matches (§5.5).

use core::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::dns::{Answer, Lookup, QType, Zone};
use super::scenario::in_network;

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

/// RFC 7208 §4.6.4: at most 10 terms that cause DNS queries (include, a, mx, ptr, exists,
/// redirect) per check, across includes and redirects.
pub const MAX_DNS_TERMS: u32 = 10;
/// RFC 7208 §4.6.4: an `mx` term may look up the addresses of at most 10 MX names.
pub const MAX_MX_NAMES: usize = 10;
/// RFC 7208 §4.6.4: more than 2 lookups that answer NXDOMAIN or no records end the check.
pub const MAX_VOID_LOOKUPS: u32 = 2;
/// The most DNS queries one `check_host` can make within the §4.6.4 limits: the first TXT
/// query, then per DNS-querying term at most one TXT/A/MX query plus 10 address queries.
pub const MAX_QUERIES: usize = 1 + MAX_DNS_TERMS as usize * (1 + MAX_MX_NAMES);

/// Evaluates the SPF policy of `domain` for a client at `ip` (RFC 7208 §4, `check_host()`).
/// Every DNS query made is pushed to `lookups`, and the reason is said in words.
pub fn check_host(zone: &Zone, ip: IpAddr, domain: &str, lookups: &mut Vec<Lookup>) -> (SpfResult, String) {
    let mut eval = Eval { zone, ip, lookups, dns_terms: 0, voids: 0 };
    match eval.check(domain) {
        Ok(r) => r,
        Err(stop) => stop,
    }
}

/// A dual CIDR length (RFC 7208 §5.6): `[ "/" ip4-cidr-length ] [ "//" ip6-cidr-length ]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DualCidr {
    v4: u8,
    v6: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mechanism {
    All,
    Include(String),
    A(Option<String>, DualCidr),
    Mx(Option<String>, DualCidr),
    Ptr,
    Ip(IpAddr, u8),
    Exists(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Directive<'a> {
    qualifier: SpfResult,
    mechanism: Mechanism,
    /// The term as written, for the reasons.
    text: &'a str,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Record<'a> {
    directives: Vec<Directive<'a>>,
    redirect: Option<String>,
}

/// RFC 7208 §4.6.1/§12: `record = version terms *SP`, `terms = *( 1*SP ( directive / modifier ) )`.
/// The whole record is parsed first: any syntax error is the reason of a `PermError`.
fn parse_record(record: &str) -> Result<Record<'_>, String> {
    let mut out = Record::default();
    let mut exp_seen = false;
    let mut terms = record.split(' ').filter(|t| !t.is_empty());
    terms.next(); // "v=spf1", checked by the caller (§4.5)
    for term in terms {
        let name_len = term.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(term.len());
        if term[name_len..].starts_with('=') && term.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // §6: `modifier = redirect / explanation / unknown-modifier`.
            let (name, value) = (term[..name_len].to_ascii_lowercase(), &term[name_len + 1..]);
            match name.as_str() {
                "redirect" | "exp" => {
                    // §6: redirect and exp each appear at most once.
                    let seen = if name == "redirect" { out.redirect.is_some() } else { exp_seen };
                    if seen {
                        return Err(format!("the modifier {name}= appears twice (RFC 7208 §6)"));
                    }
                    let domain = domain_spec(value, term)?;
                    if name == "redirect" {
                        out.redirect = Some(domain);
                    } else {
                        exp_seen = true;
                    }
                }
                // §6: "Unrecognized modifiers MUST be ignored" (after the syntax check).
                _ => {
                    macro_string(value, term)?;
                }
            }
            continue;
        }
        let (qualifier, mech) = match term.as_bytes()[0] {
            b'+' => (SpfResult::Pass, &term[1..]),
            b'-' => (SpfResult::Fail, &term[1..]),
            b'~' => (SpfResult::SoftFail, &term[1..]),
            b'?' => (SpfResult::Neutral, &term[1..]),
            _ => (SpfResult::Pass, term),
        };
        out.directives.push(Directive { qualifier, mechanism: mechanism(mech, term)?, text: term });
    }
    Ok(out)
}

/// RFC 7208 §5: `mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )`.
fn mechanism(mech: &str, term: &str) -> Result<Mechanism, String> {
    let end = mech.find([':', '/']).unwrap_or(mech.len());
    let (name, rest) = (mech[..end].to_ascii_lowercase(), &mech[end..]);
    let arg = rest.strip_prefix(':');
    let bad = || format!("{term:?} is not valid SPF syntax (RFC 7208 §5)");
    match (name.as_str(), arg) {
        // §5.1: all = "all"
        ("all", None) if rest.is_empty() => Ok(Mechanism::All),
        // §5.2: include = "include" ":" domain-spec
        ("include", Some(d)) => Ok(Mechanism::Include(domain_spec(d, term)?)),
        // §5.7: exists = "exists" ":" domain-spec
        ("exists", Some(d)) => Ok(Mechanism::Exists(domain_spec(d, term)?)),
        // §5.5: ptr = "ptr" [ ":" domain-spec ]
        ("ptr", None) if rest.is_empty() => Ok(Mechanism::Ptr),
        ("ptr", Some(d)) => domain_spec(d, term).map(|_| Mechanism::Ptr),
        // §5.3: a = "a" [ ":" domain-spec ] [ dual-cidr-length ]
        // §5.4: mx = "mx" [ ":" domain-spec ] [ dual-cidr-length ]
        ("a" | "mx", _) => {
            let (spec, cidr) = split_dual_cidr(arg.unwrap_or(rest), term)?;
            let domain = match (arg, spec) {
                (None, "") => None,
                (Some(_), d) => Some(domain_spec(d, term)?),
                (None, _) => return Err(bad()),
            };
            Ok(if name == "a" { Mechanism::A(domain, cidr) } else { Mechanism::Mx(domain, cidr) })
        }
        // §5.6: ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ]; ip6 likewise.
        ("ip4" | "ip6", Some(net)) => {
            let v6 = name == "ip6";
            let (addr, len) = match net.split_once('/') {
                Some((a, l)) => (a, cidr_length(l, if v6 { 128 } else { 32 }, term)?),
                None => (net, if v6 { 128 } else { 32 }),
            };
            match addr.parse::<IpAddr>() {
                Ok(ip) if ip.is_ipv6() == v6 => Ok(Mechanism::Ip(ip, len)),
                _ => Err(format!("{term:?}: {addr:?} is not an {} address (RFC 7208 §5.6)", if v6 { "IPv6" } else { "IPv4" })),
            }
        }
        ("all" | "include" | "exists" | "ptr" | "ip4" | "ip6", _) => Err(bad()),
        _ => Err(format!("unknown SPF mechanism {term:?}: an unknown mechanism is a PermError (RFC 7208 §4.6.1), an unknown modifier (name=value) is ignored (§6)")),
    }
}

/// Splits `domain-spec dual-cidr-length` (RFC 7208 §5.6): the lengths are taken from the end,
/// `//N` for IPv6 first, then `/N` for IPv4; missing lengths are the full 32 and 128.
fn split_dual_cidr<'a>(s: &'a str, term: &str) -> Result<(&'a str, DualCidr), String> {
    let mut cidr = DualCidr { v4: 32, v6: 128 };
    let mut rest = s;
    if let Some((head, v6)) = rest.rsplit_once("//") {
        cidr.v6 = cidr_length(v6, 128, term)?;
        rest = head;
    }
    if let Some((head, v4)) = rest.rsplit_once('/') {
        if !v4.is_empty() && v4.bytes().all(|b| b.is_ascii_digit()) {
            cidr.v4 = cidr_length(v4, 32, term)?;
            rest = head;
        }
    }
    Ok((rest, cidr))
}

/// `ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT)`, `ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)`
/// (RFC 7208 §5.6), at most 32 or 128.
fn cidr_length(s: &str, max: u8, term: &str) -> Result<u8, String> {
    let digits_ok = !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    match s.parse::<u8>() {
        Ok(n) if digits_ok && n <= max => Ok(n),
        _ => Err(format!("{term:?}: /{s} is not a prefix length from 0 to {max} (RFC 7208 §5.6)")),
    }
}

/// `macro-string = *( macro-expand / macro-literal )`, `macro-literal = %x21-24 / %x26-7E`
/// (RFC 7208 §7.1). Macros themselves (`%{...}`, `%%`, `%_`, `%-`) are not simulated.
fn macro_string(s: &str, term: &str) -> Result<(), String> {
    if s.contains('%') {
        return Err(format!("{term:?} uses a macro (RFC 7208 §7), which the simulator does not expand"));
    }
    match s.bytes().find(|b| !(0x21..=0x7e).contains(b)) {
        Some(_) => Err(format!("{term:?} holds a character SPF does not allow (RFC 7208 §7.1)")),
        None => Ok(()),
    }
}

/// `domain-spec = macro-string domain-end`, `domain-end = ( "." toplabel [ "." ] ) / macro-expand`,
/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`
/// (RFC 7208 §7.1). Returns the name without a trailing dot.
fn domain_spec(s: &str, term: &str) -> Result<String, String> {
    macro_string(s, term)?;
    let name = s.strip_suffix('.').unwrap_or(s);
    let top = name.rsplit_once('.').map(|(_, t)| t);
    let top_ok = top.is_some_and(|t| {
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && t.bytes().any(|b| b.is_ascii_alphabetic() || b == b'-')
            && !t.starts_with('-')
            && !t.ends_with('-')
    });
    if top_ok {
        Ok(name.to_string())
    } else {
        Err(format!("{term:?}: {s:?} is not a domain name with a top label such as \".com\" (RFC 7208 §7.1)"))
    }
}

/// Why the check stopped early: the final result and its reason.
type Stop = (SpfResult, String);

struct Eval<'a> {
    zone: &'a Zone,
    ip: IpAddr,
    lookups: &'a mut Vec<Lookup>,
    dns_terms: u32,
    voids: u32,
}

impl Eval<'_> {
    fn query(&mut self, name: &str, qtype: QType) -> Result<Vec<String>, Stop> {
        let l = self.zone.query(name, qtype);
        self.lookups.push(l.clone());
        match l.answer {
            Answer::Records(r) => Ok(r),
            // §4.4 / §5: a DNS server failure makes the whole check a TempError.
            Answer::ServFail => Err((
                SpfResult::TempError,
                format!("the DNS lookup of {name} ({}) failed: a temporary error (RFC 7208 §4.4)", qtype.as_str()),
            )),
            Answer::NxDomain | Answer::NoData => {
                // §4.6.4: more than 2 "void lookups" → PermError.
                self.voids += 1;
                if self.voids > MAX_VOID_LOOKUPS {
                    return Err((
                        SpfResult::PermError,
                        format!("more than {MAX_VOID_LOOKUPS} DNS lookups found nothing (RFC 7208 §4.6.4)"),
                    ));
                }
                Ok(Vec::new())
            }
        }
    }

    /// §4.6.4: count one DNS-querying term; the 11th is a PermError.
    fn count_dns_term(&mut self) -> Result<(), Stop> {
        self.dns_terms += 1;
        if self.dns_terms > MAX_DNS_TERMS {
            return Err((SpfResult::PermError, format!("more than {MAX_DNS_TERMS} DNS-querying terms (RFC 7208 §4.6.4)")));
        }
        Ok(())
    }

    /// Does an address of `host` (A for an IPv4 client, AAAA for IPv6) lie in the client's network?
    fn host_matches(&mut self, host: &str, cidr: DualCidr) -> Result<bool, Stop> {
        let (qtype, len) = if self.ip.is_ipv4() { (QType::A, cidr.v4) } else { (QType::Aaaa, cidr.v6) };
        let addrs = self.query(host, qtype)?;
        Ok(addrs.iter().filter_map(|a| a.parse::<IpAddr>().ok()).any(|a| in_network(self.ip, (a, len))))
    }

    fn check(&mut self, domain: &str) -> Result<Stop, Stop> {
        let record = match self.spf_record(domain)? {
            None => return Ok((SpfResult::None, format!("{domain} publishes no SPF record"))),
            Some(r) => r,
        };
        let parsed = match parse_record(&record) {
            Ok(p) => p,
            Err(why) => return Ok((SpfResult::PermError, format!("the SPF record of {domain} has an error: {why}"))),
        };
        for d in &parsed.directives {
            if self.matches(&d.mechanism, domain)? {
                let (ip, term) = (self.ip, d.text);
                let why = match d.qualifier {
                    SpfResult::Pass => format!("{ip} matches {term:?} in the SPF record of {domain}"),
                    SpfResult::Fail => {
                        format!("{ip} is not allowed to send for {domain}: its SPF record ends its list of allowed hosts with {term:?}")
                    }
                    _ => format!("{ip} matched {term:?} in the SPF record of {domain}"),
                };
                return Ok((d.qualifier, why));
            }
        }
        if let Some(target) = &parsed.redirect {
            // §6.1: redirect= applies only when no mechanism matched; it counts as a DNS term,
            // and a target without an SPF record is a PermError.
            self.count_dns_term()?;
            return match self.check(target)? {
                (SpfResult::None, _) => {
                    Ok((SpfResult::PermError, format!("redirect={target} points to a domain without an SPF record (RFC 7208 §6.1)")))
                }
                other => Ok(other),
            };
        }
        // §4.7: no match and no redirect → neutral.
        Ok((SpfResult::Neutral, format!("no term of {domain}'s SPF record matched {}", self.ip)))
    }

    fn spf_record(&mut self, domain: &str) -> Result<Option<String>, Stop> {
        let l = self.zone.query(domain, QType::Txt);
        self.lookups.push(l.clone());
        match l.answer {
            Answer::ServFail => Err((SpfResult::TempError, format!("the SPF lookup for {domain} failed (temperror)"))),
            Answer::NxDomain | Answer::NoData => Ok(None),
            Answer::Records(txts) => {
                // §4.5: records that begin with "v=spf1"; more than one is a PermError.
                let spf: Vec<String> = txts.into_iter().filter(|t| t == "v=spf1" || t.starts_with("v=spf1 ")).collect();
                match spf.len() {
                    0 => Ok(None),
                    1 => Ok(spf.into_iter().next()),
                    _ => Err((SpfResult::PermError, format!("{domain} publishes more than one SPF record (RFC 7208 §4.5)"))),
                }
            }
        }
    }

    fn matches(&mut self, mechanism: &Mechanism, domain: &str) -> Result<bool, Stop> {
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip(net, len) => Ok(in_network(self.ip, (*net, *len))),
            Mechanism::A(target, cidr) => {
                self.count_dns_term()?;
                self.host_matches(target.as_deref().unwrap_or(domain), *cidr)
            }
            Mechanism::Mx(target, cidr) => {
                self.count_dns_term()?;
                let target = target.as_deref().unwrap_or(domain);
                let mxs = self.query(target, QType::Mx)?;
                // §4.6.4: more than 10 MX names is a PermError.
                if mxs.len() > MAX_MX_NAMES {
                    return Err((SpfResult::PermError, format!("{target} has more than {MAX_MX_NAMES} MX records (RFC 7208 §4.6.4)")));
                }
                for mx in &mxs {
                    let host = mx.split_once(' ').map_or(mx.as_str(), |(_, h)| h);
                    if self.host_matches(host, *cidr)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Include(target) => {
                self.count_dns_term()?;
                // §5.2: the included check's result decides the match.
                match self.check(target)? {
                    (SpfResult::Pass, _) => Ok(true),
                    (SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral, _) => Ok(false),
                    (SpfResult::TempError, why) => Err((SpfResult::TempError, format!("include:{target}: {why}"))),
                    (SpfResult::PermError, why) => Err((SpfResult::PermError, format!("include:{target}: {why}"))),
                    (SpfResult::None, _) => {
                        Err((SpfResult::PermError, format!("include:{target} has no usable SPF record (RFC 7208 §5.2)")))
                    }
                }
            }
            Mechanism::Exists(target) => {
                // §5.7: an A query, whatever the client's address family; any answer matches.
                self.count_dns_term()?;
                Ok(!self.query(target, QType::A)?.is_empty())
            }
            Mechanism::Ptr => {
                // §5.5: the simulated DNS has no reverse zone, so no validated name exists and
                // ptr does not match (§5.5: "If ... no PTR records ... this mechanism fails to match").
                self.count_dns_term()?;
                Ok(false)
            }
        }
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

    #[test]
    fn a_syntax_error_anywhere_is_a_permerror_before_evaluation() {
        // RFC 7208 §4.6: the record is checked whole; "+all" first does not hide the error.
        assert_eq!(result("v=spf1 +all ip4:300.1.1.1", "192.0.2.25"), SpfResult::PermError);
        assert_eq!(result("v=spf1 +all a/33", "192.0.2.25"), SpfResult::PermError);
        assert_eq!(result("v=spf1 +all a:museum", "192.0.2.25"), SpfResult::PermError, "§7.1: a domain-spec needs a top label");
        assert_eq!(result("v=spf1 +all redirect=a.example redirect=b.example", "192.0.2.25"), SpfResult::PermError, "§6: twice");
    }
}
