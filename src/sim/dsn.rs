//! Delivery status notifications (bounces): RFC 3464 reports in RFC 6522 `multipart/report`.
//!
//! An MTA that cannot deliver (or has to delay, or was asked to confirm) a message it is
//! responsible for sends a DSN to the message's envelope sender (RFC 5321 §6.1, §3.6.3). [`build`]
//! writes one with three parts: a human-readable explanation that teaches (who, what the remote
//! server said, what it means, what to do), the machine-readable `message/delivery-status`, and
//! the returned message or its headers. [`parse_delivery_status`] reads the second part back, so
//! tests and the mailbox viewer can check a bounce field by field. [`explain_status`] gives the
//! plain meaning of RFC 3463 enhanced status codes.
//!
//! Deterministic like everything in `sim/`: the boundary is derived from the content and dates
//! are whatever strings the caller's virtual clock produced.

use crate::sim::mime::{self, Header};
use serde::{Deserialize, Serialize};

/// What the reporting MTA did for a recipient (RFC 3464 §2.3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Could not be delivered and will not be retried.
    Failed,
    /// Not delivered yet; still being retried.
    Delayed,
    /// Delivered to the recipient's mailbox.
    Delivered,
    /// Handed to a system that will not send DSNs itself.
    Relayed,
    /// Delivered to a list or alias that forwarded it to several addresses.
    Expanded,
}

impl Action {
    /// The field value, e.g. `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Delivered => "delivered",
            Action::Relayed => "relayed",
            Action::Expanded => "expanded",
        }
    }

    /// Read an `Action:` field value (case-insensitive; a trailing comment is ignored).
    pub fn parse(s: &str) -> Option<Action> {
        let word = s.split_whitespace().next()?.to_ascii_lowercase();
        Some(match word.as_str() {
            "failed" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" => Action::Delivered,
            "relayed" => Action::Relayed,
            "expanded" => Action::Expanded,
            _ => return None,
        })
    }
}

/// One recipient's entry in a DSN (RFC 3464 §2.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsnRecipient {
    /// The ORCPT parameter (RFC 3461 §4.2), e.g. `rfc822;bob@example.org`; `rfc822; ` is added
    /// when no address type is given.
    pub original_recipient: Option<String>,
    /// The address the reporting MTA tried, e.g. `bob@example.org` (written `rfc822; …`).
    pub final_recipient: String,
    pub action: Action,
    /// Enhanced status code class.subject.detail (RFC 3463), e.g. `(5, 1, 1)`.
    pub status: (u8, u16, u16),
    /// The MTA that answered, e.g. `mx.example.org` (written `dns; …`). Only when a remote MTA
    /// actually answered (RFC 3464 §2.3.5).
    pub remote_mta: Option<String>,
    /// The full SMTP reply, e.g. `550 5.1.1 <bob@example.org>: user unknown` (written
    /// `smtp; …`, RFC 3464 §2.3.6).
    pub diagnostic: Option<String>,
    pub last_attempt_date: Option<String>,
    /// Only written for [`Action::Delayed`] (RFC 3464 §2.3.9).
    pub will_retry_until: Option<String>,
}

/// What to return of the original message (RFC 3461 §4.3 RET).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Return {
    /// The whole message, as `message/rfc822` (RFC 3461 RET=FULL).
    Full,
    /// Its header section only, as `text/rfc822-headers` (RET=HDRS, RFC 6522 §4).
    Headers,
}

/// Everything needed to write a DSN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dsn {
    /// e.g. `dns; relay.example.com` (`dns; ` is added when no type is given), RFC 3464 §2.2.2.
    pub reporting_mta: String,
    /// The MTA the message came from, e.g. `dns; client.example.com` (§2.2.4).
    pub received_from_mta: Option<String>,
    /// The ENVID parameter (RFC 3461 §4.4), §2.2.1.
    pub original_envelope_id: Option<String>,
    /// When the reporting MTA received the message (§2.2.5); omitted when empty.
    pub arrival_date: String,
    pub recipients: Vec<DsnRecipient>,
    /// e.g. `Mail Delivery System <MAILER-DAEMON@relay.example.com>`.
    pub from: String,
    /// The original envelope sender (MAIL FROM), NOT the From: header (RFC 5321 §6.1, §4.4).
    pub to: String,
    pub date: String,
    pub message_id: String,
    /// The message as the reporting MTA received it.
    pub original: Vec<u8>,
    pub ret: Return,
}

