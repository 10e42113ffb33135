#!/usr/bin/env python3
"""Read mail from `smtp-sim serve --pop3` with Python's standard poplib (and send some first
with smtplib).

Usage: poplib_client.py send SMTP_PORT TO
           sends one message with a binary attachment to TO with smtplib
       poplib_client.py pop PORT USER PASS STEP...
           STEP is capa, user (USER+PASS), apop, stat, list, uidl, retr:N, top:N:LINES, dele:N,
           rset, noop, quit, or drop (close the socket without QUIT)
Prints one JSON object. A -ERR becomes {"error": text} for that step and the next steps still
run. Called by tests/pop3_interop.rs; every socket operation has a 10 s timeout.
"""
import base64
import email
import json
import poplib
import smtplib
import sys
from email import policy
from email.message import EmailMessage

HOST = "127.0.0.1"
# Every byte value, and a line that is a lone dot once base64 is undone: the attachment must
# come back identical.
BINARY = bytes(range(256)) * 12 + b"\r\n.\r\n" + bytes(range(255, -1, -1))


def send(port, to):
    m = EmailMessage()
    m["From"] = "carol@example.com"
    m["To"] = to
    m["Subject"] = "Report with attachment"
    m.set_content("Hello Bob,\n.this line starts with a dot\nthe report is attached.\n")
    m.add_attachment(BINARY, maintype="application", subtype="octet-stream", filename="report.bin")
    with smtplib.SMTP(HOST, port, local_hostname="client.test", timeout=10) as s:
        refused = s.send_message(m)
    return {"refused": list(refused)}


def whole(lines):
    return b"".join(line + b"\r\n" for line in lines)


def message_facts(data):
    msg = email.message_from_bytes(data, policy=policy.default)
    atts = [part.get_payload(decode=True) for part in msg.iter_attachments()]
    return {"subject": str(msg["Subject"]), "attachment_intact": atts == [BINARY], "b64": base64.b64encode(data).decode()}


def pop(port, user, password, steps):
    out = {"steps": []}
    p = poplib.POP3(HOST, port, timeout=10)
    out["welcome"] = p.getwelcome().decode()
    for step in steps:
        name, *args = step.split(":")
        try:
            if name == "capa":
                r = {k: v for k, v in p.capa().items()}
            elif name == "user":
                r = [p.user(user).decode(), p.pass_(password).decode()]
            elif name == "apop":
                r = p.apop(user, password).decode()
            elif name == "stat":
                r = list(p.stat())
            elif name == "list":
                r = [line.decode() for line in p.list()[1]]
            elif name == "uidl":
                r = [line.decode() for line in p.uidl()[1]]
            elif name == "retr":
                resp, lines, octets = p.retr(int(args[0]))
                r = dict(message_facts(whole(lines)), resp=resp.decode())
            elif name == "top":
                resp, lines, octets = p.top(int(args[0]), int(args[1]))
                r = {"resp": resp.decode(), "b64": base64.b64encode(whole(lines)).decode()}
            elif name == "dele":
                r = p.dele(int(args[0])).decode()
            elif name == "rset":
                r = p.rset().decode()
            elif name == "noop":
                r = p.noop().decode()
            elif name == "quit":
                r = p.quit().decode()
            elif name == "drop":
                p.sock.close()
                r = "dropped"
            else:
                raise SystemExit(f"unknown step {step}")
        except poplib.error_proto as e:
            r = {"error": e.args[0].decode() if isinstance(e.args[0], bytes) else str(e.args[0])}
        out["steps"].append([step, r])
    return out


def main():
    if sys.argv[1] == "send":
        result = send(int(sys.argv[2]), sys.argv[3])
    else:
        result = pop(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
