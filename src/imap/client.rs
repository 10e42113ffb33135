//! A scripted IMAP client session, sans-IO: "the phone pulls mail". It follows a [`Plan`] —
//! log in, select a mailbox, find the unseen messages, fetch each one's BODYSTRUCTURE and then
//! only the part it wants (the first attachment, the text, or the whole message), optionally
//! mark it \Seen, then either log out or IDLE until new mail is announced and go round again.
//!
//! Bytes in ([`ClientSession::receive`]), bytes out ([`ClientSession::poll_output`]), events
//! out ([`ClientSession::poll_event`]). Commands with literals are sent in parts, each after
//! the server's `+` (RFC 9051 §4.3). A NO or BAD to any step ends the plan with LOGOUT.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::command::{Command, CommandBody, FetchItem, FetchItems, Flag, SearchKey, Section, SeqNum, SeqRange, SeqSet, StoreMode, Verb};
use super::encode;
use super::event::ClientEvent;
use super::framing::{Frame, Framer};
use super::parse;
use super::response::{BodyStructure, Code, Data, FetchValue, Response, Status};

/// Which part of each new message the client downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Want {
    /// `BODY.PEEK[]`: everything (what POP3 always does).
    Whole,
    /// The first `text/*` part.
    Text,
    /// The first part with a filename or an `attachment` disposition (else nothing).
    Attachment,
}

/// What the client does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub user: String,
    pub password: String,
    pub mailbox: String,
    pub want: Want,
    /// `UID STORE uid +FLAGS.SILENT (\Seen)` after fetching (PEEK never sets it).
    pub mark_seen: bool,
    /// How many times to IDLE and fetch again after new mail (0: log out after the first round).
    pub idle_rounds: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Greeting,
    StartTls,
    Login,
    Select,
    Search,
    Structure(u32),
    Part(u32),
    MarkSeen(u32),
    Idle,
    Done,
    Logout,
    Finished,
}

/// One scripted IMAP client connection.
#[derive(Debug)]
pub struct ClientSession {
    plan: Plan,
    step: Step,
    framer: Framer,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<ClientEvent>,
    /// Parts of the current command still to send, each after a `+`.
    pending: VecDeque<Vec<u8>>,
    next_tag: u32,
    tag: String,
    /// The verb of the command in progress (for the lines that continue it).
    verb: Verb,
    queue: VecDeque<u32>,
    exists: u32,
    rounds: u32,
    /// The BODYSTRUCTURE of the message being fetched.
    structure: Option<BodyStructure>,
    tls: bool,
}

