//! The built-in scenarios `rfc5321-d1` and `rfc5321-d3` against the text of RFC 5321
//! Appendix D: the transcripts below are the appendix's own lines, copied verbatim (the known
//! answer), and each test replays the scenario and compares it with them line by line.
//!
//! What is compared: every command the client sends (the line as printed; our client adds the
//! RFC 1870 `SIZE=` declaration because our servers advertise SIZE with a limit, so that one
//! parameter is removed before comparing), the code of every reply, the host names in the
//! greeting and the EHLO reply, the message lines (header fields and body) and the `Received:`
//! line of D.3 step 2, and the DNS and connection steps the appendix describes. The free text
//! of a reply is the server's own (RFC 5321 §4.2: clients act on the code), so it is not compared.

use smtp_sim::sim::scenario::builtin;
use smtp_sim::sim::trace::{Event, Kind, Layer, Trace};
use smtp_sim::sim::world;

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

/// RFC 5321 Appendix D.3, Step 2 -- Relay Host to Destination Host. (The appendix prints the
/// last reply as `221 foo.com …` although xyz.com sends it; only its code is compared.)
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

/// One appendix dialogue taken apart.
struct Dialogue {
    /// Command lines (message data excluded).
    commands: Vec<String>,
    /// The code of each reply (a multi-line reply counts once).
    codes: Vec<u16>,
    /// The first line of each reply, without its code.
    first_lines: Vec<String>,
    /// The message lines between the 354 and the final dot, as printed.
    data: Vec<String>,
}

fn dialogue(text: &str) -> Dialogue {
    let mut d = Dialogue { commands: Vec::new(), codes: Vec::new(), first_lines: Vec::new(), data: Vec::new() };
    let mut in_data = false;
    let mut continued = false;
    for line in text.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        if let Some(c) = line.strip_prefix("C:") {
            let c = c.strip_prefix(' ').unwrap_or(c);
            if in_data {
                if c == "." {
                    in_data = false;
                } else {
                    d.data.push(c.to_string());
                }
            } else {
                d.commands.push(c.to_string());
            }
        } else if let Some(s) = line.strip_prefix("S: ") {
            if !continued {
                d.codes.push(s[..3].parse().unwrap());
                d.first_lines.push(s[4..].to_string());
            }
            continued = s.as_bytes()[3] == b'-';
            if s.starts_with("354") {
                in_data = true;
            }
        } else {
            panic!("not an appendix line: {line:?}");
        }
    }
    d
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

fn raw_lines(e: &Event) -> Vec<String> {
    e.raw.as_deref().unwrap_or_default().split("\r\n").filter(|l| !l.is_empty()).map(String::from).collect()
}

/// Our client declares the message size (RFC 1870 §6) because our server advertises SIZE.
fn without_size(command: &str) -> String {
    match command.split_once(" SIZE=") {
        Some((head, tail)) => format!("{head}{}", tail.find(' ').map_or("", |i| &tail[i..])),
        None => command.to_string(),
    }
}

/// The simulated session taken apart the same way as the appendix text.
fn simulated(t: &Trace, client: &str, server: &str) -> Dialogue {
    let mut d = Dialogue { commands: Vec::new(), codes: Vec::new(), first_lines: Vec::new(), data: Vec::new() };
    for e in session(t, client, server) {
        match e.kind {
            Kind::Command => d.commands.push(without_size(&raw_lines(e).concat())),
            Kind::Reply => {
                let lines = raw_lines(e);
                d.codes.push(lines[0][..3].parse().unwrap());
                d.first_lines.push(lines[0][4..].to_string());
            }
            Kind::Data => {
                let mut lines: Vec<String> = e.raw.as_deref().unwrap_or_default().split("\r\n").map(String::from).collect();
                assert_eq!(lines.pop().as_deref(), Some(""), "data ends with CRLF");
                assert_eq!(lines.pop().as_deref(), Some("."), "data ends with <CRLF>.<CRLF>");
                // The appendix prints the text, not the wire: undo the dot-stuffing of
                // RFC 5321 §4.5.2 ("...etc." travels as "....etc.").
                d.data = lines.into_iter().map(|l| l.strip_prefix('.').map_or(l.clone(), String::from)).collect();
            }
            _ => {}
        }
    }
    d
}

