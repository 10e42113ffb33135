#!/usr/bin/env python3
"""A small aiosmtpd server that stores what it receives, for testing `smtp-sim send`.

Usage: aiosmtpd_sink.py OUTDIR [--auth USER:PASS] [--lifetime SECONDS]
Listens on 127.0.0.1 on a free port and prints "listening on 127.0.0.1:PORT". Every message
becomes OUTDIR/msg-N.eml (the bytes as received) and OUTDIR/msg-N.json (the envelope).
Recipients whose local part starts with "refuse" get 550 5.1.1. With --auth, AUTH PLAIN/LOGIN
is offered without TLS and required before MAIL. Exits by itself after --lifetime seconds.
"""
import argparse
import asyncio
import json
import os

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, "msg-%d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "helo": session.host_name,
            "login": login,
        }
        with open(base + ".json", "w") as f:
            json.dump(record, f)
        return "250 2.0.0 OK stored as msg-%d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--auth")
    p.add_argument("--lifetime", type=float, default=60.0)
    args = p.parse_args()
    user, password = (args.auth.split(":", 1) + [""])[:2] if args.auth else (None, None)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        # handled=False: aiosmtpd itself answers 535 on failure (True means "already answered").
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    sink = Sink(args.outdir)

    def factory():
        return SMTP(
            sink,
            hostname="sink.test",
            decode_data=False,
            authenticator=authenticator if args.auth else None,
            auth_required=bool(args.auth),
            auth_require_tls=False,
        )

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print("listening on 127.0.0.1:%d" % port, flush=True)
        await asyncio.sleep(args.lifetime)
        server.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
