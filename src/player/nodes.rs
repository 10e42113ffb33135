//! The node panels' material, yew-free: the mailboxes, the relay queues and the DNS zone as they
//! are at one step, and one stored message taken apart for reading.
//!
//! Everything here starts from a [`View`] (what is true at the step, derived from the events up
//! to it), so stepping back is exact and a message shows only once its `delivered` event has
//! happened. [`open_message`] reads a stored message with `sim::mime`'s parser: the envelope the
//! server saw (MAIL FROM / RCPT TO) beside the header fields the reader sees, the `Received:`
//! chain hop by hop (RFC 5321 §4.4), the MIME part tree, and for a bounce the RFC 3464 report.

use crate::sim::clock::format_time;
use crate::sim::dns::Zone;
use crate::sim::dsn;
use crate::sim::mime::{self, Header, Part};
use crate::sim::trace::{Kind, StoredMessage, Trace};

use super::explain::{raw_lines, Seg};
use super::view::{who, View};

/// Most lines of a message's source shown (an attachment can make thousands).
pub const RAW_LINES: usize = 400;

// ───────────────────────── mailboxes ─────────────────────────

/// One message in a mailbox list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    /// Index into `trace.mailboxes`.
    pub index: usize,
    /// When it was stored, on the virtual clock.
    pub time: String,
    /// The `From:` header field, encoded-words decoded.
    pub from: String,
    /// The `Subject:`, decoded; "(no subject)" when there is none.
    pub subject: String,
    /// A delivery status notification (a bounce or a delay warning).
    pub is_bounce: bool,
    /// Its UID in the server's store, when mail programs read the node with POP3 or IMAP.
    pub uid: Option<u32>,
    /// Whether it is `\Seen` at this step (read by a POP3 RETR or flagged by an IMAP STORE).
    pub seen: bool,
}

impl MessageRow {
    /// The store's view of the message in words, when it has one: "UID 2, \Seen", "UID 1, unread".
    pub fn flags(&self) -> Option<String> {
        self.uid.map(|u| format!("UID {u}, {}", if self.seen { "\\Seen" } else { "unread" }))
    }
}

/// One mailbox with the messages it holds at this step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxRows {
    pub node: String,
    /// The node as sentences name it (its host name).
    pub node_name: String,
    pub mailbox: String,
    pub messages: Vec<MessageRow>,
}

/// Every non-empty mailbox at the step of `view`, grouped by node in the trace's node order.
pub fn mailboxes(trace: &Trace, view: &View) -> Vec<MailboxRows> {
    let mut out: Vec<MailboxRows> = view
        .mailboxes
        .iter()
        .map(|m| MailboxRows {
            node: m.node.clone(),
            node_name: who(trace, &m.node),
            mailbox: m.mailbox.clone(),
            messages: m.stored.iter().filter_map(|&i| trace.mailboxes.get(i).map(|s| row(i, s, view.step))).collect(),
        })
        .collect();
    let order = |id: &str| trace.nodes.iter().position(|n| n.id == id).unwrap_or(usize::MAX);
    out.sort_by_key(|m| order(&m.node)); // stable: mailboxes of a node stay in delivery order
    out
}

fn row(index: usize, m: &StoredMessage, step: usize) -> MessageRow {
    let head = mime::header_block(m.raw.as_bytes());
    let parsed = mime::parse(head);
    let field = |name: &str| parsed.header(name).map(mime::decode_encoded_words).unwrap_or_default();
    let subject = field("Subject");
    MessageRow {
        index,
        time: format_time(m.time),
        from: field("From"),
        subject: if subject.trim().is_empty() { "(no subject)".to_string() } else { subject },
        is_bounce: m.is_bounce,
        uid: m.uid,
        seen: m.seen.is_some_and(|s| s <= step),
    }
}

/// Whether the stored message `index` is in a mailbox at the step of `view`.
pub fn is_delivered(view: &View, index: usize) -> bool {
    view.mailboxes.iter().any(|m| m.stored.contains(&index))
}

// ───────────────────────── one message ─────────────────────────

