"""DynamoDB storage of reports.

One report is written in one transaction: the report item, a claim on its submission id
(so a retry cannot create a second report), a claim on its reference (so two reports never
share one), and its sealed demographics in their own table. Either all of them are written
or none is.

Items never hold personal data in clear: identifying values arrive here already sealed.
Reports waiting for triage carry `awaiting_triage`, which puts them in a sparse index that
the redrive job reads instead of scanning the table; an anonymous report is scheduled for
deletion from the start (`chalicelib.retention`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.audit import HEAD_MAC
from chalicelib.clock import iso
from chalicelib.concerns import CONCERN_MACS, concern_key
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable
from chalicelib.reports.models import Mode
from chalicelib.retention import DELETE, schedule
from chalicelib.storage.dynamo import transact_unless_first_fails

AWAITING_TRIAGE = "awaiting_triage"
#: The sparse index (and its key attribute) listing every report and case item.
CASE_HEADS = "case_heads"
CASE_HEADS_KEY = "case"
_PENDING = "pending"
#: The partition of the sparse index of cases whose clocks are watched.
SLA_OPEN = "open"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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
class ReportStore:
    """Reads and writes report items. Takes its client and table names; builds nothing."""

    client: Any
    reports_table: str
    demographics_table: str

    def add(self, report: NewReport) -> None:
        """Write the report and its claims atomically.

        Raises `SubmissionAlreadyStored`, `ReferenceTaken` or `DependencyUnavailable`.
        """
        submitted_at = iso(report.submitted_at)
        item: dict[str, Any] = {
            "pk": _report_key(report.report_id),
            "sk": "REPORT",
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
        claim = {
            "pk": f"SUBMISSION#{report.submission_id}",
            "sk": "SUBMISSION",
            "report_id": report.report_id,
            "reference": report.reference,
            "mode": report.mode,
            "submitted_at": submitted_at,
        }
        reference = {
            "pk": f"REFERENCE#{report.reference}",
            "sk": "REFERENCE",
            "report_id": report.report_id,
        }
        writes = [
            self._put_new(self.reports_table, item, "pk"),
            self._put_new(self.reports_table, claim, "pk", return_existing=True),
            self._put_new(self.reports_table, reference, "pk"),
        ]
        if report.sealed_demographics is not None:
            demographics = {
                "report_id": report.report_id,
                "sealed": Binary(report.sealed_demographics),
                "submitted_at": submitted_at,
            }
            writes.append(self._put_new(self.demographics_table, demographics, "report_id"))
        # One link per person named, written with the report so a link never points nowhere;
        # it holds what a screener is shown of the other report, and nothing else.
        for mac in report.concern_macs:
            link = {
                "pk": concern_key(mac),
                "sk": _report_key(report.report_id),
                "report_id": report.report_id,
                "reference": report.reference,
                "submitted_at": submitted_at,
            }
            writes.append(self._put_new(self.reports_table, link, "pk"))
        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            self._explain_cancellation(error, report.submission_id)
        except BotoCoreError:
            raise DependencyUnavailable("dynamodb") from None

    def find_submission(self, submission_id: str) -> SubmissionClaim | None:
        """What an earlier write of this submission id stored, if any."""
        with unavailable_on_failure("dynamodb"):
            response = self.client.get_item(
                TableName=self.reports_table,
                Key={"pk": {"S": f"SUBMISSION#{submission_id}"}, "sk": {"S": "SUBMISSION"}},
                ConsistentRead=True,
            )
        return _claim(response["Item"]) if "Item" in response else None

    def get(self, report_id: str) -> dict[str, Any] | None:
        """The report item as plain Python values, or None."""
        with unavailable_on_failure("dynamodb"):
            response = self.client.get_item(
                TableName=self.reports_table, Key=_report_item_key(report_id), ConsistentRead=True
            )
        return _from_item(response["Item"]) if "Item" in response else None

    def sealed_value(self, report_id: str, field_name: str) -> bytes | None:
        """One sealed field of a report, still sealed."""
        item = self.get(report_id)
        if item is None:
            return None
        value = item.get("sealed", {}).get(field_name)
        return bytes(value.value) if isinstance(value, Binary) else None

    def apply_triage(
        self, report_id: str, version: int, changes: Mapping[str, Any], also: list[dict[str, Any]]
    ) -> bool:
        """Set the triage outcome (and write `also`, e.g. notifications) in one transaction,
        conditional on the `version` read (the changes carry a head signed for the next).

        False if the report had already left triage: a duplicate delivery changes nothing.
        """
        names = {f"#a{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": _serializer.serialize(v) for i, v in enumerate(changes.values())}
        assignments = ", ".join(f"#a{i} = :v{i}" for i in range(len(changes)))
        update = {
            "Update": {
                "TableName": self.reports_table,
                "Key": _report_item_key(report_id),
                "UpdateExpression": f"SET {assignments}, #version = :next REMOVE #awaiting",
                "ConditionExpression": "attribute_exists(pk) AND #status = :current "
                "AND #version = :read",
                "ExpressionAttributeNames": {
                    **names,
                    "#status": "status",
                    "#awaiting": AWAITING_TRIAGE,
                    "#version": "version",
                },
                "ExpressionAttributeValues": {
                    **values,
                    ":current": {"S": AWAITING_TRIAGE},
                    ":read": {"N": str(version)},
                    ":next": {"N": str(version + 1)},
                },
            }
        }
        return self._transact_first_is_conditional([update, *also])

    def reports_at_location(self, location_key: str, since: datetime, until: datetime) -> int:
        """How many reports name this place, submitted between two moments (inclusive)."""
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.reports_table,
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
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.reports_table,
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
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.reports_table,
                IndexName="sla_watch",
                KeyConditionExpression="sla_watch = :open AND sla_next_at <= :now",
                ExpressionAttributeValues={":open": {"S": SLA_OPEN}, ":now": {"S": iso(now)}},
                PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
            )
            return [
                item["pk"]["S"].removeprefix("REPORT#") for page in pages for item in page["Items"]
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
                "TableName": self.reports_table,
                "Key": _report_item_key(report_id),
                "UpdateExpression": expression,
                "ConditionExpression": "sla_next_stage = :stage",
                "ExpressionAttributeValues": values,
            }
        }
        return self._transact_first_is_conditional([update, *also])

    def _transact_first_is_conditional(self, writes: list[dict[str, Any]]) -> bool:
        return transact_unless_first_fails(self.client, writes)

    def awaiting_triage(self, submitted_before: datetime, limit: int) -> Iterator[str]:
        """Ids of reports still waiting for triage that were submitted before a moment."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.reports_table,
            IndexName=AWAITING_TRIAGE,
            KeyConditionExpression="#awaiting = :pending AND submitted_at < :before",
            ExpressionAttributeNames={"#awaiting": AWAITING_TRIAGE},
            ExpressionAttributeValues={
                ":pending": {"S": _PENDING},
                ":before": {"S": iso(submitted_before)},
            },
            PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
        )
        with unavailable_on_failure("dynamodb"):
            for page in pages:
                for item in page["Items"]:
                    yield item["pk"]["S"].removeprefix("REPORT#")

    @staticmethod
    def _put_new(
        table: str, item: Mapping[str, Any], key: str, *, return_existing: bool = False
    ) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": table,
            "Item": {name: _serializer.serialize(value) for name, value in item.items()},
            "ConditionExpression": f"attribute_not_exists({key})",
        }
        if return_existing:
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Put": put}

    def _explain_cancellation(self, error: ClientError, submission_id: str) -> None:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise DependencyUnavailable("dynamodb") from None
        reasons = error.response.get("CancellationReasons", [])
        codes = [reason.get("Code", "None") for reason in reasons]
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            existing = reasons[1].get("Item")
            claim = _claim(existing) if existing else self.find_submission(submission_id)
            if claim is not None:
                raise SubmissionAlreadyStored(claim) from None
        if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
            raise ReferenceTaken() from None
        raise DependencyUnavailable("dynamodb") from None


def _report_key(report_id: str) -> str:
    return f"REPORT#{report_id}"


def _report_item_key(report_id: str) -> dict[str, Any]:
    return {"pk": {"S": _report_key(report_id)}, "sk": {"S": "REPORT"}}


def _claim(item: Mapping[str, Any]) -> SubmissionClaim:
    values = _from_item(item)
    return SubmissionClaim(
        report_id=values["report_id"],
        reference=values["reference"],
        mode=values["mode"],
        submitted_at=values["submitted_at"],
    )


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
