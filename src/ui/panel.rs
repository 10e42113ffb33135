//! A labelled region of the workspace: a `<section>` named by its `<h2>`, so it is a landmark.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// Used for the heading id and the grid area (`panel-<id>`).
    pub id: AttrValue,
    pub title: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Panel(props: &PanelProps) -> Html {
    let heading = format!("{}-title", props.id);
    html! {
        <section class={classes!("panel", format!("panel-{}", props.id))} aria-labelledby={heading.clone()}>
            <h2 class="panel-title" id={heading}>{ props.title.clone() }</h2>
            <div class="panel-body">{ props.children.clone() }</div>
        </section>
    }
}
