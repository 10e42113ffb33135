//! Troubleshooting cards: the problems people really meet, each as symptom → what happens on
//! the wire → cause → fix, with the words mail programs show, and the built-in scenario that
//! reproduces it. The card names the step to open by an anchor (like a lesson question); what
//! is on the wire there is read from the trace ([`wire`]), so a card cannot quote a reply the
//! scenario does not send (a test resolves every card).

use super::facts;
use super::spec::Anchor;
use crate::sim::trace::Trace;

/// One troubleshooting card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// Stable id, used in `?card=ID`.
    pub id: &'static str,
    /// What the user sees or says.
    pub symptom: &'static str,
    /// What mail programs show, word for word where it is well known.
    pub says: &'static [&'static str],
    pub cause: &'static str,
    pub fix: &'static str,
    /// The built-in scenario that reproduces it.
    pub scenario: &'static str,
    /// The step to open: the event that shows the problem.
    pub on: &'static str,
    pub node: Option<&'static str>,
}

impl Card {
    fn anchor(&self) -> Anchor {
        Anchor { on: self.on.to_string(), node: self.node.map(str::to_string), nth: 1 }
    }
}

/// What a card's scenario shows on the wire: the step (0-based) and its label and meaning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    pub step: usize,
    pub label: String,
    pub meaning: String,
}

/// The event a card opens, read from its scenario's trace (`None` if the anchor is gone: a
/// test checks that it never is for the built-in cards).
pub fn wire(card: &Card, trace: &Trace) -> Option<Wire> {
    let step = facts::find(trace, &card.anchor())?;
    let e = &trace.events[step];
    Some(Wire { step, label: e.label.lines().next().unwrap_or_default().to_string(), meaning: e.meaning().into_owned() })
}

/// A card by id.
pub fn card(id: &str) -> Option<&'static Card> {
    CARDS.iter().find(|c| c.id == id)
}

