"""Least privilege, measured: every AWS call each function makes is allowed by its own role and,
for the app's keys, by the key's policy naming that role; and every role is what is written
out here by hand.

How the measurement works. Each function's work runs in-process against moto (the shared
stack of `tests/api`), under a recorder hooked into the app's one botocore session
(`chalicelib.services.botocore_session()`; the encryption SDK's KMS calls go through the same
session's KMS client). Before each unit of work the app's clients and caches are reset, as a
cold Lambda container would start, so one function's cached data key cannot hide another
function's KMS call. The staff authorizer runs inside the API's requests and is attributed
separately. For the two SQS consumers the test plays Lambda's event source mapping, which
polls, reads attributes and deletes with the consumer's role. Calls made by the test itself
(provisioning, signing in, reading tables to check) are not recorded.

Each recorded call is turned into what IAM authorises (a `TransactWriteItems` is each item's
`PutItem` / `UpdateItem` / `DeleteItem` / `ConditionCheckItem`; a `Query` on an index is the
index's ARN; sending to or receiving from an encrypted queue makes SQS use the storage key on
the caller's behalf; SES v2 `SendEmail` is `ses:SendEmail` on the sender identity and on its
default configuration set), and the physical names of the test stage are mapped onto the
logical resources of the synthesised template. A call its function's policy does not allow
fails the test, naming function, action, resource and the step that made it.

The other way round, grants that no measured call used are listed in `NOT_EXERCISED`, each
with the reason it stays; a grant that is neither used nor listed fails the test.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.content.document import document_of
from chalicelib.institution import load_institution
from chalicelib.resources import RESOURCES, physical_name
from devstack.jwks import serve_moto_jwks
from infra.permissions import markdown_matrix
from tests.infra.conftest import CONTEXT, Synthesised

pytestmark = pytest.mark.infra

REGION, ACCOUNT, STAGE = CONTEXT["region"], CONTEXT["account"], CONTEXT["stage"]
PREFIX = physical_name(STAGE, "")  # report-support-ci-
DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy-permissions.md"

FUNCTIONS = (
    "APIHandler",
    "StaffAuthorizer",
    "OnTriageMessage",
    "OnNotifyMessage",
    "RedriveOutbox",
    "SlaWatch",
    "RetentionSweep",
    "AuditCheckpoint",
    "BuildInsights",
    "AddStaffMember",
    "ManageStaffMember",
    "RecordCognitoChange",
)
#: Chalice's handler names -> the functions `chalice package` makes of them.
HANDLERS = {
    "on_triage_message": "OnTriageMessage",
    "on_notify_message": "OnNotifyMessage",
    "redrive_outbox": "RedriveOutbox",
    "sla_watch": "SlaWatch",
    "retention_sweep": "RetentionSweep",
    "audit_checkpoint": "AuditCheckpoint",
    "build_insights": "BuildInsights",
    "add_staff_member": "AddStaffMember",
    "manage_staff_member": "ManageStaffMember",
    "record_cognito_change": "RecordCognitoChange",
}
SCREENER, ADVISOR, DPO, ANALYST = "ss-screener", "ss-advisor-1", "dpo-admin", "di-analyst"

# --- the expectations, written out -----------------------------------------------------------

READ = frozenset({"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"})
WRITE = frozenset(
    {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    }
)
SEND = frozenset({"sqs:SendMessage"})
CONSUME = frozenset({"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"})
#: SQS encrypts with the storage key on the caller's behalf (condition kms:ViaService = SQS).
THROUGH_SQS = frozenset({"kms:GenerateDataKey", "kms:Decrypt"})
LOGS = frozenset({"logs:CreateLogStream", "logs:PutLogEvents"})

#: Function -> resource -> the actions its role allows there. A table stands for itself and
#: each of its indexes (the same actions on every one); `key/storage via sqs` is the storage
#: key under the condition that SQS uses it; `logs/own` is the function's own log streams.
EXPECTED: Mapping[str, Mapping[str, frozenset[str]]] = {
    "APIHandler": {
        "table/reports": READ | WRITE,
        "table/demographics": WRITE,
        "table/staff": READ | WRITE,
        "table/notifications": WRITE,
        "table/insights": READ,
        "table/rights": READ | WRITE,
        "table/admin": READ | WRITE,
        "key/identity": frozenset({"kms:GenerateDataKey", "kms:Decrypt"}),
        "key/insight": frozenset({"kms:GenerateDataKey"}),
        "key/blind-index": frozenset({"kms:GenerateMac"}),
        "key/audit": frozenset({"kms:GenerateMac", "kms:VerifyMac"}),
        "queue/triage": SEND,
        "queue/notify": SEND,
        "key/storage via sqs": THROUGH_SQS,
        # The admins' staff directory (`chalicelib.staff_admin`).
        "pool/staff": frozenset(
            {
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminListGroupsForUser",
                "cognito-idp:AdminAddUserToGroup",
                "cognito-idp:AdminRemoveUserFromGroup",
            }
        ),
        "logs/own": LOGS,
    },
    "StaffAuthorizer": {"logs/own": LOGS},
    "OnTriageMessage": {
        "table/reports": READ | WRITE,
        "table/notifications": WRITE,
        "table/insights": WRITE,
        "table/admin": READ,
        "key/audit": frozenset({"kms:GenerateMac", "kms:VerifyMac"}),
        "queue/notify": SEND,
        "queue/triage": CONSUME,
        "key/storage via sqs": THROUGH_SQS,
        "logs/own": LOGS,
    },
    "OnNotifyMessage": {
        "table/notifications": READ | WRITE,
        "table/staff": READ,
        "key/identity": frozenset({"kms:Decrypt"}),
        "queue/notify": CONSUME,
        "key/storage via sqs": THROUGH_SQS,
        "ses/sender": frozenset({"ses:SendEmail"}),
        "ses/configuration-set": frozenset({"ses:SendEmail"}),
        "logs/own": LOGS,
    },
    "RedriveOutbox": {
        "table/reports": READ,
        "table/notifications": READ,
        "queue/triage": SEND,
        "queue/notify": SEND,
        "key/storage via sqs": THROUGH_SQS,
        "logs/own": LOGS,
    },
    "SlaWatch": {
        "table/reports": READ | WRITE,
        "table/notifications": WRITE,
        "queue/notify": SEND,
        "key/storage via sqs": THROUGH_SQS,
        "logs/own": LOGS,
    },
    "RetentionSweep": {
        "table/reports": READ | WRITE,
        "table/demographics": WRITE,
        "table/notifications": READ | WRITE,
        "key/audit": frozenset({"kms:GenerateMac", "kms:VerifyMac"}),
        "logs/own": LOGS,
    },
    "AuditCheckpoint": {
        "table/reports": READ | WRITE,
        "table/admin": READ,
        "key/audit": frozenset({"kms:GenerateMac", "kms:VerifyMac"}),
        "logs/own": LOGS,
    },
    "BuildInsights": {
        "table/reports": READ | WRITE,
        "table/demographics": READ | WRITE,
        "table/insights": READ | WRITE,
        "key/insight": frozenset({"kms:Decrypt"}),
        "logs/own": LOGS,
    },
    "AddStaffMember": {
        "table/staff": READ | WRITE,
        "key/identity": frozenset({"kms:GenerateDataKey"}),
        "logs/own": LOGS,
    },
    "ManageStaffMember": {
        "table/staff": READ | WRITE,
        "pool/staff": frozenset(
            {
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminUserGlobalSignOut",
                "cognito-idp:AdminDeleteUser",
                "cognito-idp:AdminListGroupsForUser",
                "cognito-idp:AdminAddUserToGroup",
                "cognito-idp:AdminRemoveUserFromGroup",
            }
        ),
        "logs/own": LOGS,
    },
    "RecordCognitoChange": {
        "table/staff": READ | WRITE,
        "pool/staff": frozenset({"cognito-idp:ListUsers"}),
        "logs/own": LOGS,
    },
}

#: Key -> use -> the functions whose roles the key's policy names for it (and no one else).
KEY_USERS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "identity": {
        "kms:GenerateDataKey": frozenset({"APIHandler", "AddStaffMember"}),
        "kms:Decrypt": frozenset({"APIHandler", "OnNotifyMessage"}),
    },
    "insight": {
        "kms:GenerateDataKey": frozenset({"APIHandler"}),
        "kms:Decrypt": frozenset({"BuildInsights"}),
    },
    "blind-index": {"kms:GenerateMac": frozenset({"APIHandler"})},
    "audit": {
        "kms:GenerateMac": frozenset(
            {"APIHandler", "OnTriageMessage", "RetentionSweep", "AuditCheckpoint"}
        ),
        "kms:VerifyMac": frozenset(
            {"APIHandler", "OnTriageMessage", "RetentionSweep", "AuditCheckpoint"}
        ),
    },
}

#: Grants no measured call used, as (resource, use), and why each stays. A use is `read` or
#: `write` of a table (with its indexes), or one named action elsewhere. A grant neither used
#: nor listed here fails `test_every_grant_is_used_or_listed_as_not_exercised`.
NOT_EXERCISED: Mapping[str, Mapping[tuple[str, str], str]] = {
    "APIHandler": {
        ("pool/staff", "cognito-idp:AdminGetUser"): (
            "read only when an added member's sign-in exists already: an add sent again "
            "after its directory write failed (tests/api/test_staff_directory_admin.py)"
        ),
    },
    "OnNotifyMessage": {
        ("key/storage via sqs", "kms:GenerateDataKey"): (
            "infra/service.py gives every queue user both storage-key actions through SQS; "
            "a consumer that sends nothing needs only kms:Decrypt"
        ),
    },
}

# --- recording ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One AWS API call the app made, as botocore was asked for it."""

    function: str
    step: str
    service: str
    operation: str
    params: Mapping[str, Any]


