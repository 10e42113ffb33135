//! The data of a scenario: what a scenario file says (topology, DNS, policies, faults, messages,
//! clock), as serde types with their defaults. Read from TOML by `scenario.rs` (native), and
//! written/read as postcard for the precompiled built-ins and for share links.
//!
//! Only plain data here, depending on nothing but `clock::Span` and `dns::Zone`: `build.rs`
//! compiles this file (with `clock.rs`, `dns.rs`, `rng.rs`) to precompile the built-ins, so the
//! build and the page read and write the very same types.
//!
//! postcard is not self-describing: a field's position is its name. Adding, removing or
//! reordering a field here changes the binary form, so the built-ins are simply rebuilt, and
//! share links must bump their version (`tests/share.rs` keeps a fixed link that fails first).
//! No `skip_serializing_if` here: postcard cannot skip a field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock::Span;
use super::dns::Zone;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short id, `[a-z0-9-]+`, used in URLs and on the command line.
    pub id: String,
    pub title: String,
    /// What the student should learn, one or two sentences.
    pub goal: String,
    /// Seeds every random choice (MX ties); the same seed gives the same trace.
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub clock: ClockSettings,
    #[serde(rename = "node")]
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub dns: Zone,
    #[serde(default, rename = "message")]
    pub messages: Vec<MessageSpec>,
    /// Short story lines attached to the first trace event with a matching key.
    #[serde(default, rename = "narration")]
    pub narration: Vec<Narration>,
    /// Mail programs that read mail from a server with POP3 or IMAP (the pull half of e-mail).
    #[serde(default, rename = "pull")]
    pub pulls: Vec<PullSpec>,
}

fn default_seed() -> u64 {
    1
}

/// How virtual time behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSettings {
    /// Wall-clock date of virtual time zero, for Date:, Received: and DSN dates.
    pub start: String,
    /// One-way latency of every link.
    pub latency: Span,
    /// Delays between delivery attempts after a temporary failure; the last delay repeats.
    /// Default RFC 5321 §4.5.4.1: at least 30 minutes, "two connection attempts in the first
    /// hour ..., and then backing off to one every two or three hours". A demo may compress
    /// time; shorter values are said on screen (`trace::Shortcut`).
    pub retry: Vec<Span>,
    /// Give up and bounce after the message has been queued this long (default: 5 days;
    /// §4.5.4.1: "at least 4-5 days").
    pub expire_after: Span,
    /// Send a "delayed" DSN once, when a message has waited this long (RFC 3464 Action: delayed).
    pub delay_warning_after: Option<Span>,
    /// How long a client waits for a connection or a reply before giving up (§4.5.3.2).
    pub timeout: Span,
    /// Loop detection threshold: reject a message with this many `Received:` lines (default
    /// 100, RFC 5321 §6.3: "normally at least 100"; a lower value is said on screen).
    pub max_received: usize,
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings {
            start: "2026-11-28T09:00:00Z".into(),
            latency: Span(20),
            retry: vec![Span::mins(30), Span::mins(120)],
            expire_after: Span(5 * 86_400_000),
            delay_warning_after: None,
            timeout: Span::secs(30),
            max_received: 100,
        }
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A mail program (MUA): composes messages and submits them to its configured server.
    Client,
    /// A mail server (MTA): submission server, relay, destination MX, or several of these.
    Server,
}

/// A login, for a client's credentials or a server's accounts (RFC 4954).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub user: String,
    pub password: String,
}

/// A static route that overrides MX lookup: "mail for `domain` goes to `via`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticRoute {
    pub domain: String,
    pub via: String,
}

/// Mailbox-full behaviour (RFC 3463 X.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fullness {
    /// 452 4.2.2: over quota for now, the sender's server retries.
    Temporary,
    /// 552 5.2.2: over quota, give up.
    Permanent,
}

/// A mailbox that is full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullMailbox {
    pub mailbox: String,
    pub kind: Fullness,
}

