//! Known-answer, rejection and property tests for the SMTP syntax layer (`smtp::parse` and
//! its inverse `smtp::encode`).
//!
//! Every known answer goes through `kat_inverse`: parse → compare with the expected tree →
//! encode → compare with the canonical text → parse again → compare.

use smtp_sim::smtp::address::*;
use smtp_sim::smtp::command::*;
use smtp_sim::smtp::error::SyntaxErrorKind as K;
use smtp_sim::smtp::reply::*;
use smtp_sim::smtp::{encode, parse};

// ----- builders -------------------------------------------------------------------------

fn d(s: &str) -> Domain {
    Domain(s.to_owned())
}

fn mb(local: &str, domain: &str) -> Mailbox {
    Mailbox { local: LocalPart::Dot(local.into()), host: Host::Domain(d(domain)) }
}

fn p(m: Mailbox) -> Path {
    Path { source_route: vec![], mailbox: m }
}

fn mail(local: &str, domain: &str) -> Command {
    Command::Mail { from: ReversePath::Path(p(mb(local, domain))), params: MailParams::default() }
}

fn mail_with(local: &str, domain: &str, params: MailParams) -> Command {
    Command::Mail { from: ReversePath::Path(p(mb(local, domain))), params }
}

fn rcpt(local: &str, domain: &str) -> Command {
    Command::Rcpt { to: ForwardPath::Path(p(mb(local, domain))), params: RcptParams::default() }
}

fn rcpt_with(local: &str, domain: &str, params: RcptParams) -> Command {
    Command::Rcpt { to: ForwardPath::Path(p(mb(local, domain))), params }
}

fn ehlo(domain: &str) -> Command {
    Command::Ehlo(Host::Domain(d(domain)))
}

fn ehlo_lit(lit: AddressLiteral) -> Command {
    Command::Ehlo(Host::Literal(lit))
}

fn orcpt(addr: &str) -> Option<(String, String)> {
    Some(("rfc822".into(), addr.into()))
}

fn notify(success: bool, failure: bool, delay: bool) -> Option<Notify> {
    Some(Notify::On { success, failure, delay })
}

// ----- the inverse checks ---------------------------------------------------------------

