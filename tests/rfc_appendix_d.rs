//! The built-in scenarios `rfc5321-d1` … `rfc5321-d4` against the text of RFC 5321 Appendix D:
//! the transcripts below are the appendix's own lines, copied verbatim (the known answer), and
//! each test replays the scenario and compares its SMTP sessions with them line for line: every
//! command, every reply line with its text, the EHLO keyword lines, and the message as it
//! travels (undoing only the dot-stuffing of RFC 5321 §4.5.2, since the appendix prints the
//! text), `Received:` line included. Nothing is normalised. Where the appendix contradicts
//! itself, [`D3_STEP2_ERRATA`] replaces the printed line with the correct one and says why.
//! The DNS and connection steps the appendix describes in prose are checked event by event.

use smtp_sim::sim::scenario::builtin;
use smtp_sim::sim::trace::{Event, Kind, Layer, Trace};
use smtp_sim::sim::world;
use smtp_sim::smtp::catalogue::reply_spec;

/// RFC 5321 Appendix D.1, "A Typical SMTP Transaction Scenario".
const D1: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RCPT TO:<Brown@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

/// RFC 5321 Appendix D.2, "Aborted SMTP Transaction Scenario".
const D2: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RSET
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

/// RFC 5321 Appendix D.3, "Relayed Mail Scenario", Step 1 -- Source Host to Relay Host.
const D3_STEP1: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<JQP@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@XYZ.COM>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Date: Thu, 21 May 1998 05:33:29 -0700
      C: From: John Q. Public <JQP@bar.com>
      C: Subject: The Next Meeting of the Board
      C: To: Jones@xyz.com
      C:
      C: Bill:
      C: The next meeting of the board of directors will be
      C: on Tuesday.
      C: John.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

/// RFC 5321 Appendix D.3, Step 2 -- Relay Host to Destination Host (see [`D3_STEP2_ERRATA`]).
const D3_STEP2: &str = "
           S: 220 xyz.com Simple Mail Transfer Service Ready
           C: EHLO foo.com
           S: 250 xyz.com is on the air
           C: MAIL FROM:<JQP@bar.com>
           S: 250 OK
           C: RCPT TO:<Jones@XYZ.COM>
           S: 250 OK
           C: DATA
           S: 354 Start mail input; end with <CRLF>.<CRLF>
           C: Received: from bar.com by foo.com ; Thu, 21 May 1998
           C:     05:33:29 -0700
           C: Date: Thu, 21 May 1998 05:33:22 -0700
           C: From: John Q. Public <JQP@bar.com>
           C: Subject:  The Next Meeting of the Board
           C: To: Jones@xyz.com
           C:
           C: Bill:
           C: The next meeting of the board of directors will be
           C: on Tuesday.
           C:                         John.
           C: .
           S: 250 OK
           C: QUIT
           S: 221 foo.com Service closing transmission channel
";

/// RFC 5321 Appendix D.4, "Verifying and Sending Scenario".
const D4: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250-VRFY
      S: 250 HELP
      C: VRFY Crispin
      S: 250 Mark Crispin <Admin.MRC@foo.com>
      C: MAIL FROM:<EAK@bar.com>
      S: 250 OK
      C: RCPT TO:<Admin.MRC@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

/// D.3 step 2 as printed contradicts step 1 and the roles of the hosts; these lines are
/// replaced in the known answer (each must occur exactly once, so a changed known answer fails).
const D3_STEP2_ERRATA: &[(&str, &str, &str)] = &[
    // A relay "MUST NOT" change the message except to add its Received: line (RFC 5321 §3.6.3),
    // so foo.com passes on step 1's text: step 2's Date: 7 seconds earlier, the second space
    // after "Subject:" and the indented "John." are slips of the example.
    ("C: Date: Thu, 21 May 1998 05:33:22 -0700", "C: Date: Thu, 21 May 1998 05:33:29 -0700", "RFC 5321 §3.6.3"),
    ("C: Subject:  The Next Meeting of the Board", "C: Subject: The Next Meeting of the Board", "RFC 5321 §3.6.3"),
    ("C:                         John.", "C: John.", "RFC 5321 §3.6.3"),
    // The 221 names the server that closes (RFC 5321 §4.2.3: "221 <domain> Service closing
    // transmission channel"): xyz.com, not its client foo.com.
    ("S: 221 foo.com Service closing transmission channel", "S: 221 xyz.com Service closing transmission channel", "RFC 5321 §4.2.3"),
];

