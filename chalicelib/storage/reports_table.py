"""The reports table, and the demographics written with a report: its one owner.

Items (`pk` / `sk`):

- `REPORT#<id>` / `REPORT`: a report, then the case it becomes (one item: intake writes it,
  triage, case work, the SLA watch, retention and the rights desk change it);
- `REPORT#<id>` / `TIMELINE#...` and `AUDIT#...`: the case's timeline and audit entries,
  under the same partition key, so one query reads a case's history and one transaction
  changes a case and records why;
- `SUBMISSION#<submission id>` / `SUBMISSION`: the claim on a submission id (a retry cannot
  create a second report), and `REFERENCE#<reference>` / `REFERENCE`: the claim on a
  reference (two reports never share one);
- `CONCERN#<blind index>` / `REPORT#<id>`: a link from a person named to a report naming
  them (`chalicelib.concerns`); its key and shape are `storage.concern_links`'s.
- `RECEIPT#<MAC>` / `RECEIPT`: an anonymous report's receipt (`chalicelib.storage.receipts`).

One report is written in one transaction: the report item, its two claims, its sealed
demographics in their own table, its concern links and its receipt; all or none. Items never hold
personal data in clear: identifying values arrive here already sealed.

Sparse attributes put an item in an index (`chalicelib.resources.REPORTS_TABLE`): reports
waiting for triage carry `awaiting_triage` (read by the redrive job instead of a scan);
cases with a clock to escalate `sla_watch`; every report and case item `case_heads` (the
audit checkpoint reads every head through it); a pending retention action
`retention_action` and `retention_due_at` (an anonymous report is scheduled for deletion
from the start, `chalicelib.retention`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import Binary
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.clock import iso
from chalicelib.insight_marks import INSIGHT_CHANGED_AT, INSIGHT_COUNTED, INSIGHT_PENDING, PENDING
from chalicelib.reports.models import Mode
from chalicelib.storage.case_item import (
    AWAITING_TRIAGE,
    REPORT_ITEM,
    REPORT_PREFIX,
    CaseItem,
    report_key,
)
from chalicelib.storage.concern_links import link_put_request
from chalicelib.storage.dynamo import (
    CommitConflict,
    attribute_value,
    calling,
    cancellation_reasons,
    count,
    get,
    plain,
    query,
    query_page,
    serialized,
    string_key,
    transact,
    transact_unless_first_fails,
    unavailable,
)
from chalicelib.storage.receipts import FOLLOW_UP, RECEIPT_MAC, receipt_put

if TYPE_CHECKING:
    from chalicelib.cursors import PageCursors

__all__ = [
    "CASE_HEADS",
    "CASE_HEADS_KEY",
    "CommitConflict",
    "NewReport",
    "ReferenceTaken",
    "ReportToCount",
    "ReportsTable",
    "ReportsToCount",
    "SubmissionAlreadyStored",
    "SubmissionClaim",
]

TIMELINE_PREFIX = "TIMELINE#"
AUDIT_PREFIX = "AUDIT#"
SUBMISSION_PREFIX = "SUBMISSION#"
REFERENCE_PREFIX = "REFERENCE#"
#: The sparse index (and its key attribute) listing every report and case item.
CASE_HEADS = "case_heads"
CASE_HEADS_KEY = "case"
_PENDING = "pending"
#: The partition of the sparse index of cases whose clocks are watched.
SLA_OPEN = "open"
#: The audit key's signature of a case's head (`chalicelib.audit`).
HEAD_MAC = "head_mac"
#: The blind indexes of the people a report names (`chalicelib.concerns`).
CONCERN_MACS = "concern_macs"
#: The two retention actions, and the attributes that schedule them (`chalicelib.retention`).
REDACT = "redact"
DELETE = "delete"
RETENTION_ACTION = "retention_action"
RETENTION_NEXT = "retention_next"
RETENTION_DUE_AT = "retention_due_at"


def report_item_key(report_id: str) -> dict[str, Any]:
    """The low-level key of the report (case) item."""
    return string_key({"pk": report_key(report_id), "sk": REPORT_ITEM})


def schedule(action: str, due: datetime, *, held: bool) -> dict[str, Any]:
    """Attributes to SET for a pending action; under a legal hold it stays out of the index."""
    values: dict[str, Any] = {RETENTION_NEXT: action, RETENTION_DUE_AT: iso(due)}
    if not held:
        values[RETENTION_ACTION] = action
    return values


@dataclass(frozen=True)
class NewReport:
    """A validated report, its identifying values already sealed, ready to be stored."""

    report_id: str
    reference: str
    submission_id: str
    mode: Mode
    form_version: str
    privacy_notice_version: str
    submitted_at: datetime
    answers: Mapping[str, str | list[str]]
    #: Option ids in clear: the contact method, and the advisor preferences (a list).
    preferences: Mapping[str, str | list[str]]
    sealed: Mapping[str, bytes]
    email_mac: str | None = None
    sealed_demographics: bytes | None = None
    location_key: str | None = None
    #: The part of the university the people named belong to, if the reporter said.
    department_key: str | None = None
    #: Blind indexes of the people the report names (see `chalicelib.concerns`).
    concern_macs: tuple[str, ...] = ()
    #: When an anonymous report is to be deleted (a named one waits for its case to close).
    delete_due_at: datetime | None = None
    #: The audit key's signature of the new item's head and sealed fields
    #: (`chalicelib.audit.head_message` of version 1, an empty chain and `sealed`).
    head_mac: str = ""
    #: The MAC of the receipt code of an anonymous report that asked for follow-up
    #: (`chalicelib.storage.receipts`): its receipt item is written with the report.
    receipt_mac: str | None = None


@dataclass(frozen=True)
class SubmissionClaim:
    """What a submission id already led to."""

    report_id: str
    reference: str
    mode: Mode
    submitted_at: str


class SubmissionAlreadyStored(Exception):
    """The submission id is claimed by an earlier write (a retry, or a concurrent one)."""

    def __init__(self, claim: SubmissionClaim) -> None:
        self.claim = claim
        super().__init__("submission already stored")


class ReferenceTaken(Exception):
    """The randomly drawn reference is already in use; draw another."""


@dataclass
class CaseUpdate:
    """An update of the case item, built up by an operation."""

    changes: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    add_to_sets: dict[str, set[str]] = field(default_factory=dict)

    def request(self, table: str, report_id: str, condition: dict[str, Any]) -> dict[str, Any]:
        """The transaction item; `condition` maps attribute name to its expected value."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}

        def name(attribute: str) -> str:
            placeholder = f"#n{len(names)}"
            names[placeholder] = attribute
            return placeholder

        def value(content: Any) -> str:
            placeholder = f":v{len(values)}"
            values[placeholder] = attribute_value(content)
            return placeholder

        clauses = []
        if self.changes:
            clauses.append(
                "SET " + ", ".join(f"{name(k)} = {value(v)}" for k, v in self.changes.items())
            )
        if self.add_to_sets:
            clauses.append(
                "ADD " + ", ".join(f"{name(k)} {value(v)}" for k, v in self.add_to_sets.items())
            )
        if self.remove:
            clauses.append("REMOVE " + ", ".join(name(k) for k in self.remove))
        checks = ["attribute_exists(pk)"]
        for attribute, expected in condition.items():
            if expected is None:
                checks.append(f"attribute_not_exists({name(attribute)})")
            else:
                checks.append(f"{name(attribute)} = {value(expected)}")
        return {
            "Update": {
                "TableName": table,
                "Key": report_item_key(report_id),
                "UpdateExpression": " ".join(clauses),
                "ConditionExpression": " AND ".join(checks),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }


@dataclass
class ReportsTable:
    """Reads and writes reports and cases: intake, triage, case work, the SLA watch and the
    rights desk all go through it. Takes its client, table names and the sealer of paging
    cursors; builds nothing."""

    client: Any
    table: str
    demographics_table: str
    cursors: PageCursors

    # --- intake ------------------------------------------------------------------------------

    def add(self, report: NewReport) -> None:
        """Write the report and its claims atomically.

        Raises `SubmissionAlreadyStored`, `ReferenceTaken` or `DependencyUnavailable`.
        """
        submitted_at = iso(report.submitted_at)
        item: dict[str, Any] = {
            "pk": report_key(report.report_id),
            "sk": REPORT_ITEM,
            "report_id": report.report_id,
            "reference": report.reference,
            "submission_id": report.submission_id,
            "mode": report.mode,
            "status": AWAITING_TRIAGE,
            AWAITING_TRIAGE: _PENDING,
            "form_version": report.form_version,
            "privacy_notice_version": report.privacy_notice_version,
            "submitted_at": submitted_at,
            "answers": dict(report.answers),
            "sealed": {name: Binary(value) for name, value in report.sealed.items()},
            "has_demographics": report.sealed_demographics is not None,
            "version": 1,
            # Every report and case item, for the checkpoint of all heads (a sparse index
            # whose keys never change, so it costs a write only when an item comes or goes).
            CASE_HEADS: CASE_HEADS_KEY,
            HEAD_MAC: report.head_mac,
        }
        if report.preferences:
            item["preferences"] = dict(report.preferences)
        if report.email_mac:
            item["email_mac"] = report.email_mac
        if report.location_key:
            item["location_key"] = report.location_key
        if report.department_key:
            item["department_key"] = report.department_key
        if report.concern_macs:
            item[CONCERN_MACS] = list(report.concern_macs)
        if report.delete_due_at is not None:
            item |= schedule(DELETE, report.delete_due_at, held=False)
        if report.receipt_mac:
            item[RECEIPT_MAC] = report.receipt_mac
            item[FOLLOW_UP] = True
        claim = {
            "pk": f"{SUBMISSION_PREFIX}{report.submission_id}",
            "sk": "SUBMISSION",
            "report_id": report.report_id,
            "reference": report.reference,
            "mode": report.mode,
            "submitted_at": submitted_at,
        }
        reference = {
            "pk": f"{REFERENCE_PREFIX}{report.reference}",
            "sk": "REFERENCE",
            "report_id": report.report_id,
        }
        writes = [
            self._put_new(self.table, item, "pk"),
            self._put_new(self.table, claim, "pk", return_existing=True),
            self._put_new(self.table, reference, "pk"),
        ]
        if report.sealed_demographics is not None:
            demographics = {
                "report_id": report.report_id,
                "sealed": Binary(report.sealed_demographics),
                "submitted_at": submitted_at,
            }
            writes.append(self._put_new(self.demographics_table, demographics, "report_id"))
        if report.receipt_mac:
            # After the claims: `_explain_cancellation` reads them by position.
            writes.append(receipt_put(self.table, report.receipt_mac, report.report_id))
        # One link per person named, written with the report so a link never points nowhere.
        writes.extend(
            link_put_request(self.table, mac, report.report_id, report.reference, submitted_at)
            for mac in report.concern_macs
        )
        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            self._explain_cancellation(error, report.submission_id)
        except BotoCoreError:
            raise unavailable() from None

    def find_submission(self, submission_id: str) -> SubmissionClaim | None:
        """What an earlier write of this submission id stored, if any."""
        with calling():
            response = self.client.get_item(
                TableName=self.table,
                Key=string_key({"pk": f"{SUBMISSION_PREFIX}{submission_id}", "sk": "SUBMISSION"}),
                ConsistentRead=True,
            )
        return _claim(response["Item"]) if "Item" in response else None

    def sealed_value(self, report_id: str, field_name: str) -> bytes | None:
        """One sealed field of a report, still sealed."""
        case = self.case_item(report_id)
        return None if case is None else case.sealed.get(field_name)

    def reports_at_location(self, location_key: str, since: datetime, until: datetime) -> int:
        """How many reports name this place, submitted between two moments (inclusive)."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="by_location",
                KeyConditionExpression="location_key = :place AND submitted_at BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":place": {"S": location_key},
                    ":a": {"S": iso(since)},
                    ":b": {"S": iso(until)},
                },
                Select="COUNT",
            )
            return sum(int(page["Count"]) for page in pages)

    def reports_in_department(self, department: str, since: datetime, until: datetime) -> int:
        """How many reports name people of this department, submitted between two moments."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="by_department",
                KeyConditionExpression="department_key = :department "
                "AND submitted_at BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":department": {"S": department},
                    ":a": {"S": iso(since)},
                    ":b": {"S": iso(until)},
                },
                Select="COUNT",
            )
            return sum(int(page["Count"]) for page in pages)

    def due_for_escalation(self, now: datetime, limit: int) -> list[str]:
        """Ids of cases whose next clock stage is due (sparse index, never a scan)."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="sla_watch",
                KeyConditionExpression="sla_watch = :open AND sla_next_at <= :now",
                ExpressionAttributeValues={":open": {"S": SLA_OPEN}, ":now": {"S": iso(now)}},
                PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
            )
            return [
                item["pk"]["S"].removeprefix(REPORT_PREFIX)
                for page in pages
                for item in page["Items"]
            ]

    def record_escalation(
        self,
        report_id: str,
        stage: str,
        following: tuple[str, datetime] | None,
        also: list[dict[str, Any]],
    ) -> bool:
        """Mark a clock stage escalated and move to the next (or stop watching).

        Conditional on the stage still being the next one, so two runs escalate it once.
        """
        values: dict[str, Any] = {":stage": {"S": stage}, ":done": {"SS": [stage]}}
        if following is None:
            expression = "ADD sla_escalated :done REMOVE sla_watch, sla_next_at, sla_next_stage"
        else:
            expression = "ADD sla_escalated :done SET sla_next_stage = :next, sla_next_at = :at"
            values[":next"] = {"S": following[0]}
            values[":at"] = {"S": iso(following[1])}
        update = {
            "Update": {
                "TableName": self.table,
                "Key": report_item_key(report_id),
                "UpdateExpression": expression,
                "ConditionExpression": "sla_next_stage = :stage",
                "ExpressionAttributeValues": values,
            }
        }
        return transact_unless_first_fails(self.client, [update, *also])

    def awaiting_triage(self, submitted_before: datetime, limit: int) -> Iterator[str]:
        """Ids of reports still waiting for triage that were submitted before a moment."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table,
            IndexName=AWAITING_TRIAGE,
            KeyConditionExpression="#awaiting = :pending AND submitted_at < :before",
            ExpressionAttributeNames={"#awaiting": AWAITING_TRIAGE},
            ExpressionAttributeValues={
                ":pending": {"S": _PENDING},
                ":before": {"S": iso(submitted_before)},
            },
            PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
        )
        with calling():
            for page in pages:
                for item in page["Items"]:
                    yield item["pk"]["S"].removeprefix(REPORT_PREFIX)

    @staticmethod
    def _put_new(
        table: str, item: Mapping[str, Any], key: str, *, return_existing: bool = False
    ) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": table,
            "Item": serialized(item),
            "ConditionExpression": f"attribute_not_exists({key})",
        }
        if return_existing:
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Put": put}

    def _explain_cancellation(self, error: ClientError, submission_id: str) -> None:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise unavailable() from None
        reasons = cancellation_reasons(error)
        codes = [reason.get("Code", "None") for reason in reasons]
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            existing = reasons[1].get("Item")
            claim = _claim(existing) if existing else self.find_submission(submission_id)
            if claim is not None:
                raise SubmissionAlreadyStored(claim) from None
        if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
            raise ReferenceTaken() from None
        raise unavailable() from None

    # --- cases -------------------------------------------------------------------------------

    def report_id_for(self, reference: str) -> str | None:
        """The report a reference belongs to (the reference claim, strongly consistent)."""
        item = self._get({"pk": f"{REFERENCE_PREFIX}{reference}", "sk": "REFERENCE"})
        return str(item["report_id"]) if item else None

    def case(self, report_id: str) -> dict[str, Any] | None:
        """The case item as plain values, exactly as stored: for tests and tools that look
        at the raw item. The case code reads `case_item`."""
        return self._get({"pk": report_key(report_id), "sk": REPORT_ITEM})

    def case_item(self, report_id: str) -> CaseItem | None:
        """The case item, typed (a strongly consistent read)."""
        item = self.case(report_id)
        return CaseItem.from_item(item) if item is not None else None

    def team_queue(
        self, team_id: str, limit: int, cursor: str | None
    ) -> tuple[list[CaseItem], str | None]:
        """One page of a team's open cases, in queue order, and the next page's cursor."""
        return self.case_queue("team_queue", "queue_team", team_id, limit, cursor)

    def advisor_queue(
        self, member_id: str, limit: int, cursor: str | None
    ) -> tuple[list[CaseItem], str | None]:
        """One page of the open cases assigned to an advisor, in queue order, and the next
        page's cursor."""
        return self.case_queue("advisor_queue", "advisor_open", member_id, limit, cursor)

    def open_cases_of(self, member_id: str) -> int:
        """How many open cases are assigned to an advisor."""
        return self.count("advisor_queue", "advisor_open", member_id)

    def case_queue(
        self, index: str, key: str, value: str, limit: int, cursor: str | None
    ) -> tuple[list[CaseItem], str | None]:
        """One page of a work queue (`team_queue`, `advisor_queue`: the case items, whole),
        typed, and the cursor of the next page (see `queue`)."""
        items, following = self.queue(index, key, value, limit, cursor)
        return [CaseItem.from_item(item) for item in items], following

    def report_ids_for_email(self, email_mac: str) -> list[str]:
        """Ids of the reports whose reporter's email has this blind index."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="by_email_mac",
                KeyConditionExpression="email_mac = :mac",
                ExpressionAttributeValues={":mac": {"S": email_mac}},
            )
            return [
                item["pk"]["S"].removeprefix(REPORT_PREFIX)
                for page in pages
                for item in page["Items"]
            ]

    def timeline(self, report_id: str) -> list[dict[str, Any]]:
        """Every timeline entry of a case, oldest first."""
        return self._query_prefix(report_id, TIMELINE_PREFIX)

    def queue(
        self, index: str, key: str, value: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a queue index, and the cursor of the next page (None at the end).

        A cursor is good only for the index and value it came from (a team's queue, an
        advisor's, a month of the retention log); any other is refused naming `cursor`.
        """
        scope = f"{self.table}\n{index}\n{key}\n{value}"
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#key = :value",
            "ExpressionAttributeNames": {"#key": key},
            "ExpressionAttributeValues": {":value": {"S": value}},
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = self.cursors.open(cursor, scope=scope)
        items, last = query_page(self.client, request)
        following = self.cursors.seal(last, scope=scope) if last else None
        return items, following

    def count(self, index: str, key: str, value: str) -> int:
        """How many items an index holds under one key."""
        return count(
            self.client,
            {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": "#key = :value",
                "ExpressionAttributeNames": {"#key": key},
                "ExpressionAttributeValues": {":value": {"S": value}},
            },
        )

    def put_request(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """A transaction item adding a new item beside a case."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(item),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def commit(self, writes: list[dict[str, Any]]) -> None:
        """Write atomically. `CommitConflict` if any condition failed."""
        transact(self.client, writes)

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        result: dict[str, Any] | None = get(self.client, self.table, key)
        return result

    def _query_prefix(self, report_id: str, prefix: str) -> list[dict[str, Any]]:
        return items_of_case(self.client, self.table, report_id, prefix)


def _claim(item: Mapping[str, Any]) -> SubmissionClaim:
    values = plain(item)
    return SubmissionClaim(
        report_id=values["report_id"],
        reference=values["reference"],
        mode=values["mode"],
        submitted_at=values["submitted_at"],
    )


@dataclass(frozen=True)
class ReportToCount:
    """A report item as the insights job reads it: the case, for what it counts towards, and
    the job's own marks on it (`chalicelib.insight_marks`)."""

    report_id: str
    item: dict[str, Any]

    @property
    def case(self) -> CaseItem:
        """The report as a case (`CaseItem`): what it counts towards."""
        return CaseItem.from_item(self.item)

    @property
    def marked(self) -> bool:
        """Whether it still waits to be counted (not counted by another run since)."""
        return bool(self.item.get(INSIGHT_PENDING) == PENDING)

    @property
    def counted(self) -> frozenset[str]:
        """The counter keys it was last counted under."""
        return frozenset(str(key) for key in self.item.get(INSIGHT_COUNTED) or [])

    @property
    def has_demographics(self) -> bool:
        """Whether the reporter answered the demographic questions (stored apart)."""
        return self.case.has_demographics


@dataclass
class ReportsToCount:
    """The reports table as the insights job sees it: the reports marked for counting
    (sparse index `insight_pending`), and the write that records what it counted, for the
    job's transactions. Takes its client and table name."""

    client: Any
    table: str

    def marked(self, until: datetime, limit: int) -> list[str]:
        """Ids of reports marked at or before a moment, at most `limit` (never a scan)."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName=INSIGHT_PENDING,
                KeyConditionExpression="#pending = :pending AND #changed <= :until",
                ExpressionAttributeNames={
                    "#pending": INSIGHT_PENDING,
                    "#changed": INSIGHT_CHANGED_AT,
                },
                ExpressionAttributeValues={
                    ":pending": {"S": PENDING},
                    ":until": {"S": iso(until)},
                },
                PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 500)},
            )
            return [
                item["pk"]["S"].removeprefix(REPORT_PREFIX)
                for page in pages
                for item in page["Items"]
                if item["sk"]["S"] == REPORT_ITEM
            ]

    def report(self, report_id: str) -> ReportToCount | None:
        """The report item (a consistent read), or None if it was deleted."""
        item = get(self.client, self.table, {"pk": report_key(report_id), "sk": REPORT_ITEM})
        return ReportToCount(report_id, item) if item else None

    def counted(self, report: ReportToCount, keys: frozenset[str]) -> dict[str, Any]:
        """A transaction item recording the counter keys a report is now counted under and
        taking its mark off, on condition that it has not changed since it was read."""
        names = {
            "#counted": INSIGHT_COUNTED,
            "#pending": INSIGHT_PENDING,
            "#changed": INSIGHT_CHANGED_AT,
        }
        values: dict[str, Any] = {
            ":counted": attribute_value(sorted(keys)),
            ":changed": attribute_value(report.item[INSIGHT_CHANGED_AT]),
            ":pending": {"S": PENDING},
        }
        condition = "#changed = :changed AND #pending = :pending"
        if "version" in report.item:
            names["#version"] = "version"
            values[":version"] = attribute_value(report.item["version"])
            condition += " AND #version = :version"
        return {
            "Update": {
                "TableName": self.table,
                "Key": report_item_key(report.report_id),
                "UpdateExpression": "SET #counted = :counted REMOVE #pending",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }


def items_of_case(client: Any, table: str, report_id: str, prefix: str) -> list[dict[str, Any]]:
    """The items of a case's partition whose sort key starts with `prefix`, in key order, as
    plain values (read consistently)."""
    return list(
        query(
            client,
            {
                "TableName": table,
                "KeyConditionExpression": "pk = :case AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {
                    ":case": {"S": report_key(report_id)},
                    ":prefix": {"S": prefix},
                },
                "ConsistentRead": True,
            },
        )
    )