/// Parse a known answer, compare, encode, compare with the canonical text (`None`: the input
/// itself is canonical), re-parse, compare.
#[track_caller]
fn kat_inverse_command(input: &str, expected: &Command, canonical: Option<&str>) {
    let parsed = parse::command(input.as_bytes()).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
    assert_eq!(&parsed, expected, "parse({input:?})");
    let text = encode::command(&parsed);
    assert_eq!(text, canonical.unwrap_or(input), "encode(parse({input:?}))");
    assert_eq!(encode::command_line(&parsed), format!("{text}\r\n").into_bytes());
    let again = parse::command(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(&again, expected, "parse(encode(parse({input:?})))");
}

fn kat_commands(table: &[(&str, Command)]) {
    for (input, expected) in table {
        kat_inverse_command(input, expected, None);
    }
}

/// Parse the lines of a reply (each without CRLF), compare, encode, compare with the lines
/// joined by CRLF, re-parse, compare.
#[track_caller]
fn kat_inverse_reply(lines: &[&str], expected: &Reply, canonical: Option<&[&str]>) {
    let parsed_lines: Vec<ReplyLine> =
        lines.iter().map(|l| parse::reply_line(l.as_bytes()).unwrap_or_else(|e| panic!("{l:?}: {e}"))).collect();
    let parsed = parse::reply(&parsed_lines).unwrap_or_else(|e| panic!("{lines:?}: {e}"));
    assert_eq!(&parsed, expected, "parse({lines:?})");
    let text = encode::reply(&parsed);
    let want: String = canonical.unwrap_or(lines).iter().map(|l| format!("{l}\r\n")).collect();
    assert_eq!(text, want, "encode(parse({lines:?}))");
    let again = reparse_reply(&text);
    assert_eq!(&again, expected, "parse(encode(parse({lines:?})))");
}

fn reparse_reply(text: &str) -> Reply {
    let lines: Vec<ReplyLine> = text
        .strip_suffix("\r\n")
        .expect("a reply ends in CRLF")
        .split("\r\n")
        .map(|l| parse::reply_line(l.as_bytes()).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    parse::reply(&lines).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[track_caller]
fn reject(input: &[u8], kind: K, offset: usize) {
    let err = parse::command(input).expect_err(&format!("{:?} should be refused", String::from_utf8_lossy(input)));
    assert_eq!(err.kind, kind, "{:?}: {err}", String::from_utf8_lossy(input));
    assert_eq!(err.offset, offset, "{:?}: {err}", String::from_utf8_lossy(input));
    // Errors teach: something to read, something to aim for.
    assert!(!err.message.is_empty() && !err.expected.is_empty());
}

// ----- RFC 5321 Appendix D ----------------------------------------------------------------

#[test]
fn rfc5321_appendix_d_commands() {
    kat_commands(&[
        // D.1 A Typical SMTP Transaction Scenario
        ("EHLO bar.com", ehlo("bar.com")),
        ("MAIL FROM:<Smith@bar.com>", mail("Smith", "bar.com")),
        ("RCPT TO:<Jones@foo.com>", rcpt("Jones", "foo.com")),
        ("RCPT TO:<Green@foo.com>", rcpt("Green", "foo.com")),
        ("RCPT TO:<Brown@foo.com>", rcpt("Brown", "foo.com")),
        ("DATA", Command::Data),
        ("QUIT", Command::Quit),
        // D.2 Aborted SMTP Transaction Scenario
        ("RSET", Command::Rset),
        // D.3 Relayed Mail Scenario
        ("EHLO foo.com", ehlo("foo.com")),
        ("MAIL FROM:<JQP@bar.com>", mail("JQP", "bar.com")),
        ("RCPT TO:<Jones@XYZ.COM>", rcpt("Jones", "XYZ.COM")),
        // D.4 Verifying and Sending Scenario
        ("VRFY Crispin", Command::Vrfy("Crispin".into())),
        ("MAIL FROM:<EAK@bar.com>", mail("EAK", "bar.com")),
        ("RCPT TO:<Admin.MRC@foo.com>", rcpt("Admin.MRC", "foo.com")),
    ]);
}

#[test]
fn rfc5321_appendix_d_replies() {
    let one = |code: u16, text: &str| Reply::new(code, None, text);
    for (line, code, text) in [
        ("220 foo.com Simple Mail Transfer Service Ready", 220, "foo.com Simple Mail Transfer Service Ready"),
        ("250 OK", 250, "OK"),
        ("550 No such user here", 550, "No such user here"),
        ("354 Start mail input; end with <CRLF>.<CRLF>", 354, "Start mail input; end with <CRLF>.<CRLF>"),
        ("221 foo.com Service closing transmission channel", 221, "foo.com Service closing transmission channel"),
        ("250 xyz.com is on the air", 250, "xyz.com is on the air"),
        ("250 Mark Crispin <Admin.MRC@foo.com>", 250, "Mark Crispin <Admin.MRC@foo.com>"),
    ] {
        kat_inverse_reply(&[line], &one(code, text), None);
    }
    let lines = ["250-foo.com greets bar.com", "250-8BITMIME", "250-SIZE", "250-DSN", "250 HELP"];
    let expected = Reply {
        code: Code(250),
        enhanced: None,
        lines: vec!["foo.com greets bar.com".into(), "8BITMIME".into(), "SIZE".into(), "DSN".into(), "HELP".into()],
    };
    kat_inverse_reply(&lines, &expected, None);
    let kws = parse::ehlo_keywords(&expected);
    let names: Vec<&str> = kws.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["8BITMIME", "SIZE", "DSN", "HELP"]);
}

// ----- ESMTP parameters --------------------------------------------------------------------

#[test]
fn esmtp_parameter_examples() {
    kat_commands(&[
        // RFC 1870 §6
        (
            "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000",
            mail_with("ned", "thor.innosoft.com", MailParams { size: Some(500000), ..Default::default() }),
        ),
        // RFC 6152 §4
        (
            "MAIL FROM:<ned@ymir.claremont.edu> BODY=8BITMIME",
            mail_with("ned", "ymir.claremont.edu", MailParams { body: Some(Body::EightBitMime), ..Default::default() }),
        ),
        ("MAIL FROM:<a@b.example> BODY=7BIT", mail_with("a", "b.example", MailParams { body: Some(Body::SevenBit), ..Default::default() })),
        (
            "MAIL FROM:<a@b.example> BODY=BINARYMIME",
            mail_with("a", "b.example", MailParams { body: Some(Body::BinaryMime), ..Default::default() }),
        ),
        // RFC 3461 §6.2
        (
            "MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159",
            mail_with("Alice", "Example.ORG", MailParams { ret: Some(Ret::Hdrs), envid: Some("QQ314159".into()), ..Default::default() }),
        ),
        (
            "RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM",
            rcpt_with(
                "Bob",
                "Example.COM",
                RcptParams { notify: notify(true, false, false), orcpt: orcpt("Bob@Example.COM"), other: vec![] },
            ),
        ),
        (
            "RCPT TO:<Carol@Ivory.EDU> NOTIFY=FAILURE ORCPT=rfc822;Carol@Ivory.EDU",
            rcpt_with(
                "Carol",
                "Ivory.EDU",
                RcptParams { notify: notify(false, true, false), orcpt: orcpt("Carol@Ivory.EDU"), other: vec![] },
            ),
        ),
        (
            "RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU",
            rcpt_with("Dana", "Ivory.EDU", RcptParams { notify: notify(true, true, false), orcpt: orcpt("Dana@Ivory.EDU"), other: vec![] }),
        ),
        (
            "RCPT TO:<Fred@Bombs.AF.MIL> NOTIFY=NEVER",
            rcpt_with("Fred", "Bombs.AF.MIL", RcptParams { notify: Some(Notify::Never), ..Default::default() }),
        ),
        (
            "RCPT TO:<a@b.example> NOTIFY=SUCCESS,FAILURE,DELAY",
            rcpt_with("a", "b.example", RcptParams { notify: notify(true, true, true), ..Default::default() }),
        ),
        // xtext: "+" is +2B (RFC 3461 §4)
        (
            "MAIL FROM:<a@b.example> ENVID=QQ314159+2B",
            mail_with("a", "b.example", MailParams { envid: Some("QQ314159+".into()), ..Default::default() }),
        ),
        (
            "RCPT TO:<a@b.example> ORCPT=rfc822;a+2Bb+3Dc@b.example",
            rcpt_with("a", "b.example", RcptParams { orcpt: orcpt("a+b=c@b.example"), ..Default::default() }),
        ),
        // all MAIL parameters, in canonical order, and unknown ones kept for the 555
        (
            "MAIL FROM:<a@b.example> SIZE=0 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x AUTH=e+3Dmc2@b.example X-FOO X-BAR=1",
            mail_with(
                "a",
                "b.example",
                MailParams {
                    size: Some(0),
                    body: Some(Body::EightBitMime),
                    smtputf8: true,
                    ret: Some(Ret::Full),
                    envid: Some("x".into()),
                    auth: Some("e=mc2@b.example".into()),
                    other: vec![
                        OtherParam { keyword: "X-FOO".into(), value: None },
                        OtherParam { keyword: "X-BAR".into(), value: Some("1".into()) },
                    ],
                },
            ),
        ),
        (
            "RCPT TO:<a@b.example> XRCPTFORWARD=abc",
            rcpt_with(
                "a",
                "b.example",
                RcptParams { other: vec![OtherParam { keyword: "XRCPTFORWARD".into(), value: Some("abc".into()) }], ..Default::default() },
            ),
        ),
        // NOTIFY is an RCPT parameter: on MAIL it is unknown (555)
        (
            "MAIL FROM:<a@b.example> NOTIFY=NEVER",
            mail_with(
                "a",
                "b.example",
                MailParams { other: vec![OtherParam { keyword: "NOTIFY".into(), value: Some("NEVER".into()) }], ..Default::default() },
            ),
        ),
        (
            "MAIL FROM:<a@b.example> SIZE=18446744073709551615",
            mail_with("a", "b.example", MailParams { size: Some(u64::MAX), ..Default::default() }),
        ),
    ]);
}

#[test]
fn other_commands() {
    kat_commands(&[
        ("HELO relay.example.org", Command::Helo(d("relay.example.org"))),
        ("BDAT 86 LAST", Command::Bdat { size: 86, last: true }),
        ("BDAT 69", Command::Bdat { size: 69, last: false }),
        ("BDAT 0 LAST", Command::Bdat { size: 0, last: true }),
        ("EXPN Example-People", Command::Expn("Example-People".into())),
        ("VRFY <user@example.com>", Command::Vrfy("<user@example.com>".into())),
        ("VRFY John Smith", Command::Vrfy("John Smith".into())),
        ("HELP", Command::Help(None)),
        ("HELP MAIL", Command::Help(Some("MAIL".into()))),
        ("NOOP", Command::Noop(None)),
        ("NOOP anything at all", Command::Noop(Some("anything at all".into()))),
        ("STARTTLS", Command::StartTls),
        // RFC 4954 §4 / §6
        ("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=", Command::Auth { mechanism: "PLAIN".into(), initial: Some("dGVzdAB0ZXN0ADEyMzQ=".into()) }),
        ("AUTH GSSAPI", Command::Auth { mechanism: "GSSAPI".into(), initial: None }),
        ("AUTH EXTERNAL =", Command::Auth { mechanism: "EXTERNAL".into(), initial: Some("=".into()) }),
        ("AUTH SCRAM-SHA-256", Command::Auth { mechanism: "SCRAM-SHA-256".into(), initial: None }),
    ]);
}

// ----- addresses ---------------------------------------------------------------------------------

#[test]
fn tricky_addresses() {
    let quoted = |q: &str, dom: &str| Mailbox { local: LocalPart::Quoted(q.into()), host: Host::Domain(d(dom)) };
    kat_commands(&[
        (
            "MAIL FROM:<\"john doe\"@example.com>",
            Command::Mail { from: ReversePath::Path(p(quoted("john doe", "example.com"))), params: MailParams::default() },
        ),
        (
            "MAIL FROM:<\"a\\\"b\\\\c\"@example.com>",
            Command::Mail { from: ReversePath::Path(p(quoted("a\"b\\c", "example.com"))), params: MailParams::default() },
        ),
        (
            "MAIL FROM:<\"\"@example.com>",
            Command::Mail { from: ReversePath::Path(p(quoted("", "example.com"))), params: MailParams::default() },
        ),
        ("MAIL FROM:<>", Command::Mail { from: ReversePath::Null, params: MailParams::default() }),
        ("MAIL FROM:<> SIZE=10", Command::Mail { from: ReversePath::Null, params: MailParams { size: Some(10), ..Default::default() } }),
        (
            "RCPT TO:<@a.example,@b.example:user@c.example>",
            Command::Rcpt {
                to: ForwardPath::Path(Path { source_route: vec![d("a.example"), d("b.example")], mailbox: mb("user", "c.example") }),
                params: RcptParams::default(),
            },
        ),
        ("RCPT TO:<Postmaster>", Command::Rcpt { to: ForwardPath::Postmaster("Postmaster".into()), params: RcptParams::default() }),
        (
            "RCPT TO:<postmaster> NOTIFY=NEVER",
            Command::Rcpt {
                to: ForwardPath::Postmaster("postmaster".into()),
                params: RcptParams { notify: Some(Notify::Never), ..Default::default() },
            },
        ),
        ("RCPT TO:<Postmaster@example.com>", rcpt("Postmaster", "example.com")),
        ("MAIL FROM:<!#$%&'*+-/=?^_`{|}~@example.com>", mail("!#$%&'*+-/=?^_`{|}~", "example.com")),
        ("MAIL FROM:<a.b.c@1st.2nd-level.example>", mail("a.b.c", "1st.2nd-level.example")),
        // SMTPUTF8 (RFC 6531 §3.3): UTF-8 atoms and U-labels
        ("MAIL FROM:<用户@例子.广告> SMTPUTF8", mail_with("用户", "例子.广告", MailParams { smtputf8: true, ..Default::default() })),
        ("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>", rcpt("δοκιμή", "παράδειγμα.δοκιμή")),
        (
            "RCPT TO:<\"用户 名\"@例子.广告>",
            Command::Rcpt { to: ForwardPath::Path(p(quoted("用户 名", "例子.广告"))), params: RcptParams::default() },
        ),
    ]);
    // A maximal label (63 octets) and a maximal domain are fine.
    let label = "a".repeat(63);
    let input = format!("EHLO {label}.example");
    kat_inverse_command(&input, &ehlo(&format!("{label}.example")), None);
}

#[test]
fn address_literals() {
    use AddressLiteral::*;
    kat_commands(&[
        ("EHLO [192.0.2.1]", ehlo_lit(V4([192, 0, 2, 1]))),
        ("EHLO [123.255.37.2]", ehlo_lit(V4([123, 255, 37, 2]))),
        ("EHLO [IPv6:2001:db8::1]", ehlo_lit(V6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]))),
        ("EHLO [IPv6:::1]", ehlo_lit(V6([0, 0, 0, 0, 0, 0, 0, 1]))),
        ("EHLO [IPv6:::]", ehlo_lit(V6([0; 8]))),
        ("EHLO [IPv6:1:2:3:4:5:6:7:8]", ehlo_lit(V6([1, 2, 3, 4, 5, 6, 7, 8]))),
        ("EHLO [IPv6:1:0:3:4:5:6:7:8]", ehlo_lit(V6([1, 0, 3, 4, 5, 6, 7, 8]))),
        ("EHLO [IPv6:1::]", ehlo_lit(V6([1, 0, 0, 0, 0, 0, 0, 0]))),
        ("EHLO [IPv6:::ffff:192.0.2.1]", ehlo_lit(V6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]))),
        ("EHLO [x-tag:any-content!]", ehlo_lit(General { tag: "x-tag".into(), content: "any-content!".into() })),
        (
            "MAIL FROM:<user@[192.0.2.1]>",
            Command::Mail {
                from: ReversePath::Path(p(Mailbox { local: LocalPart::Dot("user".into()), host: Host::Literal(V4([192, 0, 2, 1])) })),
                params: MailParams::default(),
            },
        ),
    ]);
    // Non-canonical spellings of the same addresses (RFC 5321 §4.1.3 forms vs RFC 5952 text).
    for (input, expected, canonical) in [
        ("EHLO [IPv6:2001:DB8:0:0:0:0:0:1]", V6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), "EHLO [IPv6:2001:db8::1]"),
        ("EHLO [ipv6:0001:0002:0003:0004:0005:0006:0007:0008]", V6([1, 2, 3, 4, 5, 6, 7, 8]), "EHLO [IPv6:1:2:3:4:5:6:7:8]"),
        ("EHLO [IPv6:1:2:3:4:5:6:192.0.2.1]", V6([1, 2, 3, 4, 5, 6, 0xc000, 0x0201]), "EHLO [IPv6:1:2:3:4:5:6:c000:201]"),
        ("EHLO [IPv6:1::192.0.2.1]", V6([1, 0, 0, 0, 0, 0, 0xc000, 0x0201]), "EHLO [IPv6:1::c000:201]"),
        ("EHLO [IPv6:1:2:3:4::192.0.2.1]", V6([1, 2, 3, 4, 0, 0, 0xc000, 0x0201]), "EHLO [IPv6:1:2:3:4::c000:201]"),
        ("EHLO [IPv6:::192.0.2.1]", V6([0, 0, 0, 0, 0, 0, 0xc000, 0x0201]), "EHLO [IPv6:::c000:201]"),
        ("EHLO [IPv6:1:0:0:2:0:0:0:3]", V6([1, 0, 0, 2, 0, 0, 0, 3]), "EHLO [IPv6:1:0:0:2::3]"),
        ("EHLO [IPv6:1:0:0:2:3:0:0:4]", V6([1, 0, 0, 2, 3, 0, 0, 4]), "EHLO [IPv6:1::2:3:0:0:4]"),
        ("EHLO [010.000.000.001]", V4([10, 0, 0, 1]), "EHLO [10.0.0.1]"),
    ] {
        kat_inverse_command(input, &ehlo_lit(expected), Some(canonical));
    }
}

