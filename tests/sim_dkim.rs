//! DKIM, DMARC and Authentication-Results in the simulated world (issue 15): each built-in's
//! verdicts read from the typed trace facts, the header a reader finds in the mailbox, and the
//! scenario-format knobs that break a signature on purpose.

use smtp_sim::sim::dkim::DkimResult;
use smtp_sim::sim::dmarc::{Disposition, DmarcResult};
use smtp_sim::sim::scenario::builtin;
use smtp_sim::sim::spf::SpfResult;
use smtp_sim::sim::trace::{AuthChecks, Facts, Kind, Trace};
use smtp_sim::sim::world;

fn run(id: &str) -> Trace {
    world::run(&builtin(id).unwrap_or_else(|| panic!("built-in {id}")))
}

fn checks(t: &Trace) -> Vec<&AuthChecks> {
    t.events
        .iter()
        .filter_map(|e| match &e.facts {
            Some(Facts::Authentication(a)) => {
                assert_eq!(e.kind, Kind::AuthChecked);
                Some(&**a)
            }
            _ => None,
        })
        .collect()
}

/// SPF, each DKIM verdict with its d=, the DMARC result and what the receiver did.
type Verdicts<'a> = (Option<SpfResult>, Vec<(DkimResult, &'a str)>, Option<DmarcResult>, Option<Disposition>);

fn summary(a: &AuthChecks) -> Verdicts<'_> {
    (
        a.spf.as_ref().map(|s| s.result),
        a.dkim.iter().map(|d| (d.result, d.domain.as_str())).collect(),
        a.dmarc.as_ref().map(|d| d.result),
        a.dmarc.as_ref().map(|d| d.disposition),
    )
}

fn bob(t: &Trace) -> Vec<&str> {
    t.mailboxes.iter().filter(|m| m.mailbox == "bob@example.org").map(|m| m.raw.as_str()).collect()
}

#[test]
fn a_signed_message_is_verified_end_to_end() {
    let t = run("dkim-signed");
    let signed: Vec<_> = t.events.iter().filter(|e| matches!(e.facts, Some(Facts::DkimSigned(_)))).collect();
    assert_eq!(signed.len(), 1);
    let Some(Facts::DkimSigned(s)) = &signed[0].facts else { unreachable!() };
    assert_eq!((s.domain.as_str(), s.selector.as_str()), ("example.com", "mail2026"));
    assert!(s.tags.iter().any(|t| t.tag == "bh" && t.meaning.contains("body")), "tags explained: {:?}", s.tags);
    assert!(s.hashed_headers.starts_with("from:Alice <alice@example.com>\r\n"), "relaxed canonical headers: {:?}", s.hashed_headers);
    let c = checks(&t);
    assert_eq!(c.len(), 1);
    assert_eq!(
        summary(c[0]),
        (Some(SpfResult::Pass), vec![(DkimResult::Pass, "example.com")], Some(DmarcResult::Pass), Some(Disposition::None))
    );
    let mail = bob(&t);
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains(
            "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=example.com;\r\n\tdkim=pass header.d=example.com"
        ),
        "{}",
        mail[0]
    );
    // RFC 8601 §5: on top of the receiver's own trace fields, under Return-Path.
    assert!(mail[0].find("Authentication-Results:") < mail[0].find("Received:"));
}

#[test]
fn forwarding_fails_spf_and_dmarc_passes_through_dkim() {
    let t = run("dkim-forwarding");
    let c = checks(&t);
    assert_eq!(
        summary(c[0]),
        (Some(SpfResult::Fail), vec![(DkimResult::Pass, "example.com")], Some(DmarcResult::Pass), Some(Disposition::None))
    );
    let reason = &c[0].dmarc.as_ref().unwrap().reason;
    assert!(reason.starts_with("DKIM passed for d=example.com, which aligns with From: example.com"), "{reason}");
    assert_eq!(bob(&t).len(), 1, "delivered although SPF failed (RFC 7489 §10.1: no SPF-only rejection)");
    assert!(t.events.iter().any(|e| e.key.as_deref() == Some("forwarded")));
}