/// The appendix dialogue as `C: …` / `S: …` lines (its indentation removed), with `errata`
/// applied.
fn appendix(text: &str, errata: &[(&str, &str, &str)]) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::trim_start).filter(|l| !l.is_empty()).map(String::from).collect();
    for (printed, correct, why) in errata {
        let at: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l == printed).map(|(i, _)| i).collect();
        assert_eq!(at.len(), 1, "erratum ({why}) {printed:?} must occur once in the known answer");
        lines[at[0]] = correct.to_string();
    }
    for l in &lines {
        assert!(l.starts_with("C:") || l.starts_with("S: "), "not an appendix line: {l:?}");
    }
    lines
}

fn trace(id: &str) -> Trace {
    world::run(&builtin(id).unwrap_or_else(|| panic!("no built-in {id}")))
}

/// The SMTP events of the session from node `client` to node `server`.
fn session<'t>(t: &'t Trace, client: &str, server: &str) -> Vec<&'t Event> {
    t.events
        .iter()
        .filter(|e| e.layer == Layer::Smtp && e.to.is_some())
        .filter(|e| (e.from == client && e.to.as_deref() == Some(server)) || (e.from == server && e.to.as_deref() == Some(client)))
        .collect()
}

/// The simulated session in the appendix's notation: `C: ` before what the client sends,
/// `S: ` before what the server sends, one wire line each. The message is printed as text:
/// the dot-stuffing of RFC 5321 §4.5.2 is undone ("...etc." travels as "....etc."), the final
/// "." stays. A line the appendix prints empty is "C:" (no space after the colon).
fn simulated(t: &Trace, client: &str, server: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in session(t, client, server) {
        let raw = e.raw.as_deref().unwrap_or_default();
        let mut lines: Vec<&str> = raw.split("\r\n").collect();
        assert_eq!(lines.pop(), Some(""), "every line ends with CRLF: {raw:?}");
        match e.kind {
            Kind::Command => out.extend(lines.iter().map(|l| format!("C: {l}"))),
            Kind::Reply => {
                // The catalogue still explains each reply, whatever its text.
                let key = e.key().unwrap_or_else(|| panic!("reply without a catalogue entry: {raw:?}"));
                assert!(reply_spec(key).is_some(), "{key}");
                out.extend(lines.iter().map(|l| format!("S: {l}")));
            }
            Kind::Data => {
                assert_eq!(lines.last(), Some(&"."), "data ends with <CRLF>.<CRLF>");
                for l in lines {
                    let text = if l.len() > 1 { l.strip_prefix('.').unwrap_or(l) } else { l };
                    out.push(if text.is_empty() { "C:".to_string() } else { format!("C: {text}") });
                }
            }
            _ => {}
        }
    }
    out
}

/// Compares one simulated session with one appendix dialogue, line for line.
#[track_caller]
fn check_session(t: &Trace, client: &str, server: &str, rfc: &str, errata: &[(&str, &str, &str)]) {
    let want = appendix(rfc, errata);
    let got = simulated(t, client, server);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {} of {client} → {server}", i + 1);
    }
    assert_eq!(got.len(), want.len(), "{client} → {server}: {got:#?}");
}

/// The first DNS question of `node` (the sending host finds the destination by MX, RFC 5321
/// §5.1, before any address lookup).
fn first_query<'t>(t: &'t Trace, node: &str) -> &'t str {
    &t.events.iter().find(|e| e.from == node && e.kind == Kind::DnsQuery).expect("a DNS query").label
}

#[test]
fn d1_matches_the_appendix() {
    let t = trace("rfc5321-d1");
    check_session(&t, "bar", "foo", D1, &[]);
    // "Here we assume that host bar.com contacts host foo.com directly": by its MX record.
    assert_eq!(first_query(&t, "bar"), "foo.com MX?");
    assert_eq!(t.summary.delivered, 2, "Jones and Brown");
}

#[test]
fn d2_matches_the_appendix() {
    let t = trace("rfc5321-d2");
    check_session(&t, "bar", "foo", D2, &[]);
    assert_eq!(first_query(&t, "bar"), "foo.com MX?");
    // RSET abandoned the transaction (RFC 5321 §4.1.1.5): nobody gets the message.
    assert_eq!((t.summary.delivered, t.summary.not_sent, t.summary.refused_in_session), (0, 1, 1));
    assert!(!t.events.iter().any(|e| e.kind == Kind::Data), "no message data was sent");
}