impl Dsn {
    /// What is wrong with this report, for a lesson to show (the builder writes it anyway).
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        let to = self.to.trim();
        if to.is_empty() || to == "<>" {
            out.push("the original reverse-path is null: a bounce must never be sent for a bounce (RFC 5321 §6.1, §3.6.3)".into());
        }
        if self.reporting_mta.trim().is_empty() {
            out.push("Reporting-MTA is required (RFC 3464 §2.2.2)".into());
        }
        if self.recipients.is_empty() {
            out.push("a DSN needs at least one per-recipient group (RFC 3464 §2.1)".into());
        }
        for r in &self.recipients {
            let who = &r.final_recipient;
            let (class, _, _) = r.status;
            if !matches!(class, 2 | 4 | 5) {
                out.push(format!("{who}: status class {class} does not exist; it is 2, 4 or 5 (RFC 3463 §3.1)"));
            }
            let consistent = match r.action {
                Action::Failed => class == 5 || class == 4, // 4 = gave up after transient failures
                Action::Delayed => class == 4,
                Action::Delivered | Action::Relayed | Action::Expanded => class == 2,
            };
            if !consistent {
                out.push(format!(
                    "{who}: Action {} with status {} is inconsistent (RFC 3464 §2.3.4)",
                    r.action.as_str(),
                    format_status(r.status)
                ));
            }
            if r.will_retry_until.is_some() && r.action != Action::Delayed {
                out.push(format!("{who}: Will-Retry-Until only belongs in a delayed report (RFC 3464 §2.3.9); not written"));
            }
        }
        out
    }
}

/// `5.1.1` for `(5, 1, 1)`.
pub fn format_status(status: (u8, u16, u16)) -> String {
    format!("{}.{}.{}", status.0, status.1, status.2)
}

/// Read an RFC 3463 §2 status code: class 2, 4 or 5, then subject and detail of 1–3 digits
/// without leading zeros. A trailing comment (`5.1.1 (user unknown)`) is ignored.
pub fn parse_status(s: &str) -> Option<(u8, u16, u16)> {
    let word = s.split_whitespace().next()?;
    let mut it = word.split('.');
    let num = |p: Option<&str>| -> Option<u16> {
        let p = p?;
        let ok = (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) && !(p.len() > 1 && p.starts_with('0'));
        ok.then(|| p.parse().ok()).flatten()
    };
    let class = num(it.next())?;
    let subject = num(it.next())?;
    let detail = num(it.next())?;
    if it.next().is_some() || !matches!(class, 2 | 4 | 5) {
        return None;
    }
    Some((class as u8, subject, detail))
}