/// One `Received:` field, taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedHop {
    /// 1 is the top field: the last hop, the one added by the server that stored the message.
    pub position: usize,
    /// The `from` clause: the name the client gave in EHLO, then the host and address seen.
    pub from: String,
    /// The server that added this field.
    pub by: String,
    /// The protocol (`ESMTP`, `ESMTPSA`, …).
    pub with: String,
    pub id: String,
    pub date: String,
    /// The hop in one sentence.
    pub explanation: String,
    /// The field as written (unfolded).
    pub raw: String,
}

/// A row of the MIME part tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartRow {
    /// 0 for the message itself.
    pub depth: usize,
    pub content_type: String,
    pub filename: Option<String>,
    /// Octets as they appeared in the message (headers and encoded body).
    pub size: usize,
    /// Octets of the decoded body (0 for a multipart, whose content is its children).
    pub decoded: usize,
    pub transfer_encoding: String,
    /// What this kind of part is for, in a few words.
    pub role: &'static str,
}

/// One field of a delivery report, with its meaning when it has a coded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportField {
    pub name: String,
    pub value: String,
    pub meaning: Option<String>,
}

/// The parts of an RFC 3464 delivery status notification (`multipart/report`, RFC 6522).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The first part: the explanation for people.
    pub human: String,
    /// Per-message fields (Reporting-MTA, Arrival-Date, …).
    pub per_message: Vec<ReportField>,
    /// One field list per recipient (Final-Recipient, Action, Status, Diagnostic-Code, …).
    pub recipients: Vec<Vec<ReportField>>,
    /// The header fields of the returned message (its `message/rfc822` or `text/rfc822-headers`).
    pub returned_headers: Vec<Header>,
    /// Why the machine-readable part could not be read, if it could not.
    pub problem: Option<String>,
}

/// A stored message opened for reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub index: usize,
    pub node_name: String,
    pub mailbox: String,
    pub time: String,
    pub is_bounce: bool,
    /// MAIL FROM as the server saw it: `<>` for a bounce.
    pub mail_from: String,
    /// RCPT TO as the server saw it.
    pub rcpt_to: String,
    /// From, To, Cc, Bcc, Subject, Date, Message-ID and Return-Path, as present (decoded).
    pub headers: Vec<(String, String)>,
    /// Where envelope and headers differ, in words (empty when they agree).
    pub differences: Vec<String>,
    /// Top first: the last hop first.
    pub received: Vec<ReceivedHop>,
    pub parts: Vec<PartRow>,
    pub report: Option<Report>,
    /// Located problems the parser found.
    pub problems: Vec<String>,
    /// The source as it is stored, lines with their CR and LF, at most [`RAW_LINES`].
    pub raw: Vec<Vec<Seg>>,
    /// Lines not shown.
    pub raw_more: usize,
    /// Octets of the whole message.
    pub octets: usize,
}

/// The short teaching line shown beside envelope and headers.
pub const ENVELOPE_VS_HEADERS: &str = "The envelope (MAIL FROM, RCPT TO) is what servers route on; the headers (From, To) are what the reader sees. They can differ — that is how Bcc and spoofing work, and why a bounce goes to the envelope sender.";

/// Takes stored message `index` of `trace` apart for reading; `None` when there is no such message.
pub fn open_message(trace: &Trace, index: usize) -> Option<Opened> {
    let m = trace.mailboxes.get(index)?;
    let msg = mime::parse(m.raw.as_bytes());
    let mut headers = Vec::new();
    for name in ["From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Return-Path"] {
        for h in msg.headers_named(name) {
            headers.push((name.to_string(), mime::decode_encoded_words(&h.value)));
        }
    }
    let received: Vec<ReceivedHop> = msg.headers_named("Received").enumerate().map(|(i, h)| received_hop(i + 1, &h.value)).collect();
    let parts = msg
        .root
        .walk()
        .map(|(depth, p)| PartRow {
            depth,
            content_type: p.content_type.clone(),
            filename: p.filename.as_deref().map(mime::decode_encoded_words),
            size: p.raw_len,
            decoded: if p.children.is_empty() { p.body.len() } else { 0 },
            transfer_encoding: p.transfer_encoding.clone(),
            role: part_role(&p.content_type),
        })
        .collect();
    let report = (msg.root.content_type == "multipart/report").then(|| report(&msg.root));
    let (raw, raw_more) = raw_lines(&m.raw, false, RAW_LINES);
    let mail_from = format!("<{}>", m.mail_from);
    let differences = differences(m, &msg);
    Some(Opened {
        index,
        node_name: who(trace, &m.node),
        mailbox: m.mailbox.clone(),
        time: format_time(m.time),
        is_bounce: m.is_bounce,
        mail_from,
        rcpt_to: format!("<{}>", m.rcpt_to),
        headers,
        differences,
        received,
        parts,
        report,
        problems: msg.problems,
        raw,
        raw_more,
        octets: m.raw.len(),
    })
}

