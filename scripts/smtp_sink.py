#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd) that keeps every message it receives.

Usage: smtp_sink.py HOST PORT FOLDER

For each message it writes FOLDER/NNNNNN.eml (the bytes as received) and, beside it,
FOLDER/NNNNNN.json with the envelope (mail from, recipients), the header lines as received
(name and raw value, unfolded), the decoded subject and To, and the decoded text and HTML parts,
so a test in any language can read back what arrived. The .json file is written last, by rename:
a test that sees it sees a complete message.
"""

import asyncio
import email
import email.policy
import itertools
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        number = next(self.counter)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        base = os.path.join(self.folder, "%06d" % number)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        header_block = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        headers = []
        for line in header_block.split("\r\n"):
            if line[:1] in (" ", "\t") and headers:
                headers[-1][1] += line
            elif ":" in line:
                name, value = line.split(":", 1)
                headers.append([name, value.strip()])
            else:
                headers.append(["", line])
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "headers": headers,
            "subject": str(message["subject"]),
            "to": str(message["to"]),
            "to_addresses": [
                {"name": a.display_name, "address": a.addr_spec}
                for a in message["to"].addresses
            ],
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


def main():
    host, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname=host, port=port)
    controller.start()
    print("smtp sink listening on %s:%d, writing to %s" % (host, port, folder), flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
