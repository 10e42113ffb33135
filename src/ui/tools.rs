//! The side column's tools as a tab list (WAI-ARIA Authoring Practices "Tabs", automatic
//! activation): Inspector, and the other tools as they are built. One tool shows at a time; which
//! one is model state (`Player::tool`, `Intent::ShowTool`), so share links and embeds can name it.
//!
//! Keyboard: Tab reaches the selected tab; ←/→ (and Home/End) move between tabs and show them;
//! Tab again enters the tool.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

#[cfg(feature = "studio")]
use super::console::{ConsolePanel, ConsoleSlot};
#[cfg(feature = "studio")]
use super::dns_zone::DnsZone;
#[cfg(feature = "studio")]
use super::editor::Editor;
use super::inspector::Inspector;
#[cfg(feature = "studio")]
use super::mailboxes::Mailboxes;
use super::model::use_player;
#[cfg(feature = "studio")]
use super::queue::Queue;
use crate::player::{Intent, Tool};

/// The tools this page offers, in tab order.
pub const AVAILABLE: &[Tool] = &Tool::ALL;

fn tab_id(t: Tool) -> String {
    format!("tool-tab-{}", t.name())
}

/// The view of one tool.
#[cfg(feature = "studio")]
fn body(t: Tool) -> Html {
    match t {
        Tool::Inspector => html! { <Inspector /> },
        Tool::Console => html! { <ConsolePanel /> },
        Tool::Editor => html! { <Editor /> },
        Tool::Mailboxes => html! { <Mailboxes /> },
        Tool::Queue => html! { <Queue /> },
        Tool::Dns => html! { <DnsZone /> },
    }
}

/// The view of one tool in the viewer build: the inspector, or the full build being loaded
/// (with this tool open) for the others.
#[cfg(not(feature = "studio"))]
fn body(t: Tool) -> Html {
    match t {
        Tool::Inspector => html! { <Inspector /> },
        _ => html! { <super::studio::StudioLoader tool={t} /> },
    }
}

#[derive(Properties, PartialEq)]
pub struct ToolsProps {
    /// The tools to offer (an embed may show fewer); defaults to every available tool.
    #[prop_or(AVAILABLE.to_vec())]
    pub tools: Vec<Tool>,
}

#[component]
pub fn Tools(props: &ToolsProps) -> Html {
    let player = use_player();
    // The console session outlives its tab (hidden tools are unmounted): kept here, handed down.
    #[cfg(feature = "studio")]
    let console_slot = (*use_state(ConsoleSlot::default)).clone();
    let tools: Vec<Tool> = props.tools.iter().copied().filter(|t| AVAILABLE.contains(t)).collect();
    if tools.is_empty() {
        return Html::default();
    }
    let current = if tools.contains(&player.0.tool) { player.0.tool } else { tools[0] };

    let onkeydown = {
        let player = player.clone();
        let tools = tools.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(i) = tools.iter().position(|&t| t == current) else { return };
            let n = tools.len();
            let next = match e.key().as_str() {
                "ArrowRight" => (i + 1) % n,
                "ArrowLeft" => (i + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            player.dispatch(Intent::ShowTool(tools[next]));
            if let Some(el) = gloo::utils::document().get_element_by_id(&tab_id(tools[next])) {
                if let Ok(el) = el.dyn_into::<HtmlElement>() {
                    let _ = el.focus();
                }
            }
        })
    };

    let view = html! {
        <div class="tools">
            if tools.len() > 1 {
                <div class="tool-tabs" role="tablist" aria-label="Tools" {onkeydown}>
                    { for tools.iter().map(|&t| {
                        let selected = t == current;
                        let onclick = {
                            let player = player.clone();
                            Callback::from(move |_| player.dispatch(Intent::ShowTool(t)))
                        };
                        html! {
                            <button type="button" role="tab" id={tab_id(t)} class="tool-tab"
                                aria-selected={if selected { "true" } else { "false" }}
                                aria-controls="tool-panel"
                                tabindex={if selected { "0" } else { "-1" }}
                                {onclick}>{ t.label() }</button>
                        }
                    }) }
                </div>
                <div class="tool-panel" id="tool-panel" role="tabpanel" aria-labelledby={tab_id(current)}>
                    { body(current) }
                </div>
            } else {
                { body(current) }
            }
        </div>
    };
    #[cfg(feature = "studio")]
    let view = html! { <ContextProvider<ConsoleSlot> context={console_slot}>{ view }</ContextProvider<ConsoleSlot>> };
    view
}
