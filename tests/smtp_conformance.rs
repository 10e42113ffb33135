//! MUST-level rules of the ESMTP extensions, each test named after its rule and RFC section:
//! enhanced codes in HELO sessions (RFC 2034 §3), EHLO lists every implemented command
//! (RFC 5321 §4.1.1.1, §3.5.2), `AUTH=` on MAIL (RFC 4954 §5), and SMTPUTF8 (RFC 6531).

use smtp_sim::smtp::command::Verb;
use smtp_sim::smtp::event::ServerEvent;
use smtp_sim::smtp::server::{ehlo_keyword, Extensions, Policy, ServerConfig, ServerSession};

struct Accounts;
impl Policy for Accounts {
    fn authenticate(&mut self, _m: &str, _z: &str, user: &str, password: &str) -> bool {
        user == "alice" && password == "secret"
    }
}

fn all_extensions() -> ServerConfig {
    ServerConfig {
        hostname: "mx.example".into(),
        extensions: Extensions {
            smtputf8: true,
            dsn: true,
            chunking: true,
            auth_plain: true,
            auth_login: true,
            starttls: true,
            ..Extensions::default()
        },
        ..ServerConfig::default()
    }
}

/// Feed `input` to a fresh session; everything it wrote (greeting first) and its events.
fn talk(config: ServerConfig, input: &str) -> (String, Vec<ServerEvent>) {
    let mut s = ServerSession::new(config);
    s.receive(input.as_bytes(), &mut Accounts);
    let mut out = Vec::new();
    while let Some(o) = s.poll_output() {
        out.extend(o);
    }
    let mut events = Vec::new();
    while let Some(e) = s.poll_event() {
        events.push(e);
    }
    (String::from_utf8(out).unwrap(), events)
}

fn lines(config: ServerConfig, input: &str) -> Vec<String> {
    talk(config, input).0.split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn rfc2034_s3_enhanced_codes_also_in_a_helo_session() {
    // RFC 2034 §3: "regardless of whether or not EHLO is employed"; not on the greeting or on
    // the HELO/EHLO reply.
    let got = lines(
        ServerConfig::default(),
        "HELO bar.example\r\nMAIL FROM:<a@bar.example>\r\nRCPT TO:<b@mx.example>\r\nVRFY b\r\nFOO\r\nQUIT\r\n",
    );
    assert_eq!(
        got,
        [
            "220 mx.example ESMTP smtp-sim",
            "250 mx.example Hello bar.example",
            "250 2.1.0 Sender <a@bar.example> OK",
            "250 2.1.5 Recipient <b@mx.example> OK",
            "252 2.1.5 Cannot VRFY user, but will accept message and attempt delivery",
            "500 5.5.1 Syntax error, command unrecognized",
            "221 2.0.0 mx.example Service closing transmission channel",
        ]
    );
}

#[test]
fn rfc2034_a_server_without_the_extension_sends_bare_codes() {
    // Like the servers of RFC 5321 Appendix D: no ENHANCEDSTATUSCODES, so no enhanced codes,
    // whether the client said EHLO or HELO.
    let bare = ServerConfig { extensions: Extensions { enhanced_status_codes: false, ..Extensions::default() }, ..ServerConfig::default() };
    for hello in ["EHLO", "HELO"] {
        let got = lines(bare.clone(), &format!("{hello} bar.example\r\nMAIL FROM:<a@bar.example>\r\nQUIT\r\n"));
        assert!(!got.iter().any(|l| l.contains("ENHANCEDSTATUSCODES")), "{got:?}");
        assert_eq!(got[got.len() - 2], "250 Sender <a@bar.example> OK", "{hello}");
        assert_eq!(got[got.len() - 1], "221 mx.example Service closing transmission channel", "{hello}");
    }
}

/// A line for each verb that exercises it (after EHLO), for the implemented-or-502 probe.
fn probe(verb: Verb) -> &'static str {
    match verb {
        Verb::Ehlo => "EHLO bar.example",
        Verb::Helo => "HELO bar.example",
        Verb::Mail => "MAIL FROM:<a@bar.example>",
        Verb::Rcpt => "RCPT TO:<b@mx.example>",
        Verb::Data => "DATA",
        Verb::Bdat => "BDAT 0 LAST",
        Verb::Rset => "RSET",
        Verb::Vrfy => "VRFY b",
        Verb::Expn => "EXPN staff",
        Verb::Help => "HELP",
        Verb::Noop => "NOOP",
        Verb::Quit => "QUIT",
        Verb::StartTls => "STARTTLS",
        Verb::Auth => "AUTH PLAIN",
    }
}

#[test]
fn rfc5321_s4_1_1_1_every_implemented_command_is_base_or_advertised() {
    // RFC 5321 §4.1.1.1, §3.5.2: HELP (and EXPN, if implemented) are listed in the EHLO
    // reply; an extension command is implemented exactly when its keyword is listed.
    let configs = [
        all_extensions(),
        ServerConfig::default(),
        ServerConfig { extensions: Extensions { chunking: true, ..Extensions::default() }, ..ServerConfig::default() },
    ];
    for config in configs {
        let ehlo = lines(config.clone(), "EHLO bar.example\r\n");
        let keywords: Vec<&str> = ehlo[2..].iter().map(|l| l[4..].split(' ').next().unwrap()).collect();
        assert!(keywords.contains(&"HELP"), "HELP answers 214, so it is advertised: {keywords:?}");
        for verb in Verb::ALL {
            let prefix = if verb == Verb::Rcpt || verb == Verb::Data {
                "EHLO bar.example\r\nMAIL FROM:<a@bar.example>\r\nRCPT TO:<b@mx.example>\r\n"
            } else {
                "EHLO bar.example\r\n"
            };
            let input = if verb == Verb::Data { prefix.to_string() + "DATA\r\n" } else { format!("{prefix}{}\r\n", probe(verb)) };
            let out = lines(config.clone(), &input);
            let last = out.last().unwrap();
            let implemented = !last.starts_with("502");
            match ehlo_keyword(verb) {
                None => assert!(implemented, "{verb:?} is a base command of RFC 5321 §4.5.1 and must work: {last}"),
                Some(k) => assert_eq!(
                    implemented,
                    keywords.contains(&k),
                    "{verb:?} implemented={implemented} but {k} advertised={} ({keywords:?}; {last})",
                    keywords.contains(&k)
                ),
            }
        }
    }
}

