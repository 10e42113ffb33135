//! Share links: state → link → state is the identity (built-in references and edited
//! scenarios), every cut of a link is reported as incomplete, arbitrary input never panics,
//! and each error says plainly what is wrong. Also keeps `src/share/` as pure as `src/sim/`.

use proptest::prelude::*;
use smtp_sim::share::{self, base64url, decode, encode, try_encode, ScenarioRef, ShareError, ShareState, MAX_DECOMPRESSED, VERSION};
use smtp_sim::sim::clock::Span;
use smtp_sim::sim::scenario::{builtin, Scenario, BUILTIN};

fn builtin_state(id: &str, step: usize) -> ShareState {
    ShareState {
        version: VERSION,
        scenario: ScenarioRef::Builtin(id.into()),
        step,
        panels: vec!["trace".into(), "inspector".into()],
        selected: Some(step),
    }
}

fn edited_happy_path() -> Scenario {
    let mut s = builtin("happy-path").unwrap();
    s.id = "my-happy-path".into();
    s.title = "Happy path, but Bob's mailbox is full".into();
    s.nodes[2].full.push(smtp_sim::sim::scenario::FullMailbox {
        mailbox: "bob@example.org".into(),
        kind: smtp_sim::sim::scenario::Fullness::Temporary,
    });
    s.clock.latency = Span(80);
    s
}

fn custom_state(s: Scenario) -> ShareState {
    ShareState { version: VERSION, scenario: ScenarioRef::Custom(s), step: 42, panels: vec!["network".into()], selected: None }
}

#[test]
fn typical_links_are_short_and_round_trip() {
    let b = builtin_state("happy-path", 17);
    let link = encode(&b);
    assert!(link.starts_with(&format!("v{VERSION}.")), "{link}");
    assert_eq!(decode(&link), Ok(b.clone()));
    let plain = ShareState { panels: vec![], selected: None, ..b };
    let short = encode(&plain);
    assert_eq!(decode(&short), Ok(plain));
    let c = custom_state(edited_happy_path());
    let long = encode(&c);
    assert_eq!(decode(&long), Ok(c));
    let toml_len = toml::to_string(&edited_happy_path()).unwrap().len();
    let postcard_len = postcard::to_allocvec(&edited_happy_path()).unwrap().len();
    println!("builtin + step: {} chars ({short}); with 2 panels + selection: {} chars; custom edited happy-path: {} chars (its TOML: {toml_len} bytes, postcard: {postcard_len} bytes)", short.len(), link.len(), long.len());
    assert!(short.len() < 40, "{short}");
    assert!(long.len() < toml_len, "compression pays: {} vs {toml_len}", long.len());
}

#[test]
fn a_link_is_read_from_a_fragment_or_a_url() {
    let b = builtin_state("null-mx", 3);
    let link = encode(&b);
    assert_eq!(decode(&format!("#{link}")), Ok(b.clone()));
    assert_eq!(decode(&format!("https://example.org/smtp-sim/index.html#{link}")), Ok(b.clone()));
    assert_eq!(decode(&format!("  {link}\n")), Ok(b));
}

#[test]
fn every_builtin_round_trips_as_reference_and_as_custom() {
    for (id, _) in BUILTIN {
        let b = builtin_state(id, 1);
        assert_eq!(decode(&encode(&b)), Ok(b), "{id}");
        let c = custom_state(builtin(id).unwrap());
        assert_eq!(decode(&encode(&c)), Ok(c), "{id} as custom");
    }
}

#[test]
fn every_cut_of_a_link_is_reported_as_incomplete() {
    for state in [builtin_state("happy-path", 5), custom_state(edited_happy_path())] {
        let link = encode(&state);
        for cut in 0..link.len() {
            match decode(&link[..cut]) {
                Err(e @ ShareError::Incomplete { .. }) => {
                    let text = e.to_string();
                    assert!(
                        text.starts_with(
                            "the link is incomplete — it may have been cut when copied; the default scenario is shown instead"
                        ),
                        "{text}"
                    );
                }
                other => panic!("cut at {cut} of {}: {other:?}", link.len()),
            }
        }
    }
}