@dataclass
class Recorder:
    """Records every call made through the app's botocore session while a function acts."""

    clock: Any
    calls: list[Call] = field(default_factory=list)
    _acting: list[tuple[str, str]] = field(default_factory=list)

    @contextmanager
    def acting_as(self, function: str, step: str, *, cold: bool = True) -> Iterator[None]:
        """Attribute the calls made inside to `function`; `cold` starts it as a new container."""
        from chalicelib import services

        if cold:
            services.reset(clock=self.clock)
            services.botocore_session().register(
                "before-parameter-build", self._record, unique_id="least-privilege-recorder"
            )
        self._acting.append((function, step))
        try:
            yield
        finally:
            self._acting.pop()

    def _record(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        if self._acting:
            function, step = self._acting[-1]
            self.calls.append(
                Call(
                    function=function,
                    step=step,
                    service=model.service_model.service_name,
                    operation=model.name,
                    params=dict(params),
                )
            )


@dataclass(frozen=True)
class Measurement:
    """What each function called, and the names the test stage gave its resources."""

    calls: tuple[Call, ...]
    settings: Any

    def of(self, function: str) -> list[Call]:
        return [call for call in self.calls if call.function == function]


@pytest.fixture(scope="module")
def measured() -> Measurement:
    """Every function's work, run once in one mocked stack, its calls recorded."""
    from chalice.app import ChaliceAuthorizer
    from moto import mock_aws

    from tests.api.shared_stack import shared_stack

    endpoint = os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with (
            serve_moto_jwks() as jwks_url,
            mock_aws(),
            shared_stack(jwks_url) as stack,
            pytest.MonkeyPatch.context() as patch,
        ):
            recorder = Recorder(clock=stack.clock)
            authorize: Callable[..., Any] = ChaliceAuthorizer.__call__

            def as_the_authorizer(self: Any, event: Any, context: Any) -> Any:
                # API Gateway runs the authorizer as its own function before the route's.
                with recorder.acting_as("StaffAuthorizer", "verify token", cold=False):
                    return authorize(self, event, context)

            patch.setattr(ChaliceAuthorizer, "__call__", as_the_authorizer)
            _Exercise(stack, recorder).run()
            return Measurement(calls=tuple(recorder.calls), settings=stack.settings)
    finally:
        if endpoint is not None:
            os.environ["AWS_ENDPOINT_URL"] = endpoint


class _Exercise:
    """The work of every function: the API's routes, both consumers, the four schedules."""

    def __init__(self, stack: Any, recorder: Recorder) -> None:
        self.stack = stack
        self.recorder = recorder
        self.client = stack.client

    # -- the API (each request a cold start, so every KMS use shows) --------------------------

    def api(
        self, method: str, path: str, user: str | None = None, body: Any = None, *, ok: int = 200
    ) -> Any:
        headers = {"Content-Type": "application/json"}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.stack.token(user)}"
        request = getattr(self.client.http, method)
        with self.recorder.acting_as("APIHandler", f"{method.upper()} {path.split('?')[0]}"):
            if body is None:
                response = request(path, headers=headers)
            else:
                response = request(path, headers=headers, body=json.dumps(body))
        assert response.status_code == ok, (method, path, response.status_code, response.body)
        return response.json_body

    def version(self, reference: str) -> int:
        return int(self.api("get", f"/staff/cases/{reference}", SCREENER)["version"])

    # -- Lambda's side of the event sources and schedules --------------------------------------

    def drain(self, *queues: str) -> None:
        """Deliver queued messages to their consumers as Lambda's event source mapping does:
        it polls, reads the queue's attributes and deletes what succeeded, with the
        consumer's role."""
        settings = self.stack.settings
        consumers = {
            "triage": (settings.triage_queue_url, "on_triage_message"),
            "notify": (settings.notify_queue_url, "on_notify_message"),
        }
        moved = True
        while moved:
            moved = False
            for queue in queues or tuple(consumers):
                url, handler = consumers[queue]
                with self.recorder.acting_as(HANDLERS[handler], f"{queue} message"):
                    from chalicelib import services

                    sqs = services.sqs()
                    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
                    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                        "Messages", []
                    )
                    if not messages:
                        continue
                    moved = True
                    event = self.client.events.generate_sqs_event(
                        queue_name=queue, message_bodies=[m["Body"] for m in messages]
                    )
                    result = self.client.lambda_.invoke(handler, event)
                    assert result.payload == {"batchItemFailures": []}, result.payload
                    for message in messages:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def scheduled(self, handler: str) -> dict[str, int]:
        event = self.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        with self.recorder.acting_as(HANDLERS[handler], "schedule"):
            return dict(self.client.lambda_.invoke(handler, event).payload)

    def later(self, **delta: float) -> None:
        self.stack.clock.moment += timedelta(**delta)

    # -- the story ----------------------------------------------------------------------------

    def run(self) -> None:
        from tests.factories import anonymous_submission, contact, named_submission

        grace = self.stack.settings.triage_redrive_after_seconds
        tag = uuid.uuid4().hex[:8]
        subject = f"subject-{tag}@example.ac.uk"
        forgotten = f"forgotten-{tag}@example.ac.uk"

        # Intake: five reports naming one person of one department at one place (the
        # repeat-concern links, and both trend alerts: 3 at a place, 5 in a department):
        # the named case to work on, one to erase, three anonymous (one with demographics).
        library = {
            "where": "on_campus",
            "campus_area": "library",
            "involved_names": [{"name": "Jordan Example"}],
            "involved_department": "social_sciences",
        }
        self.api("get", "/form")
        named = named_submission(answers=library)
        named["contact"] = contact(email=subject)
        worked = self.api("post", "/reports", body=named, ok=201)["reference"]
        to_erase = named_submission(answers=library)
        to_erase["contact"] = contact(email=forgotten)
        self.api("post", "/reports", body=to_erase, ok=201)
        for demographics in ({"age_band": "25_34"}, None, None):
            anonymous = anonymous_submission(answers=library)
            if demographics:
                anonymous["demographics"] = demographics
            self.api("post", "/reports", body=anonymous, ok=201)

        # Nothing reached triage in time: the redrive sends the reports again; triage runs
        # but its alerts are not delivered in time either, so they are sent again too.
        self.later(seconds=grace + 1)
        assert self.scheduled("redrive_outbox")["resent"] == 5
        self.drain("triage")
        self.later(seconds=grace + 1)
        assert self.scheduled("redrive_outbox")["notifications_resent"] >= 1
        self.drain()

        # Case work on the named case.
        self.api("get", "/staff/me", SCREENER)
        self.api("get", "/staff/queue", SCREENER)
        self.api("get", f"/staff/cases/{worked}", SCREENER)
        self.api("get", f"/staff/cases/{worked}/advisors", SCREENER)
        assignment = {"advisor_id": ADVISOR, "reason": "Best placed", "version": 0}
        assignment["version"] = self.version(worked)
        self.api("post", f"/staff/cases/{worked}/assignment", SCREENER, assignment)
        self.drain()
        self.api("get", "/staff/queue", ADVISOR)
        self.api("post", f"/staff/cases/{worked}/reveal", ADVISOR, {"purpose": "First contact"})
        contact_log = {"type": "contact_attempt", "method": "phone", "result": "reached"}
        self.api("post", f"/staff/cases/{worked}/timeline", ADVISOR, {"entry": contact_log}, ok=201)
        note = {"type": "note", "text": "Agreed next steps"}
        self.api("post", f"/staff/cases/{worked}/timeline", ADVISOR, {"entry": note}, ok=201)
        self.api("post", f"/staff/cases/{worked}/timeline/read", ADVISOR, {"purpose": "Review"})
        priority = {"priority": "high", "reason": "Repeat", "version": self.version(worked)}
        self.api("post", f"/staff/cases/{worked}/priority", SCREENER, priority)
        self.drain()

        # The data protection officer: access (export), rectification, erasure; close.
        requests = "/staff/rights/requests"
        access = self.api("post", requests, DPO, {"kind": "access", "email": subject}, ok=201)
        self.api("get", requests, DPO)
        self.api("get", f"{requests}/{access['request_id']}", DPO)
        self.api("post", f"{requests}/{access['request_id']}/export", DPO, {"reason": "SAR"})
        closing = {"outcome": "completed", "reason": "Answer sent"}
        self.api("post", f"{requests}/{access['request_id']}/close", DPO, closing)
        fix = self.api("post", requests, DPO, {"kind": "rectification", "email": subject}, ok=201)
        correction = {
            "reference": worked,
            "contact": {"phone": "+44 7700 900999"},
            "reason": "Subject gave a new number",
        }
        self.api("post", f"{requests}/{fix['request_id']}/rectification", DPO, correction)
        erasure = self.api("post", requests, DPO, {"kind": "erasure", "email": forgotten}, ok=201)
        self.api("post", f"{requests}/{erasure['request_id']}/erasure", DPO, {"reason": "Asked"})
        self.drain()

        # Close the worked case; its audit trail; a legal hold set and lifted on another.
        closure = {
            "to": "closed",
            "reason": "Support given",
            "outcome": "no_further_action",
            "version": self.version(worked),
        }
        self.api("post", f"/staff/cases/{worked}/transitions", ADVISOR, closure)
        self.api("get", f"/staff/cases/{worked}/audit", SCREENER)
        self.drain()

        # Insights and the records office while everything is held.
        self.api("get", "/staff/insights?from=2026-01&to=2026-12", ANALYST)
        self.api("get", "/staff/insights/csv?from=2026-01&to=2026-12", ANALYST)
        self.api("get", f"/staff/records/{worked}", DPO)
        # The administration trail (reading it records the read: a write and a read).
        self.api("get", "/staff/admin/trail", DPO)
        # Content: an administrator saves a version and publishes it (its document, the
        # pointer and the trail's entry in the admin table); the form then serves it.
        content = {"document": _deployed_document(), "based_on": None}
        self.api("post", "/staff/admin/content/versions", DPO, content, ok=201)
        publish = {"reason": "New wellbeing number", "published": None}
        self.api("post", "/staff/admin/content/versions/1/publish", DPO, publish)
        self.api("get", "/form")
        # The staff directory from the portal: a team, a member with their sign-in, a change
        # of roles and address, a leaver deactivated and reactivated.
        admin = "/staff/admin"
        self.api("get", f"{admin}/directory", DPO)
        team = {"team_id": f"team_{tag}", "name": "Wellbeing", "reason": "A new service"}
        self.api("post", f"{admin}/teams", DPO, team, ok=201)
        joiner = {
            "member_id": f"joiner-{tag}",
            "team_id": f"team_{tag}",
            "name": "A Joiner",
            "email": f"joiner-{tag}@example.ac.uk",
            "roles": ["advisor"],
            "reason": "Joined",
        }
        self.api("post", f"{admin}/members", DPO, joiner, ok=201)
        member = f"{admin}/members/joiner-{tag}"
        changed = {
            "roles": ["screener"],
            "email": f"joiner-{tag}@example.org",
            "capacity": 4,
            "reason": "New post",
        }
        self.api("post", member, DPO, changed)
        self.api("post", f"{member}/deactivation", DPO, {"reason": "Left"})
        self.api("post", f"{member}/reactivation", DPO, {"reason": "Came back"})

        # A case nobody screens: its clock runs out and the SLA watch chases the screeners.
        overdue = self.api("post", "/reports", body=named_submission(), ok=201)["reference"]
        self.drain()
        self.later(days=4, minutes=1)
        assert self.scheduled("sla_watch")["escalated"] >= 1
        self.drain()
        escalation = {"reason": "Still unscreened", "version": self.version(overdue)}
        self.api("post", f"/staff/cases/{overdue}/escalation", SCREENER, escalation)
        self.drain()
        for held in (True, False):
            flag: dict[str, Any] = {"flag": "legal_hold", "value": held, "reason": "Litigation"}
            flag["version"] = self.version(overdue)
            self.api("post", f"/staff/cases/{overdue}/flags", DPO, flag)
        self.api("get", "/health")
        self.api("get", "/openapi.json")

        # The statistics count everything, demographics included.
        assert self.scheduled("build_insights")["demographics"] >= 1
        # The hourly checkpoint signs every head that moved.
        assert self.scheduled("audit_checkpoint")["checkpointed"] >= 1

        # Retention: six months after closure the worked case is redacted; three years after
        # submission the redacted cases and the anonymous record are deleted.
        self.stack.clock.moment = self.stack.clock.moment.replace(year=2027, month=6)
        assert self.scheduled("retention_sweep")["redacted"] >= 1
        self.stack.clock.moment = self.stack.clock.moment.replace(year=2030, month=1)
        assert self.scheduled("retention_sweep")["deleted"] >= 1
        assert self.scheduled("build_insights")
        # A deleted case's checkpoint goes once its signed tombstone is found.
        assert self.scheduled("audit_checkpoint")["deleted"] >= 1

        # Ops add a staff member to the directory (scripts/first-admin invokes the function).
        entry = {
            "member": {
                "member_id": f"new-{tag}",
                "team_id": f"team-{tag}",
                "name": "A New Colleague",
                "email": f"new-{tag}@example.ac.uk",
                "roles": ["admin"],
            },
            "team": {"team_id": f"team-{tag}", "name": "A new team"},
        }
        with self.recorder.acting_as("AddStaffMember", "enrol"):
            added = self.client.lambda_.invoke("add_staff_member", entry).payload
        assert added == {"added": True, "member_id": f"new-{tag}", "team_created": True}

        # Ops change a member's roles and end their access every way there is (the directory
        # first, then the pool); a change made in Cognito's console, CloudTrail naming the
        # user by their sub alone, is brought into the directory.
        member = "hr-advisor"
        pool = self.stack.settings.staff_pool_id
        from chalicelib import services

        cognito = services.cognito()
        (sub,) = (
            attribute["Value"]
            for attribute in cognito.admin_get_user(UserPoolId=pool, Username=member)[
                "UserAttributes"
            ]
            if attribute["Name"] == "sub"
        )
        change = {
            "source": "aws.cognito-idp",
            "detail-type": "AWS API Call via CloudTrail",
            "detail": {
                "eventTime": "2030-01-02T09:00:00Z",
                "eventSource": "cognito-idp.amazonaws.com",
                "eventName": "AdminUserGlobalSignOut",
                "requestParameters": {
                    "userPoolId": pool,
                    "username": "HIDDEN_DUE_TO_SECURITY_REASONS",
                },
                "additionalEventData": {"sub": sub},
            },
        }
        with self.recorder.acting_as("RecordCognitoChange", "a sign-out made in Cognito"):
            recorded = self.client.lambda_.invoke("record_cognito_change", change).payload
        assert recorded["recorded"] is True, recorded
        for request in (
            {"action": "set_roles", "roles": ["advisor", "screener"]},
            {"action": "set_roles", "roles": ["screener"]},
            {"action": "sign_out"},
            {"action": "deactivate"},
            {"action": "reactivate"},
            {"action": "delete"},
        ):
            with self.recorder.acting_as("ManageStaffMember", str(request["action"])):
                done = self.client.lambda_.invoke(
                    "manage_staff_member", {**request, "member_id": member}
                ).payload
            assert done["done"] is True, (request, done)
        self.api("get", f"/staff/records/{worked}", DPO)
        self.api("get", "/staff/records?month=2030-01", DPO)


