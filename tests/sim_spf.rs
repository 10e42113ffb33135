//! SPF (RFC 7208) as data: the examples of Appendix A over the zone of Appendix A, the rules of
//! §5 and §6 that the simulator once got wrong, and properties over random records (no panic,
//! every check ends within the DNS limits of §4.6.4).

use proptest::prelude::*;
use smtp_sim::sim::dns::{AddressRecord, MxRecord, TxtRecord, Zone};
use smtp_sim::sim::spf::{check_host, SpfResult, MAX_QUERIES};

use SpfResult::*;

fn a(name: &str, address: &str) -> AddressRecord {
    AddressRecord { name: name.into(), address: address.into() }
}

fn mx(domain: &str, preference: u16, host: &str) -> MxRecord {
    MxRecord { domain: domain.into(), preference, host: host.into() }
}

/// The zone of RFC 7208 Appendix A (without the reverse zone, which the simulator does not model),
/// plus an IPv6 host for the ip6 and dual-cidr rows.
fn appendix_a_zone() -> Zone {
    Zone {
        mx: vec![
            mx("example.com", 10, "mail-a.example.com"),
            mx("example.com", 20, "mail-b.example.com"),
            mx("example.org", 10, "mail-c.example.org"),
        ],
        a: vec![
            a("example.com", "192.0.2.10"),
            a("example.com", "192.0.2.11"),
            a("amy.example.com", "192.0.2.65"),
            a("bob.example.com", "192.0.2.66"),
            a("mail-a.example.com", "192.0.2.129"),
            a("mail-b.example.com", "192.0.2.130"),
            a("mail-c.example.org", "192.0.2.140"),
        ],
        aaaa: vec![a("example.com", "2001:db8:10::1"), a("mail-a.example.com", "2001:db8:129::1")],
        ..Zone::default()
    }
}

/// Evaluate `record`, published as the TXT of example.com (and `extra` records elsewhere), for `ip`.
fn spf(record: &str, extra: &[(&str, &str)], ip: &str) -> SpfResult {
    let mut zone = appendix_a_zone();
    zone.txt.push(TxtRecord { name: "example.com".into(), text: record.into() });
    for (name, text) in extra {
        zone.txt.push(TxtRecord { name: (*name).into(), text: (*text).into() });
    }
    let mut lookups = Vec::new();
    check_host(&zone, ip.parse().unwrap(), "example.com", &mut lookups).0
}

/// One row: the record, the client, the result, and where the rule is written.
struct Row {
    record: &'static str,
    ip: &'static str,
    want: SpfResult,
    rule: &'static str,
}

const fn row(record: &'static str, ip: &'static str, want: SpfResult, rule: &'static str) -> Row {
    Row { record, ip, want, rule }
}

#[rustfmt::skip]
const APPENDIX_A1: &[Row] = &[
    row("v=spf1 +all", "192.0.2.99", Pass, "A.1: any passes"),
    row("v=spf1 a -all", "192.0.2.10", Pass, "A.1: hosts 192.0.2.10 and 192.0.2.11 pass"),
    row("v=spf1 a -all", "192.0.2.11", Pass, "A.1"),
    row("v=spf1 a -all", "192.0.2.65", Fail, "A.1"),
    row("v=spf1 a:example.org -all", "192.0.2.140", Fail, "A.1: no sending hosts pass since example.org has no A records"),
    row("v=spf1 a:example.org -all", "192.0.2.10", Fail, "A.1"),
    row("v=spf1 mx -all", "192.0.2.129", Pass, "A.1: sending hosts 192.0.2.129 and 192.0.2.130 pass"),
    row("v=spf1 mx -all", "192.0.2.130", Pass, "A.1"),
    row("v=spf1 mx -all", "192.0.2.10", Fail, "A.1"),
    row("v=spf1 mx:example.org -all", "192.0.2.140", Pass, "A.1: sending host 192.0.2.140 passes"),
    row("v=spf1 mx:example.org -all", "192.0.2.129", Fail, "A.1"),
    row("v=spf1 mx mx:example.org -all", "192.0.2.129", Pass, "A.1: 192.0.2.129, 192.0.2.130 and 192.0.2.140 pass"),
    row("v=spf1 mx mx:example.org -all", "192.0.2.130", Pass, "A.1"),
    row("v=spf1 mx mx:example.org -all", "192.0.2.140", Pass, "A.1"),
    row("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", Pass, "A.1: any host in 192.0.2.128/30 or 192.0.2.140/30 passes"),
    row("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.128", Pass, "A.1"),
    row("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.143", Pass, "A.1"),
    row("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.132", Fail, "A.1"),
    row("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.144", Fail, "A.1"),
    row("v=spf1 ptr -all", "10.0.0.4", Fail, "A.1: 10.0.0.4 fails (reverse IP not valid)"),
    row("v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", Fail, "A.1: 192.0.2.65 fails"),
    row("v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", Pass, "A.1: 192.0.2.129 passes"),
];