/// The plain meaning of an RFC 3463 enhanced status code (subject and detail; the class says
/// whether it is success 2, temporary 4 or permanent 5). Unknown details fall back to the
/// meaning of their subject (RFC 3463 §3).
pub fn explain_status(status: (u8, u16, u16)) -> &'static str {
    match (status.1, status.2) {
        (0, 0) => "other or undefined status: the server gave no detail",
        (1, 0) => "other address status: something is wrong with an address",
        (1, 1) => "bad destination mailbox address: the mailbox does not exist",
        (1, 2) => "bad destination system address: the domain does not exist or cannot receive mail",
        (1, 3) => "bad destination mailbox address syntax: the address is not written correctly",
        (1, 4) => "destination mailbox address ambiguous: it matches several mailboxes",
        (1, 6) => "destination mailbox has moved, and no forwarding address is known",
        (1, 7) => "bad sender's mailbox address syntax",
        (1, 8) => "bad sender's system address: the sender's domain cannot receive replies",
        (1, 10) => "null MX: the recipient's domain declares that it accepts no mail at all (RFC 7505)",
        (2, 0) => "other or undefined mailbox status",
        (2, 1) => "mailbox disabled, not accepting messages",
        (2, 2) => "mailbox full: the recipient is over quota",
        (2, 3) => "message length exceeds an administrative limit of the mailbox",
        (2, 4) => "mailing list expansion problem",
        (3, 0) => "other or undefined mail system status",
        (3, 1) => "mail system full: the receiving server is out of storage",
        (3, 2) => "system not accepting network messages at the moment",
        (3, 4) => "message too big for the system (see the SIZE limit, RFC 1870)",
        (3, 5) => "system incorrectly configured",
        (4, 0) => "other or undefined network or routing status",
        (4, 1) => "no answer from host: the receiving server could not be reached",
        (4, 2) => "bad connection: the connection broke during delivery",
        (4, 3) => "directory server failure: a DNS lookup failed",
        (4, 4) => "unable to route: no mail server could be found for the domain",
        (4, 5) => "mail system congestion",
        (4, 6) => "routing loop detected: the message went around in circles between servers",
        (4, 7) => "delivery time expired: the message could not be delivered before it timed out",
        (5, 0) => "other or undefined protocol status",
        (5, 1) => "invalid command",
        (5, 2) => "syntax error in a command",
        (5, 3) => "too many recipients in one transaction",
        (5, 4) => "invalid command arguments",
        (6, 0) => "other or undefined media error: a problem with the message content",
        (6, 1) => "media not supported",
        (7, 0) => "other or undefined security or policy status",
        (7, 1) => "delivery not authorized, message refused by the receiving server's policy",
        (7, 8) => "authentication credentials invalid (RFC 4954)",
        (7, 20) => "no passing DKIM signature found (RFC 7372)",
        (7, 23) => "SPF validation failed: the sending server is not authorized by the sender domain's SPF record (RFC 7372)",
        (7, 24) => "SPF validation error: the SPF record could not be evaluated (RFC 7372)",
        (7, 25) => "reverse DNS validation failed for the sending server (RFC 7372)",
        (7, 26) => "multiple authentication checks failed (RFC 7372)",
        (1, _) => "addressing status: a problem with an address",
        (2, _) => "mailbox status: a problem with the recipient's mailbox",
        (3, _) => "mail system status: a problem with the receiving system",
        (4, _) => "network and routing status: a problem reaching the destination",
        (5, _) => "mail delivery protocol status: a problem in the SMTP conversation",
        (6, _) => "message content or media status",
        (7, _) => "security or policy status",
        _ => "unknown status code",
    }
}

/// What the sender can do about a status, in plain words.
pub fn advise_status(status: (u8, u16, u16)) -> &'static str {
    advise(status, Action::Delayed)
}

/// What the sender can do, for this status and this outcome: a transient status in a *failed*
/// report means the mail system has given up (RFC 3464 §2.3.3), so "it keeps trying" would be
/// wrong there.
pub fn advise(status: (u8, u16, u16), action: Action) -> &'static str {
    if status.0 == 4 && matches!(action, Action::Failed) {
        return match status.1 {
            2 => "The mailbox stayed full until the mail system gave up. Send the message again later, or reach the recipient another way.",
            4 => "The destination could not be reached for as long as the mail system kept trying. Send the message again later; if it keeps failing, the recipient's administrator must check their mail server and DNS.",
            _ => "The mail system gave up after temporary errors. Send the message again later, or reach the recipient another way.",
        };
    }
    match (status.0, status.1, status.2) {
        (2, _, _) => "Nothing: this is a success report.",
        (_, 1, 1) | (_, 1, 3) => "Check the spelling of the address, especially the part before the @.",
        (_, 1, 2) => "Check the domain part of the address (after the @).",
        (_, 1, 10) => "This domain does not receive email. Reach the recipient another way.",
        (_, 2, 2) => "The recipient has to make room. Try again later, or reach them another way.",
        (_, 2, 3) | (_, 3, 4) => "Send a smaller message: shrink or remove attachments, or share a link instead.",
        (_, 4, 6) => "Servers are forwarding the message in a circle. The recipient's administrator must fix the forwarding or MX setup.",
        (_, 7, 1) => "The receiving server refuses your mail by policy. Ask the recipient or their administrator why.",
        (_, 7, 23) | (_, 7, 24) => "Your domain's SPF record does not list the server that sent your mail. Your administrator must fix SPF.",
        (4, _, _) => "Nothing yet: this is a temporary problem and the mail system keeps trying.",
        (_, 4, _) => "The destination could not be reached. Try again later; if it persists, the recipient's administrator must check their mail server and DNS.",
        _ => "Check the address, or contact the recipient another way.",
    }
}