# --- what IAM authorises ------------------------------------------------------------------------

#: A resource as the app names it: (kind, logical name, index or None); or the sender address.
Target = tuple[str, str, str | None]
VIA_SQS = {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}


@dataclass(frozen=True)
class Need:
    """One authorisation a call needs: an IAM action on one resource, in a request context."""

    call: Call
    action: str
    target: Target
    context: Mapping[str, str] = field(default_factory=dict)


def _logical(physical: str, settings: Any) -> str:
    prefix = physical_name(settings.stage, "")
    assert physical.startswith(prefix), f"{physical} is not a resource of the test stage"
    return physical.removeprefix(prefix)


def _needs(call: Call, settings: Any) -> list[Need]:
    """What IAM checks for one call (see the module docstring)."""
    p, op = call.params, call.operation

    def table(name: str, index: str | None = None) -> Target:
        return ("table", _logical(name, settings), index)

    if call.service == "dynamodb":
        if op in ("TransactWriteItems", "TransactGetItems"):
            per_item = {
                "Put": "PutItem",
                "Update": "UpdateItem",
                "Delete": "DeleteItem",
                "ConditionCheck": "ConditionCheckItem",
                "Get": "GetItem",
            }
            return [
                Need(call, f"dynamodb:{per_item[kind]}", table(request["TableName"]))
                for item in p["TransactItems"]
                for kind, request in item.items()
            ]
        if op in ("BatchGetItem", "BatchWriteItem"):
            return [Need(call, f"dynamodb:{op}", table(name)) for name in p["RequestItems"]]
        return [Need(call, f"dynamodb:{op}", table(p["TableName"], p.get("IndexName")))]
    if call.service == "kms":
        keys = {
            str(getattr(settings, key.settings_field)): key.logical_name for key in RESOURCES.keys
        }
        key_id = str(p.get("KeyId", "<no KeyId>"))
        return [Need(call, f"kms:{op}", ("key", keys.get(key_id, f"unknown {key_id}"), None))]
    if call.service == "sqs":
        queue = ("queue", _logical(str(p["QueueUrl"]).rsplit("/", 1)[1], settings), None)
        action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
        needs = [Need(call, f"sqs:{action.get(op, op)}", queue)]
        storage: Target = ("key", "storage", None)
        if op in ("SendMessage", "SendMessageBatch"):
            needs += [Need(call, a, storage, VIA_SQS) for a in sorted(THROUGH_SQS)]
        if op == "ReceiveMessage":
            needs.append(Need(call, "kms:Decrypt", storage, VIA_SQS))
        return needs
    if call.service == "cognito-idp":
        assert p["UserPoolId"] == settings.staff_pool_id, p
        return [Need(call, f"cognito-idp:{op}", ("user-pool", "staff", None))]
    if call.service == "sesv2" and op == "SendEmail":
        sender = str(p["FromEmailAddress"])
        return [
            Need(call, "ses:SendEmail", ("ses-identity", sender, None)),
            Need(call, "ses:SendEmail", ("ses-configuration-set", sender, None)),
        ]
    return [Need(call, f"{call.service}:{op}", ("unknown", json.dumps(dict(p))[:80], None))]