#[test]
fn a_mailing_list_breaks_the_authors_signature_and_dmarc_rejects() {
    let t = run("mailing-list-dkim");
    let c = checks(&t);
    assert_eq!(c.len(), 1);
    let (spf, dkim, dmarc, disposition) = summary(c[0]);
    assert_eq!((spf, dmarc, disposition), (Some(SpfResult::Pass), Some(DmarcResult::Fail), Some(Disposition::Reject)));
    assert!(dkim.contains(&(DkimResult::Pass, "lists.example.net")) && dkim.contains(&(DkimResult::Fail, "example.com")), "{dkim:?}");
    let alice = c[0].dkim.iter().find(|d| d.domain == "example.com").unwrap();
    assert!(alice.reason.starts_with("body hash did not verify"), "the footer changed the body: {}", alice.reason);
    assert!(bob(&t).is_empty());
    assert!(t.events.iter().any(|e| e.label.starts_with("550 5.7.26")), "refused in the session");
    assert!(t.mailboxes.iter().any(|m| m.mailbox == "club-bounces@lists.example.net" && m.is_bounce), "the list gets the bounce");
}

#[test]
fn a_spoofed_from_is_rejected_and_the_genuine_one_passes() {
    let t = run("dmarc-spoof");
    let c = checks(&t);
    assert_eq!(c.len(), 2);
    assert_eq!(
        summary(c[0]),
        (Some(SpfResult::Pass), vec![(DkimResult::Pass, "phish.example")], Some(DmarcResult::Fail), Some(Disposition::Reject))
    );
    assert_eq!(
        summary(c[1]),
        (Some(SpfResult::Pass), vec![(DkimResult::Pass, "bank.example")], Some(DmarcResult::Pass), Some(Disposition::None))
    );
    let mail = bob(&t);
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("Subject: Your statement is ready"));
}

#[test]
fn a_lookalike_domain_passes_everything() {
    let t = run("lookalike-domain");
    let c = checks(&t);
    assert_eq!(
        summary(c[0]),
        (Some(SpfResult::Pass), vec![(DkimResult::Pass, "exarnple.com")], Some(DmarcResult::Pass), Some(Disposition::None))
    );
    assert_eq!(bob(&t).len(), 1);
}

#[test]
fn an_author_can_break_the_key_or_leave_it_unpublished() {
    let mut sc = builtin("dkim-signed").unwrap();
    // A wrong key at the selector: the scenario's own record wins over the published one.
    sc.dns.txt.push(smtp_sim::sim::dns::TxtRecord {
        name: "mail2026._domainkey.example.com".into(),
        text: "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into(),
    });
    let t = world::run(&sc);
    let c = checks(&t);
    assert_eq!(summary(c[0]).1, vec![(DkimResult::Fail, "example.com")]);
    assert_eq!(summary(c[0]).2, Some(DmarcResult::Pass), "SPF still passes and aligns");

    let mut sc = builtin("dkim-signed").unwrap();
    sc.nodes.iter_mut().find(|n| n.id == "relay").unwrap().dkim.as_mut().unwrap().publish = false;
    let t = world::run(&sc);
    let d = &checks(&t)[0].dkim[0];
    assert_eq!(d.result, DkimResult::PermError);
    assert!(d.reason.contains("there is no key at mail2026._domainkey.example.com"), "{}", d.reason);
}

#[test]
fn traces_stay_byte_exact() {
    for id in ["dkim-signed", "dkim-forwarding", "mailing-list-dkim", "dmarc-spoof", "lookalike-domain"] {
        assert_eq!(serde_json::to_string(&run(id)).unwrap(), serde_json::to_string(&run(id)).unwrap(), "{id}");
    }
}