/// `type; value`, adding `default_type` when `value` does not start with an atom and ";"
/// (RFC 3464 §2.1.2 address-type, §2.2.2 mta-name-type, §2.3.6 diagnostic-type).
fn typed(value: &str, default_type: &str) -> String {
    let value = mime::one_line(value);
    let value = value.trim();
    let has_type = value.split_once(';').is_some_and(|(t, _)| {
        let t = t.trim();
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if has_type {
        value.to_string()
    } else {
        format!("{default_type}; {value}")
    }
}

/// The message/delivery-status body: per-message fields, a blank line, then one blank-line
/// separated group of per-recipient fields each (RFC 3464 §2.1), in the order of §2.2 and §2.3.
fn delivery_status_body(d: &Dsn) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(id) = &d.original_envelope_id {
        mime::put_header(&mut out, "Original-Envelope-Id", &mime::one_line(id));
        // §2.2.1
    }
    mime::put_header(&mut out, "Reporting-MTA", &typed(&d.reporting_mta, "dns")); // §2.2.2
    if let Some(mta) = &d.received_from_mta {
        mime::put_header(&mut out, "Received-From-MTA", &typed(mta, "dns")); // §2.2.4
    }
    if !d.arrival_date.is_empty() {
        mime::put_header(&mut out, "Arrival-Date", &mime::one_line(&d.arrival_date));
        // §2.2.5
    }
    for r in &d.recipients {
        out.extend_from_slice(b"\r\n"); // §2.1: groups are separated by a blank line
        if let Some(orcpt) = &r.original_recipient {
            mime::put_header(&mut out, "Original-Recipient", &typed(orcpt, "rfc822"));
            // §2.3.1
        }
        mime::put_header(&mut out, "Final-Recipient", &typed(&r.final_recipient, "rfc822")); // §2.3.2
        mime::put_header(&mut out, "Action", r.action.as_str()); // §2.3.3
        mime::put_header(&mut out, "Status", &format_status(r.status)); // §2.3.4
        if let Some(mta) = &r.remote_mta {
            mime::put_header(&mut out, "Remote-MTA", &typed(mta, "dns")); // §2.3.5
        }
        if let Some(diag) = &r.diagnostic {
            mime::put_header(&mut out, "Diagnostic-Code", &typed(diag, "smtp"));
            // §2.3.6
        }
        if let Some(date) = &r.last_attempt_date {
            mime::put_header(&mut out, "Last-Attempt-Date", &mime::one_line(date));
            // §2.3.7
        }
        if r.action == Action::Delayed {
            if let Some(until) = &r.will_retry_until {
                // §2.3.9: only for delayed reports
                mime::put_header(&mut out, "Will-Retry-Until", &mime::one_line(until));
            }
        }
    }
    out
}

/// The Subject: for a report, by its most serious action.
fn subject(d: &Dsn) -> &'static str {
    let any = |a: Action| d.recipients.iter().any(|r| r.action == a);
    if any(Action::Failed) {
        "Undelivered Mail Returned to Sender"
    } else if any(Action::Delayed) {
        "Delayed Mail (still being retried)"
    } else if any(Action::Delivered) {
        "Successful Mail Delivery Report"
    } else {
        "Mail Delivery Status Report"
    }
}