/// The header fields of message lines (folded lines joined), and the body lines. Without a
/// blank line (D.1 and D.4 print only "Blah blah blah..."), every line is body.
fn header_and_body(lines: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let Some(blank) = lines.iter().position(|l| l.is_empty()) else {
        return (Vec::new(), lines.iter().map(|l| l.trim().to_string()).collect());
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for l in &lines[..blank] {
        if l.starts_with([' ', '\t']) {
            fields.last_mut().expect("a field before a folded line").1.push_str(l);
        } else {
            let (name, value) = l.split_once(':').expect("a header field has a colon");
            fields.push((name.to_string(), value.to_string()));
        }
    }
    for f in &mut fields {
        f.1 = f.1.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    (fields, lines[blank + 1..].iter().map(|l| l.trim().to_string()).collect())
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Compares one simulated session with one appendix dialogue.
#[track_caller]
fn check_session(t: &Trace, client: &str, server: &str, rfc: &str) {
    let want = dialogue(rfc);
    let got = simulated(t, client, server);
    assert_eq!(got.commands, want.commands, "commands of {client} → {server}");
    assert_eq!(got.codes, want.codes, "reply codes of {server} → {client}");
    // The greeting names the server; the EHLO reply names the server and (when the appendix
    // does) the client.
    let server_host = want.first_lines[0].split(' ').next().unwrap();
    assert!(got.first_lines[0].starts_with(server_host), "greeting {:?}", got.first_lines[0]);
    for host in want.first_lines[1].split(' ').filter(|w| w.ends_with(".com")) {
        assert!(got.first_lines[1].contains(host), "EHLO reply {:?} names {host}", got.first_lines[1]);
    }
    let (want_fields, want_body) = header_and_body(&want.data);
    let (got_fields, got_body) = header_and_body(&got.data);
    assert_eq!(got_body, want_body, "message body");
    for (name, value) in &want_fields {
        let ours = field(&got_fields, name).unwrap_or_else(|| panic!("no {name}: field in {got_fields:?}"));
        match name.as_str() {
            // The appendix writes its own dates (and a zone of -0700); ours come from the clock.
            "Date" => assert!(ours.contains("21 May 1998"), "Date: {ours}"),
            // "from bar.com by foo.com ; date": the same hosts, in the same roles.
            "Received" => {
                let words: Vec<&str> = ours.split_whitespace().collect();
                let hosts = |v: &[&str]| {
                    (
                        v.iter().position(|w| *w == "from").map(|i| v[i + 1].to_string()),
                        v.iter().position(|w| *w == "by").map(|i| v[i + 1].to_string()),
                    )
                };
                let want_words: Vec<&str> = value.split_whitespace().collect();
                assert_eq!(hosts(&words), hosts(&want_words), "Received: {ours}");
                assert!(ours.contains("21 May 1998"), "Received: {ours}");
            }
            // Domains are not case-sensitive (RFC 5321 §2.4); our To: is the RCPT address.
            "To" => assert!(ours.eq_ignore_ascii_case(value), "To: {ours}"),
            _ => assert_eq!(ours, value, "{name}:"),
        }
    }
}

#[test]
fn d1_matches_the_appendix() {
    let t = trace("rfc5321-d1");
    check_session(&t, "bar", "foo", D1);
    // bar.com finds foo.com by its MX record (RFC 5321 §5.1), before any address lookup.
    let first_dns = t.events.iter().find(|e| e.from == "bar" && e.kind == Kind::DnsQuery).unwrap();
    assert_eq!(first_dns.label, "foo.com MX?");
    assert_eq!(t.summary.delivered, 2, "Jones and Brown");
}

#[test]
fn d3_matches_the_appendix() {
    let t = trace("rfc5321-d3");
    // Step 1: "The source host performs a DNS lookup on XYZ.COM (the destination address) and
    // finds DNS MX records specifying xyz.com as the best preference and foo.com as a lower
    // preference."
    let bar: Vec<&Event> = t.events.iter().filter(|e| e.from == "bar" || e.to.as_deref() == Some("bar")).collect();
    let queries: Vec<&str> = bar.iter().filter(|e| e.kind == Kind::DnsQuery).map(|e| e.label.as_str()).collect();
    assert!(queries[0].eq_ignore_ascii_case("XYZ.COM MX?"), "{queries:?}");
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
    check_session(&t, "bar", "foo", D3_STEP1);

    // Step 2: "foo.com ... does a DNS lookup on xyz.com. It finds the same set of MX records,
    // but cannot use the one that points to itself (or to any other host as a worse
    // preference). It tries to open a connection to xyz.com itself and succeeds."
    let foo_dns: Vec<&str> = t.events.iter().filter(|e| e.from == "foo" && e.kind == Kind::DnsQuery).map(|e| e.label.as_str()).collect();
    assert_eq!(foo_dns, ["xyz.com MX?", "xyz.com A?"], "foo.com never looks up (or connects to) itself");
    let foo_connects: Vec<Option<&str>> =
        t.events.iter().filter(|e| e.from == "foo" && e.kind == Kind::Connect).map(|e| e.to.as_deref()).collect();
    assert_eq!(foo_connects, [Some("xyz")]);
    check_session(&t, "foo", "xyz", D3_STEP2);
    assert_eq!((t.summary.delivered, t.summary.bounced, t.summary.queued), (1, 0, 0));
}

#[test]
fn the_known_answer_is_the_appendix_text() {
    // The parser of the appendix text itself: codes, commands and data of D.3 step 2.
    let d = dialogue(D3_STEP2);
    assert_eq!(d.codes, [220, 250, 250, 250, 354, 250, 221]);
    assert_eq!(d.commands, ["EHLO foo.com", "MAIL FROM:<JQP@bar.com>", "RCPT TO:<Jones@XYZ.COM>", "DATA", "QUIT"]);
    let (fields, body) = header_and_body(&d.data);
    assert_eq!(field(&fields, "Received"), Some("from bar.com by foo.com ; Thu, 21 May 1998 05:33:29 -0700"));
    assert_eq!(body.last().map(String::as_str), Some("John."));
    assert_eq!(without_size("MAIL FROM:<a@b.c> SIZE=12 BODY=8BITMIME"), "MAIL FROM:<a@b.c> BODY=8BITMIME");
}