#[rustfmt::skip]
const RULES: &[Row] = &[
    // §6: "Unrecognized modifiers MUST be ignored", wherever they stand.
    row("v=spf1 foo=bar ip4:192.0.2.1 -all", "192.0.2.1", Pass, "§6 unknown modifier ignored"),
    row("v=spf1 ip4:192.0.2.1 moo.cow-far_out=man:dog/cat -all", "192.0.2.2", Fail, "§6 unknown modifier ignored"),
    row("v=spf1 -all foo=%{d}", "192.0.2.1", PermError, "§7: macros not simulated (said in the reason)"),
    row("v=spf1 exp=explain.example.com -all", "192.0.2.1", Fail, "§6.2 exp= parsed, evaluation unchanged"),
    row("v=spf1 exp=a.example.com exp=b.example.com -all", "192.0.2.1", PermError, "§6: exp twice"),
    // §4.6.1: an unknown mechanism is a PermError, even after a matching term.
    row("v=spf1 +all frobnicate", "192.0.2.1", PermError, "§4.6.1 unknown mechanism"),
    row("v=spf1 -redirect=example.org", "192.0.2.1", PermError, "§12: a modifier takes no qualifier"),
    // §5.3: a [":" domain-spec] [dual-cidr-length].
    row("v=spf1 a/24 -all", "192.0.2.200", Pass, "§5.3 a/24"),
    row("v=spf1 a/24 -all", "192.0.3.1", Fail, "§5.3 a/24"),
    row("v=spf1 a:mail-c.example.org/24 -all", "192.0.2.7", Pass, "§5.3 a:host/24 (not a host name 'mail-c.example.org/24')"),
    row("v=spf1 a:mail-c.example.org/31 -all", "192.0.2.141", Pass, "§5.3 a:host/31"),
    row("v=spf1 a:mail-c.example.org/31 -all", "192.0.2.142", Fail, "§5.3 a:host/31"),
    row("v=spf1 a/33 -all", "192.0.2.10", PermError, "§5.6 ip4-cidr-length at most 32"),
    row("v=spf1 a/024 -all", "192.0.2.10", PermError, "§5.6 no leading zero"),
    row("v=spf1 a//129 -all", "192.0.2.10", PermError, "§5.6 ip6-cidr-length at most 128"),
    // §5.4: mx [":" domain-spec] [dual-cidr-length].
    row("v=spf1 mx/24 -all", "192.0.2.1", Pass, "§5.4 mx/24"),
    row("v=spf1 mx:example.org/29 -all", "192.0.2.136", Pass, "§5.4 mx:host/29"),
    row("v=spf1 mx:example.org/29 -all", "192.0.2.135", Fail, "§5.4 mx:host/29"),
    // §5.6: ip6 and the IPv6 half of a dual-cidr-length.
    row("v=spf1 ip6:2001:db8::/32 -all", "2001:db8:ffff::1", Pass, "§5.6 ip6 prefix"),
    row("v=spf1 ip6:2001:db8::/32 -all", "2001:db9::1", Fail, "§5.6 ip6 prefix"),
    row("v=spf1 ip6:2001:db8::1 -all", "2001:db8::1", Pass, "§5.6 ip6 without length is /128"),
    row("v=spf1 ip6:2001:db8::1 -all", "2001:db8::2", Fail, "§5.6 ip6 without length is /128"),
    row("v=spf1 ip6:2001:db8::/129 -all", "2001:db8::1", PermError, "§5.6 ip6-cidr-length at most 128"),
    row("v=spf1 ip4:2001:db8::1 -all", "2001:db8::1", PermError, "§5.6 ip4 needs an IPv4 network"),
    row("v=spf1 ip6:2001:db8::/32 -all", "192.0.2.1", Fail, "§5.6 ip6 never matches an IPv4 client"),
    row("v=spf1 a//48 -all", "2001:db8:10::ffff", Pass, "§5.3 a//48 for an IPv6 client"),
    row("v=spf1 a//48 -all", "2001:db8:11::1", Fail, "§5.3 a//48"),
    row("v=spf1 a/24//48 -all", "192.0.2.99", Pass, "§5.6 dual: the IPv4 length for an IPv4 client"),
    row("v=spf1 a/24//48 -all", "2001:db8:10::9", Pass, "§5.6 dual: the IPv6 length for an IPv6 client"),
    row("v=spf1 a/32//128 -all", "2001:db8:10::9", Fail, "§5.6 dual: /128 is one address"),
    row("v=spf1 mx//32 -all", "2001:db8:ffff::1", Pass, "§5.4 mx//32 through the AAAA of mail-a"),
    // §5.7 exists: an A query; any answer matches.
    row("v=spf1 exists:amy.example.com -all", "203.0.113.9", Pass, "§5.7 exists"),
    row("v=spf1 exists:nobody.example.com -all", "203.0.113.9", Fail, "§5.7 exists"),
    // §4.7: no match, no redirect → neutral.
    row("v=spf1 ip4:203.0.113.0/24", "192.0.2.1", Neutral, "§4.7 default result"),
];

