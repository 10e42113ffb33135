//! Property tests of the IMAP syntax layer and framing: `parse(encode(x)) == x` for random
//! commands and responses (strings that need quoting or literals included), and a server
//! session fed the same bytes in random chunks — literals cut anywhere — behaves the same.

use proptest::prelude::*;

use smtp_sim::imap::command::{
    Command, CommandBody, Date, DateTime, FetchItem, FetchItems, Flag, SearchKey, Section, SectionText, SeqNum, SeqRange, SeqSet,
    StatusItem, StoreMode,
};
use smtp_sim::imap::event::ServerEvent;
use smtp_sim::imap::response::{
    Address, BodyStructure, Code, Data, Disposition, Envelope, Extension, FetchValue, Response, SinglePart, Status,
};
use smtp_sim::imap::server::{ServerConfig, ServerSession};
use smtp_sim::imap::{encode, parse};
use smtp_sim::store::Store;

/// Any text: atoms, spaces, quotes, backslashes, braces, UTF-8, CR/LF (which need a literal).
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9]{1,8}", "[ -~]{0,12}", "[a-zé\"\\\\{} ]{0,8}", "[a-z\r\n]{0,6}",]
}

fn atom() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9.-]{0,8}"
}

fn seq_set() -> impl Strategy<Value = SeqSet> {
    let n = prop_oneof![(1u32..5000).prop_map(SeqNum::Num), Just(SeqNum::Largest)];
    prop::collection::vec((n.clone(), prop::option::of(n)).prop_map(|(start, end)| SeqRange { start, end }), 1..4).prop_map(SeqSet)
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        "[A-Za-z]{1,6}".prop_map(|s| Flag::Keyword(format!("k{s}"))),
        "[A-Za-z]{1,6}".prop_map(|s| Flag::Extension(format!("X{s}")))
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (1900u16..2100, 1u8..=12, 1u8..=28).prop_map(|(year, month, day)| Date { year, month, day })
}

fn section() -> impl Strategy<Value = Section> {
    let names = prop::collection::vec("[A-Za-z-]{1,8}", 1..3);
    (
        prop::collection::vec(1u32..5, 0..3),
        prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            names.clone().prop_map(|v| Some(SectionText::HeaderFields(v))),
            names.prop_map(|v| Some(SectionText::HeaderFieldsNot(v)))
        ],
    )
        .prop_map(|(part, text)| Section { part, text })
}

fn fetch_item() -> impl Strategy<Value = FetchItem> {
    prop_oneof![
        Just(FetchItem::Flags),
        Just(FetchItem::Uid),
        Just(FetchItem::Rfc822Size),
        Just(FetchItem::InternalDate),
        Just(FetchItem::Envelope),
        Just(FetchItem::BodyStructure),
        Just(FetchItem::Body),
        Just(FetchItem::Rfc822Header),
        (any::<bool>(), section(), prop::option::of((0u32..100, 1u32..100))).prop_map(|(peek, section, partial)| FetchItem::Section {
            peek,
            section,
            partial
        }),
    ]
}

fn search_key() -> impl Strategy<Value = SearchKey> {
    let leaf = prop_oneof![
        Just(SearchKey::All),
        Just(SearchKey::Seen),
        Just(SearchKey::Unseen),
        Just(SearchKey::Flagged),
        Just(SearchKey::Deleted),
        text().prop_map(SearchKey::From),
        text().prop_map(SearchKey::Subject),
        (atom(), text()).prop_map(|(a, b)| SearchKey::Header(a, b)),
        date().prop_map(SearchKey::Since),
        date().prop_map(SearchKey::Before),
        (0u32..100_000).prop_map(SearchKey::Larger),
        seq_set().prop_map(SearchKey::Uid),
        seq_set().prop_map(SearchKey::Seq),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
            prop::collection::vec(inner, 1..3).prop_map(SearchKey::And),
        ]
    })
}

