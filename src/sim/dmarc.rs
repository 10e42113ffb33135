//! DMARC (RFC 7489) over the simulated DNS, and the `Authentication-Results:` field (RFC 8601)
//! a receiving server adds: does the domain in the header `From:` — the one the reader sees —
//! line up with a domain that SPF or DKIM actually verified, and what does that domain ask the
//! receiver to do when it does not?
//!
//! The organizational domain (§3.2) needs the Public Suffix List; the simulated world uses the
//! short list in [`PUBLIC_SUFFIXES`] (the suffixes the built-in scenarios and the RFCs' example
//! names use), said in every reason that depends on it.

use serde::{Deserialize, Serialize};

use super::dkim::{DkimResult, Verification};
use super::dns::{Answer, Lookup, QType, Zone};
use super::spf::SpfResult;

/// The public suffixes the simulated world knows (a stand-in for the Public Suffix List, RFC
/// 7489 §3.2): a domain one label below one of these is an organizational domain.
pub const PUBLIC_SUFFIXES: &[&str] = &[
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "int",
    "io",
    "info",
    "example",
    "test",
    "invalid",
    "localhost",
    "uk",
    "co.uk",
    "org.uk",
    "ac.uk",
    "de",
    "fr",
    "nl",
    "eu",
    "jp",
    "co.jp",
    "au",
    "com.au",
];

/// The organizational domain of `domain` (RFC 7489 §3.2): the public suffix plus one label.
pub fn organizational_domain(domain: &str) -> String {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    // The longest public suffix that matches, then one more label (§3.2 steps 2-4).
    for take in (1..labels.len()).rev() {
        let suffix = labels[labels.len() - take..].join(".");
        if PUBLIC_SUFFIXES.contains(&suffix.as_str()) {
            return labels[labels.len() - take - 1..].join(".");
        }
    }
    domain
}

/// Identifier alignment mode (`adkim=`, `aspf=`, RFC 7489 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alignment {
    /// The organizational domains are the same (the default).
    Relaxed,
    /// The domains are identical.
    Strict,
}

impl Alignment {
    fn aligned(self, a: &str, b: &str) -> bool {
        match self {
            Alignment::Strict => a.eq_ignore_ascii_case(b),
            Alignment::Relaxed => organizational_domain(a) == organizational_domain(b),
        }
    }
}

/// What a domain owner asks for mail that fails DMARC (`p=`, §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disposition {
    None,
    Quarantine,
    Reject,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::None => "none",
            Disposition::Quarantine => "quarantine",
            Disposition::Reject => "reject",
        }
    }

    fn parse(s: &str) -> Option<Disposition> {
        match s {
            "none" => Some(Disposition::None),
            "quarantine" => Some(Disposition::Quarantine),
            "reject" => Some(Disposition::Reject),
            _ => None,
        }
    }

    /// One step gentler (§6.6.4: a message not sampled by `pct=` gets the next lower policy).
    fn gentler(self) -> Disposition {
        match self {
            Disposition::Reject => Disposition::Quarantine,
            _ => Disposition::None,
        }
    }
}

/// A DMARC policy record (`_dmarc.domain` TXT, RFC 7489 §6.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub policy: Disposition,
    /// `sp=`: the policy for subdomains (default: `p=`).
    pub subdomain_policy: Option<Disposition>,
    pub adkim: Alignment,
    pub aspf: Alignment,
    /// `pct=`: the percentage of failing mail the policy applies to (default 100).
    pub pct: u8,
    /// `rua=`: where aggregate reports go (shown, not sent).
    pub rua: Option<String>,
}