#[test]
fn versions() {
    let newer = u32::from(VERSION) + 1;
    let e = decode(&format!("v{newer}.AAAA")).unwrap_err();
    assert_eq!(e, ShareError::NewerVersion { found: newer });
    assert!(
        e.to_string().starts_with(&format!("this link was made by a newer smtp-sim (v{newer}); this page understands v{VERSION}")),
        "{e}"
    );
    assert!(matches!(decode("v99999999999999999999.x"), Err(ShareError::NewerVersion { .. })));
    assert_eq!(decode("v0.AAAA"), Err(ShareError::OlderVersion { found: 0 }));
    assert_eq!(decode("hello"), Err(ShareError::NotALink));
    assert_eq!(decode("vx.AAAA"), Err(ShareError::NotALink));
    assert!(decode("hello").unwrap_err().to_string().contains("not an smtp-sim share link"));
}

#[test]
fn a_decompression_bomb_is_stopped() {
    // 2 MiB of a valid record's worth of zeros compresses to a few KiB.
    let mut body = vec![0u8; 2 * MAX_DECOMPRESSED];
    body[0] = 0;
    let mut payload = vec![1u8];
    payload.extend(miniz_oxide::deflate::compress_to_vec(&body, 9));
    let link = format!("v1.{}", base64url::encode(&payload));
    assert!(link.len() < 10_000);
    let e = decode(&link).unwrap_err();
    assert_eq!(e, ShareError::TooLarge { limit: MAX_DECOMPRESSED });
    assert!(e.to_string().contains("more than 1048576 bytes"), "{e}");
    assert!(matches!(decode(&"v1.".repeat(1 << 20)), Err(ShareError::TooLarge { .. })));
}

#[test]
fn a_custom_scenario_that_does_not_validate_gives_located_errors() {
    let mut s = builtin("happy-path").unwrap();
    s.nodes[1].id = "Relay Node".into();
    s.messages[0].client = "nobody".into();
    let link = try_encode(&custom_state(s)).unwrap();
    let Err(ShareError::InvalidScenario { errors }) = decode(&link) else { panic!("expected InvalidScenario") };
    assert!(errors.iter().any(|e| e.path == "node[1].id" && e.message.contains("not a valid id")), "{errors:?}");
    assert!(errors.iter().any(|e| e.path == "message[0].client"), "{errors:?}");
    let text = ShareError::InvalidScenario { errors }.to_string();
    assert!(text.starts_with("the edited scenario in this link has problems:\n  node[1].id: "), "{text}");
}

#[test]
fn an_unknown_builtin_is_named() {
    let e = decode(&encode(&builtin_state("no-such-scenario", 0))).unwrap_err();
    assert_eq!(e, ShareError::UnknownBuiltin { id: "no-such-scenario".into() });
    assert!(e.to_string().contains("\"no-such-scenario\""));
}

#[test]
fn extreme_values_round_trip() {
    let mut s = builtin("happy-path").unwrap();
    s.seed = u64::MAX;
    s.nodes[1].size_limit = u64::MAX;
    s.title = "quotes \" ' \"\"\" and ''' newlines \r\n\t\u{0} \u{7f} <img src=x onerror=alert(1)> ✉".into();
    let state = ShareState { step: usize::MAX, selected: Some(usize::MAX - 1), ..custom_state(s) };
    let link = try_encode(&state).unwrap();
    assert_eq!(decode(&link), Ok(state));
}

/// A v1 body (the layout v2 keeps) with the scenario field as given.
fn v1_link(kind: u8, scenario: &[u8]) -> String {
    let mut body = vec![kind, 3, 0, 0];
    body.push(u8::try_from(scenario.len()).unwrap());
    body.extend_from_slice(scenario);
    let mut payload = vec![0u8];
    payload.extend(body);
    format!("v1.{}", base64url::encode(&payload))
}

#[test]
fn v1_links_to_a_builtin_still_open_and_v1_custom_links_are_refused_plainly() {
    // The example link of the v1 documentation.
    let old = decode("v1.AAARAAAKaGFwcHktcGF0aA").unwrap();
    assert_eq!(
        old,
        ShareState { version: 1, scenario: ScenarioRef::Builtin("happy-path".into()), step: 17, panels: vec![], selected: None }
    );
    assert_eq!(decode(&v1_link(0, b"null-mx")).map(|s| s.scenario), Ok(ScenarioRef::Builtin("null-mx".into())));
    // v1 carried an edited scenario as TOML text.
    let e = decode(&v1_link(1, b"id = \"t\"\ntitle = \"T\"\n")).unwrap_err();
    assert_eq!(e, ShareError::OlderVersion { found: 1 });
    assert!(e.to_string().starts_with("this link was made by an older development version of smtp-sim (v1)"), "{e}");
}

