"""The timeline entries of the reports table: their keys.

Items (`pk` / `sk`): `REPORT#<id>` / `TIMELINE#<at>#<entry id>`, beside the case item under
the same partition key, so that one transaction adds an entry and changes the case, and the
time in the key puts a case's timeline in order (`ReportsTable.timeline` reads it). What an
entry holds — contact attempts, notes, assessments, actions, their text sealed — is case
work's (`chalicelib.cases.casework`).
"""

from __future__ import annotations

from chalicelib.storage.case_item import report_key
from chalicelib.storage.reports_table import TIMELINE_PREFIX


def timeline_entry_key(report_id: str, at: str, entry_id: str) -> dict[str, str]:
    """The key (`pk`, `sk`) of a case's timeline entry added at `at` (ISO 8601)."""
    return {"pk": report_key(report_id), "sk": f"{TIMELINE_PREFIX}{at}#{entry_id}"}
