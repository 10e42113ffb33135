//! The console tool's model ("be the client"), yew-free: which server nodes and ports of the
//! scenario one can connect to, the addresses worth connecting from, the transcript across
//! connections (capped), the shell-like ↑/↓ command history, and the input mode (command,
//! message line after 354, AUTH answer) — around [`sim::console::Console`], which does the SMTP.
//!
//! The UI (`ui/console.rs`) only renders a [`ConsoleTool`] and calls its methods; everything a
//! student can do here is tested natively in `tests/console_tool.rs`.
//!
//! [`sim::console::Console`]: crate::sim::console::Console

use std::rc::Rc;

use crate::sim::clock::{Millis, Span};
use crate::sim::console::{Console, ConsoleEntry, Hint, DEFAULT_ADDRESS};
use crate::sim::scenario::{in_network, parse_cidr, parse_ip, NodeKind, Scenario};
use crate::smtp::state::State;

/// At most this many transcript items are kept (the oldest are dropped first).
pub const MAX_KEPT: usize = 2000;
/// At most this many characters of one line are drawn; the rest is counted, not shown.
pub const MAX_LINE_CHARS: usize = 400;

/// A server node one can connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub node: String,
    /// The node's descriptive name, e.g. "example.org MX".
    pub name: String,
    pub host: String,
    pub ports: Vec<u16>,
}

impl Target {
    /// What the node menu shows, e.g. `"mx — example.org MX (mx.example.org)"`.
    pub fn label(&self) -> String {
        if self.name.is_empty() || self.name == self.host {
            format!("{} ({})", self.node, self.host)
        } else {
            format!("{} — {} ({})", self.node, self.name, self.host)
        }
    }
}

/// Every server node of the scenario, in the scenario's order.
pub fn targets(scenario: &Scenario) -> Vec<Target> {
    scenario
        .nodes
        .iter()
        .map(|n| (n, crate::sim::policy::smtp_ports(n)))
        .filter(|(n, ports)| n.kind == NodeKind::Server && !ports.is_empty())
        .map(|(n, ports)| Target { node: n.id.clone(), name: n.name.clone(), host: n.host.clone(), ports })
        .collect()
}

/// What a port is for, in words (RFC 5321 §2.3 relay on 25; RFC 6409 §3.1 submission on 587).
pub fn port_purpose(port: u16) -> &'static str {
    match port {
        25 => "SMTP relay, server to server",
        587 => "message submission, with AUTH",
        465 => "submission over implicit TLS",
        _ => "SMTP",
    }
}

/// An address the student may connect from, and why it is interesting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromAddress {
    pub address: String,
    pub why: String,
}

/// The addresses worth connecting from, first the default one. Only when the scenario makes
/// the address matter — a server relays for a network (`relay_from`) or checks SPF (RFC 7208
/// looks at the client's IP) — is the list longer than one.
pub fn from_addresses(scenario: &Scenario) -> Vec<FromAddress> {
    let mut out: Vec<FromAddress> = Vec::new();
    let clients: Vec<_> = scenario.nodes.iter().filter(|n| n.kind == NodeKind::Client).collect();
    match clients.first() {
        Some(c) => {
            out.push(FromAddress { address: c.address.clone(), why: format!("{}, the scenario's first client (the default)", c.id) })
        }
        None => out.push(FromAddress {
            address: DEFAULT_ADDRESS.to_string(),
            why: "the console's default address (the scenario has no client)".into(),
        }),
    }
    let servers: Vec<_> = scenario.nodes.iter().filter(|n| n.kind == NodeKind::Server).collect();
    let relay_nets = servers.iter().any(|n| !n.relay_from.is_empty());
    let spf = servers.iter().any(|n| n.spf);
    if !relay_nets && !spf {
        return out;
    }
    let push = |out: &mut Vec<FromAddress>, address: String, why: String| {
        if parse_ip(&address).is_some() && !out.iter().any(|a| a.address == address) {
            out.push(FromAddress { address, why });
        }
    };
    for c in clients.iter().skip(1) {
        push(&mut out, c.address.clone(), format!("{}, another client of the scenario", c.id));
    }
    for s in &servers {
        for net in &s.relay_from {
            let Some(inside) = example_inside(net) else { continue };
            // An address already listed may be inside: then the network needs no example.
            let covered = parse_cidr(net).is_some_and(|n| out.iter().any(|a| parse_ip(&a.address).is_some_and(|ip| in_network(ip, n))));
            if !covered {
                push(&mut out, inside, format!("inside {net}, the network {} relays for", s.id));
            }
        }
    }
    if spf {
        for s in &servers {
            push(&mut out, s.address.clone(), format!("the address of {} ({}), as if you were that server", s.id, s.host));
        }
    }
    out
}