/// A v2 link to a small edited scenario, written once. If it stops decoding, the postcard layout
/// of `Scenario` (sim/spec.rs) or the record changed: bump `share::VERSION`, keep reading v2
/// (migrating it), and add the new version's own fixed link here.
const V2_CUSTOM: &str = "v2.AU1OPQ-CMBDloDXGwYGwuLE50bT1I-Lm5ujA5NaQBkhaSqAa2fh1_i7Pj8GXd-_dLfcekAio71Wpn0B8046kQIkvTZv6Wqd3mRo1uptnkEgu95kQmTwUPD9yjrwSye0QhTsbCZwNt-G2Bipq3PAaEqDKNKWG5elt6wG_dd518deYfijbGc1KZxcil4wzyQQPELD6KBKCaZooBIApwR9gXvVaY-VqdtbGOPbLegE";

fn small_scenario() -> Scenario {
    let mut s = builtin("happy-path").unwrap();
    s.id = "tiny".into();
    s.title = "Tiny".into();
    s.goal = "Pin the v2 layout.".into();
    s.nodes.truncate(1);
    s.nodes[0].kind = smtp_sim::sim::scenario::NodeKind::Server;
    s.nodes[0].server = None;
    s.nodes[0].port = None;
    s.nodes[0].login = None;
    s.nodes[0].ports = vec![25];
    s.nodes[0].greylist = Some(Span::mins(5));
    s.messages.clear();
    s.narration =
        vec![smtp_sim::sim::scenario::Narration { on: "greeting".into(), text: "Hello.".into(), node: Some(s.nodes[0].id.clone()) }];
    s.dns = Default::default();
    s.clock.delay_warning_after = Some(Span::mins(90));
    // The clock the link was written with: the defaults of that time. The defaults became the
    // RFC's values later (issue 16); the layout did not change, so the link still decodes to them.
    s.clock.retry = vec![Span::mins(5), Span::mins(15), Span::mins(30)];
    s.clock.expire_after = Span(4 * 3_600_000);
    s.clock.max_received = 20;
    s
}

#[test]
fn a_v2_custom_link_written_once_still_decodes() {
    // v2 links are read through the frozen v2 layout and migrated (v3 added DSN, SMTPUTF8 and
    // ENHANCEDSTATUSCODES options, which get their defaults).
    let state = ShareState {
        version: 2,
        scenario: ScenarioRef::Custom(small_scenario()),
        step: 4,
        panels: vec!["trace".into()],
        selected: Some(2),
    };
    assert_eq!(decode(V2_CUSTOM), Ok(state));
}

/// A v3 link to the same small scenario with the v3 options set, written once. If it stops
/// decoding, bump `share::VERSION` again (see `V2_CUSTOM`).
const V3_CUSTOM: &str = "v3.AU1OsQ6CMBDlgBrj4EBY3NicaNqiRtzcHB2Y3BrSAElLCVQjG7_nX3mogy_v3nu33DsIAyCul6V6QeiadgwLlOjatImrVfLIEi1He3cUYsHEIeU8FceC5SfGkLdQMDME_t4EHCdjxt_VQHiNCbchBiJ1UypYn2fbDnitc7aLvkbVU5pOK1pas-K5oIwKypmHgM1HkeBN00RgDoBF3h9gWfVK4dfV4qK0tvRX9wY";

fn small_v3_scenario() -> Scenario {
    let mut s = small_scenario();
    s.goal = "Pin the v3 layout.".into();
    s.nodes[0].enhanced_status_codes = false;
    s.nodes[0].smtputf8 = true;
    s.nodes[0].dsn = true;
    s
}

#[test]
fn a_v3_custom_link_written_once_still_decodes() {
    let state = ShareState {
        version: 3,
        scenario: ScenarioRef::Custom(small_v3_scenario()),
        step: 4,
        panels: vec!["trace".into()],
        selected: Some(2),
    };
    assert_eq!(decode(V3_CUSTOM), Ok(state.clone()), "fresh link: {}", encode(&state));
}