impl Record {
    /// Reads a record; `Err` says why it is not one (then the domain has no usable policy).
    pub fn parse(text: &str) -> Result<Record, String> {
        let tags: Vec<(&str, &str)> = text
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| t.split_once('=').map(|(k, v)| (k.trim(), v.trim())).ok_or(()))
            .collect::<Result<_, _>>()
            .map_err(|()| format!("\"{text}\" is not a tag list (RFC 7489 §6.4)"))?;
        // §6.3: v= MUST be first and DMARC1.
        if tags.first() != Some(&("v", "DMARC1")) {
            return Err("a DMARC record starts with v=DMARC1 (RFC 7489 §6.3)".into());
        }
        let get = |name: &str| tags.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let alignment = |name: &str| match get(name) {
            None | Some("r") => Ok(Alignment::Relaxed),
            Some("s") => Ok(Alignment::Strict),
            Some(other) => Err(format!("{name}={other} is not r or s (RFC 7489 §6.3)")),
        };
        let policy = match get("p") {
            Some(p) => Disposition::parse(p).ok_or_else(|| format!("p={p} is not none, quarantine or reject (RFC 7489 §6.3)"))?,
            // §6.6.3 step 6: no valid p= but a valid rua= → as if p=none.
            None if get("rua").is_some() => Disposition::None,
            None => return Err("the record has no p= (RFC 7489 §6.3 requires it)".into()),
        };
        let pct = match get("pct") {
            None => 100,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= 100).ok_or_else(|| format!("pct={p} is not 0 to 100 (RFC 7489 §6.3)"))?,
        };
        Ok(Record {
            policy,
            subdomain_policy: get("sp").and_then(Disposition::parse),
            adkim: alignment("adkim")?,
            aspf: alignment("aspf")?,
            pct,
            rua: get("rua").map(str::to_string),
        })
    }
}

/// The DMARC result for one message (RFC 7489 §4.2, RFC 8601 `dmarc=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DmarcResult {
    /// The From: domain publishes no policy.
    None,
    Pass,
    Fail,
    TempError,
    PermError,
}

impl DmarcResult {
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcResult::None => "none",
            DmarcResult::Pass => "pass",
            DmarcResult::Fail => "fail",
            DmarcResult::TempError => "temperror",
            DmarcResult::PermError => "permerror",
        }
    }
}

/// What the receiver found and decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub result: DmarcResult,
    /// The RFC 5322.From domain the check was about.
    pub from_domain: String,
    /// The policy found (`None`: no record).
    pub record: Option<Record>,
    /// What the receiver does: the policy, after `sp=` and `pct=`; `None` when DMARC passed.
    pub disposition: Disposition,
    /// A sentence for a student: which identifier aligned or why none did.
    pub reason: String,
}

/// The domain of the single address in the `From:` field (RFC 7489 §6.6.1: the check needs
/// exactly one author domain).
pub fn from_domain(message: &[u8]) -> Result<String, String> {
    let parsed = super::dkim::Message::parse(message);
    let froms: Vec<_> = parsed.fields.iter().filter(|f| f.name.eq_ignore_ascii_case("From")).collect();
    let [field] = froms.as_slice() else {
        return Err(format!("the message has {} From: fields; DMARC needs exactly one (RFC 7489 §6.6.1)", froms.len()));
    };
    let value = String::from_utf8_lossy(field.raw);
    let value = value.split_once(':').map_or("", |(_, v)| v).trim();
    let address = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value,
    };
    if address.matches('@').count() != 1 || address.contains(',') {
        return Err(format!("the From: field \"{value}\" does not hold exactly one address (RFC 7489 §6.6.1)"));
    }
    let domain = address.rsplit_once('@').map_or("", |(_, d)| d).trim().to_ascii_lowercase();
    if domain.is_empty() {
        return Err("the From: address has no domain (RFC 7489 §6.6.1)".into());
    }
    Ok(domain)
}

fn lookup_record(zone: &Zone, domain: &str, lookups: &mut Vec<Lookup>) -> Result<Option<Record>, DmarcResult> {
    let lookup = zone.query(&format!("_dmarc.{domain}"), QType::Txt);
    let answer = lookup.answer.clone();
    lookups.push(lookup);
    match answer {
        Answer::ServFail => Err(DmarcResult::TempError),
        Answer::NxDomain | Answer::NoData => Ok(None),
        Answer::Records(texts) => {
            // §6.6.3: records not starting with v=DMARC1 are discarded; more than one → none.
            let records: Vec<Record> =
                texts.iter().filter(|t| t.trim_start().starts_with("v=DMARC1")).filter_map(|t| Record::parse(t).ok()).collect();
            Ok(if records.len() == 1 { records.into_iter().next() } else { None })
        }
    }
}

