#!/usr/bin/env python3
"""Read mail from `smtp-sim serve --imap` with Python's standard imaplib (and send it first
with smtplib).

Usage: imaplib_client.py MODE SMTP_PORT IMAP_PORT
Prints one JSON object with what imaplib saw; exits non-zero on anything unexpected. Called by
tests/imap_interop.rs; every socket operation has a 10 s timeout.
"""
import base64
import imaplib
import json
import re
import smtplib
import socket
import sys
from email.message import EmailMessage
from email.policy import SMTP

HOST = "127.0.0.1"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def send(smtp_port):
    m = EmailMessage()
    m["From"] = "carol@example.com"
    m["To"] = "alice@example.org"
    m["Subject"] = "Quarterly report"
    m.set_content("Hi Alice,\nthe report is attached.\n")
    m.add_attachment(PDF, maintype="application", subtype="pdf", filename="report.pdf")
    data = m.as_bytes(policy=SMTP)  # flattened once: these exact bytes travel
    with smtplib.SMTP(HOST, smtp_port, local_hostname="client.test", timeout=10) as s:
        s.sendmail("carol@example.com", ["alice@example.org"], data)
    return data


def login(port, password="s3cret"):
    M = imaplib.IMAP4(HOST, port, timeout=10)
    M.login("alice", password)
    return M


def ok(result):
    typ, data = result
    if typ != "OK":
        raise SystemExit(f"not OK: {typ} {data}")
    return data


def uidvalidity(M, mailbox):
    data = ok(M.status(mailbox, "(UIDVALIDITY UIDNEXT MESSAGES)"))
    m = re.search(rb"UIDVALIDITY (\d+) UIDNEXT (\d+) MESSAGES (\d+)", data[0])
    return [int(m.group(1)), int(m.group(2)), int(m.group(3))]


def journey(smtp_port, port):
    sent = send(smtp_port)
    r = {}
    M = login(port)
    r["capabilities"] = sorted(M.capabilities)
    n = ok(M.select("INBOX"))
    r["exists"] = int(n[0])
    r["uidvalidity_inbox"] = int(M.untagged_responses["UIDVALIDITY"][0])
    uids = ok(M.uid("SEARCH", None, "ALL"))[0].split()
    r["uids"] = [int(u) for u in uids]
    uid = uids[-1].decode()
    found = ok(M.uid("SEARCH", None, "SUBJECT", '"Quarterly"', "UNSEEN"))[0].split()
    r["search_subject_unseen"] = [int(u) for u in found]
    data = ok(M.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[])"))
    r["size"] = int(re.search(rb"RFC822\.SIZE (\d+)", data[0][0]).group(1))
    body = data[0][1]
    r["body_b64"] = base64.b64encode(body).decode()
    r["ends_with_sent"] = body.endswith(sent)
    r["sent_b64"] = base64.b64encode(sent).decode()
    r["seen_after_peek"] = b"\\Seen" in ok(M.uid("FETCH", uid, "(FLAGS)"))[0]
    bs = ok(M.uid("FETCH", uid, "(BODYSTRUCTURE)"))[0]
    r["bodystructure"] = bs.decode() if isinstance(bs, bytes) else bs[0].decode()
    part = ok(M.uid("FETCH", uid, "(BODY[2])"))
    r["part2_is_attachment"] = base64.b64decode(part[0][1]) == PDF
    r["seen_after_body"] = b"\\Seen" in ok(M.uid("FETCH", uid, "(FLAGS)"))[0]
    head = ok(M.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[0][1]
    r["subject_header"] = head.decode()
    ok(M.uid("STORE", uid, "+FLAGS", "(\\Flagged)"))
    r["flags"] = ok(M.uid("FETCH", uid, "(FLAGS)"))[0].decode()
    r["flagged_search"] = [int(u) for u in ok(M.uid("SEARCH", None, "FLAGGED"))[0].split()]
    r["list"] = [x.decode() for x in ok(M.list())]
    ok(M.create("Archive"))
    moved = ok(M.uid("MOVE", uid, "Archive"))
    r["move"] = [x.decode() if isinstance(x, bytes) else str(x) for x in moved]
    r["inbox_after_move"] = uidvalidity(M, "INBOX")
    before = uidvalidity(M, "Archive")
    r["archive_before"] = before
    ok(M.select("Archive"))
    archived = ok(M.uid("SEARCH", None, "ALL"))[0].split()
    r["archive_uids"] = [int(u) for u in archived]
    M.logout()

    # Reconnect: UIDVALIDITY and UIDs are the same; then delete and expunge.
    M = login(port)
    r["archive_after_reconnect"] = uidvalidity(M, "Archive")
    ok(M.select("Archive"))
    r["archive_uids_again"] = [int(u) for u in ok(M.uid("SEARCH", None, "ALL"))[0].split()]
    ok(M.store("1", "+FLAGS", "(\\Deleted)"))
    typ, data = M.expunge()
    r["expunged"] = [int(x) for x in data if x]
    r["archive_after_expunge"] = uidvalidity(M, "Archive")
    M.close()
    M.logout()
    return r


def wrong_password(port):
    try:
        login(port, "wrong")
    except imaplib.IMAP4.error as e:
        return {"error": str(e)}
    return {"error": None}


def hostile(port):
    """Raw lines nobody should send; every one must get a BAD and the server must live on."""
    out = []
    with socket.create_connection((HOST, port), timeout=10) as s:
        f = s.makefile("rb")
        out.append(f.readline().decode())
        for line in [b"\r\n", b"a1 FROB\r\n", b"a2 LOGIN \"unterminated\r\n", b"a3 FETCH 1 FLAGS\r\n", b"a4 SELECT INBOX\r\n", b"\xff\xfe\x00\r\n", b"a5 " + b"A" * 100 + b"\r\n", b"a6 APPEND INBOX {99999999999}\r\n"]:
            s.sendall(line)
            out.append(f.readline().decode())
        s.sendall(b"a7 LOGOUT\r\n")
        out.append(f.readline().decode())
        out.append(f.readline().decode())
    return {"lines": out}


def main():
    mode, smtp_port, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    r = {"journey": journey, "wrong_password": lambda _s, p: wrong_password(p), "hostile": lambda _s, p: hostile(p)}[mode](smtp_port, port)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