#[test]
fn liberal_spellings() {
    for (input, expected, canonical) in [
        ("mail from:<a@b.example>", mail("a", "b.example"), "MAIL FROM:<a@b.example>"),
        ("MAIL FROM: <a@b.example>", mail("a", "b.example"), "MAIL FROM:<a@b.example>"),
        (
            "Mail From:  <a@b.example>  size=10",
            mail_with("a", "b.example", MailParams { size: Some(10), ..Default::default() }),
            "MAIL FROM:<a@b.example> SIZE=10",
        ),
        (
            "rcpt to:<a@b.example> notify=success,delay",
            rcpt_with("a", "b.example", RcptParams { notify: notify(true, false, true), ..Default::default() }),
            "RCPT TO:<a@b.example> NOTIFY=SUCCESS,DELAY",
        ),
        (
            "RCPT TO:<a@b.example> NOTIFY=DELAY,SUCCESS,SUCCESS",
            rcpt_with("a", "b.example", RcptParams { notify: notify(true, false, true), ..Default::default() }),
            "RCPT TO:<a@b.example> NOTIFY=SUCCESS,DELAY",
        ),
        (
            "MAIL FROM:<a@b.example> body=8bitmime ret=hdrs SmtpUtf8 SIZE=007",
            mail_with(
                "a",
                "b.example",
                MailParams { body: Some(Body::EightBitMime), ret: Some(Ret::Hdrs), smtputf8: true, size: Some(7), ..Default::default() },
            ),
            "MAIL FROM:<a@b.example> SIZE=7 BODY=8BITMIME SMTPUTF8 RET=HDRS",
        ),
        ("quit", Command::Quit, "QUIT"),
        ("QUIT ", Command::Quit, "QUIT"),
        ("data\t", Command::Data, "DATA"),
        ("StartTLS", Command::StartTls, "STARTTLS"),
        ("ehlo  Bar.COM ", ehlo("Bar.COM"), "EHLO Bar.COM"),
        ("bdat 5 last", Command::Bdat { size: 5, last: true }, "BDAT 5 LAST"),
        ("auth plain", Command::Auth { mechanism: "PLAIN".into(), initial: None }, "AUTH PLAIN"),
        (
            "RCPT TO:<POSTMASTER>",
            Command::Rcpt { to: ForwardPath::Postmaster("POSTMASTER".into()), params: RcptParams::default() },
            "RCPT TO:<POSTMASTER>",
        ),
    ] {
        kat_inverse_command(input, &expected, Some(canonical));
    }
}

