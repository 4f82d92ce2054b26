"""The emails moto's SES has accepted, read back: a development aid for the local stack only.

SES in the local stack is moto's: it delivers nothing and keeps every message it accepts.
moto's server lists the objects it holds at `GET /moto-api/data.json`, and each message sent
through SES (v1 or v2) as raw MIME, as the notify worker sends it, is an entry under
`["ses"]["RawMessage"]`, oldest first, with `id`, `source`, `destinations` and `raw_data`
(the whole MIME message). This module reads that list and decodes each message, for a
developer (`python -m devstack.emails`) and for the end-to-end tests.

That endpoint returns every object moto holds, for every service, so it grows as the stack
runs: fine for a working session or a test run, not for a load test.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

#: Where `python -m devstack` puts moto unless told otherwise.
DEFAULT_MOTO_URL = "http://127.0.0.1:5000"
DATA_PATH = "/moto-api/data.json"


@dataclass(frozen=True)
class SentEmail:
    """One accepted message, decoded."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    #: The plain-text part (or the whole body of a single-part message).
    text: str
    #: The HTML part, if any.
    html: str
    #: The message exactly as SES received it.
    raw: str


def parse(message_id: str, source: str, raw: str) -> SentEmail:
    """Decode one raw MIME message as SES accepted it."""
    # Parsed as bytes: parsed as text, an 8bit part's non-ASCII characters come back escaped.
    message = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)
    return SentEmail(
        message_id=message_id,
        sender=source or str(message.get("From", "")),
        to=tuple(address for _, address in getaddresses(message.get_all("To", []))),
        # Stripped: a subject folded onto its own line parses with the fold's leading space.
        subject=str(message.get("Subject", "")).strip(),
        text=_part(message, "plain"),
        html=_part(message, "html"),
        raw=raw,
    )


def from_model_data(data: dict[str, Any]) -> list[SentEmail]:
    """The sent emails in the JSON of moto's `/moto-api/data.json`, oldest first."""
    entries = data.get("ses", {}).get("RawMessage", [])
    return [
        parse(str(entry.get("id", "")), str(entry.get("source") or ""), str(entry["raw_data"]))
        for entry in entries
    ]


def sent_emails(moto_url: str = DEFAULT_MOTO_URL, timeout: float = 10.0) -> list[SentEmail]:
    """Every email the moto server at `moto_url` has accepted, oldest first."""
    if not moto_url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {moto_url!r}")
    url = moto_url.rstrip("/") + DATA_PATH
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - checked above
        data = json.load(response)
    return from_model_data(data)


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    return str(part.get_content())


def format_email(sent: SentEmail) -> str:
    """A message as a developer reads it: headers, then the plain text."""
    return "\n".join(
        [
            f"Message-Id: {sent.message_id}",
            f"From: {sent.sender}",
            f"To: {', '.join(sent.to)}",
            f"Subject: {sent.subject}",
            "",
            sent.text.rstrip(),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print every email the local stack has sent (or, with --json, their fields)."""
    parser = argparse.ArgumentParser(
        prog="python -m devstack.emails",
        description="Print the emails the local stack's SES (moto) has accepted. Development "
        "aid: moto delivers nothing, it only keeps what it was given.",
    )
    parser.add_argument(
        "--moto", default=DEFAULT_MOTO_URL, help="moto server URL (default %(default)s)"
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per email, raw MIME included"
    )
    args = parser.parse_args(argv)
    found = sent_emails(args.moto)
    if args.json:
        for sent in found:
            print(json.dumps(asdict(sent)))
        return 0
    print(f"{len(found)} email(s) sent", file=sys.stderr)
    for sent in found:
        print(format_email(sent))
        print("-" * 72)
    return 0


if __name__ == "__main__":
    sys.exit(main())