/// The address inside `<…>` of a header value, or the value itself, lower-cased.
fn addresses(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|a| match (a.rfind('<'), a.rfind('>')) {
            (Some(x), Some(y)) if x < y => a[x + 1..y].trim().to_ascii_lowercase(),
            _ => a.trim().to_ascii_lowercase(),
        })
        .filter(|a| !a.is_empty())
        .collect()
}

fn differences(m: &StoredMessage, msg: &mime::Message) -> Vec<String> {
    let mut out = Vec::new();
    let from: Vec<String> = msg.header("From").map(addresses).unwrap_or_default();
    if m.mail_from.is_empty() {
        out.push(format!(
            "MAIL FROM is empty (<>): this is a bounce, sent from the null reverse-path so that it can never bounce back (RFC 5321 §4.5.5); the From: header ({}) is only for the reader.",
            msg.header("From").map(mime::decode_encoded_words).unwrap_or_else(|| "none".to_string())
        ));
    } else if !from.iter().any(|a| a.eq_ignore_ascii_case(&m.mail_from)) {
        out.push(format!(
            "MAIL FROM <{}> is not the From: address ({}): the server routes bounces by the envelope; the reader sees the header.",
            m.mail_from,
            if from.is_empty() { "none".to_string() } else { from.join(", ") }
        ));
    }
    let shown: Vec<String> =
        ["To", "Cc"].iter().flat_map(|n| msg.headers_named(n).flat_map(|h| addresses(&h.value)).collect::<Vec<_>>()).collect();
    if !shown.iter().any(|a| a.eq_ignore_ascii_case(&m.rcpt_to)) {
        out.push(format!(
            "RCPT TO <{}> is not in To: or Cc:: the message reached this mailbox by the envelope alone, as a Bcc does.",
            m.rcpt_to
        ));
    }
    out
}

/// Reads `from X (host [ip]) by Y with P id I; date` (RFC 5321 §4.4), tolerating anything.
pub fn received_hop(position: usize, value: &str) -> ReceivedHop {
    let (clauses, date) = match value.rfind(';') {
        Some(i) => (&value[..i], value[i + 1..].trim().to_string()),
        None => (value, String::new()),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut depth = 0usize;
    for word in clauses.split_whitespace() {
        let key = word.to_ascii_lowercase();
        if depth == 0 && matches!(key.as_str(), "from" | "by" | "with" | "id" | "via" | "for") {
            fields.push((key, String::new()));
        } else {
            if let Some(last) = fields.last_mut() {
                if !last.1.is_empty() {
                    last.1.push(' ');
                }
                last.1.push_str(word);
            }
        }
        depth = (depth + word.matches('(').count()).saturating_sub(word.matches(')').count());
    }
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (from, by, with, id) = (get("from"), get("by"), get("with"), get("id"));
    let mut explanation = if by.is_empty() {
        "A Received: field this viewer cannot read.".to_string()
    } else if from.is_empty() {
        format!("{by} received the message.")
    } else {
        format!("{by} received the message from {from}.")
    };
    if !with.is_empty() {
        explanation.push_str(&format!(" {}", protocol_words(&with)));
    }
    ReceivedHop { position, from, by, with, id, date, explanation, raw: value.to_string() }
}

/// RFC 3848: ESMTP plus S (TLS) and A (authenticated).
fn protocol_words(with: &str) -> String {
    let p = with.to_ascii_uppercase();
    let Some(rest) = p.strip_prefix("ESMTP") else {
        return if p == "SMTP" { "Plain SMTP (the client said HELO).".to_string() } else { format!("Protocol {with}.") };
    };
    let mut s = format!("{with}: extended SMTP (EHLO)");
    if rest.contains('S') {
        s.push_str(", over TLS");
    }
    if rest.contains('A') {
        s.push_str(", the client logged in (AUTH)");
    }
    s.push_str(" — RFC 3848.");
    s
}

fn part_role(content_type: &str) -> &'static str {
    match content_type {
        "multipart/mixed" => "a message with attachments: the parts follow one another",
        "multipart/alternative" => "the same content in several forms; the reader shows the best one",
        "multipart/related" => "a document with the pieces it refers to",
        "multipart/report" => "a delivery report (RFC 6522): text for people, status for programs, the returned message",
        "message/delivery-status" => "the machine-readable delivery status (RFC 3464)",
        "message/rfc822" => "a whole message inside this one",
        "text/rfc822-headers" => "the header fields of the returned message (RFC 6522 §4)",
        "text/plain" => "plain text",
        "text/html" => "HTML text",
        t if t.starts_with("multipart/") => "a container of parts",
        t if t.starts_with("image/") => "a picture",
        _ => "an attached file",
    }
}