/// Evaluates DMARC for a message whose SPF check gave `spf` for the MAIL FROM domain
/// `mail_from_domain`, and whose DKIM signatures gave `dkim`. `sample` (0–99, from the scenario's
/// random stream) decides whether `pct=` selects this message.
pub fn evaluate(
    zone: &Zone,
    from_domain: &str,
    spf: SpfResult,
    mail_from_domain: &str,
    dkim: &[Verification],
    sample: u8,
    lookups: &mut Vec<Lookup>,
) -> Outcome {
    let org = organizational_domain(from_domain);
    let mut outcome = Outcome {
        result: DmarcResult::None,
        from_domain: from_domain.to_string(),
        record: None,
        disposition: Disposition::None,
        reason: String::new(),
    };
    // §6.6.3: the From: domain first, then its organizational domain.
    let (record, at_org) = match lookup_record(zone, from_domain, lookups) {
        Err(e) => {
            outcome.result = e;
            outcome.reason = format!("the DNS server for _dmarc.{from_domain} failed: the policy cannot be known now (RFC 7489 §6.6.3)");
            return outcome;
        }
        Ok(Some(r)) => (r, false),
        Ok(None) if org != from_domain => match lookup_record(zone, &org, lookups) {
            Err(e) => {
                outcome.result = e;
                outcome.reason = format!("the DNS server for _dmarc.{org} failed (RFC 7489 §6.6.3)");
                return outcome;
            }
            Ok(Some(r)) => (r, true),
            Ok(None) => {
                outcome.reason = format!(
                    "neither {from_domain} nor {org} publishes a DMARC record: the receiver applies its own rules (RFC 7489 §6.6.3)"
                );
                return outcome;
            }
        },
        Ok(None) => {
            outcome.reason = format!(
                "{from_domain} publishes no DMARC record (_dmarc.{from_domain} TXT): the receiver applies its own rules (RFC 7489 §6.6.3)"
            );
            return outcome;
        }
    };
    let spf_aligned = spf == SpfResult::Pass && record.aspf.aligned(mail_from_domain, from_domain);
    let dkim_aligned = dkim.iter().find(|v| v.result == DkimResult::Pass && record.adkim.aligned(&v.domain, from_domain));
    let mode = |a: Alignment| match a {
        Alignment::Relaxed => "relaxed: same organizational domain",
        Alignment::Strict => "strict: identical domains",
    };
    if let Some(v) = dkim_aligned {
        outcome.result = DmarcResult::Pass;
        outcome.reason =
            format!("DKIM passed for d={}, which aligns with From: {from_domain} ({}) (RFC 7489 §3.1.1)", v.domain, mode(record.adkim));
    } else if spf_aligned {
        outcome.result = DmarcResult::Pass;
        outcome.reason = format!(
            "SPF passed for the MAIL FROM domain {mail_from_domain}, which aligns with From: {from_domain} ({}) (RFC 7489 §3.1.2)",
            mode(record.aspf)
        );
    } else {
        outcome.result = DmarcResult::Fail;
        let spf_part = if spf == SpfResult::Pass {
            format!("SPF passed for {mail_from_domain}, which does not align with {from_domain} ({})", mode(record.aspf))
        } else {
            format!("SPF gave {} for {}", spf.as_str(), if mail_from_domain.is_empty() { "the null sender" } else { mail_from_domain })
        };
        let dkim_part = match dkim.iter().find(|v| v.result == DkimResult::Pass) {
            Some(v) => format!("DKIM passed only for d={}, which does not align ({})", v.domain, mode(record.adkim)),
            None if dkim.is_empty() => "there is no DKIM signature".to_string(),
            None => "no DKIM signature verified".to_string(),
        };
        let policy = if at_org && org != from_domain { record.subdomain_policy.unwrap_or(record.policy) } else { record.policy };
        outcome.disposition = if sample < record.pct { policy } else { policy.gentler() };
        let sampled = if record.pct < 100 { format!("; pct={} selects {} of failing mail", record.pct, record.pct) } else { String::new() };
        outcome.reason = format!(
            "no identifier aligns with From: {from_domain}: {spf_part}, and {dkim_part}; its owner asks for p={}{sampled} (RFC 7489 §6.6.2, §6.6.4)",
            policy.as_str()
        );
    }
    outcome.record = Some(record);
    outcome
}