fn command() -> impl Strategy<Value = Command> {
    let body = prop_oneof![
        Just(CommandBody::Capability),
        Just(CommandBody::Noop),
        Just(CommandBody::Idle),
        (text(), text())
            .prop_map(|(user, password)| CommandBody::Login { user: if user.is_empty() { "u".into() } else { user }, password }),
        text().prop_map(CommandBody::Select),
        text().prop_map(CommandBody::Examine),
        (text(), text()).prop_map(|(from, to)| CommandBody::Rename { from, to }),
        (text(), "[a-z%*]{0,4}").prop_map(|(reference, pattern)| CommandBody::List { reference, pattern }),
        (text(), prop::collection::vec(prop_oneof![Just(StatusItem::Messages), Just(StatusItem::UidNext), Just(StatusItem::Unseen)], 1..3))
            .prop_map(|(mailbox, items)| CommandBody::Status { mailbox, items }),
        (
            text(),
            prop::collection::vec(flag(), 0..3),
            prop::option::of((date(), 0u8..24, 0u8..60, -720i16..720)),
            prop::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(mailbox, flags, d, message)| CommandBody::Append {
                mailbox,
                flags,
                date: d.map(|(date, h, m, z)| DateTime { date, hour: h, minute: m, second: m, zone_minutes: z }),
                message
            }),
        (any::<bool>(), prop::collection::vec(search_key(), 1..3)).prop_map(|(uid, criteria)| CommandBody::Search {
            uid,
            charset: None,
            criteria
        }),
        (
            any::<bool>(),
            seq_set(),
            prop_oneof![
                Just(FetchItems::All),
                Just(FetchItems::Fast),
                prop::collection::vec(fetch_item(), 1..4).prop_map(FetchItems::List)
            ]
        )
            .prop_map(|(uid, set, items)| CommandBody::Fetch { uid, set, items }),
        (
            any::<bool>(),
            seq_set(),
            prop_oneof![Just(StoreMode::Replace), Just(StoreMode::Add), Just(StoreMode::Remove)],
            any::<bool>(),
            prop::collection::vec(flag(), 0..3)
        )
            .prop_map(|(uid, set, mode, silent, flags)| CommandBody::Store { uid, set, mode, silent, flags }),
        (any::<bool>(), seq_set(), text()).prop_map(|(uid, set, mailbox)| CommandBody::Move { uid, set, mailbox }),
        seq_set().prop_map(CommandBody::UidExpunge),
    ];
    ("[A-Za-z0-9.]{1,6}", body).prop_map(|(tag, body)| Command { tag, body })
}

fn nstr() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn address() -> impl Strategy<Value = Address> {
    (nstr(), nstr(), nstr(), nstr()).prop_map(|(name, adl, mailbox, host)| Address { name, adl, mailbox, host })
}

fn envelope() -> impl Strategy<Value = Envelope> {
    (nstr(), nstr(), prop::collection::vec(address(), 0..2), prop::collection::vec(address(), 0..2), nstr()).prop_map(
        |(date, subject, from, to, message_id)| Envelope {
            date,
            subject,
            sender: from.clone(),
            reply_to: from.clone(),
            from,
            to,
            cc: Vec::new(),
            bcc: Vec::new(),
            in_reply_to: None,
            message_id,
        },
    )
}

fn body_structure() -> impl Strategy<Value = BodyStructure> {
    let params = prop::collection::vec((atom(), text()), 0..2);
    let ext = prop::option::of(
        (nstr(), prop::option::of((atom(), prop::collection::vec((atom(), text()), 0..2))), prop::collection::vec(atom(), 0..2), nstr())
            .prop_map(|(md5, d, language, location)| Extension {
                md5,
                disposition: d.map(|(kind, params)| Disposition { kind, params }),
                language,
                location,
            }),
    );
    let leaf = (prop_oneof![Just("TEXT"), Just("APPLICATION"), Just("IMAGE")], atom(), params, nstr(), 0u32..100_000, 0u32..1000, ext)
        .prop_map(|(t, subtype, params, id, size, lines, ext)| {
            BodyStructure::Single(SinglePart {
                media_type: t.into(),
                subtype,
                params,
                id,
                description: None,
                encoding: "BASE64".into(),
                size,
                message: None,
                lines: (t == "TEXT").then_some(lines),
                ext,
            })
        });
    leaf.prop_recursive(3, 8, 3, |inner| {
        (prop::collection::vec(inner, 1..3), atom()).prop_map(|(parts, subtype)| BodyStructure::Multi { parts, subtype, ext: None })
    })
}

