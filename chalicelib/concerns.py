"""Repeat concerns: reports that name the same person, linked without storing the name.

The reporter may name the people involved (free text, sealed at intake) and pick the part
of the university they belong to. At intake the text is split into people, each name is
normalised and MACed with its department in KMS (`BlindIndex.person`); only the MACs are
kept. Each MAC is stored on the report item (`concern_macs`) and as one small item per
person, `CONCERN#<mac>` / `REPORT#<report_id>`, so the reports naming a person are one key
query away: no scan, and no name in clear anywhere.

A MAC reveals nothing by itself, but two equal MACs say "the same person". So the links
are shown to screeners only, as references they may or may not be allowed to open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.cases.rules import Answers
from chalicelib.cases.store import plain
from chalicelib.crypto import BlindIndex, normalise_person_name
from chalicelib.dependencies import unavailable_on_failure

#: The form's questions this module reads.
INVOLVED_NAMES = "involved_names"
INVOLVED_DEPARTMENT = "involved_department"
#: The department answer that means "not known" (no department, no department index).
UNKNOWN_DEPARTMENT = "not_sure"
#: At most this many people are indexed per report (the rest stay in the sealed text only).
MAX_PEOPLE = 10
#: Attribute names others rely on (retention removes them when it redacts a case).
CONCERN_MACS = "concern_macs"
CONCERN_PREFIX = "CONCERN#"

# Commas, semicolons, line breaks, ampersands and the word "and" separate people.
_SEPARATORS = re.compile(r"[,;&\r\n\u2028\u2029]|\s+and\s+", re.IGNORECASE)
# DynamoDB's BatchGetItem reads at most 100 keys per call.
_BATCH = 100


def people_named(text: str) -> list[str]:
    """The distinct normalised names in a free-text answer, in order, at most `MAX_PEOPLE`."""
    people: list[str] = []
    for part in _SEPARATORS.split(text):
        name = normalise_person_name(part)
        if name and name not in people:
            people.append(name)
            if len(people) == MAX_PEOPLE:
                break
    return people


def department_of(answers: Answers) -> str | None:
    """The department the people named belong to, if the reporter said (else None)."""
    department = answers.get(INVOLVED_DEPARTMENT)
    if isinstance(department, str) and department and department != UNKNOWN_DEPARTMENT:
        return department
    return None


def concern_macs(blind_index: BlindIndex, names_text: str, department: str | None) -> list[str]:
    """One blind index per person named (one KMS call each); [] if nobody is named."""
    return [blind_index.person(name, department or "") for name in people_named(names_text)]


def concern_key(mac: str) -> str:
    """The partition key of the reports naming one person."""
    return f"{CONCERN_PREFIX}{mac}"


@dataclass
class ConcernIndex:
    """Reads the CONCERN partitions of the reports table. Takes its client and table."""

    client: Any
    table: str

    def others_naming(self, report_id: str, macs: list[str]) -> list[str]:
        """Ids of other reports that name someone this report names, oldest first."""
        found: dict[str, str] = {}
        for mac in macs:
            with unavailable_on_failure("dynamodb"):
                pages = self.client.get_paginator("query").paginate(
                    TableName=self.table,
                    KeyConditionExpression="pk = :person",
                    ExpressionAttributeValues={":person": {"S": concern_key(mac)}},
                    # Strongly consistent: a report written a moment ago must already count.
                    ConsistentRead=True,
                    ProjectionExpression="#id, #at",
                    ExpressionAttributeNames={"#id": "report_id", "#at": "submitted_at"},
                )
                for page in pages:
                    for item in page["Items"]:
                        other = item["report_id"]["S"]
                        if other != report_id:
                            found[other] = item["submitted_at"]["S"]
        return sorted(found, key=lambda other: (found[other], other))

    def linked_reports(self, report_id: str, macs: list[str]) -> list[dict[str, Any]]:
        """The other reports naming someone this one names: reference, date and team.

        The team is read from each report item (a report not yet triaged has none).
        """
        others = self.others_naming(report_id, macs)
        reports: dict[str, dict[str, Any]] = {}
        for start in range(0, len(others), _BATCH):
            keys = [
                {"pk": {"S": f"REPORT#{other}"}, "sk": {"S": "REPORT"}}
                for other in others[start : start + _BATCH]
            ]
            request: dict[str, Any] = {
                self.table: {
                    "Keys": keys,
                    # (names, not words: some of these are DynamoDB reserved words)
                    "ProjectionExpression": "#id, #reference, #at, #team",
                    "ExpressionAttributeNames": {
                        "#id": "report_id",
                        "#reference": "reference",
                        "#at": "submitted_at",
                        "#team": "team_id",
                    },
                    "ConsistentRead": True,
                }
            }
            while request:
                with unavailable_on_failure("dynamodb"):
                    response = self.client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table, []):
                    values = plain(item)
                    reports[str(values["report_id"])] = values
                request = response.get("UnprocessedKeys") or {}
        return [
            {
                "reference": str(reports[other]["reference"]),
                "submitted_at": str(reports[other]["submitted_at"]),
                "team_id": reports[other].get("team_id"),
            }
            for other in others
            if other in reports
        ]