/// Word-wrap `text` to 72 columns, every line starting with `indent`.
fn wrap(out: &mut String, text: &str, indent: &str) {
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + word.len() > 72 {
            out.push_str(&line);
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

/// The host name inside `dns; host` (or the value itself).
fn mta_name(value: &str) -> &str {
    value.split_once(';').map_or(value, |(_, host)| host).trim()
}

/// What one recipient's status means, in a sentence about this recipient.
fn meaning(r: &DsnRecipient) -> String {
    let address = r.final_recipient.rsplit(';').next().unwrap_or("").trim();
    let address = address.trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, "its domain"));
    let code = r.diagnostic.as_deref().and_then(|d| {
        let d = d.rsplit_once("smtp;").map_or(d, |(_, rest)| rest).trim_start();
        let c = d.get(..3)?;
        c.bytes().all(|b| b.is_ascii_digit()).then_some(c)
    });
    let status = format_status(r.status);
    let cite = code.map_or(status.clone(), |c| format!("{c} {status}"));
    match (r.status.1, r.status.2) {
        _ if r.status.0 == 2 => format!("Everything went well ({cite})."),
        (1, 1) => format!("The mail server for {domain} said the mailbox \"{local}\" does not exist ({cite})."),
        (1, 2) => format!("The domain {domain} does not exist: DNS answered NXDOMAIN ({cite})."),
        (1, 10) => format!("The domain {domain} publishes a \"null MX\" record: it accepts no email at all ({cite}, RFC 7505)."),
        (2, 2) => format!("The mailbox {address} is full ({cite})."),
        _ => format!("{cite} means: {} (RFC 3463).", explain_status(r.status)),
    }
}

/// The human-readable first part: what happened, for whom, what it means, what to do.
fn human_text(d: &Dsn) -> String {
    let host = mta_name(&d.reporting_mta);
    let mut t = String::new();
    wrap(&mut t, &format!("This is the mail system at {host}."), "");
    t.push('\n');
    let intro = match subject(d) {
        "Undelivered Mail Returned to Sender" => {
            "I'm sorry to have to tell you that your message could not be delivered to one or more recipients. The details are below."
        }
        "Delayed Mail (still being retried)" => {
            "Your message has not been delivered yet to one or more recipients. This is only a warning: you do not need to send it again."
        }
        "Successful Mail Delivery Report" => {
            "Your message was delivered to the recipients below. You asked for this report when you sent it (NOTIFY=SUCCESS, RFC 3461)."
        }
        _ => "Here is the delivery status of your message.",
    };
    wrap(&mut t, intro, "");
    for r in &d.recipients {
        t.push('\n');
        let who = r.final_recipient.rsplit(';').next().unwrap_or("").trim();
        let until = r.will_retry_until.as_deref().unwrap_or("the end of the retry period");
        let what = match r.action {
            Action::Failed if r.status.0 == 4 => "delivery failed: I kept getting temporary errors and have now given up.".to_string(),
            Action::Failed => "delivery failed. This is a permanent error; I will not try again.".to_string(),
            Action::Delayed => format!("not delivered yet (a temporary error). I will keep trying until {until}."),
            Action::Delivered => "delivered to the recipient's mailbox.".to_string(),
            Action::Relayed => {
                "relayed to a system that does not send delivery reports; you will get no further report (RFC 3464 §2.3.3).".to_string()
            }
            Action::Expanded => "delivered to a mailing list or alias, which passed it on to its members (RFC 3464 §2.3.3).".to_string(),
        };
        wrap(&mut t, &format!("<{who}>: {what}"), "");
        if let Some(diag) = &r.diagnostic {
            let said = match &r.remote_mta {
                Some(mta) => format!("The mail server {} said:", mta_name(mta)),
                None => "The mail system reported:".to_string(),
            };
            wrap(&mut t, &said, "  ");
            t.push_str("    ");
            t.push_str(&mime::one_line(diag));
            t.push('\n');
        }
        if r.status.0 != 2 {
            wrap(&mut t, &format!("What it means: {}", meaning(r)), "  ");
            wrap(&mut t, &format!("What you can do: {}", advise(r.status, r.action)), "  ");
        }
    }
    t.push('\n');
    wrap(
        &mut t,
        "For programs, the second part of this report (message/delivery-status, RFC 3464) says the same; the third part is your original message or its headers.",
        "",
    );
    t
}

