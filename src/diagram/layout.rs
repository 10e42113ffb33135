//! Layout of the sequence diagram as plain data: where each lane, row, time gap and
//! connection span goes, and what text it shows, in abstract pixel units.
//!
//! One event becomes exactly one [`Row`], in trace order, with strictly increasing `y`.
//! An event with a `to` becomes an [`Item::Arrow`] between two lanes; an event on one lane
//! (queue decisions, deliveries, user notices, connect failures) becomes an [`Item::Note`].
//! When virtual time jumps by more than [`LayoutOptions::gap_threshold`] between two rows, a
//! [`Gap`] ("⋯ 5m later ⋯") is placed between them so retries and the wait before them show.
//!
//! The layout is one pass over the events (O(n)); [`visible_rows`] finds the rows inside a
//! scroll window by binary search, so a view can draw only those. Text is measured by counting
//! characters against [`LayoutOptions::char_width`] (a monospace estimate): what does not fit
//! is cut with "…" and the full text is kept in a `title` field for tooltips.

use core::ops::Range;
use std::collections::HashMap;

use crate::sim::clock::{format_time, Millis, Span};
use crate::sim::trace::{layer_name, Event, Kind, Layer, Trace};
use crate::smtp::reply::ReplyClass;

/// Sizes and thresholds of the layout. All lengths are in abstract pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutOptions {
    /// Width of the time column on the left.
    pub time_column: f32,
    /// Distance between two neighbouring lanes.
    pub lane_spacing: f32,
    /// Height of one row without narration.
    pub row_height: f32,
    /// Height of one line of narration under a row.
    pub line_height: f32,
    /// Height of a time-gap band.
    pub gap_height: f32,
    /// A jump of virtual time larger than this between two rows gets a [`Gap`].
    pub gap_threshold: Millis,
    /// Estimated advance of one character of label text (12px monospace ≈ 7.3).
    pub char_width: f32,
    /// Most characters of a note (it may run over the next lane; views draw a halo behind it).
    pub note_chars: usize,
    /// Show the scenario's narration under the row it belongs to.
    pub narration: bool,
    /// Most lines of narration per row (the rest is cut with "…").
    pub narration_lines: usize,
    /// Outer margin.
    pub margin: f32,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            time_column: 112.0,
            lane_spacing: 420.0,
            row_height: 30.0,
            line_height: 16.0,
            gap_height: 34.0,
            gap_threshold: 10_000,
            char_width: 7.3,
            note_chars: 100,
            narration: true,
            narration_lines: 3,
            margin: 16.0,
        }
    }
}

/// What a lane stands for; clients come first, then servers, then DNS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneRole {
    /// A mail program (MUA).
    Client,
    /// A mail server (submission, relay, MX), or a node the trace does not describe.
    Server,
    /// The `dns` pseudo-node, always last.
    Dns,
}

/// One vertical lane: a node of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub node_id: String,
    /// The node's name, cut to fit the lane header.
    pub title: String,
    /// Role, host and address, cut to fit the lane header.
    pub subtitle: String,
    /// Name, role, host and address in full, for a tooltip.
    pub tooltip: String,
    pub role: LaneRole,
    /// Horizontal centre of the lane (its lifeline).
    pub x: f32,
}

/// How an arrow's line is drawn: commands solid, replies dashed, DNS dotted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    Dashed,
    Dotted,
}

impl Stroke {
    /// A CSS-friendly name.
    pub fn name(self) -> &'static str {
        match self {
            Stroke::Solid => "solid",
            Stroke::Dashed => "dashed",
            Stroke::Dotted => "dotted",
        }
    }
}

/// A message between two lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub from_lane: usize,
    pub to_lane: usize,
    pub from_x: f32,
    pub to_x: f32,
    /// The label, cut with "…" to fit between the lanes next to the class word and tags.
    pub label: String,
    /// The full label (control characters made visible), for a tooltip.
    pub title: String,
    /// The reply class, for replies: drawn as its glyph and words ("✓ done"), never colour alone.
    pub class: Option<ReplyClass>,
    pub kind: Kind,
    pub layer: Layer,
    /// Carries or belongs to a bounce (DSN): draw it so it cannot be missed.
    pub bounce: bool,
    pub stroke: Stroke,
}

/// How far an arrow stops short of the lifelines it joins.
pub const ARROW_INSET: f32 = 4.0;
/// Length and half width of an arrowhead.
pub const HEAD_LENGTH: f32 = 9.0;
pub const HEAD_HALF_WIDTH: f32 = 5.0;
/// Radius of a note's dot on its lifeline.
pub const DOT_RADIUS: f32 = 4.5;
/// A note's text starts this far right of its lane.
pub const NOTE_TEXT_DX: f32 = 11.0;
/// Text on a row's line (time, note) has its baseline this far below the line.
pub const TEXT_DY: f32 = 4.0;
/// An arrow's label has its baseline this far above the line.
pub const LABEL_DY: f32 = 6.0;