/// A v4 link (written once by the build of 96642f7) to the same small scenario with the v4
/// options set: sender authentication (DKIM signing with an unpublished rsa-sha256 key, DMARC
/// checks, a forwarding alias, a mailing list). If it stops decoding, bump `share::VERSION` again.
const V4_CUSTOM: &str = "v4.AX1QvU7EMAyu-3NCIJ0A3cKWjQFdlIQDcUwHEyPDTSCGUExbKU2qJkV063PyNLhwQ3XDWU782f5sy4Y0gSy0OsefOA2V7dMtfVfPlWWhRPa1Ykb3rgvMfTKP9gNbpjvK2FDlOlTOclgooW6XUi7V3Vas74UgfUmVqH0S39SJpHct6nhVQiZLQuT5BWTaVDnC_GE0l57GNME15_-G47euG4M8d_WxXCsuuOJSRCRwASeTLJz99dlMQsQhhWgYhgxGALGXI5hrM-XtVbq2gNPcdO-bw-1nryPpLX3skQMtGE0EjooWkc5YzJ7QGMd3a_4C";

#[test]
fn a_v4_custom_link_written_once_still_decodes() {
    use smtp_sim::sim::scenario::{DkimAlgorithm, DkimSigning, Forward, MailingList};
    let mut s = small_v3_scenario();
    s.goal = "Pin the v4 layout of sender authentication.".into();
    let node = &mut s.nodes[0];
    node.dkim = Some(DkimSigning { selector: "s1".into(), algorithm: DkimAlgorithm::RsaSha256, publish: false });
    node.dmarc = true;
    node.domains = vec!["example.com".into()];
    node.mailboxes = vec!["alice@example.com".into()];
    node.forward = vec![Forward { from: "al@example.com".into(), to: "alice@example.org".into() }];
    node.lists = vec![MailingList {
        address: "club@example.com".into(),
        members: vec!["alice@example.com".into()],
        subject_prefix: "[club]".into(),
        footer: "Bye.".into(),
    }];
    let state = ShareState { version: 4, scenario: ScenarioRef::Custom(s), step: 4, panels: vec!["trace".into()], selected: Some(2) };
    assert_eq!(decode(V4_CUSTOM), Ok(state));
}

/// A v5 link to the same small scenario with the v5 options set (the wording of RFC 5321
/// Appendix D's servers, a message given as written, VRFY first, abort with RSET), written
/// once. If it stops decoding, bump `share::VERSION` again (see `V2_CUSTOM`).
const V5_CUSTOM: &str = "v5.AZVRzUoDMRDu7GZFKhUtvXiR3Dw1ZFcrrV60ULFIUbQI9pZuY3ch2ZTd-FNKoU_gi_lSjrsVWu3FYTIzmRkm33wB4oJnUxHKD0JsnExJH031Lk6ojSR9bVAlpubFMqgFPDit-349aPZ564xz1AEJuM5cp6FdH88x185JBJ4fYYS3rOZ4QsWhhN3Lb3eU4bSJNZNq4Zh8F3qiJAuNLvutgHEWMJ-XUOAAdlaqsJ_PuVhJYQ8qlBaLhYeuEEAoy4hoESvn9gbc7Wa72-91ex3y0B10yOP91RMcPqdG01kklZnT4RQjk9k5PaezkbByvuG9Sr4C7RQZCEv_2gn2Mm3XivBJoGCn_GaSkUyVSEZL7H8X-y0AocOzilhjZCNLeXe1rUREhz-GMVYGL8cPsD1OpcSvH29dS6UMW6L6Ag";

fn small_v5_scenario() -> Scenario {
    let mut s = small_v3_scenario();
    s.goal = "Pin the v5 layout.".into();
    let node = &mut s.nodes[0];
    node.smtputf8 = false;
    node.dsn = false;
    node.enhanced_status_codes = true;
    node.replies.insert("mail".into(), "OK".into());
    node.extensions = Some(vec!["8BITMIME".into(), "SIZE".into(), "VRFY".into()]);
    node.received = Some("from {helo} by {host} ; {date}".into());
    node.domains = vec!["example.com".into()];
    node.mailboxes = vec!["alice@example.com".into()];
    node.full_names = vec![smtp_sim::sim::scenario::FullName { mailbox: "alice@example.com".into(), name: "Alice Example".into() }];
    s
}