def _assumed_by(role: Mapping[str, Any]) -> str:
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return str(statement["Principal"]["Service"])


class Template:
    """The synthesised main template, with intrinsic functions resolved to ARNs."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.resources: Mapping[str, Any] = template["Resources"]
        self.keys: dict[str, str] = {}  # logical key name -> ARN
        for alias in self._of("AWS::KMS::Alias").values():
            name = alias["Properties"]["AliasName"].removeprefix(f"alias/{PREFIX}")
            self.keys[name] = str(self.resolve(alias["Properties"]["TargetKeyId"]))
        self.names: dict[str, str] = {arn: f"key/{name}" for name, arn in self.keys.items()}
        for logical_id, resource in self.resources.items():
            kind, properties = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::DynamoDB::Table":
                arn = self.arn(logical_id)
                short = "table/" + properties["TableName"].removeprefix(PREFIX)
                self.names[arn] = short
                for index in properties.get("GlobalSecondaryIndexes", []):
                    self.names[f"{arn}/index/{index['IndexName']}"] = (
                        f"{short}/index/{index['IndexName']}"
                    )
            elif kind == "AWS::SQS::Queue":
                self.names[self.arn(logical_id)] = "queue/" + properties["QueueName"].removeprefix(
                    PREFIX
                )
            elif kind == "AWS::Cognito::UserPool":
                self.pool_arn = self.arn(logical_id)
                self.names[self.pool_arn] = "pool/staff"
        (identity,) = self._of("AWS::SES::EmailIdentity").values()
        self.sender = identity["Properties"]["EmailIdentity"]
        self.sender_arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{self.sender}"
        configuration_set = self.resolve(
            identity["Properties"]["ConfigurationSetAttributes"]["ConfigurationSetName"]
        )
        self.configuration_set_arn = (
            f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{configuration_set}"
        )
        self.names[self.sender_arn] = "ses/sender"
        self.names[self.configuration_set_arn] = "ses/configuration-set"
        # The functions' roles (API Gateway's logging role is checked on its own).
        self.roles = {
            self.resolve(role["Properties"]["RoleName"]).removeprefix(PREFIX): logical_id
            for logical_id, role in self._of("AWS::IAM::Role").items()
            if _assumed_by(role) == "lambda.amazonaws.com"
        }
        self.other_roles = {
            logical_id: _assumed_by(role)
            for logical_id, role in self._of("AWS::IAM::Role").items()
            if logical_id not in self.roles.values()
        }

    def _of(self, kind: str) -> dict[str, Any]:
        return {k: r for k, r in self.resources.items() if r["Type"] == kind}

    def arn(self, logical_id: str) -> str:
        """A stand-in ARN for a resource of the template (a key by its logical id)."""
        resource = self.resources[logical_id]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{properties['TableName']}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{properties['QueueName']}"
        if kind == "AWS::KMS::Key":
            return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{logical_id}"
        if kind == "AWS::IAM::Role":
            return f"arn:aws:iam::{ACCOUNT}:role/{self.resolve(properties['RoleName'])}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{properties['LogGroupName']}:*"
        if kind == "AWS::Cognito::UserPool":
            return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{logical_id}"
        raise AssertionError(f"no ARN known for {logical_id} ({kind})")

    def resolve(self, value: Any) -> Any:
        """A value with Ref, Fn::GetAtt (Arn) and Fn::Join worked out; lists stay lists."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
            if value["Ref"] in pseudo:
                return pseudo[value["Ref"]]
            resource = self.resources[value["Ref"]]
            if resource["Type"] == "AWS::SES::ConfigurationSet":
                return resource["Properties"]["Name"]
            return self.arn(value["Ref"])
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", value
            return self.arn(logical_id)
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(part)) for part in parts)
        return {k: self.resolve(v) for k, v in value.items()}

    def arn_of(self, target: Target) -> str:
        """The template's ARN for a resource the app addressed."""
        kind, name, index = target
        if kind == "table":
            arn = next(a for a, short in self.names.items() if short == f"table/{name}")
            return f"{arn}/index/{index}" if index else arn
        if kind == "queue":
            return next(a for a, short in self.names.items() if short == f"queue/{name}")
        if kind == "key":
            return self.keys.get(name, f"<unknown key {name}>")
        if kind == "ses-identity":
            domain = name.rsplit("@", 1)[-1]
            if self.sender in (name, domain):
                return self.sender_arn
        if kind == "ses-configuration-set":
            return self.configuration_set_arn
        if kind == "user-pool":
            return self.pool_arn
        return f"<{kind} {name}>"

    def short(self, arn: str) -> str:
        if arn in self.names:
            return self.names[arn]
        if re.fullmatch(rf"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/.*", arn):
            return "logs/own"
        return arn

    # -- policies -----------------------------------------------------------------------------

    def role_statements(self, function: str) -> list[dict[str, Any]]:
        """Every statement of every policy attached to the function's role, resolved."""
        role = self.roles[function]
        statements: list[dict[str, Any]] = []
        for resource in self.resources.values():
            policy = resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
            if policy and {"Ref": role} in resource["Properties"].get("Roles", []):
                statements += _listed(resource["Properties"]["PolicyDocument"]["Statement"])
        properties = self.resources[role]["Properties"]
        for inline in properties.get("Policies", []):
            statements += _listed(inline["PolicyDocument"]["Statement"])
        assert not properties.get("ManagedPolicyArns"), f"{function} has AWS managed policies"
        return [self.resolve(statement) for statement in statements]

    def key_statements(self, key_arn: str) -> list[dict[str, Any]]:
        logical_id = key_arn.rsplit("/", 1)[1]
        document = self.resources[logical_id]["Properties"]["KeyPolicy"]
        return [self.resolve(s) for s in _listed(document["Statement"])]

    def role_arn(self, function: str) -> str:
        return self.arn(self.roles[function])


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str, *, ignore_case: bool) -> bool:
    if ignore_case:
        value = value.lower()
    for pattern in _listed(patterns):
        text = str(pattern).lower() if ignore_case else str(pattern)
        if fnmatch.fnmatchcase(value, text):
            return True
    return False


