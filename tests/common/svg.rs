//! Structural checks of an exported sequence-diagram SVG, on the document as an XML parser
//! (`roxmltree`) reads it, not on its source text: the root is an `svg` element in the SVG
//! namespace with an accessible name, a `<title>` and a `<desc>`; there is one group per lane
//! and one group per row, in trace order; and every text from the trace reads back exactly as it
//! went in, so the writer's escaping is proved by the parse (a missed `<` would make an element,
//! a missed `&` an error). Nothing in the document can run: no `<script>`, no `foreignObject`,
//! no `on…` attribute.

use roxmltree::{Document, Node};
use smtp_sim::diagram::{Diagram, Item};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// What a string from the trace reads back as from the SVG: characters XML 1.0 forbids are
/// dropped by the writer, and an XML parser turns CR LF and lone CR into LF (XML 1.0 §2.11).
pub fn as_xml_text(s: &str) -> String {
    let kept: String =
        s.chars().filter(|c| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')).collect();
    kept.replace("\r\n", "\n").replace('\r', "\n")
}

/// All the text under `n`, as a reader (or a screen reader) gets it.
pub fn text_of(n: Node) -> String {
    n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()
}

fn has_class(n: Node, class: &str) -> bool {
    n.attribute("class").is_some_and(|c| c.split_whitespace().any(|w| w == class))
}

fn child<'a, 'i>(n: Node<'a, 'i>, tag: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name((SVG_NS, tag)))
}

/// Parses `svg` and checks its structure against the diagram it was written from, with
/// `title` as its title. Panics naming `name` and what is wrong.
pub fn check_svg(name: &str, svg: &str, d: &Diagram, title: &str) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("{name}: the SVG is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert!(root.has_tag_name((SVG_NS, "svg")), "{name}: the root is <{:?}>, not an SVG <svg>", root.tag_name());

    // An accessible name: role="img", labelled by the title and the description.
    assert_eq!(root.attribute("role"), Some("img"), "{name}: role");
    let labels: Vec<&str> =
        root.attribute("aria-labelledby").unwrap_or_else(|| panic!("{name}: no aria-labelledby")).split_whitespace().collect();
    let first: Vec<Node> = root.children().filter(Node::is_element).take(2).collect();
    assert!(
        first.len() == 2 && first[0].has_tag_name((SVG_NS, "title")) && first[1].has_tag_name((SVG_NS, "desc")),
        "{name}: <title> then <desc> come first"
    );
    assert_eq!(
        labels,
        [first[0].attribute("id").unwrap_or("<none>"), first[1].attribute("id").unwrap_or("<none>")],
        "{name}: aria-labelledby names the title and desc"
    );
    assert_eq!(text_of(first[0]), as_xml_text(title), "{name}: title text");

    // Nothing that runs.
    for n in doc.descendants().filter(Node::is_element) {
        let tag = n.tag_name().name();
        assert!(!matches!(tag, "script" | "foreignObject" | "iframe" | "img" | "a"), "{name}: a <{tag}> element");
        assert!(n.tag_name().namespace() == Some(SVG_NS), "{name}: <{tag}> outside the SVG namespace");
        for a in n.attributes() {
            assert!(
                !a.name().to_ascii_lowercase().starts_with("on"),
                "{name}: event handler attribute {}={:?} on <{tag}>",
                a.name(),
                a.value()
            );
        }
    }

    // One group per lane, in order, with the lane's texts.
    let lanes_group: Vec<Node> = root.children().filter(|n| n.has_tag_name((SVG_NS, "g")) && has_class(*n, "lanes")).collect();
    assert_eq!(lanes_group.len(), 1, "{name}: one <g class=\"lanes\">");
    let lanes: Vec<Node> = lanes_group[0].children().filter(|n| n.has_tag_name((SVG_NS, "g")) && has_class(*n, "lane")).collect();
    assert_eq!(lanes.len(), d.lanes.len(), "{name}: one group per lane");
    for (g, lane) in lanes.iter().zip(&d.lanes) {
        assert_eq!(child(*g, "title").map(text_of), Some(as_xml_text(&lane.tooltip)), "{name}: lane {} tooltip", lane.node_id);
        let texts: Vec<String> = g.children().filter(|c| c.has_tag_name((SVG_NS, "text"))).map(text_of).collect();
        assert_eq!(texts, [as_xml_text(&lane.title), as_xml_text(&lane.subtitle)], "{name}: lane {} header", lane.node_id);
    }

    // One group per row, in trace order; its <title> holds the full text, its label the drawn one.
    let rows: Vec<Node> = doc.descendants().filter(|n| n.has_tag_name((SVG_NS, "g")) && n.attribute("data-seq").is_some()).collect();
    let seqs: Vec<String> = rows.iter().map(|g| g.attribute("data-seq").unwrap().to_string()).collect();
    let want: Vec<String> = d.rows.iter().map(|r| r.seq.to_string()).collect();
    assert_eq!(seqs, want, "{name}: one group per row, in trace order");
    for (g, r) in rows.iter().zip(&d.rows) {
        let first = g.children().find(Node::is_element);
        assert!(first.is_some_and(|f| f.has_tag_name((SVG_NS, "title"))), "{name}: row {} starts with its <title>", r.seq);
        assert_eq!(first.map(text_of), Some(as_xml_text(&r.tooltip)), "{name}: row {} tooltip", r.seq);
        let label = g
            .children()
            .find(|c| c.has_tag_name((SVG_NS, "text")) && has_class(*c, "label"))
            .unwrap_or_else(|| panic!("{name}: row {} has no label", r.seq));
        let drawn = match &r.item {
            Item::Arrow(a) => a.label.clone(),
            Item::Note(n) => format!("{}{}", n.icon.map(|i| format!("{i} ")).unwrap_or_default(), n.text),
        };
        assert!(text_of(label).starts_with(&as_xml_text(&drawn)), "{name}: row {} label {:?} reads {:?}", r.seq, drawn, text_of(label));
        let narration: Vec<String> =
            g.children().filter(|c| c.has_tag_name((SVG_NS, "text")) && has_class(*c, "narr")).map(text_of).collect();
        assert_eq!(narration.len(), r.narration.len(), "{name}: row {} narration lines", r.seq);
        for (got, line) in narration.iter().zip(&r.narration) {
            assert!(got.ends_with(&as_xml_text(line)), "{name}: row {} narration {got:?}", r.seq);
        }
    }
}
