//! The inspector: everything about one step — the selected row of the diagram, or else the
//! current step. The raw bytes with CR and LF drawn as ␍␊ and dot-stuffing marked, the parsed
//! fields, the explanation with its RFC section (the event's meaning and the catalogue entry
//! behind its key), and for replies the session state before → after on the state diagram.

use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use super::state_diagram::StateDiagram;
use crate::player::explain::{self, Seg};
use crate::player::view::who;
use crate::player::Intent;
use crate::sim::clock::format_time;
use crate::sim::trace::{layer_name, Facts, Kind, TagNote};

/// Most raw lines drawn (a message with an attachment can have thousands).
const MAX_LINES: usize = 120;

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::DnsQuery => "DNS query",
        Kind::DnsAnswer => "DNS answer",
        Kind::Connect => "connect",
        Kind::Connected => "connection accepted",
        Kind::ConnectFailed => "connection failed",
        Kind::Close => "connection closed",
        Kind::TlsHandshake => "TLS handshake",
        Kind::Command => "command",
        Kind::Reply => "reply",
        Kind::Data => "message data",
        Kind::Queued => "queued",
        Kind::RetryScheduled => "retry scheduled",
        Kind::DeliveryFailed => "delivery failed",
        Kind::Expired => "expired",
        Kind::BounceCreated => "bounce created",
        Kind::Delivered => "delivered",
        Kind::UserNotice => "shown to the user",
        Kind::Send => "the user sends a message",
        Kind::DkimSigned => "DKIM signature added",
        Kind::AuthChecked => "sender authentication checked",
        Kind::Retrieved => "the mail program now has the message",
        Kind::Removed => "removed from the mailbox",
    }
}

fn raw_view(raw: &str, is_data: bool) -> Html {
    let (lines, more) = explain::raw_lines(raw, is_data, MAX_LINES);
    let stuffed = lines.iter().any(|l| l.contains(&Seg::StuffedDot));
    html! {
        <>
            <pre class="raw" aria-label="Raw bytes on the wire"><code>
                { for lines.into_iter().map(|line| html! {
                    <span class="raw-line">{ for line.into_iter().map(|seg| match seg {
                        Seg::Text(t) => html! { { t } },
                        Seg::Cr => html! { <span class="ctl" title="CR: carriage return, byte 13">{ "CR" }</span> },
                        Seg::Lf => html! { <span class="ctl" title="LF: line feed, byte 10">{ "LF" }</span> },
                        Seg::Ctrl(c) => html! { <span class="ctl" title={format!("control character {c}")}>{ format!("\\x{c:02x}") }</span> },
                        Seg::StuffedDot => html! { <mark class="stuffed" title="dot-stuffing: an extra dot the client adds because the line starts with a dot (RFC 5321 §4.5.2); the server removes it">{ "." }</mark> },
                        Seg::EndDot => html! { <mark class="end-dot" title="a line with a single dot ends the message data (RFC 5321 §4.1.1.4)">{ "." }</mark> },
                    }) }</span>
                }) }
                if more > 0 { <span class="raw-more">{ format!("… {more} more lines") }</span> }
            </code></pre>
            <p class="raw-legend">
                <span class="ctl">{ "CR" }</span><span class="ctl">{ "LF" }</span>{ " mark the two bytes (carriage return, line feed) that end every line of SMTP, POP3 and IMAP." }
                if is_data { { " " }<mark class="end-dot">{ "." }</mark>{ " alone on a line ends the data." } }
                if stuffed { { " " }<mark class="stuffed">{ "." }</mark>{ " is a dot added by dot-stuffing (RFC 5321 §4.5.2)." } }
            </p>
        </>
    }
}

/// The tags of a DKIM-Signature: field, each with its meaning (RFC 6376 §3.5).
fn tags_view(tags: &[TagNote]) -> Html {
    html! {
        <details class="dkim-tags">
            <summary>{ "The DKIM-Signature: tags explained" }</summary>
            <dl class="fields">
                { for tags.iter().map(|t| html! {
                    <div><dt><code>{ format!("{}=", t.tag) }</code></dt><dd><code class="tag-value">{ t.value.clone() }</code>{ " — " }{ t.meaning.to_string() }</dd></div>
                }) }
            </dl>
        </details>
    }
}

/// What was hashed, canonicalized (RFC 6376 §3.4, §3.7), as text.
fn hashed_view(headers: &str, body: &str) -> Html {
    html! {
        <details class="dkim-hashed">
            <summary>{ "What was hashed (canonicalized)" }</summary>
            <p>{ "Header fields named in h=, then the DKIM-Signature: field with b= empty:" }</p>
            <pre class="raw"><code>{ headers.to_string() }</code></pre>
            <p>{ "The body:" }</p>
            <pre class="raw"><code>{ body.to_string() }</code></pre>
        </details>
    }
}