def _conditions_hold(conditions: Mapping[str, Any] | None, context: Mapping[str, str]) -> bool:
    for operator, tests in (conditions or {}).items():
        for key, wanted in tests.items():
            have = context.get(key)
            if have is None:
                return False
            if operator == "StringEquals":
                if have not in _listed(wanted):
                    return False
            elif operator in ("ArnLike", "StringLike"):
                if not _matches(wanted, have, ignore_case=False):
                    return False
            else:
                return False  # an operator this evaluator does not know never holds
    return True


def _allows(
    statements: list[dict[str, Any]], action: str, arn: str, context: Mapping[str, str]
) -> bool:
    allowed = False
    for statement in statements:
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        if not _matches(statement["Action"], action, ignore_case=True):
            continue
        if not _matches(statement["Resource"], arn, ignore_case=False):
            continue
        if not _conditions_hold(statement.get("Condition"), context):
            continue
        if statement["Effect"] == "Deny":
            return False
        allowed = True
    return allowed


def _key_policy_allows(
    template: Template, key_arn: str, action: str, function: str, context: Mapping[str, str]
) -> bool:
    """Whether the key's policy lets this function's role use it: by naming the role, or
    (the storage key, through a service only) for any caller of this account, the condition
    then deciding (`kms:CallerAccount`, `kms:ViaService`)."""
    role = template.role_arn(function)
    request = {**context, "kms:CallerAccount": ACCOUNT, "aws:PrincipalAccount": ACCOUNT}
    for statement in template.key_statements(key_arn):
        principals = _listed(statement.get("Principal", {}).get("AWS", []))
        named = role in principals
        delegated = "*" in principals and "kms:ViaService" in context
        if not (named or delegated) or statement["Effect"] != "Allow":
            continue
        if _matches(statement["Action"], action, ignore_case=True) and _conditions_hold(
            statement.get("Condition"), request
        ):
            return True
    return False


