"""Running the real retention code against the running stack, at a moment of the test's
choosing.

The local stack's clock is the real one, so its daily sweep will not reach a case due months
or years ahead. The test process builds `Retention` itself — the same class the stack's
`retention_sweep` schedule runs — with boto3 clients pointed at the stack's moto server,
the stack's tables and audit key, the institution's retention windows, and a clock set
where the test wants it. What it writes is what the stack's own sweep would write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditSigner, AuditTrail
from chalicelib.clock import FixedClock
from chalicelib.cursors import PageCursors, key_from_kms
from chalicelib.institution import load_institution
from chalicelib.resources import (
    AUDIT_KEY,
    DEMOGRAPHICS_TABLE,
    NOTIFICATIONS_TABLE,
    REPORTS_TABLE,
    physical_name,
)
from chalicelib.retention.sweep import Retention, Tables
from chalicelib.storage.audit_entries import AuditEntries
from tests.e2e.running import RunningStack

#: The stage `python -m devstack` provisions.
STAGE = "local"


class NothingSealed:
    """The sweep seals nothing (its audit entries carry no reason): a seal here is a bug."""

    def seal(self, record_id: str, field: str, value: Any) -> bytes:
        raise AssertionError(f"the retention sweep sealed {field} of {record_id}")


def retention_at(stack: RunningStack, moment: datetime) -> Retention:
    """The stack's retention service, in this process, with its clock at `moment`."""
    dynamodb, kms = stack.client("dynamodb"), stack.client("kms")
    reports = physical_name(STAGE, REPORTS_TABLE.logical_name)
    audit_alias = "alias/" + physical_name(STAGE, AUDIT_KEY.logical_name)
    audit_key = kms.describe_key(KeyId=audit_alias)["KeyMetadata"]["Arn"]
    return Retention(
        client=dynamodb,
        tables=Tables(
            reports=reports,
            demographics=physical_name(STAGE, DEMOGRAPHICS_TABLE.logical_name),
            notifications=physical_name(STAGE, NOTIFICATIONS_TABLE.logical_name),
        ),
        audit=AuditTrail(AuditEntries(dynamodb, reports), AuditSigner(kms, audit_key)),
        identity=NothingSealed(),
        clock=FixedClock(moment),
        policy=load_institution().retention,
        time_zone=ZoneInfo(load_institution().time_zone),
        cursors=PageCursors(key_from_kms(kms, audit_key)),
    )


def tombstone_key(reference: str) -> dict[str, Any]:
    """The key of a deleted case's tombstone in the reports table."""
    return {"pk": {"S": f"TOMBSTONE#{reference}"}, "sk": {"S": "TOMBSTONE"}}
