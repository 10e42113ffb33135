#!/usr/bin/env python3
"""Talk to `smtp-sim serve` with Python's standard smtplib and email packages.

Usage: smtplib_client.py MODE PORT
Prints one JSON object with what smtplib saw; exits non-zero when smtplib raised something the
mode did not expect. Called by tests/interop.rs; every socket operation has a 10 s timeout.
"""
import json
import smtplib
import sys
from email.message import EmailMessage

HOST = "127.0.0.1"
SENDER = "carol@example.com"

# A deterministic binary attachment covering every byte value (CR, LF, NUL, 0xFF included).
BINARY = bytes(range(256)) * 12 + b"\r\n.\r\n" + bytes(range(255, -1, -1))


def text_message(subject, to, body):
    m = EmailMessage()
    m["From"] = SENDER
    m["To"] = ", ".join(to)
    m["Subject"] = subject
    m.set_content(body)
    return m


def refused_dict(refused):
    return {k: [code, text.decode("utf-8", "replace")] for k, (code, text) in refused.items()}


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    result = {"mode": mode}
    with smtplib.SMTP(HOST, port, local_hostname="client.test", timeout=10) as s:
        code, _ = s.ehlo()
        result["ehlo_code"] = code
        result["features"] = sorted(s.esmtp_features)
        if mode == "plain":
            m = text_message("Plain hello", ["alice@example.org"], "Hello Alice,\n.a line starting with a dot\nBye\n")
            result["refused"] = refused_dict(s.send_message(m))
        elif mode == "multi":
            to = ["alice@example.org", "bob@example.org", "nobody@example.org", "someone@elsewhere.example"]
            m = text_message("Several recipients", to, "One message, four recipients, two refused.\n")
            # sendmail() returns the refused recipients when at least one was accepted.
            result["refused"] = refused_dict(s.sendmail(SENDER, to, m.as_string()))
        elif mode == "several":
            for i in range(3):
                m = text_message(f"Message {i}", ["bob@example.org"], f"Number {i}\n")
                s.send_message(m)
            result["sent"] = 3
        elif mode in ("auth_plain", "auth_login", "auth_login_initial"):
            s.user, s.password = "alice", "s3cret"
            if mode == "auth_plain":
                code, text = s.login("alice", "s3cret")  # smtplib picks PLAIN (CRAM-MD5 is not offered)
            else:
                code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=(mode == "auth_login_initial"))
            result["auth"] = [code, text.decode()]
            m = text_message(f"After {mode}", ["alice@example.org"], "Authenticated.\n")
            result["refused"] = refused_dict(s.send_message(m))
        elif mode == "bad_auth":
            try:
                s.login("alice", "wrong")
                result["error"] = None
            except smtplib.SMTPAuthenticationError as e:
                result["error"] = [e.smtp_code, e.smtp_error.decode()]
        elif mode == "require_auth":
            try:
                s.send_message(text_message("No auth", ["alice@example.org"], "x\n"))
                result["error"] = None
            except smtplib.SMTPSenderRefused as e:
                result["error"] = [e.smtp_code, e.smtp_error.decode()]
        elif mode == "bare_lf":
            # sendmail() sends a bytes message as it is: as_bytes() has bare LF line ends.
            m = text_message("Bare LF", ["alice@example.org"], "line one\nline two\n")
            try:
                s.sendmail(SENDER, ["alice@example.org"], m.as_bytes())
                result["error"] = None
            except smtplib.SMTPDataError as e:
                result["error"] = [e.smtp_code, e.smtp_error.decode()]
        elif mode == "attachment":
            m = EmailMessage()
            m["From"] = "Carol Example <carol@example.com>"
            m["To"] = "alice@example.org"
            m["Subject"] = "Attachment: données ✓"
            m.set_content("Bonjour Alice,\n.dotted line\nsee the attachments — merci.\n")
            m.add_attachment(BINARY, maintype="application", subtype="octet-stream", filename="data.bin")
            m.add_attachment("a,b\n1,2\n", subtype="csv", filename="table.csv")
            result["refused"] = refused_dict(s.send_message(m))
            result["binary_len"] = len(BINARY)
        else:
            print(f"unknown mode {mode}", file=sys.stderr)
            return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