@pytest.fixture(scope="module")
def template(synthesised: Synthesised) -> Template:
    return Template(synthesised.main)


# --- the measurement against the template ----------------------------------------------------


def test_every_function_was_exercised(measured: Measurement) -> None:
    made = {function: len(measured.of(function)) for function in FUNCTIONS}
    assert {f for f, n in made.items() if n == 0} == {"StaffAuthorizer"}, made


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_measured_call_is_allowed_by_the_functions_role_and_the_keys_policy(
    measured: Measurement, template: Template, function: str
) -> None:
    statements = template.role_statements(function)
    refused = []
    for call in measured.of(function):
        for need in _needs(call, measured.settings):
            arn = template.arn_of(need.target)
            where = f"{function}: {need.action} on {template.short(arn)} ({call.step})"
            if not _allows(statements, need.action, arn, need.context):
                refused.append(f"{where}: not in the role's policy")
            elif arn.startswith("arn:aws:kms:") and not _key_policy_allows(
                template, arn, need.action, function, need.context
            ):
                refused.append(f"{where}: the key's policy does not name the role")
    assert sorted(set(refused)) == []


def _use(resource: str, action: str, condition: Any) -> tuple[str, str]:
    """(resource, use): a table's indexes fold into it, its actions into `read` / `write`."""
    family = resource.split("/index/")[0]
    if condition == {"StringEquals": VIA_SQS} or condition == VIA_SQS:
        family += " via sqs"
    elif condition:
        family += f" if {json.dumps(condition, sort_keys=True)}"
    if action in READ:
        return family, "read"
    if action in WRITE:
        return family, "write"
    return family, action


