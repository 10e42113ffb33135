//! The typed facts of the trace (`sim::trace::Facts`): what the protocol core knew when a
//! command or reply happened — catalogue entry, transition row, states, what a reply answers —
//! carried to the views as values, checked against each other for every built-in, and kept
//! through the JSON form.

use smtp_sim::sim::scenario::{builtin, BUILTIN};
use smtp_sim::sim::trace::{Facts, Kind, Layer, Trace, TRACE_VERSION};
use smtp_sim::sim::world::{self, event_matches};
use smtp_sim::smtp::event::Answers;
use smtp_sim::smtp::reply::Code;

fn all() -> Vec<(&'static str, Trace)> {
    BUILTIN.iter().map(|(id, _)| (*id, world::run(&builtin(id).expect("built-ins load")))).collect()
}

#[test]
fn every_reply_carries_consistent_facts() {
    let mut answered = 0;
    for (id, t) in all() {
        for e in &t.events {
            match (e.kind, &e.facts) {
                (Kind::Reply, Some(Facts::SmtpReply(r))) => {
                    let f = e.facts.as_ref().unwrap();
                    assert_eq!(r.class, Code(r.code).class(), "{id} #{}: the class is the code's", e.seq);
                    assert!(e.label.starts_with(&f.status().unwrap()), "{id} #{}: {:?} starts with its status", e.seq, e.label);
                    assert_eq!(r.key.code, r.code, "{id} #{}: the catalogue entry has the reply's code", e.seq);
                    match r.transition {
                        Some(row) => {
                            assert!(
                                row.from.contains(&r.before) && row.to == r.after,
                                "{id} #{}: row {:?} fits {} → {}",
                                e.seq,
                                row.label,
                                r.before,
                                r.after
                            );
                            assert!(f.state_change().unwrap().transition.is_some(), "{id} #{}: the row is in the table", e.seq);
                        }
                        // No row: the state stays, except the greeting, which picks the first state.
                        None => assert!(
                            r.before == r.after || r.answers == Some(Answers::Greeting),
                            "{id} #{}: {} → {} without a row",
                            e.seq,
                            r.before,
                            r.after
                        ),
                    }
                    if let Some(Answers::Command(verb)) = r.answers {
                        let asked = t.events[..e.seq].iter().any(|c| c.conn == e.conn && c.facts == Some(Facts::SmtpCommand { verb }));
                        assert!(asked, "{id} #{}: answers {verb:?}, which was sent before on the connection", e.seq);
                    }
                    answered += usize::from(r.answers.is_some());
                }
                (Kind::Command, Some(Facts::SmtpCommand { verb })) => {
                    assert!(e.label.to_ascii_uppercase().starts_with(verb.as_str()), "{id} #{}: {:?} is a {verb:?}", e.seq, e.label);
                }
                (Kind::DkimSigned, Some(Facts::DkimSigned(_))) | (Kind::AuthChecked, Some(Facts::Authentication(_))) => {
                    assert!(e.raw.is_some(), "{id} #{}: the header field added is the event's raw text", e.seq);
                    assert!(
                        f_has_no_protocol_state(e.facts.as_ref().unwrap()),
                        "{id} #{}: sender-authentication facts are not SMTP state",
                        e.seq
                    );
                }
                // POP3 (RFC 1939 §3): the label starts with the status; a response names the
                // command it answers, sent before on the connection.
                (Kind::Reply, Some(f @ Facts::Pop3Reply(r))) => {
                    assert!(e.label.starts_with(&f.status().unwrap()), "{id} #{}: {:?} starts with its status", e.seq, e.label);
                    if let Some(verb) = r.answers {
                        let asked = t.events[..e.seq].iter().any(|c| c.conn == e.conn && c.facts == Some(Facts::Pop3Command { verb }));
                        assert!(asked, "{id} #{}: answers {verb:?}, which was sent before on the connection", e.seq);
                    }
                    assert_eq!(e.layer, Layer::Pop3, "{id} #{}", e.seq);
                }
                // IMAP (RFC 9051 §2.2.2): a tagged response echoes the tag of the command it ends.
                (Kind::Reply, Some(Facts::ImapResponse(r))) => {
                    if let Some(tag) = &r.tag {
                        assert!(e.label.starts_with(&format!("{tag} ")), "{id} #{}: {:?} has tag {tag}", e.seq, e.label);
                        let verb = r.answers.expect("a tagged response ends a command");
                        let sent = Some(Facts::ImapCommand { tag: Some(tag.clone()), verb });
                        assert!(
                            t.events[..e.seq].iter().any(|c| c.conn == e.conn && c.facts == sent),
                            "{id} #{}: {tag} {verb:?} was sent",
                            e.seq
                        );
                    } else {
                        assert!(
                            r.answers.is_none() && (e.label.starts_with("* ") || e.label.starts_with('+')),
                            "{id} #{}: {:?}",
                            e.seq,
                            e.label
                        );
                    }
                    assert_eq!(e.layer, Layer::Imap, "{id} #{}", e.seq);
                }
                (Kind::Command, Some(Facts::Pop3Command { verb })) => {
                    assert!(e.label.to_ascii_uppercase().starts_with(verb.keyword()), "{id} #{}: {:?} is a {verb:?}", e.seq, e.label);
                }
                (Kind::Command, Some(Facts::ImapCommand { tag, verb })) => match tag {
                    Some(tag) => assert!(e.label.starts_with(&format!("{tag} ")), "{id} #{}: {:?} has its tag", e.seq, e.label),
                    None => assert_eq!((verb, e.label.as_str()), (&smtp_sim::imap::command::Verb::Idle, "DONE"), "{id} #{}", e.seq),
                },
                (Kind::Reply | Kind::Command, other) => panic!("{id} #{}: a {:?} without its facts: {other:?}", e.seq, e.kind),
                (_, None) => {}
                (_, Some(f)) => panic!("{id} #{}: protocol facts on a {:?}: {f:?}", e.seq, e.kind),
            }
        }
    }
    assert!(answered > 100, "the clients say what most replies answer ({answered})");
}

