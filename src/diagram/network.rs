//! Layout of the network view as plain data: a box per node (mail programs first, then servers,
//! DNS last), the text that fits in each box, the curve of each link, and the trip of the
//! envelope along the link of the current hop.
//!
//! Laid out in two orientations: a row for wide screens and a column for phones (the view draws
//! both and CSS shows one). Text is fitted with the sequence diagram's own helpers
//! ([`super::layout::fit`], [`super::layout::wrap`]), so both pictures cut text the same way.

use crate::sim::trace::{NodeInfo, Trace};

use super::layout::{fit, wrap};

/// A host box in the row orientation.
const W: f32 = 196.0;
const H: f32 = 146.0;
const DNS_W: f32 = 120.0;
const DNS_H: f32 = 52.0;
/// Estimated advance of one character of box text.
const CHAR_W: f32 = 7.6;
/// Estimated advance of one character of badge text, and a badge's padding and spacing.
const BADGE_CHAR_W: f32 = 7.0;
const BADGE_PAD: f32 = 14.0;
const BADGE_GAP: f32 = 6.0;

/// Which way the boxes run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    Row,
    Column,
}

/// Where a node's box is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Position in the row or column (DNS: none, it sits apart).
    pub slot: Option<usize>,
}

impl NodeBox {
    pub fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// The boxes of the nodes of [`order`], in that order, and the size of the picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub boxes: Vec<NodeBox>,
    pub width: f32,
    pub height: f32,
    pub orientation: Orientation,
}

/// A quadratic Bézier curve: start, control point, end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    pub p0: (f32, f32),
    pub c: (f32, f32),
    pub p2: (f32, f32),
}

impl Curve {
    /// The point at parameter `t` (0 at the start, 1 at the end).
    pub fn at(&self, t: f32) -> (f32, f32) {
        let (a, c, b) = (self.p0, self.c, self.p2);
        let u = 1.0 - t;
        (u * u * a.0 + 2.0 * u * t * c.0 + t * t * b.0, u * u * a.1 + 2.0 * u * t * c.1 + t * t * b.1)
    }

    /// As an SVG path.
    pub fn path(&self) -> String {
        format!("M{} {} Q{} {} {} {}", self.p0.0, self.p0.1, self.c.0, self.c.1, self.p2.0, self.p2.1)
    }

    fn reversed(self) -> Curve {
        Curve { p0: self.p2, c: self.c, p2: self.p0 }
    }
}

/// The text of a host box, fitted to it. `title` holds everything, for a tooltip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeText {
    /// The name, in one or two lines.
    pub name: Vec<String>,
    pub role: String,
    pub host: String,
    /// "mail for example.com, example.net", or empty.
    pub domains: String,
    pub title: String,
}

/// A count badge at the bottom of a box.
#[derive(Clone, Debug, PartialEq)]
pub struct Badge {
    pub x: f32,
    pub w: f32,
    pub text: String,
}

/// Mail programs first, then servers, in the trace's order; DNS last.
pub fn order(trace: &Trace) -> Vec<&NodeInfo> {
    let mut v: Vec<&NodeInfo> = trace.nodes.iter().filter(|n| n.id != "dns" && n.role.is_mail_program()).collect();
    v.extend(trace.nodes.iter().filter(|n| n.id != "dns" && !n.role.is_mail_program()));
    v.extend(trace.nodes.iter().filter(|n| n.id == "dns"));
    v
}

