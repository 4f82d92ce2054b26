"""The AWS resources the app needs, defined once.

The local stack provisions these on the moto server and `infra/` will declare the same ones
in CDK, so the two cannot drift. Plain data only: nothing here talks to AWS.

Logical names are stable; physical names get a per-stage prefix (`physical_name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AttributeType = Literal["S", "N", "B"]


@dataclass(frozen=True)
class KeySchema:
    """A partition key and an optional sort key, with their attribute types."""

    partition: tuple[str, AttributeType]
    sort: tuple[str, AttributeType] | None = None

    def attributes(self) -> dict[str, AttributeType]:
        """Attribute name -> type for every key attribute."""
        found = {self.partition[0]: self.partition[1]}
        if self.sort:
            found[self.sort[0]] = self.sort[1]
        return found


@dataclass(frozen=True)
class Index:
    """A global secondary index. Sparse when items without its partition key are absent."""

    name: str
    keys: KeySchema
    projection: Literal["ALL", "KEYS_ONLY"] = "KEYS_ONLY"


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: on-demand, encrypted with a customer-managed key in a deployment."""

    logical_name: str
    settings_field: str
    keys: KeySchema
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None

    def attribute_definitions(self) -> dict[str, AttributeType]:
        """Every attribute used by the table's or an index's keys."""
        found = dict(self.keys.attributes())
        for index in self.indexes:
            found.update(index.keys.attributes())
        return found


@dataclass(frozen=True)
class Queue:
    """An SQS queue with its dead-letter queue."""

    logical_name: str
    settings_field: str
    visibility_timeout_seconds: int = 60
    max_receive_count: int = 5
    retention_seconds: int = 4 * 24 * 3600
    dlq_retention_seconds: int = 14 * 24 * 3600


@dataclass(frozen=True)
class Key:
    """A customer-managed KMS key."""

    logical_name: str
    settings_field: str
    description: str
    spec: Literal["SYMMETRIC_DEFAULT", "HMAC_256"] = "SYMMETRIC_DEFAULT"
    usage: Literal["ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC"] = "ENCRYPT_DECRYPT"


REPORTS_TABLE = Table(
    logical_name="reports",
    settings_field="reports_table",
    keys=KeySchema(partition=("pk", "S"), sort=("sk", "S")),
    indexes=(
        # Sparse: only reports still waiting for triage carry `awaiting_triage`.
        Index("awaiting_triage", KeySchema(("awaiting_triage", "S"), ("submitted_at", "S"))),
        # Sparse: only named reports carry the blind index of the reporter's email.
        Index("by_email_mac", KeySchema(("email_mac", "S"), ("submitted_at", "S"))),
        # Reports that name a place, for the repeat-location risk rule.
        Index("by_location", KeySchema(("location_key", "S"), ("submitted_at", "S"))),
        # Sparse: reports whose reporter said which department the people named belong to,
        # for the department trend alert.
        Index("by_department", KeySchema(("department_key", "S"), ("submitted_at", "S"))),
        # Sparse: only cases with a clock still to escalate carry `sla_watch`.
        Index("sla_watch", KeySchema(("sla_watch", "S"), ("sla_next_at", "S"))),
        # Sparse: open cases by team, in queue order (priority, then due time).
        Index("team_queue", KeySchema(("queue_team", "S"), ("queue_order", "S")), "ALL"),
        # Sparse: open cases by assigned advisor, in queue order.
        Index("advisor_queue", KeySchema(("advisor_open", "S"), ("queue_order", "S")), "ALL"),
        # Sparse: cases and records with a retention action (redact, delete) still to come,
        # by when it is due. A legal hold takes a case out of this index until it is lifted.
        Index("retention_due", KeySchema(("retention_action", "S"), ("retention_due_at", "S"))),
        # Sparse: what retention did, by month ("yyyy-mm", the institution's time zone) and
        # when: redacted cases (from their redaction until their deletion) and tombstones.
        Index("retention_log", KeySchema(("retention_log_month", "S"), ("retention_log_at", "S"))),
        # Sparse: reports changed since the statistics last counted them.
        Index("insight_pending", KeySchema(("insight_pending", "S"), ("insight_changed_at", "S"))),
        # Every report and case item (`case_heads` = "case", set at intake and never changed,
        # so the index is written only when an item comes or goes): the audit checkpoint
        # reads every head through it instead of scanning the table.
        Index("case_heads", KeySchema(("case_heads", "S"), ("report_id", "S"))),
    ),
    # Only the receipt codes' failure counters carry it (`chalicelib.storage.receipts`);
    # nothing's correctness depends on TTL.
    ttl_attribute="expires_at",
)

