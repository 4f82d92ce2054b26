"""Reports in the running stack: submitting over HTTP, finding them in the tables, and the
emails they caused, read back from moto's SES."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import requests

from chalicelib.resources import DEMOGRAPHICS_TABLE, REPORTS_TABLE, physical_name
from devstack.emails import SentEmail, sent_emails
from tests.e2e.running import RunningStack
from tests.sentinels import Blob, queue_counts, table_items, wait_until

_REFERENCE_CHARACTER = "[23456789ABCDEFGHJKMNPQRSTVWXYZ]"
REFERENCE = re.compile(rf"^RS-{_REFERENCE_CHARACTER}{{4}}-{_REFERENCE_CHARACTER}{{4}}$")
REPORTS = physical_name("local", REPORTS_TABLE.logical_name)
DEMOGRAPHICS = physical_name("local", DEMOGRAPHICS_TABLE.logical_name)
#: How long the pump may take to deliver a triage message.
DELIVERY_SECONDS = 15
#: Reading the emails asks moto for everything it holds (`/moto-api/data.json`), which takes
#: a moment once the stack has stored a few dozen reports: poll it gently.
EMAIL_POLL_SECONDS = 0.5


def submit(stack: RunningStack, body: dict[str, Any]) -> requests.Response:
    """POST a report as the form does."""
    return requests.post(f"{stack.api}/reports", json=body, timeout=10)


def report_items(stack: RunningStack) -> list[dict[str, Any]]:
    """Every report item (not the claims beside them), low-level shape."""
    items = table_items(stack.client("dynamodb"), REPORTS)
    return [item for item in items if item["sk"]["S"] == "REPORT"]


def report_with_reference(stack: RunningStack, reference: str) -> dict[str, Any] | None:
    """The report item carrying a reference, if it exists."""
    found = [i for i in report_items(stack) if i.get("reference", {}).get("S") == reference]
    assert len(found) <= 1
    return found[0] if found else None


def wait_for_screening(stack: RunningStack, reference: str) -> dict[str, Any]:
    """The report item once triage has moved it on (fails after DELIVERY_SECONDS)."""

    def screened() -> dict[str, Any] | None:
        item = report_with_reference(stack, reference)
        return item if item and item["status"]["S"] == "awaiting_screening" else None

    item = wait_until(screened, DELIVERY_SECONDS)
    assert item is not None, f"{reference} was not triaged within {DELIVERY_SECONDS} s"
    return dict(item)


def wait_for_triage(stack: RunningStack, reference: str) -> dict[str, Any]:
    """The report item once triage has decided on it, whatever it decided."""

    def triaged() -> dict[str, Any] | None:
        item = report_with_reference(stack, reference)
        return item if item and item["status"]["S"] != "awaiting_triage" else None

    item = wait_until(triaged, DELIVERY_SECONDS)
    assert item is not None, f"{reference} was not triaged within {DELIVERY_SECONDS} s"
    return dict(item)


def emails(stack: RunningStack) -> list[SentEmail]:
    """Every email moto's SES has accepted so far, oldest first."""
    return sent_emails(stack.moto)


def about(found: Iterable[SentEmail], reference: str) -> list[SentEmail]:
    """The emails whose subject names a report's reference."""
    return [sent for sent in found if reference in sent.subject]


def email_blobs(sent: Iterable[SentEmail]) -> Iterator[Blob]:
    """Each email raw (as SES received it) and decoded, field by field, for a sentinel scan."""
    for number, message in enumerate(sent):
        where = f"email {number} ({message.subject})"
        yield Blob(f"{where} raw", message.raw)
        yield Blob(f"{where} subject", message.subject)
        yield Blob(f"{where} recipients", " ".join(message.to))
        yield Blob(f"{where} text", message.text)
        yield Blob(f"{where} html", message.html)


def log_blob(stack: RunningStack) -> Blob:
    """Everything the stack has printed, for a sentinel scan (raw bytes as latin-1)."""
    # Let anything still buffered in the stack's handlers reach the file.
    requests.get(f"{stack.api}/health", timeout=5)
    return Blob("devstack log", stack.log_bytes().decode("latin-1"))


def wait_for_emails(
    stack: RunningStack, references: Iterable[str], timeout: float = DELIVERY_SECONDS
) -> list[SentEmail]:
    """Every email sent, once each reference has at least one (fails after `timeout`)."""
    wanted = list(references)

    def arrived() -> list[SentEmail] | None:
        found = emails(stack)
        return found if all(about(found, reference) for reference in wanted) else None

    found = wait_until(arrived, timeout, interval=EMAIL_POLL_SECONDS)
    missing = [r for r in wanted if not about(found or emails(stack), r)]
    assert not missing, f"no email within {timeout} s about {', '.join(missing)}"
    return list(found)


def wait_until_drained(stack: RunningStack, timeout: float = DELIVERY_SECONDS) -> bool:
    """True once every queue and dead-letter queue holds nothing, visible or in flight."""
    sqs = stack.client("sqs")
    return bool(
        wait_until(
            lambda: all(queue_counts(sqs, url) == (0, 0) for url in sqs.list_queues()["QueueUrls"]),
            timeout,
        )
    )