// ----- rejections --------------------------------------------------------------------------------

#[test]
fn rejected_commands() {
    use Verb::*;
    let bad_param = |verb, kw: &str| K::BadParameter { verb, keyword: kw.into() };
    let dup = |verb, kw: &str| K::DuplicateParameter { verb, keyword: kw.into() };
    let table: &[(&[u8], K, usize)] = &[
        (b"", K::UnknownCommand, 0),
        (b"HELLO there", K::UnknownCommand, 0),
        (b"MAILFROM:<a@b.example>", K::UnknownCommand, 0),
        (b"QUITX", K::UnknownCommand, 0),
        (b"QUIT now", K::BadArguments(Quit), 4),
        (b"DATA x", K::BadArguments(Data), 4),
        (b"EHLO", K::BadArguments(Ehlo), 4),
        (b"EHLO -bad.example", K::BadArguments(Ehlo), 5),
        (b"EHLO bad-.example", K::BadArguments(Ehlo), 8),
        (b"EHLO bad..example", K::BadArguments(Ehlo), 9),
        (b"EHLO example.com.", K::BadArguments(Ehlo), 17),
        (b"EHLO my_host", K::BadArguments(Ehlo), 7),
        (b"EHLO [300.1.1.1]", K::BadArguments(Ehlo), 6),
        (b"EHLO [1.2.3]", K::BadArguments(Ehlo), 11),
        (b"EHLO [1.2.3.4", K::BadArguments(Ehlo), 13),
        (b"EHLO [IPv6:1:2:3:4:5:6::7]", K::BadArguments(Ehlo), 11),
        (b"EHLO [IPv6:1::2::3]", K::BadArguments(Ehlo), 15),
        (b"EHLO [IPv6:1:2:3:4:5:6:7]", K::BadArguments(Ehlo), 11),
        (b"EHLO [IPv6:1:2:3:4:5:6:7:8:9]", K::BadArguments(Ehlo), 27),
        (b"EHLO [IPv6:12345::]", K::BadArguments(Ehlo), 11),
        (b"EHLO [IPv6:1:2:3:4:5::1.2.3.4]", K::BadArguments(Ehlo), 11),
        (b"EHLO [IPv6:zz::1]", K::BadArguments(Ehlo), 11),
        (b"EHLO [x-tag:]", K::BadArguments(Ehlo), 12),
        (b"HELO [192.0.2.1]", K::BadArguments(Helo), 5),
        (b"MAIL", K::BadArguments(Mail), 4),
        (b"MAIL TO:<a@b.example>", K::BadArguments(Mail), 5),
        (b"MAIL FROM:a@b.example", K::BadAddress(Mail), 10),
        (b"MAIL FROM:<a@b.example", K::BadAddress(Mail), 22),
        (b"MAIL FROM:<a b@b.example>", K::BadAddress(Mail), 12),
        (b"MAIL FROM:<a.@b.example>", K::BadAddress(Mail), 13),
        (b"MAIL FROM:<.a@b.example>", K::BadAddress(Mail), 11),
        (b"MAIL FROM:<a..b@b.example>", K::BadAddress(Mail), 13),
        (b"MAIL FROM:<a@>", K::BadAddress(Mail), 13),
        (b"MAIL FROM:<@b.example>", K::BadAddress(Mail), 21),
        (b"MAIL FROM:<\"unterminated@b.example>", K::BadAddress(Mail), 35),
        (b"MAIL FROM:<\"a\\\xc3\xa9\"@b.example>", K::BadAddress(Mail), 13),
        (b"MAIL FROM:<a@b.example>SIZE=1", K::BadArguments(Mail), 23),
        (b"MAIL FROM:<a@b.example> SIZE=big", bad_param(Mail, "SIZE"), 29),
        (b"MAIL FROM:<a@b.example> SIZE=", K::BadArguments(Mail), 29),
        (b"MAIL FROM:<a@b.example> SIZE", bad_param(Mail, "SIZE"), 28),
        (b"MAIL FROM:<a@b.example> SIZE=18446744073709551616", bad_param(Mail, "SIZE"), 29),
        (b"MAIL FROM:<a@b.example> SIZE=1 size=2", dup(Mail, "SIZE"), 31),
        (b"MAIL FROM:<a@b.example> BODY=9BIT", bad_param(Mail, "BODY"), 29),
        (b"MAIL FROM:<a@b.example> SMTPUTF8=yes", bad_param(Mail, "SMTPUTF8"), 33),
        (b"MAIL FROM:<a@b.example> SMTPUTF8 SMTPUTF8", dup(Mail, "SMTPUTF8"), 33),
        (b"MAIL FROM:<a@b.example> RET=ALL", bad_param(Mail, "RET"), 28),
        (b"MAIL FROM:<a@b.example> ENVID=a+2b", bad_param(Mail, "ENVID"), 31),
        (b"MAIL FROM:<a@b.example> -X", K::BadArguments(Mail), 24),
        (b"MAIL FROM:<a@b.example> X=a=b", K::BadArguments(Mail), 27),
        (b"RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS", bad_param(Rcpt, "NOTIFY"), 29),
        (b"RCPT TO:<a@b.example> NOTIFY=SUCCESS,NEVER", bad_param(Rcpt, "NOTIFY"), 37),
        (b"RCPT TO:<a@b.example> NOTIFY=SOMETIMES", bad_param(Rcpt, "NOTIFY"), 29),
        (b"RCPT TO:<a@b.example> ORCPT=bob@b.example", bad_param(Rcpt, "ORCPT"), 28),
        (b"RCPT TO:<a@b.example> ORCPT=rfc822;a+4", bad_param(Rcpt, "ORCPT"), 36),
        (b"RCPT TO:<a@b.example> NOTIFY=NEVER NOTIFY=NEVER", dup(Rcpt, "NOTIFY"), 35),
        (b"RCPT TO:<Postmaster", K::BadAddress(Rcpt), 19),
        (b"RCPT TO:<>", K::BadAddress(Rcpt), 9),
        (b"RCPT <a@b.example>", K::BadArguments(Rcpt), 5),
        (b"BDAT", K::BadArguments(Bdat), 4),
        (b"BDAT x", K::BadArguments(Bdat), 5),
        (b"BDAT 10 FIRST", K::BadArguments(Bdat), 8),
        (b"BDAT 99999999999999999999", K::BadArguments(Bdat), 5),
        (b"VRFY", K::BadArguments(Vrfy), 4),
        (b"EXPN", K::BadArguments(Expn), 4),
        (b"AUTH", K::BadArguments(Auth), 4),
        (b"AUTH PLAIN abc", K::BadArguments(Auth), 11),
        (b"AUTH PLAIN ab=c", K::BadArguments(Auth), 11),
        (b"AUTH ABCDEFGHIJKLMNOPQRSTU", K::BadArguments(Auth), 5),
        (b"NOOPx", K::UnknownCommand, 0),
        // control characters and bad UTF-8
        (b"MAIL FROM:<a@b.example>\r\nRSET", K::BadCharacter { verb: Some(Mail) }, 23),
        (b"RCPT TO:<a\0@b.example>", K::BadCharacter { verb: Some(Rcpt) }, 10),
        (b"MAIL\tFROM:<a@b.example>", K::BadCharacter { verb: None }, 4),
        (b"MAIL FROM:<\xff@b.example>", K::NotUtf8 { verb: Some(Mail) }, 11),
        (b"\xc3(", K::NotUtf8 { verb: None }, 0),
    ];
    for (input, kind, offset) in table {
        reject(input, kind.clone(), *offset);
    }
}