fn field(h: &Header) -> ReportField {
    let meaning = match h.name.to_ascii_lowercase().as_str() {
        "status" => dsn::parse_status(&h.value).map(|s| {
            let class = match s.0 {
                2 => "success",
                4 => "temporary failure",
                _ => "permanent failure",
            };
            format!("{class}: {}", dsn::explain_status(s))
        }),
        "action" => match h.value.trim().to_ascii_lowercase().as_str() {
            "failed" => Some("the message could not be delivered to this recipient; nothing more will be tried".to_string()),
            "delayed" => Some("not delivered yet; the server keeps trying (this is a warning, not a bounce)".to_string()),
            "delivered" => Some("delivered".to_string()),
            "relayed" => Some("passed on to a system that sends no reports".to_string()),
            "expanded" => Some("delivered and forwarded to several addresses".to_string()),
            _ => None,
        },
        "diagnostic-code" => Some("what the remote server answered, word for word".to_string()),
        "final-recipient" => Some("the address the delivery failed for".to_string()),
        "remote-mta" => Some("the server that gave that answer".to_string()),
        "reporting-mta" => Some("the server that wrote this report".to_string()),
        _ => None,
    };
    ReportField { name: h.name.clone(), value: h.value.clone(), meaning }
}

/// Joins the lines of each paragraph (a report's text is wrapped for a wide terminal); blank
/// lines and indented lines (quoted server replies) keep their breaks.
pub fn reflow(text: &str) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank {
                out.push_str("\n\n");
            }
            blank = true;
        } else {
            if !blank && !line.starts_with(char::is_whitespace) {
                out.push(' ');
            } else if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(if blank { line.trim_start() } else { line });
            blank = false;
        }
    }
    out.trim_end().to_string()
}

fn report(root: &Part) -> Report {
    let human = root.children.first().filter(|p| p.content_type.starts_with("text/")).map(|p| reflow(&p.text())).unwrap_or_default();
    let (per_message, recipients, problem) = match root.find("message/delivery-status") {
        Some(p) => match dsn::parse_delivery_status(&p.body) {
            Ok(ds) => {
                (ds.per_message.iter().map(field).collect(), ds.recipients.iter().map(|r| r.iter().map(field).collect()).collect(), None)
            }
            Err(e) => (Vec::new(), Vec::new(), Some(e)),
        },
        None => (Vec::new(), Vec::new(), Some("this report has no message/delivery-status part (RFC 3464 §2)".to_string())),
    };
    let returned_headers = if let Some(p) = root.find("message/rfc822") {
        p.children.first().map(|m| m.headers.clone()).unwrap_or_default()
    } else if let Some(p) = root.find("text/rfc822-headers") {
        mime::parse(&p.body).headers
    } else {
        Vec::new()
    };
    Report { human, per_message, recipients, returned_headers, problem }
}

// ───────────────────────── queues ─────────────────────────