#[test]
fn help_lists_only_implemented_commands() {
    let got = lines(ServerConfig::default(), "EHLO bar.example\r\nHELP\r\n");
    let help = got.iter().rev().find(|l| l.starts_with("214 ")).unwrap();
    assert!(help.contains("HELP") && help.contains("VRFY"), "{help}");
    assert!(!help.contains("EXPN") && !help.contains("BDAT") && !help.contains("AUTH"), "{help}");
}

#[test]
fn rfc4954_s5_auth_param_on_mail_is_accepted() {
    // RFC 4954 §5: AUTH=<mailbox as xtext> or AUTH=<>, accepted where AUTH is offered (not 555),
    // whether or not the client authenticated.
    let cfg = all_extensions();
    for (param, decoded) in
        [("AUTH=<>", "<>"), ("AUTH=e+3Dmc2@bar.example", "e=mc2@bar.example"), ("AUTH=alice@bar.example", "alice@bar.example")]
    {
        let (out, events) = talk(cfg.clone(), &format!("EHLO bar.example\r\nMAIL FROM:<a@bar.example> {param}\r\n"));
        assert!(out.ends_with("250 2.1.0 Sender <a@bar.example> OK\r\n"), "{param}: {out}");
        let auth = events.iter().find_map(|e| match e {
            ServerEvent::CommandReceived { command: smtp_sim::smtp::command::Command::Mail { params, .. }, .. } => params.auth.clone(),
            _ => None,
        });
        assert_eq!(auth.as_deref(), Some(decoded));
    }
    // After AUTH too.
    let (out, _) = talk(
        cfg.clone(),
        "EHLO bar.example\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM:<alice@bar.example> AUTH=alice@bar.example\r\n",
    );
    assert!(out.ends_with("250 2.1.0 Sender <alice@bar.example> OK\r\n"), "{out}");
    // Malformed: not an addr-spec → 501 (a syntax error in the parameter value).
    let (out, _) = talk(cfg, "EHLO bar.example\r\nMAIL FROM:<a@bar.example> AUTH=nobody\r\n");
    assert!(out.ends_with("\r\n") && out.lines().last().unwrap().starts_with("501 5.5.4"), "{out}");
    // Where AUTH is not offered the parameter is unknown: 555 (RFC 5321 §4.1.1.11).
    let (out, _) = talk(ServerConfig::default(), "EHLO bar.example\r\nMAIL FROM:<a@bar.example> AUTH=<>\r\n");
    assert!(out.lines().last().unwrap().starts_with("555 5.5.4"), "{out}");
}

#[test]
fn rfc6531_utf8_mailboxes_only_with_the_smtputf8_parameter() {
    let cfg = all_extensions();
    // RFC 6531 §3.3 grammar: UTF-8 in the local part and U-labels in the domain.
    let (out, events) = talk(cfg.clone(), "EHLO bar.example\r\nMAIL FROM:<jöran@bär.example> SMTPUTF8\r\nRCPT TO:<用户@mx.example>\r\nDATA\r\nSubject: grüß\r\n\r\nhej\r\n.\r\n");
    assert!(out.contains("250-SMTPUTF8\r\n"), "{out}");
    assert!(out.contains("250 2.1.0 Sender <jöran@bär.example> OK\r\n"), "{out}");
    assert!(out.contains("250 2.1.5 Recipient <用户@mx.example> OK\r\n"), "{out}");
    let accepted = events.iter().find_map(|e| match e {
        ServerEvent::MessageAccepted { envelope, .. } => Some(envelope.rcpts[0].0.to_string()),
        _ => None,
    });
    assert_eq!(accepted.as_deref(), Some("<用户@mx.example>"));
    // RFC 6531 §3.4 / §3.7.4.1: without the parameter, 553 5.6.7 for MAIL and for RCPT.
    let (out, _) = talk(cfg.clone(), "EHLO bar.example\r\nMAIL FROM:<jöran@bär.example>\r\n");
    assert!(out.lines().last().unwrap().starts_with("553 5.6.7"), "{out}");
    let (out, _) = talk(cfg, "EHLO bar.example\r\nMAIL FROM:<a@bar.example>\r\nRCPT TO:<用户@mx.example>\r\n");
    assert!(out.lines().last().unwrap().starts_with("553 5.6.7"), "{out}");
    // Where SMTPUTF8 is not offered, the parameter itself is unknown (555).
    let (out, _) = talk(ServerConfig::default(), "EHLO bar.example\r\nMAIL FROM:<jöran@bär.example> SMTPUTF8\r\n");
    assert!(out.lines().last().unwrap().starts_with("555"), "{out}");
}