/// One node of the world. Client-only and server-only fields are checked by `validate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Short id, `[a-z0-9-]+`, unique in the scenario.
    pub id: String,
    pub kind: NodeKind,
    /// Display name ("Alice's laptop", "Relay of example.com").
    #[serde(default)]
    pub name: String,
    /// The node's host name.
    pub host: String,
    /// The node's IP address.
    pub address: String,

    // ---- client (mail program) ----
    /// The host name of the server the mail program submits to.
    #[serde(default)]
    pub server: Option<String>,
    /// The port it connects to: 587 (submission, RFC 6409) or 25.
    #[serde(default)]
    pub port: Option<u16>,
    /// Credentials the mail program uses with AUTH (RFC 4954).
    #[serde(default)]
    pub login: Option<Login>,
    /// The client's network blocks outgoing connections to these ports (ISPs often block 25).
    #[serde(default)]
    pub blocked_ports: Vec<u16>,

    // ---- server (MTA) ----
    /// Ports the server listens on. 25: relay/MX; 587: submission with AUTH.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Domains this server is the final destination for.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Mailboxes it delivers to (full addresses in `domains`). Postmaster always exists.
    #[serde(default)]
    pub mailboxes: Vec<String>,
    /// Accounts accepted by AUTH PLAIN / LOGIN.
    #[serde(default)]
    pub accounts: Vec<Login>,
    /// Client networks allowed to relay (CIDR, e.g. "192.0.2.0/24").
    #[serde(default)]
    pub relay_from: Vec<String>,
    /// Clients that authenticated may relay (the usual submission rule).
    #[serde(default = "yes")]
    pub relay_authenticated: bool,
    /// Domains this server accepts from anyone and passes on (a backup MX, RFC 5321 §5.1).
    #[serde(default)]
    pub relay_domains: Vec<String>,
    /// Relays for anyone: the misconfiguration spammers look for (RFC 5321 §7.1).
    #[serde(default)]
    pub open_relay: bool,
    /// On port 587, AUTH is required before MAIL (RFC 6409 §4.3).
    #[serde(default = "yes")]
    pub submission_requires_auth: bool,
    /// Server: offers STARTTLS (RFC 3207), simulated. Client: uses it when offered.
    #[serde(default = "yes")]
    pub starttls: bool,
    /// Requires STARTTLS before MAIL (530 5.7.0); fine for submission, wrong for a public MX.
    #[serde(default)]
    pub require_tls: bool,
    /// Advertised SIZE limit in octets (RFC 1870).
    #[serde(default = "default_size_limit")]
    pub size_limit: u64,
    #[serde(default = "yes")]
    pub pipelining: bool,
    /// Offers ENHANCEDSTATUSCODES (RFC 2034) and then prefixes its replies with RFC 3463 codes,
    /// in EHLO and HELO sessions alike (§3). `false` gives the bare codes of RFC 5321 Appendix D.
    #[serde(default = "yes")]
    pub enhanced_status_codes: bool,
    /// Offers SMTPUTF8 (RFC 6531): UTF-8 mailboxes in transactions with the SMTPUTF8 parameter.
    #[serde(default)]
    pub smtputf8: bool,
    /// Offers DSN (RFC 3461): accepts NOTIFY/ORCPT on RCPT and RET/ENVID on MAIL, passes them on
    /// when it relays, and reports as they ask.
    #[serde(default)]
    pub dsn: bool,
    /// Checks the sender domain's SPF record (RFC 7208) at MAIL FROM.
    #[serde(default)]
    pub spf: bool,
    /// Signs the mail it sends for its own domains with DKIM (RFC 6376): its key's public half is
    /// published in the simulated DNS as `selector._domainkey.<first domain>` TXT.
    #[serde(default)]
    pub dkim: Option<DkimSigning>,
    /// Checks incoming mail like a receiving MX does: DKIM signatures (RFC 6376 §6), the From:
    /// domain's DMARC policy (RFC 7489, applied: `p=reject` refuses the message with 550 5.7.26,
    /// `p=quarantine` files it as junk), and adds `Authentication-Results:` (RFC 8601).
    #[serde(default)]
    pub dmarc: bool,
    /// Aliases that forward to another address, keeping the envelope sender (like `.forward`):
    /// the classic way forwarding breaks SPF.
    #[serde(default)]
    pub forward: Vec<Forward>,
    /// Mailing lists this server runs: it resends each post to the members from its own
    /// envelope sender, with a Subject: prefix and a footer — the classic way a list breaks DKIM.
    #[serde(default)]
    pub lists: Vec<MailingList>,
    /// Greylisting (RFC 6647): refuse the first attempt of each (client, sender, recipient)
    /// with 451 4.7.1 and accept a retry after this long.
    #[serde(default)]
    pub greylist: Option<Span>,
    /// Static routes (tried before MX lookup).
    #[serde(default)]
    pub routes: Vec<StaticRoute>,

    // ---- faults ----
    /// The host is down: connections are refused.
    #[serde(default)]
    pub down: bool,
    /// The host is down until this virtual time, then comes back.
    #[serde(default)]
    pub down_until: Option<Span>,
    /// The host does not answer: connections time out.
    #[serde(default)]
    pub unreachable: bool,
    /// The server greets with 421 and closes (shutting down, §3.8).
    #[serde(default)]
    pub shutting_down: bool,
    /// Mailboxes that are over quota.
    #[serde(default)]
    pub full: Vec<FullMailbox>,

    // ---- how the server words things (RFC 5321 Appendix D) ----
    /// The free text of replies, by catalogue key (`"mail.ok" = "OK"`). Each `{}` is filled, in
    /// order, with what the catalogue's own text is filled with (the host, the address, …).
    /// The code, the meaning and the explanation stay the catalogue's (RFC 5321 §4.2: clients
    /// act on the code; the text is the server's own).
    #[serde(default)]
    pub replies: BTreeMap<String, String>,
    /// The EHLO keyword lines, exactly and in this order (RFC 5321 §4.1.1.1), chosen from
    /// PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, DSN, STARTTLS, AUTH, VRFY and
    /// HELP. The server offers only what is listed, and a keyword with its own option
    /// (`pipelining`, `starttls`, `enhanced_status_codes`, `smtputf8`, `dsn`, AUTH's accounts on
    /// port 587) only when that is on too. `"SIZE"` alone announces no fixed limit (RFC 1870 §4).
    #[serde(default)]
    pub extensions: Option<Vec<String>>,
    /// The `Received:` line it adds, as a template: `{helo}`, `{client_host}`,
    /// `{client_address}`, `{host}`, `{with}`, `{id}`, `{date}` (or its two halves `{date_day}`
    /// `Thu, 21 May 1998` and `{date_time}` `05:33:29 -0700`). A line break followed by white
    /// space folds the field there (RFC 5322 §2.2.3).
    #[serde(default)]
    pub received: Option<String>,
    /// Full names of mailboxes; VRFY answers from them (RFC 5321 §3.5.1): one match 250
    /// `Name <mailbox>`, several 553, none 550. Without, VRFY gets 252 (§3.5.3).
    #[serde(default)]
    pub full_names: Vec<FullName>,
}

