//! The page header: the product name and what it is for, in one line.

use yew::prelude::*;

#[component]
pub fn Header() -> Html {
    html! {
        <header class="site-header">
            <div class="brand">
                <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
                    <rect x="3" y="7" width="26" height="18" rx="3" />
                    <path d="M4 9l12 9 12-9" />
                </svg>
                <h1 class="brand-name">{ "smtp-sim" }</h1>
            </div>
            <p class="tagline">
                { "Watch an email travel: every SMTP command, reply and hop between mail servers, step by step." }
            </p>
        </header>
    }
}