impl ClientSession {
    pub fn new(plan: Plan) -> Self {
        ClientSession {
            plan,
            step: Step::Greeting,
            framer: Framer::new(1 << 20, 64 << 20),
            out: VecDeque::new(),
            events: VecDeque::new(),
            pending: VecDeque::new(),
            next_tag: 1,
            tag: String::new(),
            verb: Verb::Noop,
            queue: VecDeque::new(),
            exists: 0,
            rounds: 0,
            structure: None,
            tls: false,
        }
    }

    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }
    pub fn is_finished(&self) -> bool {
        self.step == Step::Finished
    }
    /// Waiting in IDLE for new mail.
    pub fn is_idling(&self) -> bool {
        self.step == Step::Idle
    }
    /// Whether the (simulated) STARTTLS has taken place.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// End IDLE without new mail (the caller's timer ran out): `DONE`, then log out.
    pub fn stop_idle(&mut self) {
        if self.step == Step::Idle {
            self.rounds = self.plan.idle_rounds;
            self.write(b"DONE\r\n".to_vec(), None, Verb::Idle);
            self.step = Step::Done;
        }
    }

    pub fn connection_closed(&mut self) {
        if self.step != Step::Finished {
            self.step = Step::Finished;
            self.events.push_back(ClientEvent::Finished);
        }
    }

    /// Write a command line (`tag`) or a line continuing the command `verb` (`tag: None`).
    fn write(&mut self, bytes: Vec<u8>, tag: Option<String>, verb: Verb) {
        self.events.push_back(ClientEvent::CommandSent { bytes: bytes.clone(), tag, verb });
        self.out.push_back(bytes);
    }

    fn send(&mut self, body: CommandBody, step: Step) {
        self.tag = format!("p{}", self.next_tag);
        self.verb = body.verb();
        self.next_tag += 1;
        let mut parts: VecDeque<Vec<u8>> = encode::command_parts(&Command { tag: self.tag.clone(), body }).into();
        if let Some(first) = parts.pop_front() {
            self.write(first, Some(self.tag.clone()), self.verb);
        }
        self.pending = parts;
        self.step = step;
    }

    fn uid_set(uid: u32) -> SeqSet {
        SeqSet(vec![SeqRange { start: SeqNum::Num(uid), end: None }])
    }

    fn fetch(&mut self, uid: u32, item: FetchItem, step: Step) {
        self.send(CommandBody::Fetch { uid: true, set: Self::uid_set(uid), items: FetchItems::List(vec![item]) }, step);
    }

    fn logout(&mut self) {
        self.send(CommandBody::Logout, Step::Logout);
    }

    /// Feed bytes from the server.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.framer.push(bytes);
        while self.step != Step::Finished {
            let unit = match self.framer.next_frame() {
                None => break,
                Some(Frame::Unit(u)) => u,
                // Server literals are never invited; the framer just keeps reading.
                Some(Frame::LiteralWanted { .. }) => continue,
                Some(Frame::LiteralTooLarge { head, .. }) | Some(Frame::LineTooLong { head }) => {
                    self.events.push_back(ClientEvent::BadResponse {
                        raw: head,
                        error: parse::SyntaxError { column: 0, rule: "response", why: "a response too large for this client", tag: None },
                    });
                    self.logout();
                    continue;
                }
            };
            match parse::response(&unit) {
                Ok(r) => {
                    self.events.push_back(ClientEvent::ResponseReceived { raw: unit, response: r.clone() });
                    self.on_response(r);
                }
                Err(error) => {
                    self.events.push_back(ClientEvent::BadResponse { raw: unit, error });
                    self.connection_closed();
                }
            }
        }
    }

    fn on_response(&mut self, r: Response) {
        match r {
            Response::Continue(_) => {
                if let Some(part) = self.pending.pop_front() {
                    self.write(part, None, self.verb);
                }
            }
            Response::Data(Data::Exists(n)) => {
                if n > self.exists && self.step == Step::Idle {
                    // New mail while idling: leave IDLE and go round again.
                    self.events.push_back(ClientEvent::NewMail { exists: n });
                    self.write(b"DONE\r\n".to_vec(), None, Verb::Idle);
                    self.step = Step::Done;
                }
                self.exists = n;
            }
            Response::Data(Data::Search(uids)) => self.queue = uids.into(),
            Response::Data(Data::Fetch { items, .. }) => {
                for it in items {
                    match (it, &self.step) {
                        (FetchValue::BodyStructure(b), Step::Structure(_)) => self.structure = Some(*b),
                        (FetchValue::Section { section, data, .. }, Step::Part(uid)) => {
                            let uid = *uid;
                            let name = section.part.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
                            self.events.push_back(ClientEvent::Fetched {
                                uid,
                                section: if name.is_empty() { "whole message".into() } else { format!("part {name}") },
                                part: section.part.clone(),
                                octets: data.map_or(0, |d| d.len()),
                            });
                        }
                        _ => {}
                    }
                }
            }
            Response::Status { tag: None, status: Status::Ok, code, .. } if self.step == Step::Greeting => {
                let caps = match code {
                    Some(Code::Capability(c)) => c,
                    _ => Vec::new(),
                };
                self.after_greeting(&caps);
            }
            Response::Status { tag: None, status: Status::Bye, .. } if self.step != Step::Logout => self.connection_closed(),
            Response::Status { tag: Some(t), status, .. } if t == self.tag => {
                if status != Status::Ok && self.step != Step::Logout {
                    self.events.push_back(ClientEvent::StepFailed {
                        step: format!("{:?}", self.step),
                        response: Response::Status { tag: Some(t), status, code: None, text: String::new() },
                    });
                    return self.logout();
                }
                self.next_step();
            }
            _ => {}
        }
    }

    fn after_greeting(&mut self, caps: &[String]) {
        if caps.iter().any(|c| c.eq_ignore_ascii_case("LOGINDISABLED")) && caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS")) {
            // RFC 9051 §6.2.3: the password must wait for TLS.
            self.send(CommandBody::StartTls, Step::StartTls);
        } else {
            self.login();
        }
    }

    fn login(&mut self) {
        let (user, password) = (self.plan.user.clone(), self.plan.password.clone());
        self.send(CommandBody::Login { user, password }, Step::Login);
    }

    fn next_uid(&mut self) {
        match self.queue.pop_front() {
            Some(uid) => self.fetch(uid, FetchItem::BodyStructure, Step::Structure(uid)),
            None if self.rounds < self.plan.idle_rounds => {
                self.rounds += 1;
                self.send(CommandBody::Idle, Step::Idle);
            }
            None => self.logout(),
        }
    }

    fn next_step(&mut self) {
        match self.step.clone() {
            Step::Greeting | Step::Finished | Step::Idle => {}
            Step::StartTls => {
                self.tls = true;
                self.login();
            }
            Step::Login => {
                let m = self.plan.mailbox.clone();
                self.send(CommandBody::Select(m), Step::Select);
            }
            Step::Select | Step::Done => {
                self.send(CommandBody::Search { uid: true, charset: None, criteria: vec![SearchKey::Unseen] }, Step::Search)
            }
            Step::Search => self.next_uid(),
            Step::Structure(uid) => {
                let part = self.structure.take().and_then(|b| choose(&b, self.plan.want));
                match part {
                    Some(part) => self.fetch(
                        uid,
                        FetchItem::Section { peek: true, section: Section { part, text: None }, partial: None },
                        Step::Part(uid),
                    ),
                    None => self.next_uid(),
                }
            }
            Step::Part(uid) if self.plan.mark_seen => {
                self.send(
                    CommandBody::Store { uid: true, set: Self::uid_set(uid), mode: StoreMode::Add, silent: true, flags: vec![Flag::Seen] },
                    Step::MarkSeen(uid),
                );
            }
            Step::Part(_) | Step::MarkSeen(_) => self.next_uid(),
            Step::Logout => {
                self.step = Step::Finished;
                self.events.push_back(ClientEvent::Finished);
            }
        }
    }
}

/// The part number to fetch for `want` (empty: the whole message), or `None` for nothing.
pub fn choose(b: &BodyStructure, want: Want) -> Option<Vec<u32>> {
    match want {
        Want::Whole => Some(Vec::new()),
        Want::Text => b.parts().into_iter().find(|(_, p)| p.media_type.eq_ignore_ascii_case("TEXT")).map(|(n, _)| n),
        Want::Attachment => b
            .parts()
            .into_iter()
            .find(|(_, p)| {
                let disp = p.ext.as_ref().and_then(|e| e.disposition.as_ref());
                disp.is_some_and(|d| {
                    d.kind.eq_ignore_ascii_case("attachment") || d.params.iter().any(|(k, _)| k.eq_ignore_ascii_case("filename"))
                }) || p.params.iter().any(|(k, _)| k.eq_ignore_ascii_case("name"))
            })
            .map(|(n, _)| n),
    }
}