/// A mailbox's owner, for VRFY.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullName {
    pub mailbox: String,
    pub name: String,
}

/// How a server signs (RFC 6376 §3.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkimSigning {
    /// `s=`: the key's name under `_domainkey`.
    pub selector: String,
    #[serde(default)]
    pub algorithm: DkimAlgorithm,
    /// `false`: the key record is not published (the receiver finds no key), or the scenario's
    /// own `[[dns.txt]]` at the key's name is used instead (a wrong or revoked key).
    #[serde(default = "yes")]
    pub publish: bool,
}

/// `a=` (RFC 6376 §3.3, RFC 8463).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DkimAlgorithm {
    #[default]
    Ed25519Sha256,
    RsaSha256,
}

/// An alias that forwards (`from` is one of the node's addresses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forward {
    pub from: String,
    pub to: String,
}

/// A mailing list run by a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailingList {
    /// The list's address (`club@lists.example.net`).
    pub address: String,
    pub members: Vec<String>,
    /// Put in front of the Subject: (`[club]`); empty: unchanged.
    #[serde(default)]
    pub subject_prefix: String,
    /// Appended to the body; empty: none.
    #[serde(default)]
    pub footer: String,
}

fn yes() -> bool {
    true
}

fn default_size_limit() -> u64 {
    10 * 1024 * 1024
}

/// An attachment of a message: text or base64 content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSpec {
    pub filename: String,
    #[serde(default = "default_attachment_type")]
    pub content_type: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub base64: Option<String>,
}

fn default_attachment_type() -> String {
    "application/octet-stream".into()
}

/// A message a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSpec {
    /// The id of the client node that submits it.
    pub client: String,
    /// When the user presses "Send".
    #[serde(default)]
    pub at: Span,
    /// The `From:` header, e.g. `"Alice <alice@example.com>"`.
    pub from: String,
    /// The envelope sender (MAIL FROM); by default the address in `from`. Bounces go here.
    #[serde(default)]
    pub envelope_from: Option<String>,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default, rename = "attachment")]
    pub attachments: Vec<AttachmentSpec>,
    /// Adds filler lines to the body until the message has about this many octets (to show SIZE).
    #[serde(default)]
    pub pad_to: Option<u64>,
    /// The DSN options the mail program asks for (RFC 3461), sent when its server offers DSN.
    #[serde(default)]
    pub dsn: Option<DsnRequest>,
    /// The message content exactly as sent (header and body), instead of the one built from
    /// `from`, `subject`, `body`, …: for the RFC's own examples. Leave those out with it.
    #[serde(default)]
    pub data: Option<String>,
    /// Strings the mail program checks with VRFY before the transaction (RFC 5321 §3.5.1).
    #[serde(default)]
    pub vrfy: Vec<String>,
    /// If a recipient is refused, abandon the transaction: RSET instead of DATA (RFC 5321
    /// §4.1.1.5, Appendix D.2). The message is not sent to anyone; the others are not tried.
    #[serde(default)]
    pub abort_if_refused: bool,
}