impl Arrow {
    /// Where the line starts and where it meets the base of the head.
    pub fn line_x(&self) -> (f32, f32) {
        let dir = self.dir();
        (self.from_x + dir * ARROW_INSET, self.to_x - dir * (ARROW_INSET + HEAD_LENGTH))
    }

    /// The arrowhead at height `y`, as an SVG path (a filled triangle whose tip is the inset end).
    pub fn head_path(&self, y: f32) -> String {
        let tip = self.to_x - self.dir() * ARROW_INSET;
        let base = self.to_x - self.dir() * (ARROW_INSET + HEAD_LENGTH);
        format!("M{} {}L{} {}L{} {}Z", num(tip), num(y), num(base), num(y - HEAD_HALF_WIDTH), num(base), num(y + HEAD_HALF_WIDTH))
    }

    /// The centre of the label.
    pub fn mid_x(&self) -> f32 {
        (self.from_x + self.to_x) / 2.0
    }

    /// A POP3 or IMAP exchange: the mail program pulls mail from its server (drawn apart from
    /// SMTP's push, with [`PULL_TAG`] in words).
    pub fn pulls(&self) -> bool {
        self.layer.pulls()
    }

    /// The class tag after the label: " ✓ done".
    pub fn class_tag(&self) -> Option<String> {
        self.class.map(|c| format!(" {} {}", c.icon(), c.words()))
    }

    fn dir(&self) -> f32 {
        if self.to_x >= self.from_x {
            1.0
        } else {
            -1.0
        }
    }
}

impl Row {
    /// Where narration line `i` of this row starts (x, baseline y).
    pub fn narration_at(&self, d: &Diagram, i: usize) -> (f32, f32) {
        let o = &d.options;
        (d.lanes_left + o.margin, self.y + o.row_height + o.line_height * i as f32 + 10.0)
    }
}

/// A coordinate with at most one decimal, as both pictures write it.
pub fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Something that happens on one lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub lane: usize,
    /// The lane's x; the text starts a little to the right of it.
    pub x: f32,
    /// The text, cut with "…" to [`LayoutOptions::note_chars`] or the right edge.
    pub text: String,
    /// The full text, for a tooltip.
    pub title: String,
    pub kind: Kind,
    pub layer: Layer,
    pub bounce: bool,
    /// A glyph for the kind of note (✓ delivered, ✗ failed, ↻ retry later, ↩ bounce …).
    pub icon: Option<&'static str>,
}

/// What a row shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Arrow(Arrow),
    Note(Note),
}

impl Item {
    pub fn kind(&self) -> Kind {
        match self {
            Item::Arrow(a) => a.kind,
            Item::Note(n) => n.kind,
        }
    }
    pub fn bounce(&self) -> bool {
        match self {
            Item::Arrow(a) => a.bounce,
            Item::Note(n) => n.bounce,
        }
    }
    /// The full label or note text.
    pub fn title(&self) -> &str {
        match self {
            Item::Arrow(a) => &a.title,
            Item::Note(n) => &n.title,
        }
    }
}

/// One event of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The event's `seq`.
    pub seq: usize,
    /// Top of the row's band.
    pub y: f32,
    /// Height of the band (the row plus its narration lines).
    pub height: f32,
    /// Where the arrow line (or note dot) sits; labels go just above it.
    pub line_y: f32,
    pub time: Millis,
    /// `+HH:MM:SS.mmm`.
    pub time_label: String,
    /// The time differs from the previous row's (views may show the label only then).
    pub new_time: bool,
    pub item: Item,
    /// Time, who → whom, layer, full label, class, bounce tag and meaning: for a tooltip or a
    /// screen reader.
    pub tooltip: String,
    /// The scenario's story line for this step, word-wrapped to the diagram width.
    pub narration: Vec<String>,
}

/// A jump of virtual time between two rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub y: f32,
    pub height: f32,
    /// Index (into `rows`) of the row after the gap.
    pub before_row: usize,
    pub from: Millis,
    pub to: Millis,
    /// "⋯ 5m later ⋯".
    pub text: String,
}