fn response() -> impl Strategy<Value = Response> {
    let status = prop_oneof![Just(Status::Ok), Just(Status::No), Just(Status::Bad)];
    let code = prop::option::of(prop_oneof![
        Just(Code::ReadWrite),
        Just(Code::TryCreate),
        (1u32..9999).prop_map(Code::UidValidity),
        (1u32..99, 1u32..99).prop_map(|(a, b)| Code::AppendUid(a, b)),
        prop::collection::vec(flag(), 0..3).prop_map(Code::PermanentFlags),
        prop::collection::vec(atom(), 1..3).prop_map(Code::Capability)
    ]);
    let value = prop_oneof![
        prop::collection::vec(flag(), 0..3).prop_map(FetchValue::Flags),
        (1u32..999).prop_map(FetchValue::Uid),
        (0u64..99999).prop_map(FetchValue::Rfc822Size),
        envelope().prop_map(|e| FetchValue::Envelope(Box::new(e))),
        body_structure().prop_map(|b| FetchValue::BodyStructure(Box::new(b))),
        (section(), prop::option::of(0u32..99), prop::option::of(prop::collection::vec(any::<u8>(), 0..30)))
            .prop_map(|(section, origin, data)| FetchValue::Section { section, origin, data }),
    ];
    prop_oneof![
        ("[a-z0-9]{1,4}", status, code, "[a-zA-Z ]{0,10}").prop_map(|(t, status, code, text)| Response::Status {
            tag: Some(t),
            status,
            code,
            text: text.trim_start().to_string()
        }),
        (1u32..999).prop_map(|n| Response::Data(Data::Exists(n))),
        prop::collection::vec(1u32..999, 0..4).prop_map(|v| Response::Data(Data::Search(v))),
        (text(), prop::collection::vec(Just("\\HasNoChildren".to_string()), 0..2))
            .prop_map(|(name, attributes)| Response::Data(Data::List { lsub: false, attributes, delimiter: Some('/'), name })),
        ((1u32..99), prop::collection::vec(value, 1..4)).prop_map(|(seq, items)| Response::Data(Data::Fetch { seq, items })),
        "[a-zA-Z ]{0,10}".prop_map(|t| Response::Continue(t.trim_start().to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn commands_encode_then_parse_back(c in command()) {
        let bytes = encode::command(&c);
        let unit = bytes.strip_suffix(b"\r\n").unwrap();
        let back = parse::command(unit).map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(unit))))?;
        prop_assert_eq!(&back, &c);
        // Sending the parts one by one (as a client waiting for `+` does) gives the same bytes.
        prop_assert_eq!(encode::command_parts(&c).concat(), bytes);
    }

    #[test]
    fn responses_encode_then_parse_back(r in response()) {
        let bytes = encode::response(&r);
        let back = parse::response(bytes.strip_suffix(b"\r\n").unwrap()).map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&bytes))))?;
        prop_assert_eq!(back, r);
    }

    /// The session's output and events do not depend on how the input was cut — literals
    /// (LOGIN, APPEND) split anywhere included.
    #[test]
    fn chunking_does_not_change_the_session(cuts in prop::collection::vec(1usize..40, 1..60)) {
        let script = b"a LOGIN {3}\r\nbob {2}\r\npw\r\nb SELECT INBOX\r\nc APPEND INBOX (\\Seen) {19}\r\nSubject: x\r\n\r\nhello\r\nd FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\ne STORE 1 +FLAGS (\\Flagged)\r\nf SEARCH OR FLAGGED SUBJECT x\r\ng IDLE\r\nDONE\r\nh FROB\r\ni LOGOUT\r\n";
        let whole = run(&[script.len()], script);
        let text = String::from_utf8_lossy(&whole.0).into_owned();
        for want in ["a OK [CAPABILITY", "c OK [APPENDUID 5 2]", "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {14}", "i OK LOGOUT"] {
            prop_assert!(text.contains(want), "{} missing in {}", want, text);
        }
        let mut sizes = cuts;
        sizes.push(script.len());
        prop_assert_eq!(run(&sizes, script), whole);
    }
}

/// Feed `script` in pieces of the given sizes; the bytes written and the events (with `raw`
/// kept, so literal boundaries would show).
fn run(sizes: &[usize], script: &[u8]) -> (Vec<u8>, Vec<String>) {
    let mut store = Store::new(5);
    store.create_account("bob").unwrap();
    store.deliver("bob", b"Subject: first\r\n\r\none\r\n", 100).unwrap();
    let accounts = vec![("bob".to_string(), "pw".to_string())];
    let mut s = ServerSession::new(ServerConfig::default());
    let mut out = Vec::new();
    let mut events = Vec::new();
    let mut rest = script;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        s.receive(chunk, &mut store, &accounts, 200);
        rest = tail;
        while let Some(b) = s.poll_output() {
            out.extend(b);
        }
        while let Some(e) = s.poll_event() {
            events.push(format!("{e:?}"));
        }
    }
    assert!(events.iter().any(|e| e.starts_with(&format!("{:?}", ServerEvent::Closed))), "the script ends with LOGOUT");
    (out, events)
}