#[test]
fn d4_matches_the_appendix() {
    let t = trace("rfc5321-d4");
    check_session(&t, "bar", "foo", D4, &[]);
    assert_eq!(first_query(&t, "bar"), "foo.com MX?");
    assert_eq!(t.summary.delivered, 1, "Admin.MRC");
}

#[test]
fn d3_matches_the_appendix() {
    let t = trace("rfc5321-d3");
    // Step 1: "The source host performs a DNS lookup on XYZ.COM (the destination address) and
    // finds DNS MX records specifying xyz.com as the best preference and foo.com as a lower
    // preference."
    let bar: Vec<&Event> = t.events.iter().filter(|e| e.from == "bar" || e.to.as_deref() == Some("bar")).collect();
    assert_eq!(first_query(&t, "bar"), "XYZ.COM MX?");
    let answer = &bar.iter().find(|e| e.kind == Kind::DnsAnswer).unwrap().label;
    let mx: Vec<(u16, &str)> = answer.split(", ").map(|r| r.split_once(' ').map(|(p, h)| (p.parse().unwrap(), h)).unwrap()).collect();
    let pref = |host: &str| mx.iter().find(|(_, h)| *h == host).map(|(p, _)| *p).unwrap_or_else(|| panic!("no MX {host} in {answer}"));
    assert!(pref("xyz.com") < pref("foo.com"), "{answer}");
    // "It attempts to open a connection to xyz.com and fails. It then opens a connection to
    // foo.com".
    let connects: Vec<&Event> =
        bar.iter().copied().filter(|e| matches!(e.kind, Kind::Connect | Kind::ConnectFailed | Kind::Connected)).collect();
    let kinds: Vec<(Kind, Option<&str>)> = connects.iter().map(|e| (e.kind, e.to.as_deref())).collect();
    assert_eq!(
        kinds,
        [(Kind::Connect, Some("xyz")), (Kind::ConnectFailed, None), (Kind::Connect, Some("foo")), (Kind::Connected, Some("bar"))]
    );
    check_session(&t, "bar", "foo", D3_STEP1, &[]);

    // Step 2: "foo.com ... does a DNS lookup on xyz.com. It finds the same set of MX records,
    // but cannot use the one that points to itself (or to any other host as a worse
    // preference). It tries to open a connection to xyz.com itself and succeeds."
    let foo_dns: Vec<&str> = t.events.iter().filter(|e| e.from == "foo" && e.kind == Kind::DnsQuery).map(|e| e.label.as_str()).collect();
    assert_eq!(foo_dns, ["xyz.com MX?", "xyz.com A?"], "foo.com never looks up (or connects to) itself");
    let foo_connects: Vec<Option<&str>> =
        t.events.iter().filter(|e| e.from == "foo" && e.kind == Kind::Connect).map(|e| e.to.as_deref()).collect();
    assert_eq!(foo_connects, [Some("xyz")]);
    check_session(&t, "foo", "xyz", D3_STEP2, D3_STEP2_ERRATA);
    assert_eq!((t.summary.delivered, t.summary.bounced, t.summary.queued), (1, 0, 0));
}

#[test]
fn the_known_answer_is_the_appendix_text() {
    // The errata change exactly the four lines they name, and nothing else of step 2.
    let printed = appendix(D3_STEP2, &[]);
    let fixed = appendix(D3_STEP2, D3_STEP2_ERRATA);
    let changed: Vec<(&String, &String)> = printed.iter().zip(&fixed).filter(|(p, f)| p != f).collect();
    assert_eq!(changed.len(), D3_STEP2_ERRATA.len());
    assert_eq!(printed.len(), 24);
    assert_eq!(printed[9], "C: Received: from bar.com by foo.com ; Thu, 21 May 1998");
    assert_eq!(printed[10], "C:     05:33:29 -0700");
    assert_eq!(printed.iter().filter(|l| *l == "C:").count(), 1, "the empty line between header and body");
    // Step 1 and step 2 (corrected) carry the same message under foo.com's Received: line.
    let message = |lines: &[String], from: &str| -> Vec<String> {
        let start = lines.iter().position(|l| l.starts_with(from)).unwrap();
        let end = lines.iter().position(|l| l == "C: .").unwrap();
        lines[start..end].to_vec()
    };
    assert_eq!(message(&fixed, "C: Date:"), message(&appendix(D3_STEP1, &[]), "C: Date:"));
}
