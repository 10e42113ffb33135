//! The Console tool ("be the client"): choose a server node of the scenario (port, and the
//! address to connect from where it matters), connect, and type SMTP lines as with telnet. Each
//! reply shows its class in words and icon, the explanation with its RFC section and the session
//! state before → after; hints list the commands valid now. The transcript is a `role="log"`
//! live region, so screen readers hear each reply.
//!
//! The model is `player::console::ConsoleTool` (yew-free, native-tested). It lives in a
//! [`ConsoleSlot`] that the `Tools` tab list owns and provides as a context, rather than in this
//! component's state, so that looking at another tool and coming back keeps the session (the tab
//! panel unmounts hidden tools); it is replaced when the player's scenario changes (another
//! scenario, or an edited one). Every typed text is rendered as text.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use super::model::use_player;
use super::panel::Panel;
use super::state_diagram::state_name;
use crate::player::console::{hint_label, wire_lines, ConsoleTool, InputMode, Item};
use crate::sim::console::{ConsoleEntry, Hint};
use crate::sim::scenario::Scenario;

/// Most transcript items drawn (older ones are counted, not drawn).
const MAX_SHOWN: usize = 120;

/// Where the console session lives while the Console tab is not shown: owned by `Tools` (which
/// stays mounted) and handed down as a context. Equal only to itself.
#[derive(Clone, Default)]
pub struct ConsoleSlot(Rc<RefCell<Option<ConsoleTool>>>);

impl PartialEq for ConsoleSlot {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The slot and the scenario the console is for.
#[derive(Clone)]
struct Session(ConsoleSlot, Rc<Scenario>);

/// Run `f` on the console of the session's scenario (a new one if the scenario changed).
fn with_tool<R>(s: &Session, f: impl FnOnce(&mut ConsoleTool) -> R) -> R {
    let mut slot = s.0 .0.borrow_mut();
    let tool = match slot.take() {
        Some(t) if t.is_for(&s.1) => t,
        _ => ConsoleTool::new(s.1.clone()),
    };
    f(slot.insert(tool))
}

/// CR LF drawn as in the inspector (the legend under the transcript says what they are).
fn crlf() -> Html {
    html! { <span class="cl-crlf" aria-hidden="true"><span class="ctl">{ "CR" }</span><span class="ctl">{ "LF" }</span></span> }
}

fn wire(who: &'static str, text: &str) -> Html {
    html! {
        { for wire_lines(text).into_iter().map(|l| html! {
            <div class={classes!("cl-line", if who == "C:" { "cl-c" } else { "cl-s" })}>
                <span class="cl-who">{ who }</span>
                <code class="cl-text">{ l.text }</code>
                if l.cut > 0 { <span class="cl-cut">{ format!(" … {} more characters, not shown here (they were sent)", l.cut) }</span> }
                if l.crlf { { crlf() } }
            </div>
        }) }
    }
}

fn entry_view(e: &ConsoleEntry) -> Html {
    let change = if e.state_before == e.state_after {
        format!("state stays {}", state_name(e.state_after))
    } else {
        format!("state {} → {}", state_name(e.state_before), state_name(e.state_after))
    };
    html! {
        <div class={classes!("cl-entry", e.code.is_none().then_some("cl-quiet"))}>
            if let Some(s) = &e.sent { { wire("C:", s) } }
            if let Some(r) = &e.reply { { wire("S:", r) } }
            if let (Some(code), Some(class)) = (e.code, e.class) {
                <p class="cl-verdict">
                    <span class={classes!("outcome", class.css_class())}>
                        <span aria-hidden="true">{ class.icon() }</span>{ format!(" {code} {}", class.words()) }
                    </span>
                    <span class="cl-state">{ change }</span>
                </p>
                if !e.explanation.is_empty() {
                    <p class="cl-explain">{ e.explanation.clone() }
                        if !e.rfc.is_empty() { { " " }<cite class="cl-rfc">{ e.rfc.clone() }</cite> }
                    </p>
                }
            }
            if let Some(n) = &e.note { <p class="cl-note"><span aria-hidden="true">{ "» " }</span>{ n.clone() }</p> }
        </div>
    }
}

fn hint_details(h: &Hint) -> Html {
    let leads = match h.leads_to {
        Some(s) => format!(" A positive reply leads to state {}.", state_name(s)),
        None => String::new(),
    };
    html! {
        <div class="hint-about">
            <dt><code>{ h.command }</code></dt>
            <dd>
                { format!("{}{leads}", h.why) }
                <br /><span class="hint-syntax">{ "Syntax: " }<code>{ h.syntax }</code></span>
                { " · " }<cite>{ h.rfc }</cite>
            </dd>
        </div>
    }
}

/// A change of the console, possibly putting a text in the input line.
type Op = Rc<dyn Fn(&mut ConsoleTool, &mut Option<String>)>;

fn op(f: impl Fn(&mut ConsoleTool, &mut Option<String>) + 'static) -> Op {
    Rc::new(f)
}

fn select_value(e: &Event) -> Option<String> {
    e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value())
}

