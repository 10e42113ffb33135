//! POP3 commands: the syntax tree, the parser and its exact inverse, the encoder.
//!
//! RFC 1939 §3 and RFC 2449 §3: a command is a case-insensitive keyword of 3 or 4 characters,
//! then arguments separated by single spaces, then CRLF. The framer (`frame.rs`) has already
//! cut the line and removed its CRLF; here we only read the words.
//!
//! ```text
//! command  = keyword *(SP param) CRLF     ; RFC 2449 §3
//! keyword  = 3*4VCHAR
//! param    = 1*VCHAR                       ; at most 40 characters (RFC 2449 §4)
//! msg      = 1*DIGIT                       ; a message number, counted from 1 (RFC 1939 §3)
//! ```
//!
//! PASS is the exception: its argument is the rest of the line, spaces included (RFC 1939 §7:
//! "the server may treat the entire argument as the password").

use std::fmt;

use serde::Serialize;

/// The command keywords smtp-sim's POP3 core understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum Verb {
    User,
    Pass,
    Apop,
    Auth,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Top,
    Uidl,
    Quit,
    Capa,
    Stls,
}

impl Verb {
    pub const ALL: [Verb; 15] = [
        Verb::User,
        Verb::Pass,
        Verb::Apop,
        Verb::Auth,
        Verb::Stat,
        Verb::List,
        Verb::Retr,
        Verb::Dele,
        Verb::Noop,
        Verb::Rset,
        Verb::Top,
        Verb::Uidl,
        Verb::Quit,
        Verb::Capa,
        Verb::Stls,
    ];

    /// The keyword as it is sent (upper case).
    pub fn keyword(self) -> &'static str {
        match self {
            Verb::User => "USER",
            Verb::Pass => "PASS",
            Verb::Apop => "APOP",
            Verb::Auth => "AUTH",
            Verb::Stat => "STAT",
            Verb::List => "LIST",
            Verb::Retr => "RETR",
            Verb::Dele => "DELE",
            Verb::Noop => "NOOP",
            Verb::Rset => "RSET",
            Verb::Top => "TOP",
            Verb::Uidl => "UIDL",
            Verb::Quit => "QUIT",
            Verb::Capa => "CAPA",
            Verb::Stls => "STLS",
        }
    }

    /// The verb of a keyword, in any case (RFC 1939 §3: keywords are case-insensitive).
    pub fn from_keyword(word: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.keyword().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// One POP3 command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Command {
    /// `USER name` (RFC 1939 §7).
    User(String),
    /// `PASS string` (RFC 1939 §7); the whole rest of the line.
    Pass(String),
    /// `APOP name digest` (RFC 1939 §7): digest = 32 lower-case hex digits of MD5.
    Apop {
        user: String,
        digest: String,
    },
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4); `=` is an empty initial response.
    Auth {
        mechanism: String,
        initial: Option<String>,
    },
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List(Option<u32>),
    Retr(u32),
    Dele(u32),
    Noop,
    Rset,
    /// `TOP msg n` (RFC 1939 §7): the header and the first `lines` lines of the body.
    Top {
        msg: u32,
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl(Option<u32>),
    Quit,
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::User(_) => Verb::User,
            Command::Pass(_) => Verb::Pass,
            Command::Apop { .. } => Verb::Apop,
            Command::Auth { .. } => Verb::Auth,
            Command::Stat => Verb::Stat,
            Command::List(_) => Verb::List,
            Command::Retr(_) => Verb::Retr,
            Command::Dele(_) => Verb::Dele,
            Command::Noop => Verb::Noop,
            Command::Rset => Verb::Rset,
            Command::Top { .. } => Verb::Top,
            Command::Uidl(_) => Verb::Uidl,
            Command::Quit => Verb::Quit,
            Command::Capa => Verb::Capa,
            Command::Stls => Verb::Stls,
        }
    }
}

/// Longest parameter (RFC 2449 §4: "Each argument may be up to 40 characters long").
pub const MAX_PARAM: usize = 40;

/// Why a command line was refused; the server answers `-ERR` with [`SyntaxError`]'s text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SyntaxErrorKind {
    /// The first word is no POP3 command we know.
    UnknownCommand,
    /// A known command with missing, extra or malformed arguments.
    BadArguments(Verb),
    /// Bytes that are not printable ASCII (a NUL, a TAB, a byte over 127, ...).
    BadCharacter,
    /// A response line from a server that is not `+OK ...`, `-ERR ...` or `+ ...`.
    BadResponse,
}