#[test]
fn rfc7208_appendix_a1_examples() {
    for r in APPENDIX_A1.iter().chain(RULES) {
        assert_eq!(spf(r.record, &[], r.ip), r.want, "{:?} for {} ({})", r.record, r.ip, r.rule);
    }
}

#[test]
fn rfc7208_appendix_a2_multiple_domains() {
    // A.2: example.org includes example.com and example.net; la.example.org redirects to it.
    let extra = [
        ("example.org", "v=spf1 include:example.com include:example.net -all"),
        ("la.example.org", "v=spf1 redirect=example.org"),
        ("example.net", "v=spf1 ip4:203.0.113.0/24 -all"),
    ];
    let check = |domain: &str, ip: &str| {
        let mut zone = appendix_a_zone();
        zone.txt.push(TxtRecord { name: "example.com".into(), text: "v=spf1 mx -all".into() });
        for (name, text) in extra {
            zone.txt.push(TxtRecord { name: name.into(), text: text.into() });
        }
        check_host(&zone, ip.parse().unwrap(), domain, &mut Vec::new()).0
    };
    assert_eq!(check("example.org", "192.0.2.129"), Pass, "include:example.com (its mx) matches");
    assert_eq!(check("example.org", "203.0.113.5"), Pass, "include:example.net matches");
    // §5.2: an included Fail is only "no match"; the including record's -all decides.
    assert_eq!(check("example.org", "198.51.100.1"), Fail);
    assert_eq!(check("la.example.org", "203.0.113.5"), Pass, "§6.1 redirect= evaluates example.org");
    assert_eq!(check("la.example.org", "198.51.100.1"), Fail, "§6.1 the redirect's result is the result");
}

#[test]
fn redirect_and_include_edge_cases() {
    // §6.1: a redirect to a domain with no SPF record is a PermError; redirect is ignored when
    // a mechanism matched.
    assert_eq!(spf("v=spf1 redirect=nothing.example.org", &[], "192.0.2.1"), PermError);
    assert_eq!(spf("v=spf1 +all redirect=nothing.example.org", &[], "192.0.2.1"), Pass);
    // §5.2: include of a domain without a record is a PermError; a TempError is passed through.
    assert_eq!(spf("v=spf1 include:nothing.example.org -all", &[], "192.0.2.1"), PermError);
    let mut zone = appendix_a_zone();
    zone.txt.push(TxtRecord { name: "example.com".into(), text: "v=spf1 include:broken.example.org -all".into() });
    zone.servfail.push("broken.example.org".into());
    assert_eq!(check_host(&zone, "192.0.2.1".parse().unwrap(), "example.com", &mut Vec::new()).0, TempError);
}