#[component]
pub fn ConsolePanel() -> Html {
    let player = use_player();
    let slot = use_context::<ConsoleSlot>().unwrap_or_default();
    let scenario = Session(slot, player.0.scenario.clone());
    let redraw = use_force_update();
    let line = use_state(String::new);
    let input_ref = use_node_ref();
    let log_ref = use_node_ref();
    // Recreate the menus when the scenario changes, so no stale choice stays selected.
    let menus_key = format!("{:p}", Rc::as_ptr(&scenario.1));

    // A callback that changes the console, then redraws.
    let act = |f: Op, focus_input: bool| {
        let scenario = scenario.clone();
        let redraw = redraw.clone();
        let line = line.clone();
        let input_ref = input_ref.clone();
        move || {
            let mut set_line = None;
            with_tool(&scenario, |t| f(t, &mut set_line));
            if let Some(l) = set_line {
                line.set(l);
            }
            redraw.force_update();
            if focus_input {
                if let Some(i) = input_ref.cast::<HtmlInputElement>() {
                    let _ = i.focus();
                }
            }
        }
    };

    let on_node = {
        let go = act(op(|_, _| {}), false);
        let scenario = scenario.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                with_tool(&scenario, |t| t.choose_node(&v));
            }
            go();
        })
    };
    let on_port = {
        let go = act(op(|_, _| {}), false);
        let scenario = scenario.clone();
        Callback::from(move |e: Event| {
            if let Some(p) = select_value(&e).and_then(|v| v.parse().ok()) {
                with_tool(&scenario, |t| t.choose_port(p));
            }
            go();
        })
    };
    let on_from = {
        let go = act(op(|_, _| {}), false);
        let scenario = scenario.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                with_tool(&scenario, |t| t.choose_address(&v));
            }
            go();
        })
    };
    let on_connect = {
        let go = act(op(|t, _| t.connect()), true);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            go();
        })
    };
    let on_new = {
        let go = act(op(|t, _| t.new_connection()), true);
        Callback::from(move |_: MouseEvent| go())
    };
    let on_disconnect = {
        let go = act(op(|t, _| t.disconnect()), false);
        Callback::from(move |_: MouseEvent| go())
    };
    let on_clear = {
        let go = act(op(|t, _| t.clear()), false);
        Callback::from(move |_: MouseEvent| go())
    };
    let on_send = {
        let line = line.clone();
        let scenario = scenario.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = (*line).clone();
            with_tool(&scenario, |t| t.send(&text));
            line.set(String::new());
            redraw.force_update();
        })
    };
    let on_input = {
        let line = line.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                line.set(i.value());
            }
        })
    };
    let on_key = {
        let line = line.clone();
        let scenario = scenario.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let typed = (*line).clone();
            let next = match e.key().as_str() {
                "ArrowUp" => with_tool(&scenario, |t| t.history_mut().up(&typed)),
                "ArrowDown" => with_tool(&scenario, |t| t.history_mut().down()),
                "Escape" => {
                    with_tool(&scenario, |t| t.history_mut().stop());
                    Some(String::new())
                }
                _ => return,
            };
            // The arrows would move the caret to the start or end; the page must not see them.
            e.prevent_default();
            e.stop_propagation();
            if let Some(next) = next {
                line.set(next);
            }
        })
    };

    // Keep the newest line in view.
    let last_key = with_tool(&scenario, |t| t.log().last().map(|(k, _)| *k));
    {
        let log_ref = log_ref.clone();
        use_effect_with(last_key, move |_| {
            if let Some(el) = log_ref.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    with_tool(&scenario, |t| {
        let mode = t.mode();
        let connected = t.is_connected();
        let ports = t.target().map(|x| x.ports.clone()).unwrap_or_default();
        let (items, hidden) = t.recent(MAX_SHOWN);
        let hints = t.hints();
        let status = match (t.connected_to(), t.state()) {
            (Some((node, port, from)), Some(st)) => {
                let host = t.targets().iter().find(|x| x.node == node).map(|x| x.host.clone()).unwrap_or_default();
                if mode == InputMode::Closed {
                    format!("Connection to {host} (node {node}) port {port} closed.")
                } else {
                    format!("Connected to {host} (node {node}) port {port}, from {from}. Session state: {}.", state_name(st))
                }
            }
            _ => "Not connected.".to_string(),
        };
        let hint_buttons = hints.iter().map(|h| {
            let example = h.example.clone();
            let go = act(op(move |_, l| *l = Some(example.clone())), true);
            let title = format!("Puts “{}” in the input line (Enter sends it). {}", h.example, h.rfc);
            html! {
                <li><button type="button" class="hint-chip" {title} onclick={Callback::from(move |_: MouseEvent| go())}>
                    <code>{ hint_label(h.command) }</code>
                </button></li>
            }
        });
        html! {
            <Panel id="console" title="Console: be the client">
                <div class="console">
                    <p class="console-intro">{ "Type SMTP to a server of this scenario, as with telnet. The server is the node's real configuration; the rest of the network does not run." }</p>
                    <form class="console-connect" key={menus_key.clone()} onsubmit={on_connect} aria-label="Connection">
                        <div class="console-field">
                            <label for="console-node">{ "Server" }</label>
                            <select id="console-node" onchange={on_node}>
                                { for t.targets().iter().map(|x| html! {
                                    <option value={x.node.clone()} selected={x.node == t.node()}>{ x.label() }</option>
                                }) }
                            </select>
                        </div>
                        if ports.len() > 1 {
                            <div class="console-field">
                                <label for="console-port">{ "Port" }</label>
                                <select id="console-port" onchange={on_port}>
                                    { for ports.iter().map(|&p| html! {
                                        <option value={p.to_string()} selected={p == t.port()}>{ format!("{p} — {}", crate::player::console::port_purpose(p)) }</option>
                                    }) }
                                </select>
                            </div>
                        }
                        if t.from_addresses().len() > 1 {
                            <div class="console-field">
                                <label for="console-from">{ "Connect from" }</label>
                                <select id="console-from" onchange={on_from}>
                                    { for t.from_addresses().iter().map(|a| html! {
                                        <option value={a.address.clone()} selected={a.address == t.address()}>{ format!("{} — {}", a.address, a.why) }</option>
                                    }) }
                                </select>
                            </div>
                        }
                        <div class="console-buttons">
                            <button type="submit" class="btn btn-primary">{ "Connect" }</button>
                            <button type="button" class="btn" disabled={!connected} onclick={on_new} title="Close and open a new connection to the same server (keeps its greylisting memory and the virtual time)">{ "New connection" }</button>
                            <button type="button" class="btn" disabled={!connected} onclick={on_disconnect}>{ "Disconnect" }</button>
                            if let Some(delay) = t.greylist_delay().filter(|_| connected) {
                                {{
                                    let go = act(op(move |t, _| t.wait(delay.0)), false);
                                    html! { <button type="button" class="btn" onclick={Callback::from(move |_: MouseEvent| go())}>{ format!("Wait {delay}") }</button> }
                                }}
                            }
                        </div>
                    </form>
                    <p class="console-status">{ status }</p>
                    <div class="console-log" role="log" aria-live="polite" aria-label="Console transcript" tabindex="0" ref={log_ref}>
                        if hidden > 0 { <p class="cl-more">{ format!("{hidden} earlier entries are not shown.") }</p> }
                        if items.is_empty() { <p class="cl-empty">{ "The conversation appears here: C: is you (the client), S: the server." }</p> }
                        { for items.iter().map(|(k, item)| match item {
                            Item::Entry(e) => html! { <div key={*k} class="cl-item">{ entry_view(e) }</div> },
                            Item::Note(n) => html! { <div key={*k} class="cl-item"><p class="cl-sys">{ n.clone() }</p></div> },
                        }) }
                    </div>
                    <p class="console-legend">
                        <span class="ctl">{ "CR" }</span><span class="ctl">{ "LF" }</span>
                        { " mark the two bytes (carriage return, line feed) that end every line: the console adds them to each line you send, as telnet does." }
                        if !items.is_empty() {
                            { " " }<button type="button" class="btn btn-small cl-clear" onclick={on_clear}>{ "Clear transcript" }</button>
                        }
                    </p>
                    <form class={classes!("console-input", (mode == InputMode::Message).then_some("in-data"))} onsubmit={on_send}>
                        <label for="console-line">{ mode.label() }</label>
                        <div class="console-row">
                            <span class="cl-prompt" aria-hidden="true">{ "C:" }</span>
                            <input id="console-line" type="text" ref={input_ref.clone()}
                                autocomplete="off" autocapitalize="off" spellcheck="false"
                                aria-describedby="console-line-help"
                                value={(*line).clone()} oninput={on_input} onkeydown={on_key} />
                            <button type="submit" class="btn">{ "Send" }</button>
                        </div>
                        <p id="console-line-help" class="console-help">{ mode.help() }</p>
                    </form>
                    if !hints.is_empty() {
                        <section class="console-hints" aria-labelledby="console-hints-title">
                            <h3 id="console-hints-title">{ format!("Valid now{}", t.state().map(|s| format!(" (state {})", state_name(s))).unwrap_or_default()) }</h3>
                            <p class="console-help">{ "A button puts an example in the input line; Enter sends it." }</p>
                            <ul class="hint-chips">{ for hint_buttons }</ul>
                            <details class="hint-details">
                                <summary>{ "What these commands do" }</summary>
                                <dl>{ for hints.iter().map(hint_details) }</dl>
                            </details>
                        </section>
                    }
                </div>
            </Panel>
        }
    })
}