#[test]
fn every_reply_a_client_read_says_what_it_answers() {
    for (id, t) in all() {
        for e in t.events.iter().filter(|e| e.kind == Kind::Reply) {
            let f = e.facts.as_ref().unwrap();
            let first_on_conn = !t.events[..e.seq].iter().any(|p| p.conn == e.conn && p.kind == Kind::Reply);
            if first_on_conn {
                match f {
                    // POP3 and IMAP greetings answer no command (RFC 1939 §4, RFC 9051 §7.1.1).
                    Facts::Pop3Reply(_) | Facts::ImapResponse(_) => {
                        assert_eq!(
                            (f.key(), f.pull_answers()),
                            (Some("greeting"), None),
                            "{id} #{}: the first response is the greeting",
                            e.seq
                        )
                    }
                    _ => assert_eq!(f.answers(), Some(Answers::Greeting), "{id} #{}: the first reply is the greeting", e.seq),
                }
            }
            if f.code() == Some(221) {
                assert!(f.answers().is_some(), "{id} #{}: the client reads the 221 to QUIT before the close", e.seq);
            }
        }
    }
}

#[test]
fn the_json_form_keeps_the_facts() {
    for (id, t) in all() {
        assert_eq!(t.version, TRACE_VERSION);
        let json = serde_json::to_string(&t).unwrap();
        let back: Trace = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(back, t, "{id}: the JSON form reads back as the same trace");
    }
    let t = world::run(&builtin("unknown-user-bounce").unwrap());
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains(r#""key":"rcpt.unknown_user""#), "a reply names its catalogue entry by key");
    assert!(json.contains(r#""transition":"first RCPT TO → 250""#), "a row is named by its label");
    assert!(json.contains(r#""answers":{"command":"Rcpt"}"#), "what a reply answers is written");
    let bad = json.replacen(r#""key":"rcpt.unknown_user""#, r#""key":"no.such_entry""#, 1);
    let err = serde_json::from_str::<Trace>(&bad).unwrap_err().to_string();
    assert!(err.contains("no catalogue entry has the key \"no.such_entry\""), "{err}");
    let bad = json.replacen(r#""transition":"first RCPT TO → 250""#, r#""transition":"sideways""#, 1);
    let err = serde_json::from_str::<Trace>(&bad).unwrap_err().to_string();
    assert!(err.contains("no transition row is labelled \"sideways\""), "{err}");
}

#[test]
fn narration_matches_typed_codes_and_verbs() {
    let t = world::run(&builtin("unknown-user-bounce").unwrap());
    let find = |on: &str| t.events.iter().filter(|e| event_matches(e, on)).map(|e| e.seq).collect::<Vec<_>>();
    let r550 = find("reply:550");
    assert!(!r550.is_empty() && r550.iter().all(|&i| t.events[i].facts.as_ref().and_then(Facts::code) == Some(550)));
    // A label that starts with the digits is not a reply with that code.
    assert!(find("reply:55").is_empty(), "codes are matched whole");
    let rcpt = find("cmd:RCPT");
    assert!(!rcpt.is_empty() && rcpt.iter().all(|&i| t.events[i].label.starts_with("RCPT")));
    assert_eq!(
        find("rcpt.unknown_user"),
        r550.iter().copied().filter(|&i| t.events[i].key() == Some("rcpt.unknown_user")).collect::<Vec<_>>()
    );
}

/// Sender-authentication facts carry no reply class, status or state change.
fn f_has_no_protocol_state(f: &Facts) -> bool {
    f.class().is_none() && f.status().is_none() && f.state_change().is_none() && f.answers().is_none()
}