/// Places the boxes of `nodes` (as [`order`] returns them).
pub fn layout(nodes: &[&NodeInfo], o: Orientation) -> Network {
    let hosts = nodes.iter().filter(|n| n.id != "dns").count().max(1);
    let mut boxes = Vec::with_capacity(nodes.len());
    let mut slot = 0;
    let (width, height);
    match o {
        Orientation::Row => {
            let gap = 64.0;
            let top = 64.0;
            width = 16.0 * 2.0 + hosts as f32 * W + (hosts as f32 - 1.0) * gap;
            for n in nodes {
                if n.id == "dns" {
                    boxes.push(NodeBox { x: width / 2.0 - DNS_W / 2.0, y: top + H + 72.0, w: DNS_W, h: DNS_H, slot: None });
                } else {
                    boxes.push(NodeBox { x: 16.0 + slot as f32 * (W + gap), y: top, w: W, h: H, slot: Some(slot) });
                    slot += 1;
                }
            }
            height = top + H + 72.0 + DNS_H + 16.0;
        }
        Orientation::Column => {
            let gap = 56.0;
            let left = 150.0;
            let bw = 220.0;
            let col_h = hosts as f32 * H + (hosts as f32 - 1.0) * gap;
            width = left + bw + 40.0 + 96.0 + 8.0;
            for n in nodes {
                if n.id == "dns" {
                    boxes.push(NodeBox { x: left + bw + 40.0, y: 24.0 + col_h / 2.0 - DNS_H / 2.0, w: 96.0, h: DNS_H, slot: None });
                } else {
                    boxes.push(NodeBox { x: left, y: 24.0 + slot as f32 * (H + gap), w: bw, h: H, slot: Some(slot) });
                    slot += 1;
                }
            }
            height = 24.0 + col_h + 24.0;
        }
    }
    Network { boxes, width, height, orientation: o }
}

impl Network {
    /// The curve of the link between boxes `a` and `b`: straight between neighbours, arched
    /// around the boxes it would otherwise cross.
    pub fn link(&self, a: usize, b: usize) -> Curve {
        let (p0, p2) = (self.boxes[a].centre(), self.boxes[b].centre());
        let mid = ((p0.0 + p2.0) / 2.0, (p0.1 + p2.1) / 2.0);
        let skip = match (self.boxes[a].slot, self.boxes[b].slot) {
            (Some(i), Some(j)) => i.abs_diff(j) > 1,
            _ => false,
        };
        let c = if skip {
            match self.orientation {
                Orientation::Row => (mid.0, mid.1 - (H + 80.0)),
                Orientation::Column => (mid.0 - 2.0 * 134.0, mid.1),
            }
        } else {
            mid
        };
        Curve { p0, c, p2 }
    }

    /// The envelope's trip from box `from` to box `to`: where it starts, its midpoint and where
    /// it lands, all between the boxes, never over their text.
    pub fn trip(&self, from: usize, to: usize) -> [(f32, f32); 3] {
        let (lo, hi) = (from.min(to), from.max(to));
        let mut p = self.link(lo, hi);
        if from != lo {
            p = p.reversed();
        }
        let (t0, t1) = (edge_t(p, &self.boxes[from], false), edge_t(p, &self.boxes[to], true));
        let (t0, t1) = if t0 < t1 { (t0, t1) } else { (0.22, 0.78) };
        [p.at(t0), p.at((t0 + t1) / 2.0), p.at(t1)]
    }
}

/// The curve parameter where the path leaves box `b` (searching from the start) or, with
/// `from_end`, enters it.
fn edge_t(p: Curve, b: &NodeBox, from_end: bool) -> f32 {
    // Half the envelope's size as a margin, so it clears the outline — and above the box, the
    // "sending"/"receiving" tag too (24 units high).
    let inside = |(x, y): (f32, f32)| x > b.x - 18.0 && x < b.x + b.w + 18.0 && y > b.y - 34.0 && y < b.y + b.h + 12.0;
    let steps = 100;
    for i in 0..=steps {
        let t = if from_end { 1.0 - i as f32 / steps as f32 } else { i as f32 / steps as f32 };
        if !inside(p.at(t)) {
            return t;
        }
    }
    if from_end {
        0.78
    } else {
        0.22
    }
}