def _granted(template: Template, function: str) -> set[tuple[str, str]]:
    """Every (resource, use) the role allows, logs aside."""
    found = set()
    for statement in template.role_statements(function):
        for arn in _listed(statement["Resource"]):
            short = template.short(arn)
            for action in _listed(statement["Action"]):
                if short != "logs/own":
                    found.add(_use(short, action, statement.get("Condition")))
    return found


def _used(measured: Measurement, template: Template, function: str) -> set[tuple[str, str]]:
    return {
        _use(template.short(template.arn_of(need.target)), need.action, dict(need.context))
        for call in measured.of(function)
        for need in _needs(call, measured.settings)
    }


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_grant_is_used_or_listed_as_not_exercised(
    measured: Measurement, template: Template, function: str
) -> None:
    unused = _granted(template, function) - _used(measured, template, function)
    assert sorted(unused) == sorted(NOT_EXERCISED.get(function, {}))


# --- the expectations against the template ------------------------------------------------------


def _view_unfolded(template: Template, function: str) -> dict[str, set[str]]:
    """Resource (with its condition, if any) -> the actions a role allows there."""
    view: dict[str, set[str]] = defaultdict(set)
    for statement in template.role_statements(function):
        assert statement["Effect"] == "Allow", statement
        condition = statement.get("Condition")
        suffix = ""
        if condition == {"StringEquals": VIA_SQS}:
            suffix = " via sqs"
        elif condition:
            suffix = f" if {json.dumps(condition, sort_keys=True)}"
        for arn in _listed(statement["Resource"]):
            for action in _listed(statement["Action"]):
                view[template.short(arn) + suffix].add(action)
    return view