/// When to send a delivery status notification, per recipient (RFC 3461 §4.1 `NOTIFY=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DsnNotify {
    /// A "delivered" (or "relayed") report when the message arrives.
    Success,
    /// A "failed" report when it cannot be delivered.
    Failure,
    /// A "delayed" report while it waits in a queue.
    Delay,
    /// No report at all; must stand alone.
    Never,
}

/// What a DSN returns of the message (RFC 3461 §4.3 `RET=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DsnRet {
    Full,
    Hdrs,
}

/// The DSN parameters of one message (RFC 3461 §4): NOTIFY and ORCPT on every RCPT, RET and
/// ENVID on MAIL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsnRequest {
    /// `NOTIFY=` for every recipient; empty: not given (the server's default, failures and
    /// delays).
    #[serde(default)]
    pub notify: Vec<DsnNotify>,
    #[serde(default)]
    pub ret: Option<DsnRet>,
    /// `ENVID=`: the sender's own identifier of this message, returned in every DSN.
    #[serde(default)]
    pub envid: Option<String>,
    /// Send `ORCPT=rfc822;<address>` with each recipient as written in `to`/`cc`.
    #[serde(default)]
    pub orcpt: bool,
}

/// A line of story told at the first event whose key matches `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narration {
    pub on: String,
    pub text: String,
    /// Only events sent or received by this node (its id) match.
    #[serde(default)]
    pub node: Option<String>,
}

/// The retrieval protocol a mail program reads its mailbox with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullProtocol {
    /// POP3 (RFC 1939), port 110: download, usually then delete.
    Pop3,
    /// IMAP (RFC 9051), port 143: read on the server, flags shared by every device.
    Imap,
}

/// How a POP3 mail program logs in (RFC 1939 §7, RFC 5034).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullLogin {
    /// USER and PASS: the password in clear (RFC 1939 §7).
    #[default]
    User,
    /// APOP: an MD5 digest of the greeting's timestamp and the password (RFC 1939 §7).
    Apop,
    /// AUTH PLAIN (RFC 5034, RFC 4616).
    Plain,
}

/// Which part of a new message an IMAP mail program downloads (after its BODYSTRUCTURE).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullPart {
    /// The whole message (`BODY.PEEK[]`).
    #[default]
    Whole,
    /// The first text part.
    Text,
    /// The first attachment only (a phone saving data).
    Attachment,
}

/// A mail program that pulls mail: at each time in `at` it connects to `server` with
/// `protocol`, logs in as `user` and fetches what is new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullSpec {
    /// The id of the client node that reads (a laptop, a phone).
    pub client: String,
    /// The id of the server node that holds the mailbox (it must listen on 110 or 143).
    pub server: String,
    pub protocol: PullProtocol,
    /// The account name (`bob`, or the address `bob@example.org`).
    pub user: String,
    pub password: String,
    /// When the program checks for mail, one session each time.
    pub at: Vec<Span>,
    /// POP3: keep the messages on the server and download only those whose UIDL id is new
    /// (Thunderbird's "leave messages on server"); `false` downloads and deletes.
    #[serde(default)]
    pub leave_on_server: bool,
    /// POP3: how to log in.
    #[serde(default)]
    pub login: PullLogin,
    /// POP3: send STLS first when the server offers it (RFC 2595). IMAP always does STARTTLS
    /// when the server says LOGINDISABLED (RFC 9051 §6.2.3).
    #[serde(default = "yes")]
    pub tls: bool,
    /// IMAP: what to download of each unseen message.
    #[serde(default)]
    pub fetch: PullPart,
    /// IMAP: set \Seen on each message fetched (`BODY.PEEK` does not), so other devices see
    /// it as read.
    #[serde(default = "yes")]
    pub mark_seen: bool,
    /// IMAP: after fetching, wait in IDLE (RFC 2177) this long for new mail, fetch it when
    /// the server announces it, then log out.
    #[serde(default)]
    pub idle: Option<Span>,
}