/// The text of node `n` fitted to its box `b`.
pub fn node_text(n: &NodeInfo, b: &NodeBox) -> NodeText {
    let chars = ((b.w - 20.0) / CHAR_W) as usize;
    let domains = if n.domains.is_empty() { String::new() } else { format!("mail for {}", n.domains.join(", ")) };
    let role = n.role.words();
    let place = if n.host.is_empty() { String::new() } else { format!(", {} ({})", n.host, n.address) };
    let title = format!("{} — {role}{place}{}", n.name, if domains.is_empty() { String::new() } else { format!(", {domains}") });
    NodeText {
        // The name may take two lines (bold is wider); the other lines follow it.
        name: wrap(&n.name, chars.saturating_sub(2), 2),
        role: fit(&role, chars),
        host: fit(&n.host, chars),
        domains: fit(&domains, chars),
        title,
    }
}

/// Badges with these texts, left to right from the left of box `b`.
pub fn badges(b: &NodeBox, texts: Vec<String>) -> Vec<Badge> {
    let mut x = b.x + 10.0;
    texts
        .into_iter()
        .map(|text| {
            let w = text.chars().count() as f32 * BADGE_CHAR_W + BADGE_PAD;
            let badge = Badge { x, w, text };
            x += w + BADGE_GAP;
            badge
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::trace::{NodeRole, Relay};

    fn node(id: &str, role: NodeRole) -> NodeInfo {
        NodeInfo {
            id: id.into(),
            name: format!("{id} host"),
            role,
            host: format!("{id}.example"),
            address: "192.0.2.1".into(),
            domains: vec!["example.org".into()],
        }
    }

    #[test]
    fn mail_programs_first_dns_last() {
        let server = NodeRole::Server { submission: false, relay: Relay::No, mx: true, pop3: false, imap: false };
        let nodes =
            [node("mx", server), node("dns", NodeRole::NameServers), node("alice", NodeRole::MailProgram { port25: false, direct: false })];
        let t = Trace {
            version: crate::sim::trace::TRACE_VERSION,
            scenario: String::new(),
            title: String::new(),
            goal: String::new(),
            nodes: nodes.to_vec(),
            events: Vec::new(),
            mailboxes: Vec::new(),
            queue: Vec::new(),
            summary: Default::default(),
            shortcuts: Vec::new(),
            end: 0,
        };
        let ids: Vec<&str> = order(&t).iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["alice", "mx", "dns"]);
    }

    #[test]
    fn trips_stay_between_the_boxes() {
        let server = NodeRole::Server { submission: true, relay: Relay::Yes, mx: false, pop3: false, imap: false };
        let nodes = [node("a", NodeRole::MailProgram { port25: false, direct: false }), node("b", server), node("c", server)];
        let refs: Vec<&NodeInfo> = nodes.iter().collect();
        for o in [Orientation::Row, Orientation::Column] {
            let g = layout(&refs, o);
            for (from, to) in [(0, 1), (1, 0), (0, 2), (2, 0)] {
                let [start, _, end] = g.trip(from, to);
                let outside = |(x, y): (f32, f32), b: &NodeBox| x < b.x || x > b.x + b.w || y < b.y || y > b.y + b.h;
                assert!(g.boxes.iter().all(|b| outside(start, b) && outside(end, b)), "{o:?} {from}→{to}");
            }
            let mid = |l: Curve| ((l.p0.0 + l.p2.0) / 2.0, (l.p0.1 + l.p2.1) / 2.0);
            assert_eq!(g.link(0, 1).c, mid(g.link(0, 1)), "{o:?}: neighbours are joined straight");
            assert_ne!(g.link(0, 2).c, mid(g.link(0, 2)), "{o:?}: a link past a box arches around it");
        }
    }

    #[test]
    fn text_fits_the_box() {
        let mut n = node("relay", NodeRole::Server { submission: true, relay: Relay::Yes, mx: true, pop3: false, imap: false });
        n.name = "a very long name for a small box that will not fit on two lines".into();
        let b = layout(&[&n], Orientation::Row).boxes[0];
        let t = node_text(&n, &b);
        assert_eq!(t.name.len(), 2);
        assert!(t.role.ends_with('…'), "{}", t.role);
        assert!(t.title.contains("submission server, relay (MTA), MX / mailbox server"));
        let bs = badges(&b, vec!["queue 1".into(), "✉ stored 2".into()]);
        assert!(bs[1].x > bs[0].x + bs[0].w);
    }
}