/// An address inside `cidr` to try (`"192.0.2.0/24"` → `"192.0.2.50"`), or `None` if it is not a
/// network.
pub fn example_inside(cidr: &str) -> Option<String> {
    use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let (ip, bits) = parse_cidr(cidr.trim())?;
    let offset = |host_bits: u32| -> u128 {
        if host_bits >= 7 {
            50
        } else if host_bits >= 2 {
            1
        } else {
            0
        }
    };
    Some(match ip {
        IpAddr::V4(a) => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            let n = (u32::from(a) & mask) | offset(32 - u32::from(bits)) as u32;
            IpAddr::V4(Ipv4Addr::from(n)).to_string()
        }
        IpAddr::V6(a) => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            let n = (u128::from(a) & mask) | offset(128 - u32::from(bits));
            IpAddr::V6(Ipv6Addr::from(n)).to_string()
        }
    })
}

/// The lines typed in this console, for ↑/↓ recall as in a shell: ↑ walks back from the newest,
/// ↓ walks forward and, past the newest, gives back what was being typed before ↑.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    lines: Vec<String>,
    /// The line shown now, if walking the history (`None`: editing a new line).
    cursor: Option<usize>,
    /// What was typed before the first ↑.
    draft: String,
}

impl History {
    /// At most this many lines are remembered.
    pub const MAX: usize = 500;

    /// Remember a sent line (not an empty one, nor the same line twice in a row) and stop
    /// walking.
    pub fn push(&mut self, line: &str) {
        self.cursor = None;
        self.draft.clear();
        if line.is_empty() || self.lines.last().is_some_and(|l| l == line) {
            return;
        }
        if self.lines.len() >= Self::MAX {
            self.lines.remove(0);
        }
        self.lines.push(line.to_string());
    }

    /// ↑: the previous line, or `None` when there is none (stay where you are).
    pub fn up(&mut self, typing: &str) -> Option<String> {
        let i = match self.cursor {
            None if self.lines.is_empty() => return None,
            None => {
                self.draft = typing.to_string();
                self.lines.len() - 1
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.cursor = Some(i);
        Some(self.lines[i].clone())
    }

    /// ↓: the next line; past the newest, the line that was being typed; `None` when not
    /// walking.
    pub fn down(&mut self) -> Option<String> {
        let i = self.cursor?;
        if i + 1 < self.lines.len() {
            self.cursor = Some(i + 1);
            Some(self.lines[i + 1].clone())
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }

    /// Escape: stop walking and forget the draft.
    pub fn stop(&mut self) {
        self.cursor = None;
        self.draft.clear();
    }

    /// Oldest first.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// `Some(i)` while line `i` is shown.
    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }
}

/// What the input line is for now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputMode {
    /// No connection: choose a server and connect.
    Disconnected,
    /// The server closed the connection (QUIT, 421, refused).
    Closed,
    /// SMTP commands.
    Command,
    /// After 354: message lines until a line holding a single `.`.
    Message,
    /// After 334: the base64 answer to the AUTH challenge, or `*`.
    AuthAnswer,
    /// After `BDAT n`: the chunk's octets.
    Chunk,
}

impl InputMode {
    /// The label of the input line.
    pub fn label(self) -> &'static str {
        match self {
            InputMode::Disconnected => "SMTP command (connect first)",
            InputMode::Closed => "SMTP command (the connection is closed)",
            InputMode::Command => "SMTP command",
            InputMode::Message => "Message line",
            InputMode::AuthAnswer => "AUTH answer (base64, or * to cancel)",
            InputMode::Chunk => "BDAT chunk octets",
        }
    }

    /// A sentence under the input line saying what happens on Enter.
    pub fn help(self) -> &'static str {
        match self {
            InputMode::Disconnected => "Choose a server and press Connect: the server speaks first, with its greeting.",
            InputMode::Closed => "The connection is closed. Press New connection to connect again.",
            InputMode::Command => "Enter sends the line with CR LF at its end, as telnet does. ↑/↓ recall earlier lines, Escape clears.",
            InputMode::Message => "You are typing the message (after 354): header lines, an empty line, the body. Each Enter sends one line with CR LF; a line holding only . ends the message (RFC 5321 §4.1.1.4).",
            InputMode::AuthAnswer => "The server sent a 334 challenge: answer with one base64 line (RFC 4954 §4), or * to cancel.",
            InputMode::Chunk => "BDAT announced a chunk of a fixed size: what you type is counted as octets, CR LF included (RFC 3030 §2).",
        }
    }
}