STAFF_TABLE = Table(
    logical_name="staff",
    settings_field="staff_table",
    # TEAM#<team> / TEAM for a team, TEAM#<team> / MEMBER#<member> for each member of it.
    keys=KeySchema(partition=("pk", "S"), sort=("sk", "S")),
    indexes=(Index("by_member", KeySchema(("member_id", "S")), projection="ALL"),),
)

NOTIFICATIONS_TABLE = Table(
    logical_name="notifications",
    settings_field="notifications_table",
    keys=KeySchema(partition=("notification_id", "S")),
    indexes=(
        # Sparse: only notifications not yet sent (nor given up on) carry `unsent`.
        Index("unsent", KeySchema(("unsent", "S"), ("created_at", "S"))),
        # A report's notifications, so that deleting a report leaves none behind.
        Index("by_report", KeySchema(("report_id", "S"), ("created_at", "S"))),
    ),
)

DEMOGRAPHICS_TABLE = Table(
    logical_name="demographics",
    settings_field="demographics_table",
    keys=KeySchema(partition=("report_id", "S")),
)

INSIGHTS_TABLE = Table(
    logical_name="insights",
    settings_field="insights_table",
    # COUNTS#<yyyy-mm> / MONTH (each counter an attribute) and CURRENT / CASELOAD:
    # counters kept by the insights job (docs/insights.md), never
    # personal data; ALERT#... items remember which trend alerts were already raised.
    keys=KeySchema(partition=("pk", "S"), sort=("sk", "S")),
)

RIGHTS_TABLE = Table(
    logical_name="rights",
    settings_field="rights_table",
    keys=KeySchema(partition=("request_id", "S")),
    # Sparse: data-subject requests still open, by their statutory due date.
    indexes=(Index("open_by_due", KeySchema(("open", "S"), ("due_at", "S")), "ALL"),),
)

ADMIN_TABLE = Table(
    logical_name="admin",
    settings_field="admin_table",
    # TRAIL / HEAD and TRAIL / AUDIT#<seq>: the administration audit trail, one signed
    # chain of every change to the staff directory and the institution's content
    # (`chalicelib.storage.admin_trail`); CONTENT / ...: the versions of the content.
    keys=KeySchema(partition=("pk", "S"), sort=("sk", "S")),
)

TRIAGE_QUEUE = Queue(logical_name="triage", settings_field="triage_queue_url")
NOTIFY_QUEUE = Queue(logical_name="notify", settings_field="notify_queue_url")

IDENTITY_KEY = Key(
    logical_name="identity",
    settings_field="identity_key_arn",
    description="Seals reporters' identifying data, narratives and case notes",
)
INSIGHT_KEY = Key(
    logical_name="insight",
    settings_field="insight_key_arn",
    description="Seals demographic answers; only the insights job may decrypt",
)
BLIND_INDEX_KEY = Key(
    logical_name="blind-index",
    settings_field="blind_index_key_arn",
    description="HMAC key for blind indexes (email, reported person)",
    spec="HMAC_256",
    usage="GENERATE_VERIFY_MAC",
)


AUDIT_KEY = Key(
    logical_name="audit",
    settings_field="audit_key_arn",
    description="HMAC key signing audit entries: a chain edited without it does not verify",
    spec="HMAC_256",
    usage="GENERATE_VERIFY_MAC",
)


@dataclass(frozen=True)
class UserPool:
    """The Cognito user pool staff sign in with; its groups are the roles."""

    logical_name: str
    groups: tuple[str, ...]
    #: Short-lived access tokens: a stolen one is useful for an hour at most.
    access_token_minutes: int = 60


STAFF_POOL = UserPool(logical_name="staff", groups=("screeners", "advisors", "analysts", "admins"))


@dataclass(frozen=True)
class ResourceSet:
    """Everything one stage of the app needs."""

    tables: tuple[Table, ...] = (
        REPORTS_TABLE,
        DEMOGRAPHICS_TABLE,
        STAFF_TABLE,
        NOTIFICATIONS_TABLE,
        INSIGHTS_TABLE,
        RIGHTS_TABLE,
        ADMIN_TABLE,
    )
    queues: tuple[Queue, ...] = (TRIAGE_QUEUE, NOTIFY_QUEUE)
    keys: tuple[Key, ...] = (IDENTITY_KEY, INSIGHT_KEY, BLIND_INDEX_KEY, AUDIT_KEY)
    user_pool: UserPool = STAFF_POOL


RESOURCES = ResourceSet()


def physical_name(stage: str, logical_name: str) -> str:
    """The deployed name of a resource: `report-support-<stage>-<logical>`."""
    return f"report-support-{stage}-{logical_name}"


def dead_letter_queue_name(stage: str, queue: Queue) -> str:
    """The deployed name of a queue's dead-letter queue."""
    return physical_name(stage, queue.logical_name) + "-dlq"