/// The sender-authentication facts of a signing or checking step, as text (the verdict words
/// are the RFC 8601 result names, never colour alone).
fn auth_view(f: &Facts) -> Html {
    if !crate::sim::dkim::CRYPTO {
        // The viewer never shows a signing or checking step (it hands those scenarios to the
        // studio); the constant lets its build leave this view out.
        return Html::default();
    }
    match f {
        Facts::DkimSigned(s) => html! {
            <div class="auth">
                <h4>{ format!("DKIM signature of {} (selector {}, {})", s.domain, s.selector, s.algorithm.as_str()) }</h4>
                { tags_view(&s.tags) }
                { hashed_view(&s.hashed_headers, &s.hashed_body) }
            </div>
        },
        Facts::Authentication(a) => html! {
            <div class="auth">
                <h4>{ "Who sent this?" }</h4>
                <ul class="auth-results">
                    if let Some(spf) = &a.spf {
                        <li><strong>{ format!("SPF {}", spf.result.as_str()) }</strong>{ format!(" for the MAIL FROM domain {}", if spf.domain.is_empty() { "(null sender)" } else { &spf.domain }) }</li>
                    }
                    if a.dkim.is_empty() { <li><strong>{ "DKIM none" }</strong>{ ": the message carries no DKIM-Signature:" }</li> }
                    { for a.dkim.iter().map(|d| html! {
                        <li>
                            <strong>{ format!("DKIM {}", d.result.as_str()) }</strong>{ format!(" for d={} s={}: {}", d.domain, d.selector, d.reason) }
                            { for d.warnings.iter().map(|w| html! { <p class="warning"><span aria-hidden="true">{ "⚠ " }</span>{ w.clone() }</p> }) }
                            { tags_view(&d.tags) }
                            { hashed_view(&d.hashed_headers, &d.hashed_body) }
                        </li>
                    }) }
                    if let Some(d) = &a.dmarc {
                        <li><strong>{ format!("DMARC {}", d.result.as_str()) }</strong>{ format!(" for From: {}: {}", d.from_domain, d.reason) }
                            if d.result == crate::sim::dmarc::DmarcResult::Fail { { format!(" The receiver applies {}.", d.disposition.as_str()) } }
                        </li>
                    } else if !a.note.is_empty() {
                        <li><strong>{ "DMARC not checked" }</strong>{ format!(": {}", a.note) }</li>
                    }
                </ul>
            </div>
        },
        _ => Html::default(),
    }
}

#[component]
pub fn Inspector() -> Html {
    let player = use_player();
    let p = &player.0;
    let trace = &p.trace;
    let i = p.inspected();
    let Some(e) = trace.events.get(i) else {
        return html! { <Panel id="inspector" title="Inspector"><p class="placeholder">{ "Nothing to inspect: this scenario has no steps." }</p></Panel> };
    };
    let view = p.view_at(i);
    let x = explain::explanation(e);
    let change = e.facts.as_ref().and_then(Facts::state_change);
    let pull = explain::pull_facts(e);
    let back = p.selected.map(|_| {
        let player = player.clone();
        html! {
            <button type="button" class="btn btn-small" onclick={Callback::from(move |_: MouseEvent| player.dispatch(Intent::Select(None)))}>
                { "Back to the current step" }
            </button>
        }
    });
    let who_to = e.to.as_deref().map(|t| format!(" → {}", who(trace, t))).unwrap_or_default();
    html! {
        <Panel id="inspector" title="Inspector">
            <div class="inspector" data-seq={e.seq.to_string()}>
                <p class="insp-which">
                    { if p.selected.is_some() { format!("Selected step {} of {}", i + 1, p.len()) } else { format!("Current step {} of {}", i + 1, p.len()) } }
                    { for back }
                </p>
                <h3 class={classes!("insp-label", e.bounce.then_some("bounce"))}>
                    if let Some(c) = e.class() {
                        <span class={classes!("outcome", c.css_class())}>
                            <span aria-hidden="true">{ c.icon() }</span>{ format!(" {}", c.words()) }
                        </span>{ " " }
                    }
                    <span class="insp-text">{ e.label.clone() }</span>
                    if e.bounce { { " " }<span class="tag-bounce">{ "↩ bounce" }</span> }
                </h3>
                <dl class="fields">
                    <div><dt>{ "Who" }</dt><dd>{ format!("{}{who_to}", who(trace, &e.from)) }</dd></div>
                    <div><dt>{ "Layer" }</dt><dd>{ layer_name(e.layer) }</dd></div>
                    <div><dt>{ "Kind" }</dt><dd>{ kind_name(e.kind) }</dd></div>
                    <div><dt>{ "Time" }</dt><dd>{ format_time(e.time) }</dd></div>
                    if let Some(a) = view.answers { <div><dt>{ "Answers" }</dt><dd>{ a.what() }</dd></div> }
                    if let Some(c) = e.conn { <div><dt>{ "Connection" }</dt><dd>{ format!("#{c}") }</dd></div> }
                    if let Some(pf) = &pull {
                        <div><dt>{ "Protocol" }</dt><dd>{ pf.protocol.clone() }</dd></div>
                        if let Some(a) = pf.answers { <div><dt>{ "Answers" }</dt><dd>{ a }</dd></div> }
                        if let Some(s) = &pf.states { <div><dt>{ "Server state" }</dt><dd>{ s.clone() }</dd></div> }
                    }
                </dl>
                if let Some(raw) = &e.raw { { raw_view(raw, e.kind == Kind::Data) } }
                <div class="explain">
                    <h4>{ "What it means" }</h4>
                    if !x.meaning.is_empty() { <p>{ x.meaning.to_string() }</p> }
                    if let Some(t) = x.title {
                        <p class="catalogue"><strong>{ t }</strong>
                            if let Some(d) = x.detail { { " " }{ d } }
                        </p>
                    }
                    if let Some(r) = x.rfc { <p class="rfc">{ "Defined in " }<cite>{ r }</cite></p> }
                    if let Some(n) = &e.narration { <p class="narration"><span aria-hidden="true">{ "» " }</span>{ n.clone() }</p> }
                </div>
                if let Some(f) = &e.facts { { auth_view(f) } }
                if let Some(ch) = change {
                    <div class="state">
                        <h4>{ "Server state" }</h4>
                        <StateDiagram change={ch} />
                    </div>
                }
            </div>
        </Panel>
    }
}