#[test]
fn a_v5_custom_link_written_once_still_decodes() {
    let mut scenario = small_v5_scenario();
    // A message of the v5 kind needs a client to send it.
    let mut client = builtin("happy-path").unwrap().nodes[0].clone();
    client.id = "c".into();
    scenario.nodes.push(client);
    scenario.messages.push(smtp_sim::sim::scenario::MessageSpec {
        client: "c".into(),
        at: Span(0),
        from: "a@example.com".into(),
        envelope_from: None,
        to: vec!["alice@example.com".into()],
        cc: vec![],
        subject: String::new(),
        body: String::new(),
        attachments: vec![],
        pad_to: None,
        dsn: None,
        data: Some("Blah blah blah...\n".into()),
        vrfy: vec!["Alice".into()],
        abort_if_refused: true,
    });
    let state =
        ShareState { version: 5, scenario: ScenarioRef::Custom(scenario), step: 4, panels: vec!["trace".into()], selected: Some(2) };
    assert_eq!(decode(V5_CUSTOM), Ok(state.clone()), "fresh link: {}", encode(&state));
}

/// A v6 link to a small scenario with a `[[pull]]` mail program (POP3, leave on server), written
/// once. If it stops decoding, bump `share::VERSION` again (see `V2_CUSTOM`).
const V6_CUSTOM: &str = "v6.AZWQPU_DMBCG75wEoSIhqLqwZWOqZRuoKBNsjAyd2CzXaiL5I0rMR7f8GX4Nf4oLQVAEDLyyfa_vpOdOh3mGRWq1sS9ZnuqwzVf0TO_qUKbKlo-L0ultfEgcZ0qoxVzKubpcieWVEHTucyV8l7ELn0m6Z8Kz8woLWZGjXzdjhXa1sXh4M4TTjmhNis10DNw-a984y030E7lUXHDFpQASOwl4sFPG43fQ9W5qZE-eYljb1umwBgRAhL7vCxzMIKTh4FNo4F-j4FHn07civua_NB7hX90R_hDub1pradGbvVvrXOQfMEQzGvgBZ0zReoUfoAhv";

fn small_v6_scenario() -> Scenario {
    let mut s = small_v3_scenario();
    s.goal = "Pin the v6 layout.".into();
    let node = &mut s.nodes[0];
    node.ports = vec![25, 110];
    node.domains = vec!["example.com".into()];
    node.mailboxes = vec!["alice@example.com".into()];
    node.accounts = vec![smtp_sim::sim::scenario::Login { user: "alice".into(), password: "wonderland".into() }];
    let mut client = builtin("happy-path").unwrap().nodes[0].clone();
    client.id = "c".into();
    s.nodes.push(client);
    s.pulls.push(smtp_sim::sim::scenario::PullSpec {
        client: "c".into(),
        server: s.nodes[0].id.clone(),
        protocol: smtp_sim::sim::scenario::PullProtocol::Pop3,
        user: "alice".into(),
        password: "wonderland".into(),
        at: vec![Span::mins(2), Span::mins(10)],
        leave_on_server: true,
        login: smtp_sim::sim::scenario::PullLogin::Apop,
        tls: false,
        fetch: smtp_sim::sim::scenario::PullPart::Whole,
        mark_seen: true,
        idle: None,
    });
    s
}

#[test]
fn a_v6_custom_link_written_once_still_decodes() {
    let state = ShareState {
        version: 6,
        scenario: ScenarioRef::Custom(small_v6_scenario()),
        step: 4,
        panels: vec!["trace".into()],
        selected: Some(2),
    };
    assert_eq!(decode(V6_CUSTOM), Ok(state.clone()), "fresh link: {}", encode(&state));
}

#[test]
fn share_code_stays_pure() {
    // The same rule tests/tidy.rs enforces on src/sim: no UI, real clock or sockets.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/share");
    let forbidden = ["yew", "web_sys", "gloo", "std::time", "Instant", "SystemTime", "std::net", "TcpStream"];
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.trim_start().starts_with("//!"), "{} needs a //! doc", path.display());
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for w in forbidden {
                let hit = code.match_indices(w).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + w.len()..].chars().next();
                    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    !ident(before) && !ident(after)
                });
                assert!(!hit, "{}:{}: `{w}`", path.display(), i + 1);
            }
        }
        checked += 1;
    }
    assert!(checked >= 2);
}