#[test]
fn length_limits() {
    // A label over 63 octets or a domain over 255 cannot exist in the DNS: syntax error.
    let long_label = format!("EHLO {}.example", "a".repeat(64));
    reject(long_label.as_bytes(), K::BadArguments(Verb::Ehlo), 5);
    let long_domain = format!("EHLO {}a", "a.".repeat(127)); // 255 octets: fine
    assert!(parse::command(long_domain.as_bytes()).is_ok());
    let too_long = format!("EHLO {}aa", "a.".repeat(127)); // 256 octets
    reject(too_long.as_bytes(), K::BadArguments(Verb::Ehlo), 5);
    // A local part over 64 octets parses; path_limits reports it for the server to decide.
    let local = "x".repeat(65);
    let cmd = parse::command(format!("RCPT TO:<{local}@b.example>").as_bytes()).unwrap();
    let Command::Rcpt { to: ForwardPath::Path(path), .. } = cmd else { panic!() };
    assert!(parse::path_limits(&path).unwrap_err().contains("64"));
    let ok = parse::command(b"RCPT TO:<x@b.example>").unwrap();
    let Command::Rcpt { to: ForwardPath::Path(path), .. } = ok else { panic!() };
    assert_eq!(parse::path_limits(&path), Ok(()));
    let hop = vec!["a".repeat(60); 2].join(".");
    let long_path = format!("RCPT TO:<@{hop},@{hop}:x@b.example>");
    let Command::Rcpt { to: ForwardPath::Path(path), .. } = parse::command(long_path.as_bytes()).unwrap() else { panic!() };
    assert!(parse::path_limits(&path).unwrap_err().contains("256"));
}