def _view(template: Template, function: str) -> dict[str, frozenset[str]]:
    """Resource -> actions of a role, a table's indexes folded into it when they match."""
    view = _view_unfolded(template, function)
    folded = {name: frozenset(actions) for name, actions in view.items()}
    for name in list(folded):
        table = name.split("/index/")[0]
        if "/index/" in name and folded.get(table) == folded[name]:
            del folded[name]
    return folded


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_role_allows_exactly_what_is_written_here(template: Template, function: str) -> None:
    expected = {name: frozenset(actions) for name, actions in EXPECTED[function].items()}
    assert _view(template, function) == expected
    for name in expected:
        if name.startswith("table/"):  # each index has exactly the table's actions
            indexes = [short for short in template.names.values() if short.startswith(name + "/")]
            view = _view_unfolded(template, function)
            for index in indexes:
                assert view.get(index, set()) == expected[name], index


@pytest.mark.parametrize("key", sorted(KEY_USERS))
def test_each_keys_policy_names_exactly_the_roles_written_here(
    template: Template, key: str
) -> None:
    functions_by_role = {template.role_arn(f): f for f in FUNCTIONS}
    uses: dict[str, set[str]] = defaultdict(set)
    for statement in template.key_statements(template.keys[key]):
        assert statement["Effect"] == "Allow", statement
        principals = _listed(statement.get("Principal", {}).get("AWS", []))
        for action in _listed(statement["Action"]):
            if action.startswith(("kms:Describe", "kms:Get", "kms:List")) or action in (
                "kms:PutKeyPolicy",
                "kms:EnableKeyRotation",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateKeyDescription",
                "kms:EnableKey",
                "kms:DisableKey",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion",
                "kms:RevokeGrant",
            ):
                continue  # administration, not use
            for principal in principals:
                uses[action].add(functions_by_role.get(principal, principal))
    assert uses == {action: set(roles) for action, roles in KEY_USERS[key].items()}


def _decrypters(template: Template, key: str) -> set[str]:
    key_arn = template.keys[key]
    return {
        f
        for f in FUNCTIONS
        if _allows(template.role_statements(f), "kms:Decrypt", key_arn, {})
        and _key_policy_allows(template, key_arn, "kms:Decrypt", f, {})
    }


def test_only_the_insights_job_may_decrypt_with_the_insight_key(template: Template) -> None:
    assert _decrypters(template, "insight") == {"BuildInsights"}


def test_only_the_api_and_the_notify_worker_may_decrypt_with_the_identity_key(
    template: Template,
) -> None:
    assert _decrypters(template, "identity") == {"APIHandler", "OnNotifyMessage"}


def test_the_authorizer_may_only_write_its_own_logs(template: Template) -> None:
    statements = template.role_statements("StaffAuthorizer")
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (
            sorted(LOGS),
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{PREFIX}StaffAuthorizer"
            ":log-stream:*",
        )
    ]


def _every_role_statement(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in template.roles:
        for statement in template.role_statements(name):
            yield name, statement


def test_no_role_has_a_wildcard_but_its_own_log_streams(template: Template) -> None:
    assert set(template.roles) == set(FUNCTIONS)
    found = []
    for name, statement in _every_role_statement(template):
        own_streams = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{PREFIX}{name}"
        found += [f"{name}: action {a}" for a in _listed(statement["Action"]) if "*" in a]
        found += [
            f"{name}: resource {r}"
            for r in _listed(statement["Resource"])
            if "*" in r and r != f"{own_streams}:log-stream:*"
        ]
    assert found == []


def test_no_role_may_re_encrypt_scan_or_touch_another_stage(template: Template) -> None:
    found = []
    for name, statement in _every_role_statement(template):
        for action in _listed(statement["Action"]):
            if _matches(action, "kms:ReEncryptFrom", ignore_case=True) or _matches(
                action, "kms:ReEncryptTo", ignore_case=True
            ):
                found.append(f"{name}: {action}")
            if _matches(action, "dynamodb:Scan", ignore_case=True):
                found.append(f"{name}: {action}")
        for resource in _listed(statement["Resource"]):
            ours = template.short(resource) != resource or PREFIX in resource
            if not ours or re.search(rf"report-support-(?!{STAGE}-)[a-z0-9]+-", resource):
                found.append(f"{name}: {resource}")
    assert found == []


def test_the_only_other_role_is_api_gateways_for_its_logs(template: Template) -> None:
    (role,) = template.other_roles.values()
    assert role == "apigateway.amazonaws.com"


# --- the matrix in the docs -------------------------------------------------------------------

BEGIN, END = "<!-- matrix: infra.permissions.markdown_matrix() -->", "<!-- end of matrix -->"


def test_the_deploy_permissions_doc_holds_the_current_matrix() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    written = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")
    assert written == markdown_matrix().strip("\n"), (
        "docs/deploy-permissions.md is out of date: paste in the output of "
        "`python -c 'from infra.permissions import markdown_matrix; print(markdown_matrix())'`"
    )


def _deployed_document() -> dict[str, Any]:
    """The deployed default's content document, as an administrator would send it back."""
    return document_of(load_institution()).model_dump(mode="json")
