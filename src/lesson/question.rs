//! Predict-then-reveal questions, resolved against a trace: where the player stops, what the
//! student may answer, the expected answer (derived from the trace through [`super::facts`],
//! never written in the lesson file), why a wrong answer is wrong, and the reveal with its
//! explanation and RFC section from the catalogue.

use super::facts;
use super::spec::{Ask, QuestionSpec};
use crate::player::explain;
use crate::player::view::who;
use crate::sim::trace::{Kind, Trace};
use crate::smtp::catalogue;
use crate::smtp::command::Verb;

/// One answer the student can pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// What is checked (`550`, `temporary`, `RCPT`, a node id, a header line's index).
    pub value: String,
    /// What the button says.
    pub label: String,
}

/// The reveal: the right answer in words, the explanation and the RFC section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reveal {
    pub answer: String,
    pub explanation: String,
    pub rfc: Option<String>,
}

/// A question of a lesson part, resolved against the part's trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub ask: Ask,
    /// The event the question is about (0-based step).
    pub target: usize,
    /// The step the player stops at until the question is answered: the one before `target`.
    pub gate: usize,
    pub prompt: String,
    /// The answers to pick from (empty when the answer is typed).
    pub choices: Vec<Choice>,
    /// The student types the answer (a reply code).
    pub typed: bool,
    /// The expected answer, as a [`Choice::value`].
    expected: String,
    pub reveal: Reveal,
    /// Why each wrong answer is wrong, by value (typed codes are explained when checked).
    why: Vec<(String, String)>,
}

/// The result of checking one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub correct: bool,
    /// The answer given, in words (as its button said).
    pub given: String,
    /// Why it is wrong (absent when right).
    pub why_wrong: Option<String>,
}

/// What a reply class means (RFC 5321 §4.2.1), for explanations.
fn class_words(code: u16) -> &'static str {
    match code / 100 {
        2 => "a 2yz reply (done: the server did what was asked)",
        3 => "a 3yz reply (go on: the server waits for more, like 354 after DATA)",
        4 => "a 4yz reply (temporary failure: the client keeps the message and tries again later)",
        _ => "a 5yz reply (permanent failure: repeating the same command will fail again)",
    }
}

/// The codes a reply-code question offers besides the right one: one of each other class, the
/// one with the same last two digits when it is a real reply (550 → 250, 450), else a common one.
fn distractors(code: u16) -> Vec<u16> {
    let known = |c: u16| catalogue::REPLIES.iter().any(|s| s.code == c);
    let common = [250, 354, 451, 550];
    (2..=5u16)
        .filter(|&class| class != code / 100)
        .map(|class| {
            let same = class * 100 + code % 100;
            if known(same) {
                same
            } else {
                common[usize::from(class - 2)]
            }
        })
        .collect()
}