/// The life of one connection: from its first to its last event, on both lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnSpan {
    pub conn: u32,
    pub client_lane: usize,
    pub server_lane: usize,
    pub y0: f32,
    pub y1: f32,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub lanes: Vec<Lane>,
    /// One per event, in trace order, `y` strictly increasing.
    pub rows: Vec<Row>,
    /// In order of `y`.
    pub gaps: Vec<Gap>,
    /// In order of first event.
    pub spans: Vec<ConnSpan>,
    /// Top of the lane header boxes (the title and legend are above).
    pub lanes_top: f32,
    /// Where the lifelines start (below the lane headers).
    pub lifeline_top: f32,
    /// Left edge of the lane area (right of the time column).
    pub lanes_left: f32,
    pub width: f32,
    pub height: f32,
    /// Width of a lane header box.
    pub lane_box_width: f32,
    /// The options it was laid out with.
    pub options: LayoutOptions,
}

const TITLE_AREA: f32 = 64.0;
const LANE_HEADER: f32 = 46.0;

/// Lays out the sequence diagram of a trace.
pub fn layout(trace: &Trace, opts: &LayoutOptions) -> Diagram {
    let lanes_order = lane_order(trace);
    let lanes_left = opts.margin + opts.time_column;
    let lane_box_width = (opts.lane_spacing - 24.0).max(40.0);
    let box_chars = chars_in(lane_box_width - 12.0, opts.char_width);
    let lanes: Vec<Lane> = lanes_order
        .into_iter()
        .enumerate()
        .map(|(i, (id, role))| {
            let node = trace.nodes.iter().find(|n| n.id == id);
            let (name, sub) = match node {
                Some(n) => {
                    let place =
                        [n.host.as_str(), n.address.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
                    let sub = if place.is_empty() { n.role.to_string() } else { format!("{} · {}", n.role, place) };
                    (one_line(&n.name), one_line(&sub))
                }
                None => (one_line(&id), String::from("(not described in the trace)")),
            };
            let tooltip = format!("{name} ({id}): {sub}", id = one_line(&id));
            Lane {
                title: fit(&name, box_chars),
                subtitle: fit(&sub, chars_in(lane_box_width - 12.0, opts.char_width * 0.85)),
                tooltip,
                node_id: id,
                role,
                x: lanes_left + opts.lane_spacing * (i as f32 + 0.5),
            }
        })
        .collect();
    let index: HashMap<&str, usize> = lanes.iter().enumerate().map(|(i, l)| (l.node_id.as_str(), i)).collect();
    let width = lanes_left + opts.lane_spacing * lanes.len().max(1) as f32 + opts.margin;
    let narration_chars = chars_in(width - lanes_left - opts.margin * 2.0, opts.char_width);

    let lanes_top = TITLE_AREA;
    let lifeline_top = lanes_top + LANE_HEADER;
    let mut y = lifeline_top + 8.0;
    let mut rows = Vec::with_capacity(trace.events.len());
    let mut gaps = Vec::new();
    let mut spans: Vec<ConnSpan> = Vec::new();
    let mut span_of: HashMap<u32, usize> = HashMap::new();
    let mut prev_time: Option<Millis> = None;

    for e in &trace.events {
        if let Some(p) = prev_time {
            if e.time > p && e.time - p > opts.gap_threshold {
                gaps.push(Gap {
                    y,
                    height: opts.gap_height,
                    before_row: rows.len(),
                    from: p,
                    to: e.time,
                    text: format!("⋯ {} later ⋯", span_text(e.time - p)),
                });
                y += opts.gap_height;
            }
        }
        let narration = match (&e.narration, opts.narration) {
            (Some(n), true) => wrap(&flat(n), narration_chars, opts.narration_lines.max(1)),
            _ => Vec::new(),
        };
        let height = opts.row_height + opts.line_height * narration.len() as f32;
        let line_y = y + opts.row_height * 0.72;
        let from_lane = index.get(e.from.as_str()).copied().unwrap_or(0);
        let to_lane = e.to.as_deref().and_then(|t| index.get(t).copied());
        let item = match to_lane {
            Some(t) if t != from_lane => arrow(e, from_lane, t, &lanes, opts),
            _ => note(e, from_lane, &lanes, width, opts),
        };
        if let Some(c) = e.conn {
            match span_of.get(&c) {
                Some(&i) => spans[i].y1 = line_y,
                None => {
                    span_of.insert(c, spans.len());
                    spans.push(ConnSpan {
                        conn: c,
                        client_lane: from_lane,
                        server_lane: to_lane.unwrap_or(from_lane),
                        y0: line_y,
                        y1: line_y,
                    });
                }
            }
        }
        rows.push(Row {
            seq: e.seq,
            y,
            height,
            line_y,
            time: e.time,
            time_label: format_time(e.time),
            new_time: prev_time != Some(e.time),
            tooltip: tooltip(e, &item),
            item,
            narration,
        });
        prev_time = Some(e.time);
        y += height;
    }
    let height = y + opts.margin * 2.0;
    Diagram { lanes, rows, gaps, spans, lanes_top, lifeline_top, lanes_left, width, height, lane_box_width, options: opts.clone() }
}

/// The rows whose band overlaps the vertical window `y0..y1` (binary search, O(log n)).
pub fn visible_rows(d: &Diagram, y0: f32, y1: f32) -> Range<usize> {
    let start = d.rows.partition_point(|r| r.y + r.height <= y0);
    let end = d.rows.partition_point(|r| r.y < y1).max(start);
    start..end
}

/// The gaps whose band overlaps the vertical window `y0..y1` (binary search, O(log n)).
pub fn visible_gaps(d: &Diagram, y0: f32, y1: f32) -> Range<usize> {
    let start = d.gaps.partition_point(|g| g.y + g.height <= y0);
    let end = d.gaps.partition_point(|g| g.y < y1).max(start);
    start..end
}

/// Lanes: mail programs first, then servers, each in order of first appearance in the
/// events (nodes that never appear after them, in trace order), `dns` last. Ids used by
/// events but missing from `nodes` get a lane of their own, so nothing is lost.
fn lane_order(trace: &Trace) -> Vec<(String, LaneRole)> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut unknown: Vec<&str> = Vec::new();
    let known: HashMap<&str, usize> = trace.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    for (i, e) in trace.events.iter().enumerate() {
        for id in core::iter::once(e.from.as_str()).chain(e.to.as_deref()) {
            if !first.contains_key(id) {
                first.insert(id, i);
                if !known.contains_key(id) {
                    unknown.push(id);
                }
            }
        }
    }
    let mut all: Vec<(usize, usize, usize, String, LaneRole)> = Vec::with_capacity(trace.nodes.len() + unknown.len());
    for (i, n) in trace.nodes.iter().enumerate() {
        let role = if n.id == "dns" {
            LaneRole::Dns
        } else if n.role.is_mail_program() {
            LaneRole::Client
        } else {
            LaneRole::Server
        };
        all.push((role_rank(role), first.get(n.id.as_str()).copied().unwrap_or(usize::MAX), i, n.id.clone(), role));
    }
    for (j, id) in unknown.into_iter().enumerate() {
        let role = if id == "dns" { LaneRole::Dns } else { LaneRole::Server };
        all.push((role_rank(role), first[id], trace.nodes.len() + j, id.to_string(), role));
    }
    all.sort_by_key(|a| (a.0, a.1, a.2));
    all.into_iter().map(|a| (a.3, a.4)).collect()
}

