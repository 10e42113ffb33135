#!/usr/bin/env python3
"""Read stored mail with Python's own mailbox and email packages and print it as JSON.

Usage: mailcheck.py maildir DIR      every message of the Maildir DIR (mailbox.Maildir)
       mailcheck.py eml FILE...      the given RFC 5322 files
Each message becomes {"headers": [[name, value]...], "return_path", "received": [...],
"subject", "body", "attachments": [{"filename", "content_type", "data_b64"}], "defects"};
for a Maildir also "subdir" (new or cur) and "name".
"""
import base64
import email
import json
import mailbox
import os
import sys
from email import policy


def summary(raw):
    msg = email.message_from_bytes(raw, policy=policy.default)
    out = {
        "headers": [[k, str(v)] for k, v in msg.items()],
        "return_path": msg["Return-Path"] and str(msg["Return-Path"]),
        "received": [str(r) for r in msg.get_all("Received") or []],
        "subject": msg["Subject"] and str(msg["Subject"]),
        "from": msg["From"] and str(msg["From"]),
        "message_id": msg["Message-ID"] and str(msg["Message-ID"]),
        "date": msg["Date"] and str(msg["Date"]),
        "raw_starts": raw[:200].decode("utf-8", "replace"),
        "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
    }
    body = msg.get_body(preferencelist=("plain",))
    out["body"] = body.get_content() if body is not None else None
    atts = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True) or b""
        atts.append({"filename": part.get_filename(), "content_type": part.get_content_type(), "data_b64": base64.b64encode(data).decode()})
    out["attachments"] = atts
    defects = [type(d).__name__ for d in msg.defects]
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
    out["defects"] = defects
    return out


def main():
    what = sys.argv[1]
    result = []
    if what == "maildir":
        box = mailbox.Maildir(sys.argv[2], factory=None, create=False)
        for key in box.keys():
            item = summary(box.get_bytes(key))
            path = box._toc[key] if hasattr(box, "_toc") and key in box._toc else ""
            item["subdir"] = os.path.dirname(path)
            item["name"] = os.path.basename(path)
            result.append(item)
    elif what == "eml":
        for f in sys.argv[2:]:
            with open(f, "rb") as fh:
                result.append(summary(fh.read()))
    else:
        print(f"unknown command {what}", file=sys.stderr)
        return 2
    result.sort(key=lambda m: (m["subject"] or "", m.get("name", "")))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