/// Every card, most common problem first.
pub const CARDS: &[Card] = &[
    Card {
        id: "cannot-connect",
        symptom: "“Cannot connect to the server”: the message stays in the outbox.",
        says: &[
            "Outlook: Sending reported error (0x800CCC0E): 'Cannot connect to the server. If you continue to receive this message, contact your server administrator or Internet service provider (ISP).'",
            "Thunderbird: Sending of the message failed. The message could not be sent because connecting to Outgoing server (SMTP) failed. The server may be unavailable or is refusing SMTP connections.",
        ],
        cause: "No SMTP session ever starts: the server name does not resolve (a typo: DNS says NXDOMAIN), the server is down, or the network blocks the port (many providers block outgoing port 25 to stop spam bots; a firewall can do the same).",
        fix: "Check the outgoing server's name letter by letter; use the submission port 587 with STARTTLS and a login (or 465 with TLS) instead of 25; ask whether a firewall blocks the port. Nothing was sent, so nobody sends a bounce: the mail program itself must tell you.",
        scenario: "client-cannot-connect",
        on: "connect-failed",
        node: None,
    },
    Card {
        id: "message-came-back",
        symptom: "“My message came back”: a mail from MAILER-DAEMON, “Undelivered Mail Returned to Sender”.",
        says: &["Subject: Undelivered Mail Returned to Sender (Postfix); Delivery Status Notification (Failure) (Gmail); Undeliverable: … (Exchange)."],
        cause: "A server accepted the message and later could not deliver it; it reports that with a delivery status notification (RFC 3464) from the null sender <>. Read its Status: (5.1.1: no such mailbox), its Diagnostic-Code: (the remote server's own words) and Reporting-MTA: (who writes to you — not the server that refused).",
        fix: "Fix what the Diagnostic-Code says: here the address “nobody” does not exist at example.org; check the spelling of the part before the @.",
        scenario: "unknown-user-bounce",
        on: "bounce-created",
        node: None,
    },
    Card {
        id: "password-rejected",
        symptom: "The mail program keeps asking for the password, or says the login failed.",
        says: &["The server's reply, which mail programs quote: 535 5.7.8 Authentication credentials invalid."],
        cause: "The submission server checked the user name and password sent with AUTH and refused them (RFC 4954 §6: 535). The session goes on, but the server will not take mail from this client.",
        fix: "Check the user name (often the whole address) and the password in the account's outgoing-server settings; some providers want an app password when two-factor login is on.",
        scenario: "auth-submission",
        on: "auth.failed",
        node: None,
    },
    Card {
        id: "starttls-first",
        symptom: "“Must issue a STARTTLS command first”: the message is refused before it is sent.",
        says: &["The server's reply, which mail programs quote: 530 5.7.0 Must issue a STARTTLS command first."],
        cause: "The submission server only takes mail over an encrypted connection (RFC 3207 §4); the account is set to no encryption, so the client sent MAIL in plain text and was refused.",
        fix: "Set the outgoing server's security to STARTTLS on port 587 (or SSL/TLS on 465), and turn on authentication.",
        scenario: "starttls-required",
        on: "starttls.required",
        node: None,
    },
    Card {
        id: "relay-access-denied",
        symptom: "“Relay access denied” when sending to an address at another domain.",
        says: &["Outlook: The server responded: 550 5.7.1 Relay access denied (Error Number: 0x800CCC79); some servers say 554 5.7.1 instead."],
        cause: "The server is not the recipient's and does not know this client: it will not pass mail on for strangers (an open relay would carry spam, RFC 5321 §3.6.1, §7.1). The client is using someone else's server, or has not logged in.",
        fix: "Send through your own provider's submission server (port 587) with authentication turned on.",
        scenario: "relay-denied",
        on: "rcpt.relay_denied",
        node: None,
    },
    Card {
        id: "mail-delayed",
        symptom: "“My mail arrived an hour late”, or a warning “Delivery delayed”.",
        says: &["The sending server's log and its delay warning quote the reply: 451 4.7.1 Greylisted, please try again later."],
        cause: "The receiving server answered with a temporary (4yz) refusal — greylisting refuses unknown senders once — so the sending server kept the message in its queue and tried again later (RFC 5321 §4.5.4.1). A destination that is down gives the same delay, and after days an expiry bounce.",
        fix: "Nothing to do for greylisting: the retry goes through. For a long delay, read the warning: it names the server that could not be reached.",
        scenario: "greylisting-retry",
        on: "greylisted",
        node: None,
    },
    Card {
        id: "mailbox-full",
        symptom: "“Mailbox full”: one recipient's mail comes back, another's is only delayed.",
        says: &["452 4.2.2 Mailbox full, try again later (temporary: the sender retries) or 552 5.2.2 Mailbox full (permanent: it bounces)."],
        cause: "The recipient's server has no room for this mailbox. With 452 (RFC 5321 §4.2.3) the sender keeps the message and retries; with 552 it gives up and bounces at once.",
        fix: "The recipient must make room; the sender can only wait for the retry (452) or send again later (552).",
        scenario: "mailbox-full",
        on: "mailbox_full",
        node: None,
    },
    Card {
        id: "fails-spf",
        symptom: "“My mail is marked as spam” or refused with an SPF error.",
        says: &["The receiving server's reply: 550 5.7.23 SPF validation failed; Gmail and Outlook show the result in the message header as spf=fail."],
        cause: "The receiving server asked DNS for the sender domain's SPF record (RFC 7208) and the sending server's address is not in it: to the receiver it looks like a forged sender.",
        fix: "Send through the servers your domain's SPF record lists (your provider's submission server), or have the domain's owner add the server you really use.",
        scenario: "spf-spoof",
        on: "mail.spf_fail",
        node: None,
    },
    Card {
        id: "second-device-no-mail",
        symptom: "“I get my mail on my laptop but not on my phone”: the phone's inbox stays empty.",
        says: &[
            "The phone shows no new mail and no error: its IMAP SELECT is answered * 0 EXISTS.",
            "The laptop's account is POP3 with “Leave a copy of messages on the server” (Outlook) or “Leave messages on server” (Thunderbird) turned off.",
        ],
        cause: "The laptop reads the mailbox with POP3, which downloads each message and deletes it from the server when the session ends (QUIT enters the UPDATE state, RFC 1939 §6). When the phone logs in, the server has nothing left to show.",
        fix: "Use IMAP on every device (the mail stays on the server and all devices see the same messages and flags), or turn on “leave messages on the server” in the laptop's POP3 account.",
        scenario: "laptop-pop3-phone-imap",
        on: "data.exists",
        node: Some("phone"),
    },
    Card {
        id: "incoming-password-rejected",
        symptom: "The mail program cannot download mail and asks for the password again; sending still works.",
        says: &["The incoming server's reply: -ERR [AUTH] invalid user name or password (POP3, RFC 2449 §8.1); IMAP says NO [AUTHENTICATIONFAILED]."],
        cause: "The incoming (POP3 or IMAP) account has a wrong password: the server refuses the login and the mail program gets nothing. Sending uses a separate outgoing (SMTP) account, which may still be right.",
        fix: "Correct the password of the incoming account (POP3 or IMAP settings), not only the outgoing one; with two-factor login, use an app password.",
        scenario: "pop3-wrong-password",
        on: "login.failed",
        node: None,
    },
    Card {
        id: "message-too-large",
        symptom: "A message with a large attachment comes back.",
        says: &["552 5.3.4 Message size exceeds fixed maximum message size."],
        cause: "The receiving server announced its limit with SIZE in its EHLO reply, and the sender declared a larger size on MAIL FROM, so it was refused before the data was sent (RFC 1870).",
        fix: "Send a link to the file instead, or split it; the receiving side's limit is not yours to change.",
        scenario: "message-too-large",
        on: "size.declared",
        node: None,
    },
];