/// What a scenario file puts into a header field or an envelope must be a selector, an address,
/// one line: hostile values are refused with their path, never written into the message.
#[test]
fn hostile_signer_list_and_forward_fields_are_located_errors() {
    let src = smtp_sim::sim::scenario::BUILTIN.iter().find(|(id, _)| *id == "mailing-list-dkim").unwrap().1;
    let errors = |src: &str| -> Vec<String> {
        smtp_sim::sim::scenario::Scenario::from_toml(src).expect_err("refused").iter().map(|e| e.to_string()).collect()
    };
    let e = errors(&src.replace(r#"dkim = { selector = "lists" }"#, r#"dkim = { selector = "lists; h=to" }"#));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("node[2].dkim.selector") && e[0].contains("RFC 6376 §3.1"), "{}", e[0]);
    let e = errors(&src.replace(r#"subject_prefix = "[club]""#, r#"subject_prefix = "[club]\r\nBcc: eve@evil.example""#));
    assert!(e.iter().any(|x| x.contains("node[2].lists[0].subject_prefix")), "{e:?}");
    let e = errors(&src.replace(r#"members = ["bob@example.org"]"#, r#"members = ["bob@example.org>"]"#));
    assert!(e.iter().any(|x| x.contains("node[2].lists[0].members[0]")), "{e:?}");
    let e = errors(&src.replace(r#"address = "club@lists.example.net""#, r#"address = "club@elsewhere.example""#));
    assert!(e.iter().any(|x| x.contains("node[2].lists[0].address") && x.contains("domains")), "{e:?}");

    let fwd = smtp_sim::sim::scenario::BUILTIN.iter().find(|(id, _)| *id == "dkim-forwarding").unwrap().1;
    let e = errors(&fwd.replace(r#"to = "bob@example.org""#, r#"to = "bob""#));
    assert!(e.iter().any(|x| x.contains("forward[0].to")), "{e:?}");
    // A client cannot sign or check: those belong to servers.
    let e = errors(&fwd.replacen("kind = \"client\"", "kind = \"client\"\ndmarc = true", 1));
    assert!(e.iter().any(|x| x.contains("node[0].dmarc") && x.contains("belongs to servers")), "{e:?}");
}

/// The editor's DKIM and DMARC switches (`edit::Setting::{Dkim, Dmarc}`), on the forwarding
/// scenario: without the relay's signature DMARC has nothing aligned left after forwarding broke
/// SPF, and example.com's p=reject refuses the message; a selector that is not a DNS name is
/// refused next to its field.
#[test]
fn the_editor_adds_and_removes_signing_and_checking() {
    use smtp_sim::player::edit::{self, Setting};
    use smtp_sim::sim::scenario::{DkimAlgorithm, DkimSigning};
    let sc = builtin("dkim-forwarding").unwrap();
    let t = world::run(&sc);
    let c = checks(&t).into_iter().map(summary).collect::<Vec<_>>();
    assert_eq!(c[0].2, Some(DmarcResult::Pass), "as built: DMARC passes through DKIM");

    let unsigned = edit::set(&sc, "relay", Setting::Dkim(None)).unwrap();
    let t = world::run(&unsigned);
    let c: Vec<_> = checks(&t).into_iter().map(summary).collect();
    assert_eq!(c[0], (Some(SpfResult::Fail), vec![], Some(DmarcResult::Fail), Some(Disposition::Reject)), "{c:?}");
    assert!(bob(&t).is_empty(), "rejected, not delivered");

    let rsa = DkimSigning { selector: " Mail-2027 ".into(), algorithm: DkimAlgorithm::RsaSha256, publish: true };
    let resigned = edit::set(&unsigned, "relay", Setting::Dkim(Some(rsa))).unwrap();
    assert_eq!(resigned.node("relay").unwrap().dkim.as_ref().unwrap().selector, "mail-2027", "trimmed, lower-case");
    let t = world::run(&resigned);
    let c: Vec<_> = checks(&t).into_iter().map(summary).collect();
    assert_eq!(c[0].1, vec![(DkimResult::Pass, "example.com")], "{c:?}");

    let unpublished = DkimSigning { selector: "mail2026".into(), algorithm: DkimAlgorithm::Ed25519Sha256, publish: false };
    let broken = edit::set(&sc, "relay", Setting::Dkim(Some(unpublished))).unwrap();
    let t = world::run(&broken);
    let c: Vec<_> = checks(&t).into_iter().map(summary).collect();
    assert_eq!(c[0].1, vec![(DkimResult::PermError, "example.com")], "no key in the DNS: {c:?}");

    let bad = DkimSigning { selector: "a;b".into(), algorithm: DkimAlgorithm::Ed25519Sha256, publish: true };
    let e = edit::set(&sc, "relay", Setting::Dkim(Some(bad))).unwrap_err();
    assert_eq!(e.field, "node-relay-dkim");
    assert!(e.message.contains("“a;b” is not a DNS name"), "{}", e.message);
    assert!(edit::set(&sc, "alice", Setting::Dmarc(true)).is_err(), "a mail program does not check DMARC");

    let unchecked = edit::set(&sc, "mx", Setting::Dmarc(false)).unwrap();
    assert!(checks(&world::run(&unchecked)).is_empty(), "no checks, no Authentication-Results");
}