/// Write the DSN: `multipart/report; report-type=delivery-status` (RFC 6522 §3) with the human
/// explanation, the `message/delivery-status` part and the returned message or headers.
/// Deterministic: the same [`Dsn`] gives the same bytes.
pub fn build(d: &Dsn) -> Vec<u8> {
    let human = mime::text_part(&human_text(d));
    let mut status = b"Content-Type: message/delivery-status\r\n\r\n".to_vec(); // RFC 3464 §2
    status.extend(delivery_status_body(d));
    let full = d.ret == Return::Full && mime::identity_encoding(&d.original).is_some();
    let mut returned = Vec::new();
    if full {
        // RFC 2046 §5.2.1: message/rfc822 may only be 7bit, 8bit or binary.
        mime::put_header(&mut returned, "Content-Type", "message/rfc822");
        if !d.original.is_ascii() {
            mime::put_header(&mut returned, "Content-Transfer-Encoding", "8bit");
        }
        returned.extend_from_slice(b"\r\n");
        returned.extend_from_slice(&d.original);
    } else {
        // RFC 6522 §4: text/rfc822-headers for returning only the header section (also when the
        // original is not valid MIME to encapsulate whole).
        let block = mime::header_block(&d.original);
        mime::put_header(&mut returned, "Content-Type", "text/rfc822-headers");
        if !block.is_ascii() {
            mime::put_header(&mut returned, "Content-Transfer-Encoding", "8bit");
        }
        returned.extend_from_slice(b"\r\n");
        returned.extend_from_slice(block);
    }
    let parts = vec![human, status, returned];
    let boundary = mime::choose_boundary(&parts);

    let mut out = Vec::new();
    mime::put_header(&mut out, "From", &mime::one_line(&d.from));
    let to = mime::one_line(d.to.trim());
    let to = if to.starts_with('<') { to } else { format!("<{to}>") };
    mime::put_header(&mut out, "To", &to); // the envelope reverse-path (RFC 5321 §6.1)
    mime::put_header(&mut out, "Subject", subject(d));
    if !d.date.is_empty() {
        mime::put_header(&mut out, "Date", &mime::one_line(&d.date));
    }
    if !d.message_id.is_empty() {
        let id = mime::one_line(d.message_id.trim());
        let id = if id.starts_with('<') { id } else { format!("<{id}>") }; // RFC 5322 §3.6.4
        mime::put_header(&mut out, "Message-ID", &id);
    }
    mime::put_header(&mut out, "Auto-Submitted", "auto-replied"); // RFC 3834 §5
    mime::put_header(&mut out, "MIME-Version", "1.0");
    mime::put_header(
        &mut out,
        "Content-Type",
        &format!("multipart/report; report-type=delivery-status; boundary=\"{boundary}\""), // RFC 6522 §3
    );
    out.extend_from_slice(b"\r\n");
    mime::write_multipart_body(&mut out, &boundary, &parts);
    out
}

/// A `message/delivery-status` body read back: the per-message fields and one field list per
/// recipient, in order, values unfolded as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    pub per_message: Vec<Header>,
    pub recipients: Vec<Vec<Header>>,
}

impl DeliveryStatus {
    /// A per-message field by name (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        get(&self.per_message, name)
    }

    /// A field of recipient `index` by name (case-insensitive).
    pub fn recipient_field(&self, index: usize, name: &str) -> Option<&str> {
        get(self.recipients.get(index)?, name)
    }
}

fn get<'a>(fields: &'a [Header], name: &str) -> Option<&'a str> {
    fields.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
}

