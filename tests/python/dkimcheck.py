"""Independent DKIM check for tests/dkim_interop.rs, with dkimpy (PyPI).

Reads one JSON object on stdin:
  {"verify": [{"message": "<base64>", "records": {"sel._domainkey.dom": "v=DKIM1; ..."}}],
   "sign":   [{"message": "<base64>", "domain": "...", "selector": "...",
               "ed25519_secret": "<base64 of 32 bytes>", "headers": ["from", ...]}]}
and prints {"verify": [[true, false, ...] per message, one entry per DKIM-Signature],
            "sign": ["<base64 of the DKIM-Signature field>", ...]}.
"""
import base64
import json
import sys

import dkim


def verified(d, idx, dnsfunc):
    """dkimpy says no by returning False or, for some failures, raising."""
    try:
        return bool(d.verify(idx=idx, dnsfunc=dnsfunc))
    except dkim.ValidationError:
        return False


def main():
    job = json.load(sys.stdin)
    out = {"verify": [], "sign": []}
    for item in job.get("verify", []):
        message = base64.b64decode(item["message"])
        records = {k.lower().rstrip("."): v for k, v in item["records"].items()}

        def dnsfunc(name, timeout=5):
            return records.get(name.decode().lower().rstrip("."), "").encode()

        d = dkim.DKIM(message)
        count = sum(1 for (k, _) in d.headers if k.lower() == b"dkim-signature")
        out["verify"].append([verified(d, i, dnsfunc) for i in range(count)])
    for item in job.get("sign", []):
        message = base64.b64decode(item["message"])
        field = dkim.sign(
            message,
            item["selector"].encode(),
            item["domain"].encode(),
            item["ed25519_secret"].encode(),
            signature_algorithm=b"ed25519-sha256",
            include_headers=[h.encode() for h in item["headers"]],
            canonicalize=(b"relaxed", b"relaxed"),
        )
        out["sign"].append(base64.b64encode(field).decode())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