#[test]
fn lookup_limits_of_4_6_4() {
    // Eleven DNS-querying terms: PermError at the 11th, even though a later term would match.
    let record = format!("v=spf1 {}ip4:192.0.2.1 -all", "a:amy.example.com ".repeat(11));
    assert_eq!(spf(&record, &[], "192.0.2.1"), PermError);
    // Ten are allowed.
    let record = format!("v=spf1 {}ip4:192.0.2.1 -all", "a:amy.example.com ".repeat(10));
    assert_eq!(spf(&record, &[], "192.0.2.1"), Pass);
    // More than two void lookups (names with no address records) end the check.
    let record = "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ip4:192.0.2.1 -all";
    assert_eq!(spf(record, &[], "192.0.2.1"), PermError);
    // An include loop ends at the term limit.
    assert_eq!(spf("v=spf1 include:example.com -all", &[], "192.0.2.1"), PermError);
    // More than 10 MX names for one mx term.
    let mut zone = appendix_a_zone();
    zone.txt.push(TxtRecord { name: "example.com".into(), text: "v=spf1 mx:many.example.org -all".into() });
    for i in 0..11 {
        zone.mx.push(mx("many.example.org", 10, &format!("m{i}.example.org")));
    }
    assert_eq!(check_host(&zone, "192.0.2.1".parse().unwrap(), "example.com", &mut Vec::new()).0, PermError);
}

fn term() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["a.test", "b.test", "c.test", "example.com", "x", "nowhere.test", ""]);
    let mech = prop::sample::select(vec![
        "all",
        "a",
        "mx",
        "include",
        "exists",
        "ptr",
        "ip4",
        "ip6",
        "redirect=",
        "exp=",
        "foo=",
        "bogus",
        "v=spf1",
    ]);
    let qual = prop::sample::select(vec!["", "+", "-", "~", "?"]);
    let cidr = prop::sample::select(vec!["", "/0", "/24", "/32", "/33", "//64", "/24//64", "//200", "/", "//"]);
    let junk = "[ -~]{0,6}";
    (qual, mech, name, cidr, any::<bool>(), junk).prop_map(|(q, m, n, c, colon, j)| match m {
        "ip4" => format!("{q}ip4:192.0.2.{}{c}", j.len()),
        "ip6" => format!("{q}ip6:2001:db8::{:x}{c}", j.len()),
        m if m.ends_with('=') => format!("{m}{n}{j}"),
        m if colon => format!("{q}{m}:{n}{c}"),
        m => format!("{q}{m}{c}{j}"),
    })
}

fn record() -> impl Strategy<Value = String> {
    prop::collection::vec(term(), 0..14).prop_map(|t| format!("v=spf1 {}", t.join(" ")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A random record, or a random set of records that include and redirect to each other,
    /// never panics, and every check ends within the limits of RFC 7208 §4.6.4.
    #[test]
    fn random_records_terminate_within_the_lookup_limits(
        records in prop::collection::vec(record(), 4),
        raw in "[ -~]{0,40}",
        v6 in any::<bool>(),
    ) {
        let mut zone = appendix_a_zone();
        for (name, text) in ["example.com", "a.test", "b.test", "c.test"].iter().zip(&records) {
            zone.txt.push(TxtRecord { name: (*name).into(), text: text.clone() });
        }
        zone.txt.push(TxtRecord { name: "raw.test".into(), text: format!("v=spf1 {raw}") });
        zone.mx.push(mx("a.test", 10, "b.test"));
        zone.a.push(a("b.test", "192.0.2.7"));
        let ip = if v6 { "2001:db8::7" } else { "192.0.2.7" };
        for domain in ["example.com", "a.test", "raw.test"] {
            let mut lookups = Vec::new();
            let (_, why) = check_host(&zone, ip.parse().unwrap(), domain, &mut lookups);
            prop_assert!(lookups.len() <= MAX_QUERIES, "{} queries for {domain}: {why}", lookups.len());
            prop_assert!(!why.is_empty());
        }
    }
}
