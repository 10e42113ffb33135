//! The app shell: header, the four regions the simulator fills, footer.

use super::header::Header;
use super::inspector::Inspector;
use super::network_view::NetworkView;
use super::scenario_picker::ScenarioPicker;
use super::sequence_diagram::SequenceDiagram;
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    use_effect_with((), |_| {
        // Documented debug hook (see ui/mod.rs): proves in the browser tests that a panic is
        // shown on the page instead of leaving it silently dead.
        if super::debug_flag().as_deref() == Some("panic") {
            panic!("deliberate panic requested with ?debug=panic");
        }
    });
    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to the simulator" }</a>
            <Header />
            <main id="main" class="workspace" tabindex="-1">
                <ScenarioPicker />
                <NetworkView />
                <SequenceDiagram />
                <Inspector />
            </main>
            <footer class="site-footer">
                <p>{ "A teaching simulator: every host, message and reply here is simulated. Nothing is sent over the internet." }</p>
            </footer>
        </>
    }
}