/// The commands a next-command question offers, in a session's usual order.
const VERBS: [&str; 8] = ["EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "QUIT"];

/// Resolves `spec` against `trace`: `Err` says in a sentence why it cannot be asked there.
pub fn resolve(spec: &QuestionSpec, trace: &Trace) -> Result<Question, String> {
    let anchor = facts::find(trace, &spec.at).ok_or_else(|| {
        let node = spec.at.node.as_ref().map(|n| format!(" sent or received by {n:?}")).unwrap_or_default();
        format!("no event number {} matches {:?}{node} in scenario {:?}", spec.at.nth, spec.at.on, trace.scenario)
    })?;
    if spec.typed && spec.ask != Ask::ReplyCode {
        return Err(format!("`typed` is only for reply-code questions, not {}", spec.ask.name()));
    }
    if spec.about.is_some() && spec.ask != Ask::AddedHeader {
        return Err(format!("`about` is only for added-header questions, not {}", spec.ask.name()));
    }
    let mut q = match spec.ask {
        Ask::ReplyCode | Ask::TemporaryOrPermanent => reply_question(spec, trace, anchor)?,
        Ask::NextCommand => command_question(trace, anchor)?,
        Ask::BounceSender => bounce_question(trace, anchor)?,
        Ask::AddedHeader => header_question(spec, trace, anchor)?,
    };
    if q.target == 0 {
        return Err("the question is about the very first step, so there is nothing before it to stop at".into());
    }
    q.gate = q.target - 1;
    if let Some(p) = &spec.prompt {
        q.prompt = p.clone();
    }
    Ok(q)
}

fn blank(ask: Ask, target: usize) -> Question {
    Question {
        ask,
        target,
        gate: 0,
        prompt: String::new(),
        choices: Vec::new(),
        typed: false,
        expected: String::new(),
        reveal: Reveal { answer: String::new(), explanation: String::new(), rfc: None },
        why: Vec::new(),
    }
}

fn reveal_of(trace: &Trace, n: usize, answer: String) -> Reveal {
    let x = explain::explanation(&trace.events[n]);
    let explanation = match (x.title, x.detail) {
        (Some(t), Some(d)) => format!("{t} {d}"),
        _ => x.meaning.into_owned(),
    };
    Reveal { answer, explanation, rfc: x.rfc.map(String::from) }
}

fn reply_question(spec: &QuestionSpec, trace: &Trace, anchor: usize) -> Result<Question, String> {
    let target =
        facts::reply_to(trace, anchor).ok_or_else(|| format!("step {} ({}) gets no reply", anchor + 1, trace.events[anchor].label))?;
    let e = &trace.events[target];
    let code = facts::reply_code(e).ok_or_else(|| format!("step {} is not a reply with a code", target + 1))?;
    let from = who(trace, &e.from);
    let asked = match facts::asked_by(trace, target) {
        Some(c) if c.kind == Kind::Data => "the end of the message data".to_string(),
        Some(c) => facts::verb(c).map_or_else(|| c.label.clone(), str::to_string),
        None => "the new connection".to_string(),
    };
    let mut q = blank(spec.ask, target);
    if spec.ask == Ask::ReplyCode {
        q.prompt = format!("Which reply code will {from} send to {asked}?");
        q.typed = spec.typed;
        q.expected = code.to_string();
        let mut codes = distractors(code);
        codes.push(code);
        codes.sort_unstable();
        if !q.typed {
            q.choices = codes.iter().map(|c| Choice { value: c.to_string(), label: c.to_string() }).collect();
        }
        for c in codes.into_iter().filter(|&c| c != code) {
            q.why.push((c.to_string(), code_why(c, code)));
        }
        q.reveal = reveal_of(trace, target, facts_label(e));
    } else {
        if code < 400 {
            return Err(format!("step {} is {}, neither a temporary nor a permanent failure", target + 1, e.label));
        }
        q.prompt = format!("{from} refuses {asked}. Will the refusal be temporary or permanent?");
        let temporary = code < 500;
        q.expected = if temporary { "temporary" } else { "permanent" }.into();
        q.choices = vec![
            Choice { value: "temporary".into(), label: "Temporary (4yz): try again later".into() },
            Choice { value: "permanent".into(), label: "Permanent (5yz): give up".into() },
        ];
        let (wrong, why) = if temporary {
            ("permanent", format!("A permanent refusal would be a 5yz reply; {from} answers {code}, a 4yz reply: the sending side keeps the message and tries again later (RFC 5321 §4.2.1, §4.5.4.1)."))
        } else {
            ("temporary", format!("A temporary refusal would be a 4yz reply; {from} answers {code}, a 5yz reply: sending the same again would fail again, so the sender gives up and reports it (RFC 5321 §4.2.1)."))
        };
        q.why.push((wrong.into(), why));
        q.reveal = reveal_of(trace, target, format!("{} — {}", if temporary { "temporary" } else { "permanent" }, facts_label(e)));
    }
    Ok(q)
}

/// A reply's first line, for the reveal.
fn facts_label(e: &crate::sim::trace::Event) -> String {
    e.label.lines().next().unwrap_or_default().to_string()
}

fn code_why(given: u16, right: u16) -> String {
    if given / 100 == right / 100 {
        format!(
            "{given} is {}, as is the right answer, but another reply: look at what the command asks for and what the server knows.",
            class_words(given)
        )
    } else {
        format!("{given} would be {}; the server's answer here is {}.", class_words(given), class_words(right))
    }
}

fn command_question(trace: &Trace, anchor: usize) -> Result<Question, String> {
    let target = facts::next_command(trace, anchor).ok_or_else(|| format!("no command follows step {} on its connection", anchor + 1))?;
    let e = &trace.events[target];
    let verb = facts::verb(e).ok_or_else(|| format!("step {} has no command verb", target + 1))?;
    let mut q = blank(Ask::NextCommand, target);
    q.prompt = format!("Which command will {} send next?", who(trace, &e.from));
    let at = VERBS.iter().position(|v| *v == verb);
    // The right verb and its neighbours in a session's usual order: four plausible answers.
    let picked: Vec<&str> = match at {
        Some(i) => {
            let start = i.saturating_sub(1).min(VERBS.len() - 4);
            VERBS[start..start + 4].to_vec()
        }
        None => {
            let mut v = vec![verb, "MAIL", "DATA", "QUIT"];
            v.dedup();
            v
        }
    };
    let state = facts::state_before(trace, target);
    for v in &picked {
        q.choices.push(Choice { value: v.to_string(), label: v.to_string() });
        if *v != verb {
            let purpose = Verb::ALL.iter().find(|x| x.as_str() == *v).map(|&x| catalogue::command_spec(x).purpose).unwrap_or("");
            let state = state.map(|s| format!(" The session is in state {s} now; ")).unwrap_or_else(|| " ".into());
            q.why.push((v.to_string(), format!("{v}: {purpose}{state}that is not the step this client needs next.")));
        }
    }
    q.expected = verb.to_string();
    q.reveal = reveal_of(trace, target, e.label.clone());
    Ok(q)
}

fn bounce_question(trace: &Trace, anchor: usize) -> Result<Question, String> {
    let target = facts::first_of(trace, anchor, Kind::BounceCreated)
        .ok_or_else(|| format!("no bounce is created at or after step {}", anchor + 1))?;
    let creator = facts::bounce_creator(trace, target).unwrap_or_default().to_string();
    let mut q = blank(Ask::BounceSender, target);
    q.prompt = "Which node will create the bounce (the delivery status notification)?".into();
    let refuser = facts::last_refusal_before(trace, target).map(|e| e.from.clone());
    for n in facts::mail_nodes(trace) {
        q.choices.push(Choice { value: n.id.clone(), label: n.name.clone() });
        if n.id == creator {
            continue;
        }
        let why = if facts::is_mail_program(n) {
            format!("{} is a mail program: it sees every refusal of its own session at once and shows it to its user; it never writes bounces (RFC 5321 §6.1).", n.name)
        } else if refuser.as_deref() == Some(n.id.as_str()) {
            format!("{} refused during the SMTP session, so it never took responsibility for the message; the SMTP client that received the refusal reports it (RFC 5321 §4.2.5, §6.1).", n.name)
        } else {
            format!("{} did not hold this message when its delivery failed: only the server that accepted it and then could not pass it on writes the bounce (RFC 5321 §6.1).", n.name)
        };
        q.why.push((n.id.clone(), why));
    }
    q.expected = creator.clone();
    let name = facts::node(trace, &creator).map_or(creator.clone(), |n| n.name.clone());
    q.reveal = Reveal {
        answer: name.clone(),
        explanation: format!("{name} had accepted the message (it answered 250 to the end of the data), so when the delivery failed it had to tell the sender: a report from the null sender <> to the envelope's return path, with the status and the remote server's words (RFC 3464)."),
        rfc: Some("RFC 5321 §6.1, §4.5.5; RFC 3464".into()),
    };
    Ok(q)
}

fn header_question(spec: &QuestionSpec, trace: &Trace, anchor: usize) -> Result<Question, String> {
    let target = facts::first_of(trace, anchor, Kind::Delivered)
        .ok_or_else(|| format!("no message is delivered at or after step {}", anchor + 1))?;
    let about = spec.about.clone().unwrap_or_else(|| trace.events[target].from.clone());
    let node = facts::node(trace, &about).ok_or_else(|| format!("no node has id {about:?}"))?;
    let stored = facts::stored_by(trace, target).ok_or_else(|| format!("step {} stores no message", target + 1))?;
    let lines = facts::header_lines(&stored.raw);
    let mine: Vec<usize> =
        (0..lines.len()).filter(|&i| facts::received_by(&lines[i]).is_some_and(|h| h.eq_ignore_ascii_case(&node.host))).collect();
    let [line] = mine[..] else {
        return Err(format!(
            "the message delivered at step {} has {} Received: lines added by {}; a question needs exactly one",
            target + 1,
            mine.len(),
            node.host
        ));
    };
    let mut q = blank(Ask::AddedHeader, target);
    q.prompt = format!("The message is about to be stored. Which header line did {} ({}) add?", node.name, node.host);
    // Offer the trace lines and the author's From/To/Subject: enough to tell them apart.
    for (i, l) in lines.iter().enumerate() {
        let name = facts::field_name(l);
        if !["Return-Path", "Received", "From", "To", "Subject"].iter().any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        q.choices.push(Choice { value: i.to_string(), label: l.clone() });
        if i == line {
            continue;
        }
        let why = match facts::received_by(l) {
            Some(host) => format!("This Received: line names {host} after “by”: that server added it, not {}.", node.host),
            None if name.eq_ignore_ascii_case("Return-Path") => "Return-Path is written at final delivery, from the envelope's MAIL FROM (RFC 5321 §4.4); it is not a relay's trace line.".to_string(),
            None => format!("{name}: was written by the sender's mail program as part of the message (RFC 5322 §3.6); servers only add trace lines at the top (RFC 5321 §4.4)."),
        };
        q.why.push((i.to_string(), why));
    }
    q.expected = line.to_string();
    q.reveal = Reveal {
        answer: lines[line].clone(),
        explanation: format!("Every server that takes a message adds one Received: line at the top: “from” the host that handed it over, “by” itself, with the time. Read from the bottom up, the lines are the message's route; this one says “by {}”.", node.host),
        rfc: Some("RFC 5321 §4.4".into()),
    };
    Ok(q)
}

impl Question {
    /// The expected answer, as a [`Choice::value`].
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// Checks an answer (a choice's value, or a typed code). `Err` when it is not an answer at
    /// all (a typed code that is not three digits): say so and ask again, do not score it.
    pub fn check(&self, given: &str) -> Result<Checked, String> {
        let given = given.trim();
        if self.typed {
            let code: u16 = match given.parse() {
                Ok(c) if (200..600).contains(&c) && given.len() == 3 => c,
                _ => {
                    let shown: String = given.chars().take(12).collect();
                    return Err(format!("“{shown}” is not a reply code: type three digits from 200 to 599, such as 250."));
                }
            };
            let right: u16 = self.expected.parse().unwrap_or_default();
            let correct = code == right;
            return Ok(Checked { correct, given: code.to_string(), why_wrong: (!correct).then(|| code_why(code, right)) });
        }
        let choice = self.choices.iter().find(|c| c.value == given).ok_or_else(|| "Pick one of the answers offered.".to_string())?;
        let correct = choice.value == self.expected;
        let why_wrong = (!correct).then(|| self.why.iter().find(|(v, _)| *v == choice.value).map(|(_, w)| w.clone()).unwrap_or_default());
        Ok(Checked { correct, given: choice.label.clone(), why_wrong })
    }
}
