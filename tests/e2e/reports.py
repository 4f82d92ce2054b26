"""Reports in the running stack: submitting over HTTP and finding them in the tables."""

from __future__ import annotations

import re
from typing import Any

import requests

from chalicelib.resources import DEMOGRAPHICS_TABLE, REPORTS_TABLE, physical_name
from tests.e2e.running import RunningStack
from tests.sentinels import table_items, wait_until

_REFERENCE_CHARACTER = "[23456789ABCDEFGHJKMNPQRSTVWXYZ]"
REFERENCE = re.compile(rf"^RS-{_REFERENCE_CHARACTER}{{4}}-{_REFERENCE_CHARACTER}{{4}}$")
REPORTS = physical_name("local", REPORTS_TABLE.logical_name)
DEMOGRAPHICS = physical_name("local", DEMOGRAPHICS_TABLE.logical_name)
#: How long the pump may take to deliver a triage message.
DELIVERY_SECONDS = 15


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
