#!/usr/bin/env python3
"""Many concurrent smtplib clients against `smtp-sim serve`, for tests/serve_load.rs.

Usage: load_clients.py PORT CLIENTS MESSAGES
Starts CLIENTS threads; each opens one smtplib connection (EHLO once) and sends MESSAGES
messages to alice@example.org on it, then QUITs. Every message has a unique Message-ID
<load-C-M@client.test> and a body that ends with the line "END load-C-M", so the test can tell a
whole stored message from half of one. All threads connect before any sends (a barrier), so all
CLIENTS connections are open at once. Every socket operation has a 10 s timeout.

Prints one JSON object: "accepted" (the ids whose DATA got a 250), "failed" (id and error for
the others), "seconds" (from the barrier to the last QUIT).
"""
import json
import smtplib
import sys
import threading
import time

HOST = "127.0.0.1"
SENDER = "carol@example.com"
RCPT = "alice@example.org"
# About 4 KB per message: 50 lines of 78 characters.
FILLER = "".join("%02d %s\r\n" % (i, "x" * 75) for i in range(50))


def message(mid):
    return (
        f"From: {SENDER}\r\nTo: {RCPT}\r\nSubject: {mid}\r\nMessage-ID: <{mid}@client.test>\r\n\r\n"
        f"{FILLER}END {mid}\r\n"
    ).encode()


def main():
    port, clients, messages = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    accepted, failed = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1, timeout=10)

    def client(c):
        try:
            s = smtplib.SMTP(HOST, port, local_hostname="client.test", timeout=10)
            s.ehlo()
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
            with lock:
                failed.append([f"load-{c}-connect", repr(e)])
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError as e:
            with lock:
                failed.append([f"load-{c}-barrier", repr(e)])
            s.close()
            return
        for m in range(messages):
            mid = f"load-{c}-{m}"
            try:
                s.sendmail(SENDER, [RCPT], message(mid))
                with lock:
                    accepted.append(mid)
            except Exception as e:  # noqa: BLE001
                with lock:
                    failed.append([mid, repr(e)])
        s.quit()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.monotonic()
    for t in threads:
        t.join(timeout=60)
    seconds = time.monotonic() - started
    print(json.dumps({"accepted": sorted(accepted), "failed": failed, "seconds": seconds}))


if __name__ == "__main__":
    main()