/// One item of the transcript: an entry of a connection, or a line of the console itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Entry(ConsoleEntry),
    /// Something the console says (disconnected, time passed, an error).
    Note(String),
}

/// The console tool: a connection (or none) to one server node of one scenario.
#[derive(Debug)]
pub struct ConsoleTool {
    scenario: Rc<Scenario>,
    targets: Vec<Target>,
    from: Vec<FromAddress>,
    node: String,
    port: u16,
    address: String,
    console: Option<Console>,
    /// Numbered items, oldest first; the number is a stable key for the view.
    log: Vec<(u64, Item)>,
    next: u64,
    history: History,
}

impl ConsoleTool {
    /// A disconnected console on `scenario`, with its first server node (first port) chosen.
    pub fn new(scenario: Rc<Scenario>) -> ConsoleTool {
        let targets = targets(&scenario);
        let from = from_addresses(&scenario);
        let (node, port) = targets.first().map(|t| (t.node.clone(), t.ports[0])).unwrap_or_default();
        let address = from[0].address.clone();
        ConsoleTool { scenario, targets, from, node, port, address, console: None, log: Vec::new(), next: 0, history: History::default() }
    }

    /// Is this the console of exactly this scenario (the same shared value)? A new scenario, or
    /// an edited one, gets a new console.
    pub fn is_for(&self, scenario: &Rc<Scenario>) -> bool {
        Rc::ptr_eq(&self.scenario, scenario)
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The chosen server node (`None` if the scenario has no server).
    pub fn target(&self) -> Option<&Target> {
        self.targets.iter().find(|t| t.node == self.node)
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The addresses offered in "connect from"; one entry when the address does not matter.
    pub fn from_addresses(&self) -> &[FromAddress] {
        &self.from
    }

    /// The chosen address to connect from.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Choose a server node (unknown ids are ignored); keeps the port if the node listens on it,
    /// else takes the node's first port. Takes effect at the next Connect.
    pub fn choose_node(&mut self, id: &str) {
        if let Some(t) = self.targets.iter().find(|t| t.node == id) {
            self.node = t.node.clone();
            if !t.ports.contains(&self.port) {
                self.port = t.ports[0];
            }
        }
    }

    /// Choose a port of the chosen node (others are ignored).
    pub fn choose_port(&mut self, port: u16) {
        if self.target().is_some_and(|t| t.ports.contains(&port)) {
            self.port = port;
        }
    }

    /// Choose one of [`ConsoleTool::from_addresses`] (others are ignored).
    pub fn choose_address(&mut self, address: &str) {
        if let Some(a) = self.from.iter().find(|a| a.address == address) {
            self.address = a.address.clone();
        }
    }

    /// Open a connection to the chosen node, port and address (closing the current one).
    pub fn connect(&mut self) {
        if self.console.as_ref().is_some_and(|c| !c.is_closed()) {
            self.note("You closed the previous connection without QUIT.".into());
        }
        self.console = None;
        let made = Console::new(&self.scenario, &self.node, self.port).and_then(|c| {
            if self.address == c.address() {
                Ok(c)
            } else {
                c.with_address(&self.address)
            }
        });
        match made {
            Ok(c) => {
                let greeting: Vec<ConsoleEntry> = c.greeting().to_vec();
                self.console = Some(c);
                for e in greeting {
                    self.push(Item::Entry(e));
                }
            }
            Err(e) => self.note(format!("Could not connect: {e}.")),
        }
    }

    /// A new connection to the same node, keeping its greylisting memory and the virtual time
    /// (what a real client does when it retries); connects if there is no connection.
    pub fn new_connection(&mut self) {
        let Some(open) = self.console.as_ref().map(|c| !c.is_closed()) else { return self.connect() };
        if open {
            self.note("You closed the previous connection without QUIT.".into());
        }
        let greeting: Vec<ConsoleEntry> = match &mut self.console {
            Some(c) => {
                c.reset();
                c.greeting().to_vec()
            }
            None => Vec::new(),
        };
        for e in greeting {
            self.push(Item::Entry(e));
        }
    }

    /// Drop the connection, as closing telnet does (no QUIT is sent).
    pub fn disconnect(&mut self) {
        if let Some(c) = self.console.take() {
            if c.is_closed() {
                self.note("Disconnected.".into());
            } else {
                self.note("Disconnected without QUIT: the server only sees the connection close. A polite client sends QUIT first (RFC 5321 §4.1.1.10).".into());
            }
        }
    }

    /// Is there a connection (open or closed by the server)?
    pub fn is_connected(&self) -> bool {
        self.console.is_some()
    }

    /// The session state of the connection, if any.
    pub fn state(&self) -> Option<State> {
        self.console.as_ref().map(Console::state)
    }

    /// The node and port of the connection, if any (it may differ from the chosen ones until
    /// the next Connect).
    pub fn connected_to(&self) -> Option<(&str, u16, &str)> {
        self.console.as_ref().map(|c| (c.node_id(), c.port(), c.address()))
    }

    pub fn mode(&self) -> InputMode {
        match &self.console {
            None => InputMode::Disconnected,
            Some(c) if c.is_closed() => InputMode::Closed,
            Some(c) => match c.state() {
                State::Data => InputMode::Message,
                State::Auth => InputMode::AuthAnswer,
                State::Bdat => InputMode::Chunk,
                _ => InputMode::Command,
            },
        }
    }

    /// Send what the student typed (one line; CR LF is added). Returns how many items it added.
    pub fn send(&mut self, line: &str) -> usize {
        self.history.push(line);
        let Some(c) = &mut self.console else {
            self.note("Not connected: choose a server and press Connect first. Nothing was sent.".into());
            return 1;
        };
        let entries = c.send_line(line);
        let n = entries.len();
        for e in entries {
            self.push(Item::Entry(e));
        }
        n
    }

    /// The commands valid now (none without an open connection).
    pub fn hints(&self) -> Vec<Hint> {
        match &self.console {
            Some(c) if !c.is_closed() => c.hints(),
            _ => Vec::new(),
        }
    }

    /// The chosen node's greylisting delay, when it greylists: then the console offers to let
    /// that much virtual time pass.
    pub fn greylist_delay(&self) -> Option<Span> {
        let id = self.console.as_ref().map_or(self.node.as_str(), |c| c.node_id());
        self.scenario.node(id).and_then(|n| n.greylist)
    }

    /// Let `millis` of virtual time pass (for greylisting); the connection stays as it is.
    pub fn wait(&mut self, millis: Millis) {
        if let Some(c) = &mut self.console {
            c.wait(millis);
            let now = crate::sim::clock::format_time(c.now());
            self.note(format!(
                "{} of virtual time passed (the console's clock is now {now}). A greylisting server accepts a retry now: start a new connection and send the same MAIL and RCPT again.",
                Span(millis)
            ));
        }
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn history_mut(&mut self) -> &mut History {
        &mut self.history
    }

    /// Every kept item, oldest first, with its key.
    pub fn log(&self) -> &[(u64, Item)] {
        &self.log
    }

    /// The newest `max` items, and how many older ones are not among them (not drawn, or no
    /// longer kept).
    pub fn recent(&self, max: usize) -> (&[(u64, Item)], u64) {
        let start = self.log.len().saturating_sub(max);
        let first_key = self.log.get(start).map_or(self.next, |(k, _)| *k);
        (&self.log[start..], first_key)
    }

    /// Clear the transcript (the connection and the history stay).
    pub fn clear(&mut self) {
        self.log.clear();
    }

    fn note(&mut self, text: String) {
        self.push(Item::Note(text));
    }

    fn push(&mut self, item: Item) {
        if self.log.len() >= MAX_KEPT {
            self.log.remove(0);
        }
        self.log.push((self.next, item));
        self.next += 1;
    }
}

/// A line of the transcript split for drawing: the text (cut to [`MAX_LINE_CHARS`]), how many
/// characters were cut, and whether it ended in the visible CR LF (`␍␊`) the console adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireLine {
    pub text: String,
    pub cut: usize,
    pub crlf: bool,
}

/// Split a `sent` or `reply` text of a [`ConsoleEntry`] into its lines.
pub fn wire_lines(text: &str) -> Vec<WireLine> {
    text.split('\n')
        .map(|line| {
            let (body, crlf) = match line.strip_suffix("␍␊") {
                Some(b) => (b, true),
                None => (line, false),
            };
            let total = body.chars().count();
            let text: String = body.chars().take(MAX_LINE_CHARS).collect();
            WireLine { text, cut: total.saturating_sub(MAX_LINE_CHARS), crlf }
        })
        .collect()
}

/// A short label for a hint button: `"MAIL FROM:<you@example.com>"` → `"MAIL FROM:"`,
/// `"EHLO your.host.name"` → `"EHLO"`, `"<body line>"` stays.
pub fn hint_label(command: &str) -> String {
    if command.starts_with('<') {
        return command.to_string();
    }
    match command.find('<') {
        Some(i) => command[..i].trim_end().to_string(),
        None => command.split(' ').next().unwrap_or(command).to_string(),
    }
}