#[test]
fn errors_teach() {
    let e = parse::command(b"MAIL FROM:user@example.com").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("column 11"), "{text}");
    assert!(text.contains("angle brackets are required"), "{text}");
    assert!(text.contains("RFC 5321 §4.1.2"), "{text}");
    assert!(text.contains("MAIL FROM:<reverse-path> [SP mail-parameters]"), "{text}");
    assert_eq!(e.kind.suggested_reply(), (501, EnhancedCode::new(5, 1, 7)));
    assert_eq!(e.rule, "Path");
    let e = parse::command(b"HELLO").unwrap_err();
    assert_eq!(e.kind.suggested_reply(), (500, EnhancedCode::new(5, 5, 1)));
    let e = parse::command(b"MAIL FROM:<a@b.example> SIZE=x").unwrap_err();
    assert!(e.to_string().contains("RFC 1870"), "{e}");
    assert_eq!(e.kind.suggested_reply(), (501, EnhancedCode::new(5, 5, 4)));
    // serde round trip
    let json = serde_json_like(&e);
    assert!(json.contains("BadParameter"));
}

/// A serializer-agnostic smoke test: the error implements Serialize via Debug-compatible
/// field names (the crate has no serde_json; the UI serializes with its own format).
fn serde_json_like(e: &smtp_sim::smtp::error::SyntaxError) -> String {
    format!("{e:?}")
}

// ----- replies -----------------------------------------------------------------------------------

#[test]
fn replies_with_enhanced_codes() {
    let e = |c, s, d| Some(EnhancedCode::new(c, s, d));
    kat_inverse_reply(&["250 2.1.0 Sender OK"], &Reply::new(250, e(2, 1, 0), "Sender OK"), None);
    kat_inverse_reply(&["550 5.1.1 No such user"], &Reply::new(550, e(5, 1, 1), "No such user"), None);
    kat_inverse_reply(&["451 4.7.1 Greylisted, try again later"], &Reply::new(451, e(4, 7, 1), "Greylisted, try again later"), None);
    kat_inverse_reply(&["556 5.1.10 Null MX"], &Reply::new(556, e(5, 1, 10), "Null MX"), None);
    kat_inverse_reply(&["250 2.0.0"], &Reply::new(250, e(2, 0, 0), ""), None);
    kat_inverse_reply(
        &["250-2.0.0 first", "250-2.0.0", "250 2.0.0 last"],
        &Reply { code: Code(250), enhanced: e(2, 0, 0), lines: vec!["first".into(), "".into(), "last".into()] },
        None,
    );
    // Not extracted: class differs from the code (RFC 3463 §2), inconsistent lines, leading
    // zeros, no space after the code.
    for lines in [
        &["552 4.2.2 Mailbox full"][..],
        &["250-2.0.0 a", "250 b"],
        &["250-2.0.0 a", "250 2.0.1 b"],
        &["250 2.01.0 x"],
        &["250 2.0.0x"],
        &["250 2.1000.0 x"],
        &["354 3.0.0 go"],
    ] {
        let parsed: Vec<ReplyLine> = lines.iter().map(|l| parse::reply_line(l.as_bytes()).unwrap()).collect();
        let r = parse::reply(&parsed).unwrap();
        assert_eq!(r.enhanced, None, "{lines:?}");
        assert_eq!(encode::reply(&r), lines.iter().map(|l| format!("{l}\r\n")).collect::<String>());
    }
}

