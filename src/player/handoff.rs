//! The address the viewer writes before it hands the page to the studio (the full build, see
//! `ui/studio.rs` and docs/perf.md): the state travels as a share link in the fragment, which the
//! studio reads on start like any page load (`Player::from_location`, `embed::start`).
//!
//! The query keeps what says *what page* this is (`embed=1`, `panels=`, `controls=`, `theme=`…)
//! and loses what says *where to start* (`step=`, `autoplay=`, `state=`, `scenario=`, `debug=`):
//! the link now carries the exact state, and a query `step=` would win over the link's step in an
//! embed (`embed::start`), and `autoplay` would start playing again.

/// Query parameters that name a start state, dropped because the share link replaces them.
const START_STATE: &[&str] = &["step", "autoplay", "state", "scenario", "debug"];

/// `path`, the page-describing part of `query` (with or without `?`), and `#link`.
pub fn address(path: &str, query: &str, link: &str) -> String {
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !START_STATE.contains(&name)
        })
        .collect();
    if kept.is_empty() {
        format!("{path}#{link}")
    } else {
        format!("{path}?{}#{link}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::{embed, Intent, Player, Tool};

    #[test]
    fn keeps_the_page_and_drops_the_start_state() {
        assert_eq!(address("/", "?scenario=greylisting-retry&step=4", "v2.X"), "/#v2.X");
        assert_eq!(address("/", "", "v2.X"), "/#v2.X");
        assert_eq!(
            address("/app/", "?embed=1&scenario=a&step=3&panels=inspector,console&autoplay=1&controls=0", "v2.X"),
            "/app/?embed=1&panels=inspector,console&controls=0#v2.X"
        );
    }

    /// What the studio opens from the address is exactly the state the viewer had: scenario,
    /// step, selection and tool, on the main page and in an embed whose query named a step.
    #[test]
    fn the_studio_reopens_the_exact_state() {
        let mut viewer = Player::builtin("greylisting-retry");
        viewer.apply(Intent::Goto(7));
        viewer.apply(Intent::Select(Some(5)));
        viewer.apply(Intent::ShowTool(Tool::Console));
        let target = address("/", "?scenario=greylisting-retry&step=2", &viewer.share_link());
        let (query, fragment) = split(&target);
        let studio = Player::from_location(query, fragment);
        assert_eq!(
            (studio.scenario_id.as_str(), studio.step, studio.selected, studio.tool),
            ("greylisting-retry", 7, Some(5), Tool::Console)
        );

        let embed_query = "?embed=1&scenario=greylisting-retry&step=2&panels=inspector,console";
        let options = embed::parse(embed_query);
        let target = address("/", embed_query, &viewer.share_link());
        let (query, fragment) = split(&target);
        let studio = embed::start(query, fragment, &embed::parse(query));
        assert_eq!((studio.step, studio.selected, studio.tool), (7, Some(5), Tool::Console));
        assert_eq!(embed::parse(query).panels, options.panels);
    }

    fn split(target: &str) -> (&str, &str) {
        let (before, fragment) = target.split_once('#').expect("the address has a fragment");
        let query = before.find('?').map_or("", |i| &before[i..]);
        (query, fragment)
    }
}