/// Read a `message/delivery-status` body (RFC 3464 §2.1). Errors, with a line number, when the
/// required fields are missing or malformed: Reporting-MTA (§2.2.2), at least one recipient
/// group, and in each Final-Recipient, Action and Status (§2.3). Extension fields are kept.
pub fn parse_delivery_status(body: &[u8]) -> Result<DeliveryStatus, String> {
    let mut groups: Vec<Vec<Header>> = Vec::new();
    let mut rest = body;
    let mut line = 1;
    loop {
        // blank lines between (or before) groups
        while let Some(after) = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n")) {
            rest = after;
            line += 1;
        }
        if rest.is_empty() {
            break;
        }
        let mut problems = Vec::new();
        let scan = mime::scan_headers(rest, line, &mut problems);
        if let Some(p) = problems.into_iter().next() {
            return Err(p);
        }
        if scan.headers.is_empty() {
            return Err(format!("line {line}: expected a field"));
        }
        groups.push(scan.headers);
        rest = rest.get(scan.body_start..).unwrap_or(&[]);
        line = scan.body_line;
    }
    let mut groups = groups.into_iter();
    let per_message = groups.next().ok_or("empty delivery-status: no per-message fields (RFC 3464 §2.1)")?;
    if get(&per_message, "Reporting-MTA").is_none() {
        let at = per_message.first().map_or(1, |h| h.line);
        return Err(format!("line {at}: per-message fields lack Reporting-MTA (RFC 3464 §2.2.2)"));
    }
    let recipients: Vec<Vec<Header>> = groups.collect();
    if recipients.is_empty() {
        return Err("no per-recipient fields (RFC 3464 §2.1)".into());
    }
    for group in &recipients {
        let at = group.first().map_or(1, |h| h.line);
        for name in ["Final-Recipient", "Action", "Status"] {
            if get(group, name).is_none() {
                return Err(format!("line {at}: recipient group lacks {name} (RFC 3464 §2.3)"));
            }
        }
        if let Some(a) = group.iter().find(|h| h.name.eq_ignore_ascii_case("Action")) {
            if Action::parse(&a.value).is_none() {
                return Err(format!(
                    "line {}: Action \"{}\" is not failed/delayed/delivered/relayed/expanded (RFC 3464 §2.3.3)",
                    a.line, a.value
                ));
            }
        }
        if let Some(s) = group.iter().find(|h| h.name.eq_ignore_ascii_case("Status")) {
            if parse_status(&s.value).is_none() {
                return Err(format!("line {}: Status \"{}\" is not an RFC 3463 code", s.line, s.value));
            }
        }
    }
    Ok(DeliveryStatus { per_message, recipients })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(parse_status("5.1.1"), Some((5, 1, 1)));
        assert_eq!(parse_status("4.7.23 (spf)"), Some((4, 7, 23)));
        for bad in ["", "5.1", "3.1.1", "5.01.1", "5.1.1000", "5.1.1.1", "x.1.1", "05.1.1"] {
            assert_eq!(parse_status(bad), None, "{bad}");
        }
        assert_eq!(format_status((5, 7, 23)), "5.7.23");
        assert!(explain_status((5, 1, 1)).contains("mailbox does not exist"));
        assert!(explain_status((5, 1, 10)).contains("RFC 7505"));
        assert!(explain_status((4, 4, 99)).contains("routing"));
    }

    #[test]
    fn typed_values() {
        assert_eq!(typed("relay.example.com", "dns"), "dns; relay.example.com");
        assert_eq!(typed("dns; relay.example.com", "dns"), "dns; relay.example.com");
        assert_eq!(typed("rfc822;bob@example.org", "rfc822"), "rfc822;bob@example.org");
        assert_eq!(typed("550 5.1.1 no; really", "smtp"), "smtp; 550 5.1.1 no; really");
    }

    #[test]
    fn parse_errors_are_located() {
        assert!(parse_delivery_status(b"").is_err());
        let e = parse_delivery_status(b"Arrival-Date: x\r\n\r\nFinal-Recipient: rfc822; a@b\r\n").unwrap_err();
        assert!(e.contains("Reporting-MTA"), "{e}");
        let e = parse_delivery_status(b"Reporting-MTA: dns; a\r\n").unwrap_err();
        assert!(e.contains("per-recipient"), "{e}");
        let e = parse_delivery_status(b"Reporting-MTA: dns; a\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: bounced\r\nStatus: 5.1.1\r\n")
            .unwrap_err();
        assert!(e.starts_with("line 4:"), "{e}");
    }
}