/// A line that does not parse: what was expected, where (1-based column), and the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// 1-based column of the first octet that does not fit.
    pub column: usize,
    /// What the line should look like, e.g. `"RETR msg"`.
    pub expected: &'static str,
    /// What is wrong, for a student.
    pub problem: String,
    pub rfc: &'static str,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}; expected {} ({})", self.problem, self.column, self.expected, self.rfc)
    }
}

/// The syntax of a verb as the RFC writes it.
pub fn syntax(verb: Verb) -> &'static str {
    match verb {
        Verb::User => "USER name",
        Verb::Pass => "PASS string",
        Verb::Apop => "APOP name digest",
        Verb::Auth => "AUTH mechanism [initial-response]",
        Verb::Stat => "STAT",
        Verb::List => "LIST [msg]",
        Verb::Retr => "RETR msg",
        Verb::Dele => "DELE msg",
        Verb::Noop => "NOOP",
        Verb::Rset => "RSET",
        Verb::Top => "TOP msg n",
        Verb::Uidl => "UIDL [msg]",
        Verb::Quit => "QUIT",
        Verb::Capa => "CAPA",
        Verb::Stls => "STLS",
    }
}

fn rfc_of(verb: Verb) -> &'static str {
    match verb {
        Verb::Auth => "RFC 5034 §4",
        Verb::Capa => "RFC 2449 §5",
        Verb::Stls => "RFC 2595 §4",
        Verb::Stat | Verb::List | Verb::Retr | Verb::Dele | Verb::Noop | Verb::Rset => "RFC 1939 §5",
        Verb::Quit => "RFC 1939 §4, §6",
        _ => "RFC 1939 §7",
    }
}

fn bad(verb: Verb, column: usize, problem: impl Into<String>) -> SyntaxError {
    SyntaxError { kind: SyntaxErrorKind::BadArguments(verb), column, expected: syntax(verb), problem: problem.into(), rfc: rfc_of(verb) }
}

