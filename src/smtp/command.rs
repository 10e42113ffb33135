//! SMTP commands as data: every command of RFC 5321 §4.1.1 and the ESMTP commands smtp-sim
//! supports (STARTTLS RFC 3207, AUTH RFC 4954, BDAT RFC 3030), with the MAIL/RCPT parameters of
//! SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN (RFC 3461) and AUTH (RFC 4954 §5).
//!
//! Plain data: `parse` turns a command line into a [`Command`], `encode` turns it back.

use serde::{Deserialize, Serialize};

use super::address::{Domain, ForwardPath, Host, ReversePath};

/// One SMTP command line (without its CRLF).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF` (RFC 5321 §4.1.1.1)
    Ehlo(Host),
    /// `helo = "HELO" SP Domain CRLF` (RFC 5321 §4.1.1.1)
    Helo(Domain),
    /// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF` (RFC 5321 §4.1.1.2)
    Mail { from: ReversePath, params: MailParams },
    /// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
    /// [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3)
    Rcpt { to: ForwardPath, params: RcptParams },
    /// `data = "DATA" CRLF` (RFC 5321 §4.1.1.4)
    Data,
    /// `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF` (RFC 3030 §2)
    Bdat { size: u64, last: bool },
    /// `rset = "RSET" CRLF` (RFC 5321 §4.1.1.5)
    Rset,
    /// `vrfy = "VRFY" SP String CRLF` (RFC 5321 §4.1.1.6)
    Vrfy(String),
    /// `expn = "EXPN" SP String CRLF` (RFC 5321 §4.1.1.7)
    Expn(String),
    /// `help = "HELP" [ SP String ] CRLF` (RFC 5321 §4.1.1.8)
    Help(Option<String>),
    /// `noop = "NOOP" [ SP String ] CRLF` (RFC 5321 §4.1.1.9)
    Noop(Option<String>),
    /// `quit = "QUIT" CRLF` (RFC 5321 §4.1.1.10)
    Quit,
    /// `starttls = "STARTTLS" CRLF` (RFC 3207 §4)
    StartTls,
    /// `auth-command = "AUTH" SP sasl-mech [SP initial-response] CRLF` (RFC 4954 §4).
    /// `initial` is the base64 text as sent (`=` for an empty response).
    Auth { mechanism: String, initial: Option<String> },
}

/// The verb of a command, for state tables, catalogue keys and error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verb {
    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    StartTls,
    Auth,
}

impl Verb {
    /// Every verb, in catalogue order.
    pub const ALL: [Verb; 14] = [
        Verb::Ehlo,
        Verb::Helo,
        Verb::Mail,
        Verb::Rcpt,
        Verb::Data,
        Verb::Bdat,
        Verb::Rset,
        Verb::Vrfy,
        Verb::Expn,
        Verb::Help,
        Verb::Noop,
        Verb::Quit,
        Verb::StartTls,
        Verb::Auth,
    ];

    /// The verb as it is written on the wire (upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Ehlo => "EHLO",
            Verb::Helo => "HELO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Bdat => "BDAT",
            Verb::Rset => "RSET",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Noop => "NOOP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
        }
    }
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::Ehlo(_) => Verb::Ehlo,
            Command::Helo(_) => Verb::Helo,
            Command::Mail { .. } => Verb::Mail,
            Command::Rcpt { .. } => Verb::Rcpt,
            Command::Data => Verb::Data,
            Command::Bdat { .. } => Verb::Bdat,
            Command::Rset => Verb::Rset,
            Command::Vrfy(_) => Verb::Vrfy,
            Command::Expn(_) => Verb::Expn,
            Command::Help(_) => Verb::Help,
            Command::Noop(_) => Verb::Noop,
            Command::Quit => Verb::Quit,
            Command::StartTls => Verb::StartTls,
            Command::Auth { .. } => Verb::Auth,
        }
    }
}

/// `BODY=` of RFC 6152 §2 (and `BINARYMIME` of RFC 3030, recognised but not advertised).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Body {
    SevenBit,
    EightBitMime,
    BinaryMime,
}

/// `RET=` of RFC 3461 §4.3: return the full message or only its headers in a DSN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ret {
    Full,
    Hdrs,
}

/// `NOTIFY=` of RFC 3461 §4.1: `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notify {
    Never,
    On { success: bool, failure: bool, delay: bool },
}

/// An ESMTP parameter the parser does not know: `esmtp-keyword ["=" esmtp-value]`
/// (RFC 5321 §4.1.2). The server session refuses it with 555 (§4.1.1.11).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtherParam {
    pub keyword: String,
    pub value: Option<String>,
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` for MAIL FROM (RFC 5321 §4.1.1.2).
/// Encoded in field order: SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH, then the unknown ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailParams {
    /// `SIZE=` declared message size in octets (RFC 1870 §3).
    pub size: Option<u64>,
    /// `BODY=7BIT / 8BITMIME` (RFC 6152 §2).
    pub body: Option<Body>,
    /// `SMTPUTF8` (RFC 6531 §3.4), no value.
    pub smtputf8: bool,
    /// `RET=FULL / HDRS` (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=` xtext-decoded envelope identifier (RFC 3461 §4.4).
    pub envid: Option<String>,
    /// `AUTH=` xtext-decoded: the mailbox that submitted the message, or `<>` when unknown
    /// (RFC 4954 §5).
    pub auth: Option<String>,
    pub other: Vec<OtherParam>,
}

/// `Rcpt-parameters = esmtp-param *(SP esmtp-param)` for RCPT TO (RFC 5321 §4.1.1.3).
/// Encoded in field order: NOTIFY, ORCPT, then the unknown ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcptParams {
    /// `NOTIFY=` (RFC 3461 §4.1).
    pub notify: Option<Notify>,
    /// `ORCPT=addr-type ";" xtext` (RFC 3461 §4.2): the type (e.g. `rfc822`) and the
    /// xtext-decoded address.
    pub orcpt: Option<(String, String)>,
    pub other: Vec<OtherParam>,
}