/// One waiting recipient of a relay's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    pub message: u32,
    pub recipient: String,
    pub attempts: u32,
    /// The reply code of the last error (`450 4.7.1`), when a server gave one.
    pub error_code: Option<String>,
    /// The last error in words.
    pub last_error: Option<String>,
    /// The next attempt on the virtual clock.
    pub next_retry: Option<String>,
    /// Where the entry stands, in words.
    pub state: String,
    pub is_bounce: bool,
}

/// One server's queue at the step (empty `rows`: nothing waits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeQueue {
    pub node: String,
    pub node_name: String,
    pub rows: Vec<QueueRow>,
}

/// The queue of every server node at the step of `view` (mail programs and DNS have none).
pub fn queues(trace: &Trace, view: &View) -> Vec<NodeQueue> {
    trace
        .nodes
        .iter()
        .filter(|n| n.id != "dns" && !n.role.is_mail_program())
        .map(|n| NodeQueue {
            node: n.id.clone(),
            node_name: who(trace, &n.id),
            rows: view
                .queue
                .iter()
                .filter(|j| j.note.node == n.id)
                .flat_map(|j| {
                    let note = &j.note;
                    let state = match j.changed_by {
                        Kind::Expired => "expired: the queue lifetime is over; it is being returned to the sender".to_string(),
                        Kind::DeliveryFailed => "failed permanently: it is being returned to the sender".to_string(),
                        _ if note.attempts == 0 => match note.next_attempt {
                            Some(t) if t <= view.time => "being delivered now (first attempt)".to_string(),
                            _ => "waiting for its first attempt".to_string(),
                        },
                        _ if note.warned => "delayed: the sender was warned; still retrying".to_string(),
                        _ => match note.next_attempt {
                            Some(t) if t <= view.time => "retrying now".to_string(),
                            _ => "waiting to retry after a temporary failure".to_string(),
                        },
                    };
                    let error_code =
                        note.last_error.as_deref().filter(|e| e.as_bytes().first().is_some_and(u8::is_ascii_digit)).map(error_codes);
                    note.waiting.iter().map(move |r| QueueRow {
                        message: note.message,
                        recipient: r.clone(),
                        attempts: note.attempts,
                        error_code: error_code.clone(),
                        last_error: note.last_error.clone(),
                        next_retry: note.next_attempt.map(format_time),
                        state: state.clone(),
                        is_bounce: note.is_bounce,
                    })
                })
                .collect(),
        })
        .collect()
}

// ───────────────────────── DNS zone ─────────────────────────

/// A record type of the zone, with what it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordGroup {
    /// `MX`, `A`, `AAAA`, `TXT`, `SERVFAIL`.
    pub rtype: &'static str,
    pub teaching: &'static str,
    pub rows: Vec<RecordRow>,
}

/// One record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub name: String,
    /// MX preference.
    pub preference: Option<u16>,
    /// The exchange, address or text.
    pub data: String,
    /// A note: "null MX: accepts no mail", "SPF policy".
    pub note: Option<&'static str>,
    /// The current step's DNS question asked about this record.
    pub asked: bool,
}

/// The DNS question of the current step (a query, or the answer to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub name: String,
    pub qtype: String,
    /// The answer, as the trace gives it, once it has come.
    pub answer: Option<String>,
    /// Records of the zone the question matched.
    pub matched: usize,
}

/// The zone as tables, and the question the current step asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneView {
    pub groups: Vec<RecordGroup>,
    pub question: Option<Question>,
}

const MX_TEACHING: &str = "MX: where mail for a domain goes. A sender tries the exchanges in order of preference, lowest first, and falls back to the next on a temporary failure; with no MX, the domain's own address is used (RFC 5321 §5.1). A null MX (preference 0, exchange \".\") says the domain accepts no mail (RFC 7505).";
const A_TEACHING: &str = "A: the IPv4 address of a host name. After choosing an exchange from the MX records, the sender looks up its address to connect (RFC 5321 §5.1).";
const AAAA_TEACHING: &str = "AAAA: the IPv6 address of a host name, used like A (RFC 5321 §5.1).";
const TXT_TEACHING: &str = "TXT: free text. A text starting with v=spf1 is an SPF policy: the addresses allowed to send mail with this domain in MAIL FROM (RFC 7208 §3).";
const SERVFAIL_TEACHING: &str = "Names whose DNS server is broken in this scenario: every question about them gets SERVFAIL, a temporary error, so mail waits and is retried.";

fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// The question asked at `step`: its DNS query, or the query its DNS answer answers.
pub fn question_at(trace: &Trace, step: usize) -> Option<(String, String, Option<String>)> {
    let e = trace.events.get(step)?;
    let (q, answer) = match e.kind {
        Kind::DnsQuery => (e, None),
        Kind::DnsAnswer => (trace.events.get(step.checked_sub(1)?).filter(|q| q.kind == Kind::DnsQuery)?, Some(e.label.clone())),
        _ => return None,
    };
    let text = q.label.trim_end_matches('?');
    let (name, qtype) = text.rsplit_once(' ')?;
    Some((name.trim().to_string(), qtype.trim().to_ascii_uppercase(), answer))
}

/// The zone of a scenario as tables, with the records the question at `step` asked about marked.
pub fn zone(zone: &Zone, trace: &Trace, step: usize) -> ZoneView {
    let q = question_at(trace, step);
    let asks = |rtype: &str, name: &str| q.as_ref().is_some_and(|(n, t, _)| t == rtype && same(n, name));
    let addr = |rtype: &'static str, teaching, list: &[crate::sim::dns::AddressRecord]| RecordGroup {
        rtype,
        teaching,
        rows: list
            .iter()
            .map(|r| RecordRow { name: r.name.clone(), preference: None, data: r.address.clone(), note: None, asked: asks(rtype, &r.name) })
            .collect(),
    };
    let mut groups = vec![
        RecordGroup {
            rtype: "MX",
            teaching: MX_TEACHING,
            rows: {
                let mut rows: Vec<RecordRow> = zone
                    .mx
                    .iter()
                    .map(|r| RecordRow {
                        name: r.domain.clone(),
                        preference: Some(r.preference),
                        data: r.host.clone(),
                        note: (r.host.trim() == ".").then_some("null MX: this domain accepts no mail (RFC 7505)"),
                        asked: asks("MX", &r.domain),
                    })
                    .collect();
                rows.sort_by(|a, b| a.name.to_ascii_lowercase().cmp(&b.name.to_ascii_lowercase()).then(a.preference.cmp(&b.preference)));
                rows
            },
        },
        addr("A", A_TEACHING, &zone.a),
        addr("AAAA", AAAA_TEACHING, &zone.aaaa),
        RecordGroup {
            rtype: "TXT",
            teaching: TXT_TEACHING,
            rows: zone
                .txt
                .iter()
                .map(|r| RecordRow {
                    name: r.name.clone(),
                    preference: None,
                    data: r.text.clone(),
                    note: r.text.trim_start().to_ascii_lowercase().starts_with("v=spf1").then_some("SPF policy (RFC 7208)"),
                    asked: asks("TXT", &r.name),
                })
                .collect(),
        },
        RecordGroup {
            rtype: "SERVFAIL",
            teaching: SERVFAIL_TEACHING,
            rows: zone
                .servfail
                .iter()
                .map(|n| RecordRow {
                    name: n.clone(),
                    preference: None,
                    data: "SERVFAIL".to_string(),
                    note: None,
                    asked: q.as_ref().is_some_and(|(qn, _, _)| same(qn, n)),
                })
                .collect(),
        },
    ];
    groups.retain(|g| !g.rows.is_empty());
    let matched = groups.iter().flat_map(|g| &g.rows).filter(|r| r.asked).count();
    ZoneView { groups, question: q.map(|(name, qtype, answer)| Question { name, qtype, answer, matched }) }
}

/// The reply code and enhanced code at the start of a job's last error ("550 5.1.1"): a
/// [`crate::sim::trace::JobNote`] keeps the error in words, as a DSN reports it.
fn error_codes(error: &str) -> String {
    let mut words = error.split_whitespace();
    let mut out = words.next().unwrap_or("").to_string();
    if let Some(w) = words.next() {
        if w.split('.').count() == 3 && w.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            out.push(' ');
            out.push_str(w);
        }
    }
    out
}