/// Makes a `reason=` or comment value safe for a header field: printable ASCII without quotes
/// or backslashes (RFC 8601 §2.2 `value` is a token or quoted-string).
fn header_safe(text: &str) -> String {
    text.replace('§', "section ").chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { ' ' }).collect()
}

/// The short reason for a header: the part of a sentence before its first colon.
fn short(reason: &str) -> String {
    header_safe(reason.split(':').next().unwrap_or(reason).trim())
}

/// The `Authentication-Results:` field (RFC 8601 §2.2) that `authserv_id` adds, folded, ending
/// in CRLF. `spf` is the SPF result with the MAIL FROM domain (`None`: not checked).
pub fn authentication_results(authserv_id: &str, spf: Option<(SpfResult, &str)>, dkim: &[Verification], dmarc: Option<&Outcome>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some((result, domain)) = spf {
        parts.push(format!("spf={} smtp.mailfrom={}", result.as_str(), if domain.is_empty() { "<>" } else { domain }));
    }
    for v in dkim {
        let mut p = format!("dkim={}", v.result.as_str());
        if v.result != DkimResult::Pass {
            p.push_str(&format!(" reason=\"{}\"", short(&v.reason)));
        }
        if !v.domain.is_empty() {
            p.push_str(&format!(" header.d={} header.s={}", v.domain, v.selector));
            if !v.b_prefix.is_empty() {
                p.push_str(&format!(" header.b={}", v.b_prefix));
            }
        }
        parts.push(p);
    }
    if let Some(d) = dmarc {
        let policy = d
            .record
            .as_ref()
            .map(|r| format!(" (p={} dis={})", r.policy.as_str(), d.disposition.as_str().to_ascii_uppercase()))
            .unwrap_or_default();
        parts.push(format!("dmarc={}{policy} header.from={}", d.result.as_str(), d.from_domain));
    }
    if parts.is_empty() {
        // §2.2: "none" when no method was applied.
        return format!("Authentication-Results: {authserv_id}; none\r\n");
    }
    format!("Authentication-Results: {authserv_id};\r\n\t{}\r\n", parts.join(";\r\n\t"))
}