#[test]
fn reply_lines_and_empty_text() {
    let l = |code, last, text: &str| ReplyLine { code: Code(code), last, text: text.into() };
    for (input, expected) in [
        ("250", l(250, true, "")),
        ("250 ", l(250, true, "")),
        ("250-", l(250, false, "")),
        ("250-SIZE 1000", l(250, false, "SIZE 1000")),
        ("220 smtp.example.com ESMTP\tready", l(220, true, "smtp.example.com ESMTP\tready")),
        ("250 ünïcödé", l(250, true, "ünïcödé")),
        ("554 x", l(554, true, "x")),
    ] {
        assert_eq!(parse::reply_line(input.as_bytes()).unwrap(), expected, "{input:?}");
    }
    kat_inverse_reply(&["250"], &Reply::new(250, None, ""), None);
    kat_inverse_reply(&["250 "], &Reply::new(250, None, ""), Some(&["250"]));
    kat_inverse_reply(&["250-", "250 x"], &Reply { code: Code(250), enhanced: None, lines: vec!["".into(), "x".into()] }, None);
    for bad in [&b"25"[..], b"2500", b"650 x", b"260 x", b"abc", b"250x", b"250\rx", b"250 \xff", b""] {
        assert!(parse::reply_line(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
    let lines = |v: &[(u16, bool)]| v.iter().map(|&(c, last)| l(c, last, "x")).collect::<Vec<_>>();
    assert_eq!(parse::reply(&[]).unwrap_err().kind, K::BadReply);
    assert_eq!(parse::reply(&lines(&[(250, false), (251, true)])).unwrap_err().kind, K::BadReply);
    assert_eq!(parse::reply(&lines(&[(250, true), (250, true)])).unwrap_err().kind, K::BadReply);
    assert_eq!(parse::reply(&lines(&[(250, false)])).unwrap_err().kind, K::BadReply);
}

#[test]
fn ehlo_keywords() {
    let r = Reply {
        code: Code(250),
        enhanced: None,
        lines: vec![
            "mx.example.com Hello client.example [192.0.2.1]".into(),
            "SIZE 35882577".into(),
            "8bitmime".into(),
            "AUTH LOGIN PLAIN XOAUTH2".into(),
            "AUTH=LOGIN PLAIN".into(),
            "ENHANCEDSTATUSCODES".into(),
            "PIPELINING".into(),
            "".into(),
        ],
    };
    let kws = parse::ehlo_keywords(&r);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        kws,
        vec![
            ("SIZE".to_string(), s(&["35882577"])),
            ("8BITMIME".to_string(), vec![]),
            ("AUTH".to_string(), s(&["LOGIN", "PLAIN", "XOAUTH2"])),
            ("ENHANCEDSTATUSCODES".to_string(), vec![]),
            ("PIPELINING".to_string(), vec![]),
        ]
    );
}

#[test]
fn encoder_never_emits_a_second_line() {
    let cmd = Command::Noop(Some("a\r\nRSET".into()));
    assert_eq!(encode::command(&cmd), "NOOP a  RSET");
    let r = Reply::new(250, None, "ok\r\n250 injected");
    assert_eq!(encode::reply(&r), "250 ok  250 injected\r\n");
}

#[test]
fn display_helpers() {
    let m = Mailbox { local: LocalPart::Quoted("john doe".into()), host: Host::Domain(d("example.com")) };
    assert_eq!(m.to_string(), "\"john doe\"@example.com");
    assert_eq!(ReversePath::Null.to_string(), "<>");
    assert_eq!(ForwardPath::Postmaster("Postmaster".into()).to_string(), "<Postmaster>");
    assert_eq!(Host::Literal(AddressLiteral::V4([127, 0, 0, 1])).to_string(), "[127.0.0.1]");
    assert_eq!(Command::Quit.to_string(), "QUIT");
    assert_eq!(Reply::new(221, Some(EnhancedCode::new(2, 0, 0)), "Bye").to_string(), "221 2.0.0 Bye\r\n");
}

// ----- properties --------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;

    fn ascii_label() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?"
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![4 => ascii_label(), 1 => "[a-z0-9]{0,3}[例子广告δοκιμή]{1,4}[a-z0-9]{0,3}"]
    }

    pub fn domain() -> impl Strategy<Value = Domain> {
        vec(label(), 1..4).prop_map(|l| Domain(l.join(".")))
    }

    fn literal() -> impl Strategy<Value = AddressLiteral> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(AddressLiteral::V4),
            any::<[u16; 8]>().prop_map(AddressLiteral::V6),
            // sparse IPv6 addresses exercise "::"
            vec(prop_oneof![Just(0u16), any::<u16>()], 8).prop_map(|v| {
                let mut g = [0u16; 8];
                g.copy_from_slice(&v);
                AddressLiteral::V6(g)
            }),
            ("x-[a-z0-9]{1,6}", "[!-Z^-~]{1,10}").prop_map(|(tag, content)| AddressLiteral::General { tag, content }),
        ]
    }

    pub fn host() -> impl Strategy<Value = Host> {
        prop_oneof![3 => domain().prop_map(Host::Domain), 1 => literal().prop_map(Host::Literal)]
    }

    fn atom() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}|[用户δ]{1,3}"
    }

    fn local_part() -> impl Strategy<Value = LocalPart> {
        prop_oneof![
            3 => vec(atom(), 1..4).prop_map(|a| LocalPart::Dot(a.join("."))),
            1 => "[ -~用户]{0,12}".prop_map(LocalPart::Quoted),
        ]
    }

    fn path() -> impl Strategy<Value = Path> {
        (vec(domain(), 0..3), local_part(), host())
            .prop_map(|(source_route, local, host)| Path { source_route, mailbox: Mailbox { local, host } })
    }

    fn other(known: &'static [&'static str]) -> impl Strategy<Value = OtherParam> {
        ("X-[A-Za-z0-9-]{1,8}", option::of("[!-<>-~]{1,10}")).prop_filter_map("known keyword", move |(keyword, value)| {
            (!known.iter().any(|k| k.eq_ignore_ascii_case(&keyword))).then_some(OtherParam { keyword, value })
        })
    }

    fn mail_params() -> impl Strategy<Value = MailParams> {
        (
            option::of(any::<u64>()),
            option::of(prop_oneof![Just(Body::SevenBit), Just(Body::EightBitMime), Just(Body::BinaryMime)]),
            any::<bool>(),
            option::of(prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)]),
            option::of("[ -~]{1,20}"), // esmtp-value is 1*char: no empty ENVID
            option::of(prop_oneof![Just("<>".to_string()), "[a-z0-9+=]{1,8}(\\.[a-z]{1,3})?@[a-z]{1,8}\\.example"]),
            vec(other(&[]), 0..3),
        )
            .prop_map(|(size, body, smtputf8, ret, envid, auth, other)| MailParams {
                size,
                body,
                smtputf8,
                ret,
                envid,
                auth,
                other,
            })
    }

    fn rcpt_params() -> impl Strategy<Value = RcptParams> {
        let notify = prop_oneof![
            Just(Notify::Never),
            (any::<bool>(), any::<bool>(), any::<bool>())
                .prop_filter("at least one", |(s, f, d)| *s || *f || *d)
                .prop_map(|(success, failure, delay)| Notify::On { success, failure, delay }),
        ];
        (option::of(notify), option::of(("[a-zA-Z0-9-]{1,8}", "[ -~é]{0,20}")), vec(other(&[]), 0..3))
            .prop_map(|(notify, orcpt, other)| RcptParams { notify, orcpt, other })
    }

    /// Free text: printable, no leading/trailing space (the parser trims).
    fn text() -> impl Strategy<Value = String> {
        "[!-~ü]([ -~ü]{0,15}[!-~ü])?"
    }

    pub fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            host().prop_map(Command::Ehlo),
            domain().prop_map(Command::Helo),
            (prop_oneof![1 => Just(ReversePath::Null), 4 => path().prop_map(ReversePath::Path)], mail_params())
                .prop_map(|(from, params)| Command::Mail { from, params }),
            (
                prop_oneof![1 => vec(any::<bool>(), 10).prop_map(|upper| ForwardPath::Postmaster(
                    "postmaster".chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c }).collect()
                )), 4 => path().prop_map(ForwardPath::Path)],
                rcpt_params()
            )
                .prop_map(|(to, params)| Command::Rcpt { to, params }),
            Just(Command::Data),
            (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
            Just(Command::Rset),
            text().prop_map(Command::Vrfy),
            text().prop_map(Command::Expn),
            option::of(text()).prop_map(Command::Help),
            option::of(text()).prop_map(Command::Noop),
            Just(Command::Quit),
            Just(Command::StartTls),
            (
                "[A-Z0-9_-]{1,20}",
                option::of(prop_oneof![Just("=".to_string()), "([A-Za-z0-9+/]{4}){1,4}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"])
            )
                .prop_map(|(mechanism, initial)| Command::Auth { mechanism, initial }),
        ]
    }

    pub fn reply() -> impl Strategy<Value = Reply> {
        (2u16..=5, 0u16..=5, 0u16..=9, any::<bool>(), 0u16..1000, 0u16..1000, vec("([ -/:-~ü][ -~ü]{0,20})?", 1..5)).prop_map(
            |(a, b, c, with_enhanced, subject, detail, lines)| {
                let enhanced = (with_enhanced && a != 3).then(|| EnhancedCode::new(a as u8, subject, detail));
                // Without an enhanced code, a text that starts like one would be read as one:
                // the generated texts never start with a digit.
                Reply { code: Code(a * 100 + b * 10 + c), enhanced, lines }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn command_encode_parse_is_identity(cmd in command()) {
            let text = encode::command(&cmd);
            let parsed = parse::command(text.as_bytes());
            prop_assert_eq!(parsed.as_ref(), Ok(&cmd), "{}", text);
            // and the encoding is canonical: encode(parse(encode(x))) == encode(x)
            prop_assert_eq!(encode::command(&parsed.unwrap()), text);
        }

        #[test]
        fn reply_encode_parse_is_identity(r in reply()) {
            let text = encode::reply(&r);
            prop_assert_eq!(reparse_reply(&text), r);
        }

        #[test]
        fn command_never_panics(bytes in vec(any::<u8>(), 0..80)) {
            let _ = parse::command(&bytes);
        }

        #[test]
        fn command_never_panics_on_near_misses(cmd in command(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = encode::command(&cmd).into_bytes();
            let i = cut.index(bytes.len() + 1);
            bytes.insert(i, byte);
            if let Ok(c) = parse::command(&bytes) {
                let again = parse::command(encode::command(&c).as_bytes());
                prop_assert_eq!(again, Ok(c));
            }
        }

        #[test]
        fn reply_line_never_panics(bytes in vec(any::<u8>(), 0..40)) {
            if let Ok(l) = parse::reply_line(&bytes) {
                let _ = parse::reply(std::slice::from_ref(&l));
            }
        }
    }
}