/// A random edit a student might make in the scenario editor.
#[derive(Clone, Debug)]
enum Edit {
    Title(String),
    Goal(String),
    Seed(u64),
    Latency(u64),
    Body(String),
    Subject(String),
    NodeName(String),
    OpenRelay(bool),
    SizeLimit(u64),
    Narrate(String),
    NoMessages,
    DelayWarning,
}

impl Edit {
    fn apply(&self, s: &mut Scenario) {
        match self.clone() {
            Edit::Title(t) => s.title = t,
            Edit::Goal(t) => s.goal = t,
            Edit::Seed(n) => s.seed = n,
            Edit::Latency(n) => s.clock.latency = Span(n),
            // A message given as written (`data`) has no body or subject of its own.
            Edit::Body(t) => s.messages.iter_mut().filter(|m| m.data.is_none()).for_each(|m| m.body = t.clone()),
            Edit::Subject(t) => s.messages.iter_mut().filter(|m| m.data.is_none()).for_each(|m| m.subject = t.clone()),
            Edit::NodeName(t) => s.nodes.iter_mut().for_each(|n| n.name = t.clone()),
            Edit::OpenRelay(b) => s.nodes.iter_mut().for_each(|n| {
                n.open_relay = b;
                n.pipelining = !b;
            }),
            Edit::SizeLimit(l) => s.nodes.iter_mut().for_each(|n| n.size_limit = l),
            Edit::Narrate(t) => s.narration.push(smtp_sim::sim::scenario::Narration { on: "delivered".into(), text: t, node: None }),
            Edit::NoMessages => s.messages.clear(),
            Edit::DelayWarning => s.clock.delay_warning_after = Some(Span::mins(90)),
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<String>().prop_map(Edit::Title),
        any::<String>().prop_map(Edit::Goal),
        (0..=i64::MAX as u64).prop_map(Edit::Seed),
        (0u64..100_000).prop_map(Edit::Latency),
        any::<String>().prop_map(Edit::Body),
        "[ -~]{0,40}".prop_map(Edit::Subject),
        any::<String>().prop_map(Edit::NodeName),
        any::<bool>().prop_map(Edit::OpenRelay),
        (1u64..=i64::MAX as u64).prop_map(Edit::SizeLimit),
        any::<String>().prop_map(Edit::Narrate),
        Just(Edit::NoMessages),
        Just(Edit::DelayWarning),
    ]
}

fn panels() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(any::<String>(), 0..5)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn builtin_state_round_trips(i in 0..BUILTIN.len(), step in any::<usize>(), panels in panels(), selected in any::<Option<usize>>()) {
        let state = ShareState { version: VERSION, scenario: ScenarioRef::Builtin(BUILTIN[i].0.into()), step, panels, selected };
        prop_assert_eq!(decode(&encode(&state)), Ok(state));
    }

    #[test]
    fn edited_builtin_round_trips(i in 0..BUILTIN.len(), edits in proptest::collection::vec(edit(), 0..6), step in 0usize..10_000, panels in panels(), selected in any::<Option<usize>>()) {
        let mut s = builtin(BUILTIN[i].0).unwrap();
        for e in &edits {
            e.apply(&mut s);
        }
        let state = ShareState { version: VERSION, scenario: ScenarioRef::Custom(s), step, panels, selected };
        let link = try_encode(&state).unwrap();
        prop_assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'), "URL-safe: {}", link);
        prop_assert_eq!(decode(&link), Ok(state));
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = decode(&s);
        let _ = decode(&format!("v1.{s}"));
        let _ = decode(&format!("v2.{s}"));
        let _ = decode(&format!("v3.{s}"));
        let _ = decode(&format!("v{VERSION}.{s}"));
    }

    #[test]
    fn arbitrary_payloads_never_panic(method in 0u8..3, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut payload = vec![method];
        if method == 1 {
            payload.extend(miniz_oxide::deflate::compress_to_vec(&body, 6));
        } else {
            payload.extend(&body);
        }
        for v in ["v1", "v2", "v3", "v4"] {
            let _ = decode(&format!("{v}.{}", base64url::encode(&payload)));
            let _ = share::decode(&format!("{v}.{}", base64url::encode(&body)));
        }
    }
}