/// What a receiving server with `dmarc = true` does at the end of the data (before it answers):
/// verify every DKIM signature, evaluate DMARC for the From: domain with the SPF result of the
/// MAIL FROM (when it checked SPF), and write `Authentication-Results:`.
pub fn receive_checks(
    receiver: &str,
    zone: &Zone,
    message: &[u8],
    spf: Option<crate::sim::trace::SpfCheck>,
    now: u64,
    sample: u8,
    lookups: &mut Vec<Lookup>,
) -> crate::sim::trace::AuthChecks {
    use crate::sim::trace::{AuthChecks, DkimCheck, DmarcCheck};
    let verifications = super::dkim::verify(message, zone, now, lookups);
    let parsed = super::dkim::Message::parse(message);
    let fields: Vec<&[u8]> = parsed.fields.iter().filter(|f| f.name.eq_ignore_ascii_case("DKIM-Signature")).map(|f| f.raw).collect();
    let dkim: Vec<DkimCheck> = verifications
        .iter()
        .zip(&fields)
        .map(|(v, raw)| {
            let value = String::from_utf8_lossy(raw);
            let value = value.split_once(':').map_or("", |(_, v)| v);
            DkimCheck {
                result: v.result,
                domain: v.domain.clone(),
                selector: v.selector.clone(),
                reason: v.reason.clone(),
                warnings: v.warnings.clone(),
                tags: super::dkim::explain_tags(value),
                hashed_headers: String::from_utf8_lossy(&v.hashed_headers).into_owned(),
                hashed_body: String::from_utf8_lossy(&v.hashed_body).into_owned(),
            }
        })
        .collect();
    let (dmarc, note) = match from_domain(message) {
        Ok(domain) => {
            let (spf_result, mail_from) = spf.as_ref().map_or((SpfResult::None, ""), |s| (s.result, s.domain.as_str()));
            let o = evaluate(zone, &domain, spf_result, mail_from, &verifications, sample, lookups);
            let check = DmarcCheck {
                result: o.result,
                from_domain: o.from_domain.clone(),
                policy: o.record.as_ref().map(|r| r.policy),
                disposition: o.disposition,
                reason: o.reason.clone(),
            };
            (Some((check, o)), String::new())
        }
        Err(why) => (None, why),
    };
    let header = authentication_results(
        receiver,
        spf.as_ref().map(|s| (s.result, s.domain.as_str())),
        &verifications,
        dmarc.as_ref().map(|(_, o)| o),
    );
    AuthChecks { spf, dkim, dmarc: dmarc.map(|(c, _)| c), note, header }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dns::TxtRecord;

    fn zone(records: &[(&str, &str)]) -> Zone {
        Zone { txt: records.iter().map(|(n, t)| TxtRecord { name: (*n).into(), text: (*t).into() }).collect(), ..Zone::default() }
    }

    fn dkim_pass(domain: &str) -> Verification {
        Verification {
            result: DkimResult::Pass,
            domain: domain.into(),
            selector: "s1".into(),
            b_prefix: "abcdefgh".into(),
            reason: "ok".into(),
            warnings: vec![],
            hashed_headers: vec![],
            hashed_body: vec![],
        }
    }

    #[test]
    fn organizational_domains_use_the_public_suffixes() {
        assert_eq!(organizational_domain("mail.example.com"), "example.com");
        assert_eq!(organizational_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(organizational_domain("Example.COM."), "example.com");
        assert_eq!(organizational_domain("localhost"), "localhost");
        assert_eq!(organizational_domain("football.example"), "football.example");
    }

    #[test]
    fn records_are_read_as_rfc7489_s6_3_says() {
        let r = Record::parse("v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; rua=mailto:d@example.com").unwrap();
        assert_eq!(
            (r.policy, r.subdomain_policy, r.adkim, r.aspf, r.pct),
            (Disposition::Reject, Some(Disposition::Quarantine), Alignment::Strict, Alignment::Relaxed, 50)
        );
        assert!(Record::parse("p=reject; v=DMARC1").unwrap_err().contains("starts with v=DMARC1"));
        assert!(Record::parse("v=DMARC1; p=drop").unwrap_err().contains("p=drop"));
        assert!(Record::parse("v=DMARC1; p=none; pct=101").is_err());
        assert_eq!(Record::parse("v=DMARC1; rua=mailto:x@y").unwrap().policy, Disposition::None, "§6.6.3: rua without p is p=none");
        assert!(Record::parse("v=DMARC1").is_err());
    }

    #[test]
    fn a_forwarded_message_passes_through_dkim_after_failing_spf() {
        let z = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
        let o = evaluate(&z, "example.com", SpfResult::Fail, "example.com", &[dkim_pass("example.com")], 0, &mut Vec::new());
        assert_eq!(o.result, DmarcResult::Pass);
        assert!(o.reason.starts_with("DKIM passed for d=example.com"), "{}", o.reason);
        assert_eq!(o.disposition, Disposition::None);
    }

    #[test]
    fn a_spoofed_from_is_rejected_and_the_reason_names_both_identifiers() {
        let z = zone(&[("_dmarc.bank.example", "v=DMARC1; p=reject")]);
        let o = evaluate(&z, "bank.example", SpfResult::Pass, "spammer.example", &[dkim_pass("spammer.example")], 0, &mut Vec::new());
        assert_eq!((o.result, o.disposition), (DmarcResult::Fail, Disposition::Reject));
        assert!(o.reason.contains("SPF passed for spammer.example, which does not align"), "{}", o.reason);
        assert!(o.reason.contains("DKIM passed only for d=spammer.example"), "{}", o.reason);
    }

    #[test]
    fn alignment_modes_and_subdomains() {
        let relaxed = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
        let mut lookups = Vec::new();
        let o = evaluate(&relaxed, "news.example.com", SpfResult::Pass, "bounces.example.com", &[], 0, &mut lookups);
        assert_eq!(o.result, DmarcResult::Pass, "relaxed SPF alignment: {}", o.reason);
        assert_eq!(
            lookups.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["_dmarc.news.example.com", "_dmarc.example.com"],
            "§6.6.3 fallback"
        );

        let strict = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject; aspf=s; sp=none")]);
        let o = evaluate(&strict, "news.example.com", SpfResult::Pass, "bounces.example.com", &[], 0, &mut Vec::new());
        assert_eq!(
            (o.result, o.disposition),
            (DmarcResult::Fail, Disposition::None),
            "strict, and sp=none for the subdomain: {}",
            o.reason
        );
    }

    #[test]
    fn pct_samples_and_the_rest_get_the_gentler_policy() {
        let z = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject; pct=25")]);
        let at = |sample| evaluate(&z, "example.com", SpfResult::Fail, "x.example", &[], sample, &mut Vec::new()).disposition;
        assert_eq!(at(10), Disposition::Reject);
        assert_eq!(at(60), Disposition::Quarantine, "§6.6.4");
    }

    #[test]
    fn no_record_none_and_servfail_temperror() {
        let o = evaluate(&Zone::default(), "example.com", SpfResult::Pass, "example.com", &[], 0, &mut Vec::new());
        assert_eq!(o.result, DmarcResult::None);
        let broken = Zone { servfail: vec!["_dmarc.example.com".into()], ..Zone::default() };
        assert_eq!(
            evaluate(&broken, "example.com", SpfResult::Pass, "example.com", &[], 0, &mut Vec::new()).result,
            DmarcResult::TempError
        );
        let two = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject"), ("_dmarc.example.com", "v=DMARC1; p=none")]);
        assert_eq!(
            evaluate(&two, "example.com", SpfResult::Fail, "x", &[], 0, &mut Vec::new()).result,
            DmarcResult::None,
            "two records: none (§6.6.3)"
        );
    }

    #[test]
    fn the_author_domain_is_the_one_address_of_from() {
        assert_eq!(from_domain(b"From: Joe <joe@Football.Example.com>\r\n\r\nhi").unwrap(), "football.example.com");
        assert_eq!(from_domain(b"From: joe@example.com\r\n\r\n").unwrap(), "example.com");
        assert!(from_domain(b"From: a@x.example, b@y.example\r\n\r\n").unwrap_err().contains("exactly one address"));
        assert!(from_domain(b"From: a@x.example\r\nFrom: b@y.example\r\n\r\n").unwrap_err().contains("2 From:"));
        assert!(from_domain(b"To: a@x.example\r\n\r\n").is_err());
    }

    #[test]
    fn authentication_results_field() {
        let z = zone(&[("_dmarc.example.com", "v=DMARC1; p=quarantine")]);
        let mut failed = dkim_pass("example.com");
        failed.result = DkimResult::Fail;
        failed.reason = "body hash did not verify: the body (canonicalized relaxed) is not the one … (RFC 6376 §6.1.3)".into();
        let o = evaluate(&z, "example.com", SpfResult::SoftFail, "example.com", std::slice::from_ref(&failed), 0, &mut Vec::new());
        let field = authentication_results("mx.example.org", Some((SpfResult::SoftFail, "example.com")), &[failed], Some(&o));
        assert_eq!(
            field,
            "Authentication-Results: mx.example.org;\r\n\tspf=softfail smtp.mailfrom=example.com;\r\n\tdkim=fail reason=\"body hash did not verify\" header.d=example.com header.s=s1 header.b=abcdefgh;\r\n\tdmarc=fail (p=quarantine dis=QUARANTINE) header.from=example.com\r\n"
        );
        assert_eq!(authentication_results("mx.example.org", None, &[], None), "Authentication-Results: mx.example.org; none\r\n");
        assert!(field.is_ascii());
    }
}