fn role_rank(r: LaneRole) -> usize {
    match r {
        LaneRole::Client => 0,
        LaneRole::Server => 1,
        LaneRole::Dns => 2,
    }
}

/// The glyph for a note of this kind, if it has one.
pub fn note_icon(k: Kind) -> Option<&'static str> {
    match k {
        Kind::Delivered => Some("✓"),
        Kind::ConnectFailed | Kind::DeliveryFailed | Kind::Expired => Some("✗"),
        Kind::RetryScheduled => Some("↻"),
        Kind::BounceCreated => Some("↩"),
        Kind::Queued => Some("⇥"),
        Kind::UserNotice => Some("✉"),
        Kind::Send => Some("✉"),
        Kind::DkimSigned => Some("✍"),
        Kind::AuthChecked => Some("⚖"),
        _ => None,
    }
}

/// The tag shown on every bounce row.
pub const BOUNCE_TAG: &str = "↩ bounce";
/// The tag shown on every POP3/IMAP arrow: the mail program pulls, SMTP pushes.
pub const PULL_TAG: &str = "⤓ pull";

fn arrow(e: &Event, from_lane: usize, to_lane: usize, lanes: &[Lane], opts: &LayoutOptions) -> Item {
    let (from_x, to_x) = (lanes[from_lane].x, lanes[to_lane].x);
    let stroke = if e.layer == Layer::Dns {
        Stroke::Dotted
    } else if e.kind == Kind::Reply {
        Stroke::Dashed
    } else {
        Stroke::Solid
    };
    let class = e.class();
    // Room for the class tag (" ✓ done") and the bounce tag (" ↩ bounce").
    let mut reserved = 0;
    if let Some(c) = class {
        reserved += 2 + c.icon().chars().count() + c.words().chars().count();
    }
    if e.bounce {
        reserved += 1 + BOUNCE_TAG.chars().count();
    }
    if e.layer.pulls() {
        reserved += 1 + PULL_TAG.chars().count();
    }
    let room = chars_in((to_x - from_x).abs() - 24.0, opts.char_width).saturating_sub(reserved).max(8);
    let title = one_line(&e.label);
    Item::Arrow(Arrow {
        from_lane,
        to_lane,
        from_x,
        to_x,
        label: fit(&title, room),
        title,
        class,
        kind: e.kind,
        layer: e.layer,
        bounce: e.bounce,
        stroke,
    })
}

