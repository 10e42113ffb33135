//! One host in the editor: a disclosure (`<details>`) with the faults and policies that make
//! sense for its kind — a mail program's port, blocked ports and STARTTLS; a server's faults
//! (down, down until, unreachable, shutting down), policies (greylisting, SIZE, STARTTLS,
//! AUTH on 587, open relay, SPF, PIPELINING) and mailboxes (full for now / for good, add,
//! remove). Each control applies its change through `player::edit` when it changes.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::editor_ctx::{EditReport, EditorCtx};
use super::model::use_player;
use crate::player::edit::{self, EditError, Setting};
use crate::sim::scenario::{DkimAlgorithm, DkimSigning, Fullness, NodeKind, NodeSpec, Scenario};

#[derive(Properties, PartialEq)]
pub struct NodeEditorProps {
    pub node: NodeSpec,
    pub ctx: EditorCtx,
}

fn input_of(e: &Event) -> Option<HtmlInputElement> {
    e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
}

fn select_of(e: &Event) -> Option<HtmlSelectElement> {
    e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

/// A short summary of what is unusual about the node, for its disclosure line.
fn summary(n: &NodeSpec) -> String {
    let mut s: Vec<String> = Vec::new();
    if n.down {
        s.push("down".into());
    }
    if let Some(t) = n.down_until {
        s.push(format!("down until {t}"));
    }
    if n.unreachable {
        s.push("unreachable".into());
    }
    if n.shutting_down {
        s.push("shutting down".into());
    }
    if let Some(g) = n.greylist {
        s.push(format!("greylisting {g}"));
    }
    if n.require_tls {
        s.push("requires TLS".into());
    }
    if n.open_relay {
        s.push("open relay".into());
    }
    if n.spf {
        s.push("checks SPF".into());
    }
    if let Some(d) = &n.dkim {
        s.push(format!("signs with DKIM (s={}{})", d.selector, if d.publish { "" } else { ", key not published" }));
    }
    if n.dmarc {
        s.push("checks DKIM and DMARC".into());
    }
    if !n.full.is_empty() {
        s.push(format!("{} full mailbox{}", n.full.len(), if n.full.len() == 1 { "" } else { "es" }));
    }
    if !n.blocked_ports.is_empty() {
        s.push(format!("port {} blocked", n.blocked_ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")));
    }
    s.join(", ")
}

#[component]
pub fn NodeEditor(props: &NodeEditorProps) -> Html {
    let player = use_player();
    let n = &props.node;
    let ctx = &props.ctx;
    let id = n.id.clone();
    let label = if n.name.is_empty() { n.id.clone() } else { n.name.clone() };

    // Applies `setting` to the scenario as it is now and reports the outcome.
    let apply = {
        let player = player.clone();
        let report = ctx.report.clone();
        let id = id.clone();
        let label = label.clone();
        Callback::from(move |(result, what): (Result<Setting, EditError>, String)| {
            let scope = edit::node_field(&id, "");
            let result = result
                .and_then(|s| edit::set(&player.0.scenario, &id, s))
                .map(|s| (Some(s), format!("{label}: {what}.")))
                .map_err(|e| vec![e]);
            report.emit(EditReport { scope, result, show_end: false });
        })
    };
    let checkbox = |setting: fn(bool) -> Setting, value: bool, text: &'static str, hint: &'static str| {
        let apply = apply.clone();
        let f = ctx.field(&edit::node_field(&id, setting(value).field()));
        let onchange = Callback::from(move |e: Event| {
            if let Some(i) = input_of(&e) {
                let v = i.checked();
                apply.emit((Ok(setting(v)), format!("{text} is now {}", on_off(v))));
            }
        });
        html! {
            <div class="editor-check">
                <input type="checkbox" id={f.id.clone()} checked={value} {onchange} aria-invalid={f.invalid} aria-describedby={f.describedby} />
                <label for={f.id}>{ text }<span class="editor-hint">{ hint }</span></label>
                { f.message }
            </div>
        }
    };
    // A number field applied on change (Enter or leaving it).
    let number = |field: &'static str,
                  text: &'static str,
                  hint: &'static str,
                  value: String,
                  parse: fn(&str, &str) -> Result<Setting, EditError>| {
        let apply = apply.clone();
        let key = edit::node_field(&id, field);
        let f = ctx.field(&key);
        let onchange = Callback::from(move |e: Event| {
            if let Some(i) = input_of(&e) {
                let v = i.value();
                let what = if v.trim().is_empty() { format!("{text} cleared") } else { format!("{text} set to {}", v.trim()) };
                apply.emit((parse(&key, &v), what));
            }
        });
        html! {
            <div class="editor-field">
                <label for={f.id.clone()}>{ text }<span class="editor-hint">{ hint }</span></label>
                <input type="text" inputmode="numeric" id={f.id} value={value} {onchange} aria-invalid={f.invalid} aria-describedby={f.describedby} />
                { f.message }
            </div>
        }
    };
    let minutes = |span: Option<crate::sim::clock::Span>| span.map(|s| (s.0 / 60_000).to_string()).unwrap_or_default();

    let body = match n.kind {
        NodeKind::Client => {
            let port = n.port.unwrap_or(587);
            let f = ctx.field(&edit::node_field(&id, "port"));
            let onchange = {
                let apply = apply.clone();
                Callback::from(move |e: Event| {
                    if let Some(s) = select_of(&e) {
                        let p: u16 = s.value().parse().unwrap_or(587);
                        apply.emit((Ok(Setting::SubmitPort(p)), format!("submits on port {p}")));
                    }
                })
            };
            let blocked = |port: u16| {
                let apply = apply.clone();
                let f = ctx.field(&format!("{}-{port}", edit::node_field(&id, "blocked_ports")));
                let on = n.blocked_ports.contains(&port);
                let onchange = Callback::from(move |e: Event| {
                    if let Some(i) = input_of(&e) {
                        let v = i.checked();
                        apply.emit((
                            Ok(Setting::BlockedPort { port, blocked: v }),
                            format!("outgoing port {port} {}", if v { "blocked" } else { "open" }),
                        ));
                    }
                });
                html! {
                    <div class="editor-check">
                        <input type="checkbox" id={f.id.clone()} checked={on} {onchange} />
                        <label for={f.id}>{ format!("Network blocks port {port}") }<span class="editor-hint">{ if port == 25 { "many ISPs block it" } else { "submission" } }</span></label>
                    </div>
                }
            };
            html! {
                <>
                    <fieldset class="editor-group">
                        <legend>{ "Mail program" }</legend>
                        <div class="editor-field">
                            <label for={f.id.clone()}>{ match &n.server { Some(s) => format!("Submits to {s} on port"), None => "Sends to the recipients' MX hosts itself, on port".to_string() } }</label>
                            <select id={f.id} {onchange}>
                                <option value="587" selected={port == 587}>{ "587 — submission (RFC 6409)" }</option>
                                <option value="25" selected={port == 25}>{ "25 — server to server" }</option>
                            </select>
                            { f.message }
                        </div>
                        { checkbox(Setting::Starttls, n.starttls, "Uses STARTTLS when offered", "RFC 3207") }
                    </fieldset>
                    <fieldset class="editor-group">
                        <legend>{ "Faults" }</legend>
                        { blocked(25) }
                        { blocked(587) }
                    </fieldset>
                </>
            }
        }
        NodeKind::Server => html! {
            <>
                <fieldset class="editor-group">
                    <legend>{ "Faults" }</legend>
                    { checkbox(Setting::Down, n.down, "Down", "connections are refused") }
                    { number("down_until", "Down until minute", "blank: not scheduled; then it comes back", minutes(n.down_until), |k, v| edit::parse_minutes(k, "Down until", v).map(Setting::DownUntil)) }
                    { checkbox(Setting::Unreachable, n.unreachable, "Unreachable", "connections time out") }
                    { checkbox(Setting::ShuttingDown, n.shutting_down, "Shutting down", "greets with 421 and closes") }
                </fieldset>
                <fieldset class="editor-group">
                    <legend>{ "Policies" }</legend>
                    { number("greylist", "Greylisting, minutes", "blank: off; refuses first tries with 451 (RFC 6647)", minutes(n.greylist), |k, v| edit::parse_minutes(k, "Greylisting", v).map(Setting::Greylist)) }
                    { number("size_limit", "Size limit, octets", "advertised with SIZE (RFC 1870)", n.size_limit.to_string(), |k, v| edit::parse_size(k, v).map(Setting::SizeLimit)) }
                    { checkbox(Setting::Starttls, n.starttls, "Offers STARTTLS", "RFC 3207") }
                    { checkbox(Setting::RequireTls, n.require_tls, "Requires STARTTLS", "530 before MAIL") }
                    { checkbox(Setting::SubmissionRequiresAuth, n.submission_requires_auth, "AUTH required on port 587", "RFC 6409 §4.3") }
                    { checkbox(Setting::OpenRelay, n.open_relay, "Open relay", "relays for anyone (RFC 5321 §7.1)") }
                    { checkbox(Setting::Spf, n.spf, "Checks SPF", "at MAIL FROM (RFC 7208)") }
                    { checkbox(Setting::Pipelining, n.pipelining, "Offers PIPELINING", "RFC 2920") }
                </fieldset>
                <fieldset class="editor-group">
                    <legend>{ "Sender authentication" }</legend>
                    { dkim_signer(n, ctx, &apply) }
                    { checkbox(Setting::Dmarc, n.dmarc, "Checks DKIM and DMARC", "adds Authentication-Results; p=reject refuses (RFC 7489, RFC 8601)") }
                </fieldset>
                <Mailboxes node={n.clone()} ctx={ctx.clone()} />
            </>
        },
    };
    let kind = match n.kind {
        NodeKind::Client => "mail program",
        NodeKind::Server => "mail server",
    };
    let unusual = summary(n);
    html! {
        <details class="editor-node" data-node={id.clone()}>
            <summary>
                <span class="editor-node-name">{ label }</span>
                <span class="editor-node-meta">{ format!(" — {kind}, {}", n.host) }</span>
                if !unusual.is_empty() {
                    <span class="editor-node-state">{ format!(" ({unusual})") }</span>
                }
            </summary>
            <div class="editor-node-body">{ body }</div>
        </details>
    }
}

/// A server's DKIM signer (RFC 6376 §5): the selector (blank: does not sign), the algorithm and
/// whether the key is published, each applied as one `Setting::Dkim` built from the others.
fn dkim_signer(n: &NodeSpec, ctx: &EditorCtx, apply: &Callback<(Result<Setting, EditError>, String)>) -> Html {
    let key = edit::node_field(&n.id, "dkim");
    let f = ctx.field(&key);
    let current = n.dkim.clone();
    let domain = n.domains.first().cloned().unwrap_or_default();
    let on_selector = {
        let apply = apply.clone();
        let current = current.clone();
        let key = key.clone();
        Callback::from(move |e: Event| {
            let Some(i) = input_of(&e) else { return };
            let typed = i.value();
            let selector = typed.trim().to_string();
            if selector.is_empty() {
                apply.emit((Ok(Setting::Dkim(None)), "no longer signs with DKIM".into()));
                return;
            }
            let setting = edit::check_selector(&key, &selector).map(|()| {
                let base =
                    current.clone().unwrap_or(DkimSigning { selector: String::new(), algorithm: DkimAlgorithm::default(), publish: true });
                Setting::Dkim(Some(DkimSigning { selector: selector.clone(), ..base }))
            });
            apply.emit((setting, format!("signs with DKIM, selector {selector}")));
        })
    };
    let signer = current.clone().map(|d| {
        let on_algorithm = {
            let apply = apply.clone();
            let d = d.clone();
            Callback::from(move |e: Event| {
                let Some(sel) = select_of(&e) else { return };
                let algorithm = if sel.value() == "rsa-sha256" { DkimAlgorithm::RsaSha256 } else { DkimAlgorithm::Ed25519Sha256 };
                apply.emit((Ok(Setting::Dkim(Some(DkimSigning { algorithm, ..d.clone() }))), format!("signs with {}", sel.value())));
            })
        };
        let on_publish = {
            let apply = apply.clone();
            let d = d.clone();
            Callback::from(move |e: Event| {
                let Some(i) = input_of(&e) else { return };
                let publish = i.checked();
                let what = if publish { "publishes its DKIM key" } else { "no longer publishes its DKIM key (receivers find none)" };
                apply.emit((Ok(Setting::Dkim(Some(DkimSigning { publish, ..d.clone() }))), what.into()));
            })
        };
        let alg_id = format!("editor-{key}-algorithm");
        let publish_id = format!("editor-{key}-publish");
        html! {
            <>
                <div class="editor-field">
                    <label for={alg_id.clone()}>{ "Algorithm" }<span class="editor-hint">{ "a= (RFC 8463, RFC 6376 §3.3)" }</span></label>
                    <select id={alg_id} onchange={on_algorithm}>
                        <option value="ed25519-sha256" selected={d.algorithm == DkimAlgorithm::Ed25519Sha256}>{ "ed25519-sha256" }</option>
                        <option value="rsa-sha256" selected={d.algorithm == DkimAlgorithm::RsaSha256}>{ "rsa-sha256 (2048 bits)" }</option>
                    </select>
                </div>
                <div class="editor-check">
                    <input type="checkbox" id={publish_id.clone()} checked={d.publish} onchange={on_publish} />
                    <label for={publish_id}>{ format!("Publishes the key at {}._domainkey.{domain}", d.selector) }<span class="editor-hint">{ "off: receivers find no key (permerror)" }</span></label>
                </div>
            </>
        }
    });
    html! {
        <>
            <div class="editor-field">
                <label for={f.id.clone()}>{ "Signs with DKIM, selector" }<span class="editor-hint">{ format!("blank: does not sign; d={domain} (RFC 6376 §5)") }</span></label>
                <input type="text" id={f.id} value={current.map(|d| d.selector).unwrap_or_default()} onchange={on_selector} aria-invalid={f.invalid} aria-describedby={f.describedby} />
                { f.message }
            </div>
            { signer.unwrap_or_default() }
        </>
    }
}

/// A change to the scenario, to be made on the scenario as it is when it runs.
type Change = Box<dyn Fn(&Scenario) -> Result<Scenario, EditError>>;

#[derive(Properties, PartialEq)]
struct MailboxesProps {
    node: NodeSpec,
    ctx: EditorCtx,
}

/// A server's mailboxes: each with its "full" fault and a Remove button, and a field to add one.
#[component]
fn Mailboxes(props: &MailboxesProps) -> Html {
    let player = use_player();
    let n = &props.node;
    let ctx = &props.ctx;
    let id = n.id.clone();
    let new_ref = use_node_ref();
    let label = if n.name.is_empty() { n.id.clone() } else { n.name.clone() };
    let run = {
        let player = player.clone();
        let report = ctx.report.clone();
        let id = id.clone();
        Callback::from(move |(f, what): (Change, String)| {
            let result = f(&player.0.scenario).map(|s| (Some(s), format!("{label}: {what}."))).map_err(|e| vec![e]);
            report.emit(EditReport { scope: edit::node_field(&id, ""), result, show_end: false });
        })
    };
    let add = {
        let run = run.clone();
        let id = id.clone();
        let new_ref = new_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = new_ref.cast::<HtmlInputElement>() else { return };
            let value = input.value();
            let node = id.clone();
            let typed = value.clone();
            // The field is cleared once the mailbox shows in the list (below); after an error
            // it keeps the text for correction.
            run.emit((Box::new(move |s| edit::add_mailbox(s, &node, &typed)), format!("mailbox {} added", value.trim())));
        })
    };
    let f_new = ctx.field(&edit::node_field(&id, "mailbox-new"));
    // Clear the add field once the mailbox shows in the list.
    {
        let new_ref = new_ref.clone();
        use_effect_with(n.mailboxes.len(), move |_| {
            if let Some(i) = new_ref.cast::<HtmlInputElement>() {
                i.set_value("");
            }
        });
    }
    html! {
        <fieldset class="editor-group">
            <legend>{ "Mailboxes" }</legend>
            if n.mailboxes.is_empty() {
                <p class="editor-hint-line">{ "No mailboxes: mail for this server's domains is refused with 550 (postmaster always exists)." }</p>
            }
            <ul class="editor-mailboxes">
                { for n.mailboxes.iter().enumerate().map(|(i, m)| {
                    let full = n.full.iter().find(|f| f.mailbox.eq_ignore_ascii_case(m)).map(|f| f.kind);
                    let sel_id = format!("editor-{}-full-{i}", id);
                    let onchange = {
                        let run = run.clone();
                        let node = id.clone();
                        let mailbox = m.clone();
                        Callback::from(move |e: Event| {
                            let Some(s) = select_of(&e) else { return };
                            let kind = match s.value().as_str() {
                                "temporary" => Some(Fullness::Temporary),
                                "permanent" => Some(Fullness::Permanent),
                                _ => None,
                            };
                            let what = match kind {
                                None => format!("{mailbox} has room again"),
                                Some(Fullness::Temporary) => format!("{mailbox} is full for now (452 4.2.2)"),
                                Some(Fullness::Permanent) => format!("{mailbox} is full for good (552 5.2.2)"),
                            };
                            let (node, mailbox) = (node.clone(), mailbox.clone());
                            run.emit((Box::new(move |s| edit::set(s, &node, Setting::Full { mailbox: mailbox.clone(), kind })), what));
                        })
                    };
                    let remove = {
                        let run = run.clone();
                        let node = id.clone();
                        let mailbox = m.clone();
                        Callback::from(move |_: MouseEvent| {
                            let (node, mb) = (node.clone(), mailbox.clone());
                            run.emit((Box::new(move |s| edit::remove_mailbox(s, &node, &mb)), format!("mailbox {mailbox} removed")));
                        })
                    };
                    html! {
                        <li key={m.clone()} class="editor-mailbox">
                            <span class="editor-mailbox-addr">{ m.clone() }</span>
                            <label class="sr-only" for={sel_id.clone()}>{ format!("State of {m}") }</label>
                            <select id={sel_id} {onchange}>
                                <option value="ok" selected={full.is_none()}>{ "Has room" }</option>
                                <option value="temporary" selected={full == Some(Fullness::Temporary)}>{ "Full for now (452)" }</option>
                                <option value="permanent" selected={full == Some(Fullness::Permanent)}>{ "Full for good (552)" }</option>
                            </select>
                            <button type="button" class="btn btn-small" onclick={remove} aria-label={format!("Remove mailbox {m}")}>{ "Remove" }</button>
                        </li>
                    }
                }) }
            </ul>
            <form class="editor-add" onsubmit={add}>
                <label for={f_new.id.clone()}>{ "New mailbox" }<span class="editor-hint">{ format!("in {}", n.domains.join(", ")) }</span></label>
                <div class="editor-inline">
                    <input type="text" id={f_new.id} ref={new_ref} autocomplete="off" spellcheck="false" placeholder={format!("carol@{}", n.domains.first().cloned().unwrap_or_else(|| "example.org".into()))}
                        aria-invalid={f_new.invalid} aria-describedby={f_new.describedby} />
                    <button type="submit" class="btn btn-small">{ "Add" }</button>
                </div>
                { f_new.message }
            </form>
        </fieldset>
    }
}