/// Parse one command line (without its CRLF).
pub fn parse_command(line: &[u8]) -> Result<Command, SyntaxError> {
    // RFC 2449 §3: commands are printable ASCII separated by spaces.
    if let Some(i) = line.iter().position(|&b| !(0x20..0x7f).contains(&b)) {
        let what = match line[i] {
            0 => "a NUL byte".to_string(),
            b'\t' => "a TAB (use a single space between words)".to_string(),
            b'\r' => "a CR inside the line (lines end with CR LF together)".to_string(),
            b if b >= 0x80 => format!("the byte 0x{b:02X}, which is not ASCII"),
            b => format!("the control character 0x{b:02X}"),
        };
        return Err(SyntaxError {
            kind: SyntaxErrorKind::BadCharacter,
            column: i + 1,
            expected: "printable ASCII words separated by single spaces",
            problem: format!("the line contains {what}"),
            rfc: "RFC 2449 §3",
        });
    }
    // Checked above: every byte is printable ASCII.
    let text = std::str::from_utf8(line).unwrap_or_default();
    let (word, rest) = match text.find(' ') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let Some(verb) = Verb::from_keyword(word) else {
        return Err(SyntaxError {
            kind: SyntaxErrorKind::UnknownCommand,
            column: 1,
            expected: "a POP3 command: USER, PASS, APOP, AUTH, STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, QUIT, CAPA or STLS",
            problem: if word.is_empty() {
                "the line is empty or starts with a space".into()
            } else {
                format!("{word:?} is not a POP3 command")
            },
            rfc: "RFC 1939 §3",
        });
    };
    let at = word.len() + 2; // column of the first argument
                             // RFC 1939 §7: the password is everything after "PASS ", spaces included, so it is not
                             // cut into words.
    let args = if verb == Verb::Pass { Vec::new() } else { words(verb, at, rest)? };
    let count = |n: std::ops::RangeInclusive<usize>| -> Result<(), SyntaxError> {
        if n.contains(&args.len()) {
            Ok(())
        } else {
            let what = match (n.start(), n.end()) {
                (0, 0) => "takes no arguments".to_string(),
                (a, b) if a == b => format!("takes {a} argument{}", if *a == 1 { "" } else { "s" }),
                (a, b) => format!("takes {a} to {b} arguments"),
            };
            let column =
                if args.len() > *n.end() { at + args[..*n.end()].iter().map(|a| a.len() + 1).sum::<usize>() } else { text.len() + 1 };
            Err(bad(verb, column, format!("{verb} {what}, found {}", args.len())))
        }
    };
    let number = |i: usize| -> Result<u32, SyntaxError> {
        let a = args[i];
        let column = at + args[..i].iter().map(|a| a.len() + 1).sum::<usize>();
        if !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(verb, column, format!("{a:?} is not a number")));
        }
        a.parse::<u32>().map_err(|_| bad(verb, column, format!("{a} is too large a number")))
    };
    Ok(match verb {
        Verb::User => {
            count(1..=1)?;
            Command::User(args[0].to_string())
        }
        Verb::Apop => {
            count(2..=2)?;
            let d = args[1];
            if d.len() != 32 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(verb, at + args[0].len() + 1, "the digest must be 32 hexadecimal digits (an MD5 sum)"));
            }
            Command::Apop { user: args[0].to_string(), digest: d.to_string() }
        }
        Verb::Auth => {
            count(1..=2)?;
            Command::Auth { mechanism: args[0].to_string(), initial: args.get(1).map(|s| s.to_string()) }
        }
        Verb::Stat => count(0..=0).map(|_| Command::Stat)?,
        Verb::Noop => count(0..=0).map(|_| Command::Noop)?,
        Verb::Rset => count(0..=0).map(|_| Command::Rset)?,
        Verb::Quit => count(0..=0).map(|_| Command::Quit)?,
        Verb::Capa => count(0..=0).map(|_| Command::Capa)?,
        Verb::Stls => count(0..=0).map(|_| Command::Stls)?,
        Verb::List => {
            count(0..=1)?;
            Command::List(if args.is_empty() { None } else { Some(number(0)?) })
        }
        Verb::Uidl => {
            count(0..=1)?;
            Command::Uidl(if args.is_empty() { None } else { Some(number(0)?) })
        }
        Verb::Retr => {
            count(1..=1)?;
            Command::Retr(number(0)?)
        }
        Verb::Dele => {
            count(1..=1)?;
            Command::Dele(number(0)?)
        }
        Verb::Top => {
            count(2..=2)?;
            Command::Top { msg: number(0)?, lines: number(1)? }
        }
        Verb::Pass => match rest {
            Some(p) if !p.is_empty() => Command::Pass(p.to_string()),
            _ => return Err(bad(verb, at, "PASS needs the password after one space")),
        },
    })
}

/// The arguments after the keyword: single spaces between them, each at most [`MAX_PARAM`].
fn words(verb: Verb, at: usize, rest: Option<&str>) -> Result<Vec<&str>, SyntaxError> {
    let args: Vec<&str> = match rest {
        None => Vec::new(),
        Some(r) => r.split(' ').collect(),
    };
    let mut col = at;
    for a in &args {
        if a.is_empty() {
            return Err(bad(
                verb,
                col,
                "two spaces in a row, or a space at the end of the line (RFC 2449 §3: words are separated by a single space)",
            ));
        }
        if a.len() > MAX_PARAM {
            return Err(bad(verb, col, format!("an argument of {} characters; at most {MAX_PARAM} are allowed (RFC 2449 §4)", a.len())));
        }
        col += a.len() + 1;
    }
    Ok(args)
}

/// The command line, CRLF included: the exact inverse of [`parse_command`].
pub fn encode_command(c: &Command) -> Vec<u8> {
    let k = c.verb().keyword();
    let text = match c {
        Command::User(u) => format!("{k} {u}"),
        Command::Pass(p) => format!("{k} {p}"),
        Command::Apop { user, digest } => format!("{k} {user} {digest}"),
        Command::Auth { mechanism, initial: None } => format!("{k} {mechanism}"),
        Command::Auth { mechanism, initial: Some(i) } => format!("{k} {mechanism} {i}"),
        Command::List(Some(n)) | Command::Uidl(Some(n)) | Command::Retr(n) | Command::Dele(n) => format!("{k} {n}"),
        Command::Top { msg, lines } => format!("{k} {msg} {lines}"),
        Command::Stat
        | Command::List(None)
        | Command::Noop
        | Command::Rset
        | Command::Uidl(None)
        | Command::Quit
        | Command::Capa
        | Command::Stls => k.to_string(),
    };
    let mut out = text.into_bytes();
    out.extend_from_slice(b"\r\n");
    out
}