fn note(e: &Event, lane: usize, lanes: &[Lane], width: f32, opts: &LayoutOptions) -> Item {
    let x = lanes.get(lane).map_or(0.0, |l| l.x);
    let icon = note_icon(e.kind);
    let mut reserved = icon.map_or(0, |i| i.chars().count() + 1);
    if e.bounce {
        reserved += 1 + BOUNCE_TAG.chars().count();
    }
    let room = chars_in(width - opts.margin - x - 10.0, opts.char_width).min(opts.note_chars).saturating_sub(reserved).max(8);
    let title = one_line(&e.label);
    Item::Note(Note { lane, x, text: fit(&title, room), title, kind: e.kind, layer: e.layer, bounce: e.bounce, icon })
}

fn tooltip(e: &Event, item: &Item) -> String {
    let who = match &e.to {
        Some(to) => format!("{} → {}", e.from, to),
        None => e.from.clone(),
    };
    let mut t = format!("{} {} {}: {}", format_time(e.time), layer_name(e.layer), one_line(&who), item.title());
    if let Some(c) = e.class() {
        t.push_str(&format!(" [{} {}]", c.icon(), c.words()));
    }
    if e.bounce {
        t.push_str(" [bounce]");
    }
    let meaning = e.meaning();
    if !meaning.is_empty() {
        t.push_str(" — ");
        t.push_str(&flat(&meaning));
    }
    t
}

/// "5m", "30s", "1h30m"; milliseconds are dropped from gaps of a minute or more.
fn span_text(ms: Millis) -> String {
    let ms = if ms >= 60_000 { (ms + 500) / 1000 * 1000 } else { ms };
    Span(ms).to_string()
}

/// How many characters of `char_width` fit in `px` (0 when none).
fn chars_in(px: f32, char_width: f32) -> usize {
    if px <= 0.0 || char_width <= 0.0 {
        0
    } else {
        (px / char_width) as usize
    }
}

/// A label on one line: tab becomes a space, other control characters their visible
/// Control Pictures (U+2400…: `␍␊` for CRLF), C1 controls and non-characters U+FFFD.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Prose on one line: line breaks and tabs become spaces, other controls as in [`one_line`].
fn flat(s: &str) -> String {
    let spaced: String = s.chars().map(|c| if matches!(c, '\r' | '\n' | '\t') { ' ' } else { c }).collect();
    one_line(&spaced)
}

/// `s` cut to at most `max` characters, the last one "…" when cut.
pub fn fit(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some(_) if max == 0 => String::new(),
        Some(_) => {
            let cut = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            let mut out = s[..cut].trim_end().to_string();
            out.push('…');
            out
        }
    }
}

/// Greedy word wrap to `width` characters and at most `max_lines` lines (the last cut with "…").
pub fn wrap(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in s.split_whitespace() {
        let wlen = word.chars().count();
        if cur_len > 0 && cur_len + 1 + wlen > width {
            lines.push(std::mem::take(&mut cur));
            cur_len = 0;
        }
        if cur_len > 0 {
            cur.push(' ');
            cur_len += 1;
        }
        cur.push_str(word);
        cur_len += wlen;
        if lines.len() > max_lines {
            break;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let mut shortened = fit(last, width.saturating_sub(2));
            if !shortened.ends_with('…') {
                shortened.push_str(" …");
            }
            *last = shortened;
        }
    }
    for l in &mut lines {
        if l.chars().count() > width {
            *l = fit(l, width);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_on_characters() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        assert_eq!(fit("ääääää", 3), "ää…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn wrap_keeps_words_and_limits_lines() {
        assert_eq!(wrap("aaaa bbbb cccc", 10, 3), vec!["aaaa bbbb", "cccc"]);
        let w = wrap(&"word ".repeat(50), 12, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'));
    }

    #[test]
    fn controls_become_visible() {
        assert_eq!(one_line("a\r\nb\tc\u{0}"), "a␍␊b c␀");
        assert_eq!(flat("a\r\nb"), "a  b");
    }

    #[test]
    fn gap_text_is_rounded() {
        assert_eq!(span_text(300_000), "5m");
        assert_eq!(span_text(300_540), "5m1s");
        assert_eq!(span_text(30_000), "30s");
    }
}
