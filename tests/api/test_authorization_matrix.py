"""The staff API's authorization matrix, generated from the app's own routes.

Every route under `/staff/` is read from `app.routes`, so a route added later is covered at
once (and fails `test_every_staff_route_has_a_rule` until `ROUTE_ACTIONS`, `ROUTE_ROLES`
and, for a POST, `BODIES` say which action of the policy it is, who may call it and with
what). What each call must answer is read from the policy table (`chalicelib.cases.policy`),
the one every route consults; `ROUTE_ROLES` and `sees` are the same rule written out
literally, and `test_the_policy_table_is_the_rule_written_here` holds the two together.
Each route is called

- with a valid token by every caller in `CALLERS` (screener, advisor, analyst, admin, plus a
  screener of another team and a second advisor) on every case in `CASES` (the advisor's
  own case, another team's case, another advisor's case): `expected()` says which cells
  succeed (2xx), which are refused for the role (403) and which are hidden (404);
- with every bad token in `FAULTS`, which must all answer 401, even for the screener who
  could otherwise make the call.

No refused answer may hold case data: not a case's reference, nor an answer's option id,
nor the reporter's contact details or narrative. A hidden case answers exactly as a case
that does not exist, and a refused call writes nothing.

Isolation: the stack and the three cases are made once for the module. Every cell starts
from the same state: after an allowed call (which may have assigned, closed, flagged or
noted the case), the case's partition — case item, timeline, audit — is put back exactly as
it was and the notifications it queued are removed; after a refused call the test asserts
that nothing was written. So no cell depends on another or on their order, and bodies can
carry the case's version as it was set up.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app import app
from chalicelib import services
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.content.document import document_of
from chalicelib.directory import StaffMember
from chalicelib.institution import load_institution
from chalicelib.resources import RESOURCES
from chalicelib.storage.reports_table import CaseUpdate
from devstack.demo import DEMO_MEMBERS, DEMO_PASSWORD, create_demo_users
from devstack.provision import create_user_pool
from tests.api.shared_stack import Stack
from tests.factories import contact, named_submission

# --- the rule --------------------------------------------------------------------------------

ANY_STAFF = frozenset({"screener", "advisor", "analyst", "admin"})
CASE_WORKERS = frozenset({"screener", "advisor"})
ADMINS = frozenset({"admin"})
#: Who may call each route, by role: screeners work their team's queue and cases,
#: advisors the cases assigned to them; admins read a case's summary and audit; analysts
#: have no case routes. Keyed by method and the path after `/staff`.
ROUTE_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/me"): ANY_STAFF,
    # The words for the institution's identifiers (teams, flags, options): any member.
    ("GET", "/labels"): ANY_STAFF,
    ("GET", "/queue"): CASE_WORKERS,
    ("GET", "/cases/{reference}"): frozenset({"screener", "advisor", "admin"}),
    ("POST", "/cases/{reference}/reveal"): CASE_WORKERS,
    ("POST", "/cases/{reference}/timeline"): CASE_WORKERS,
    ("POST", "/cases/{reference}/timeline/read"): CASE_WORKERS,
    ("GET", "/cases/{reference}/advisors"): frozenset({"screener"}),
    ("POST", "/cases/{reference}/assignment"): frozenset({"screener"}),
    ("POST", "/cases/{reference}/transitions"): CASE_WORKERS,
    ("POST", "/cases/{reference}/priority"): frozenset({"screener"}),
    ("POST", "/cases/{reference}/escalation"): CASE_WORKERS,
    # The matrix sets a legal hold, which the data protection admin may also set or lift.
    ("POST", "/cases/{reference}/flags"): CASE_WORKERS | {"admin"},
    ("GET", "/cases/{reference}/audit"): frozenset({"screener", "admin"}),
    # The thread with a reporter who kept a receipt code: those who work the case.
    ("GET", "/cases/{reference}/messages"): CASE_WORKERS,
    ("POST", "/cases/{reference}/messages"): CASE_WORKERS,
    # Removing words from the reporter's free text: a screening decision.
    ("POST", "/cases/{reference}/redactions"): frozenset({"screener"}),
    # Data-subject rights: the data protection officer only.
    ("POST", "/rights/requests"): ADMINS,
    ("GET", "/rights/requests"): ADMINS,
    ("GET", "/rights/requests/{request_id}"): ADMINS,
    ("POST", "/rights/requests/{request_id}/export"): ADMINS,
    ("POST", "/rights/requests/{request_id}/rectification"): ADMINS,
    ("POST", "/rights/requests/{request_id}/erasure"): ADMINS,
    ("POST", "/rights/requests/{request_id}/close"): ADMINS,
    # What is held about a reference, the case or its tombstone: the data protection officer.
    ("GET", "/records/{reference}"): ADMINS,
    # What retention did in a month (the retention log): the data protection officer.
    ("GET", "/records"): ADMINS,
    # Anonymised statistics: analysts only.
    ("GET", "/insights"): frozenset({"analyst"}),
    ("GET", "/insights/csv"): frozenset({"analyst"}),
    # The signed trail of changes to the directory and the content: admins only.
    ("GET", "/admin/trail"): ADMINS,
    # The content reporters see (support services, policies, notice, options): admins only.
    ("GET", "/admin/content"): ADMINS,
    ("POST", "/admin/content/versions"): ADMINS,
    ("GET", "/admin/content/versions/{version}"): ADMINS,
    ("GET", "/admin/content/versions/{version}/preview"): ADMINS,
    ("POST", "/admin/content/versions/{version}/publish"): ADMINS,
    ("POST", "/admin/content/restore"): ADMINS,
    # The staff directory: admins only.
    ("GET", "/admin/directory"): ADMINS,
    ("POST", "/admin/teams"): ADMINS,
    ("POST", "/admin/members"): ADMINS,
    ("POST", "/admin/members/{member_id}"): ADMINS,
    ("POST", "/admin/members/{member_id}/deactivation"): ADMINS,
    ("POST", "/admin/members/{member_id}/reactivation"): ADMINS,
}
#: The policy action each route asks for (None: any signed-in member, whatever their roles).
ROUTE_ACTIONS: dict[tuple[str, str], policy.CaseAction | policy.StaffAction | None] = {
    ("GET", "/me"): None,
    ("GET", "/labels"): None,
    ("GET", "/queue"): "work_queue",
    ("GET", "/cases/{reference}"): "view",
    ("POST", "/cases/{reference}/reveal"): "reveal",
    ("POST", "/cases/{reference}/timeline"): "add_to_timeline",
    ("POST", "/cases/{reference}/timeline/read"): "read_timeline",
    ("GET", "/cases/{reference}/advisors"): "list_advisors",
    ("POST", "/cases/{reference}/assignment"): "assign",
    # The matrix moves the case to `closed`, a move for the `transition` action.
    ("POST", "/cases/{reference}/transitions"): "transition",
    ("POST", "/cases/{reference}/priority"): "set_priority",
    ("POST", "/cases/{reference}/escalation"): "escalate",
    ("POST", "/cases/{reference}/flags"): "set_legal_hold",
    ("GET", "/cases/{reference}/audit"): "read_audit",
    ("GET", "/cases/{reference}/messages"): "read_thread",
    ("POST", "/cases/{reference}/messages"): "reply_to_reporter",
    ("POST", "/cases/{reference}/redactions"): "redact_text",
    ("POST", "/rights/requests"): "handle_rights_requests",
    ("GET", "/rights/requests"): "handle_rights_requests",
    ("GET", "/rights/requests/{request_id}"): "handle_rights_requests",
    ("POST", "/rights/requests/{request_id}/export"): "handle_rights_requests",
    ("POST", "/rights/requests/{request_id}/rectification"): "handle_rights_requests",
    ("POST", "/rights/requests/{request_id}/erasure"): "handle_rights_requests",
    ("POST", "/rights/requests/{request_id}/close"): "handle_rights_requests",
    ("GET", "/records/{reference}"): "read_records",
    ("GET", "/records"): "read_records",
    ("GET", "/insights"): "read_insights",
    ("GET", "/insights/csv"): "read_insights",
    ("GET", "/admin/trail"): "read_admin_trail",
    ("GET", "/admin/content"): "manage_content",
    ("POST", "/admin/content/versions"): "manage_content",
    ("GET", "/admin/content/versions/{version}"): "manage_content",
    ("GET", "/admin/content/versions/{version}/preview"): "manage_content",
    ("POST", "/admin/content/versions/{version}/publish"): "manage_content",
    ("POST", "/admin/content/restore"): "manage_content",
    ("GET", "/admin/directory"): "manage_directory",
    ("POST", "/admin/teams"): "manage_directory",
    ("POST", "/admin/members"): "manage_directory",
    ("POST", "/admin/members/{member_id}"): "manage_directory",
    ("POST", "/admin/members/{member_id}/deactivation"): "manage_directory",
    ("POST", "/admin/members/{member_id}/reactivation"): "manage_directory",
}
#: The content every content route acts on (see `matrix`): the deployed default's document,
#: saved as versions 1 and 2 (both published, 2 now) and 3 (a draft).
DEFAULT_DOCUMENT = document_of(load_institution()).model_dump(mode="json")
CONTENT_DRAFT = 3
#: Which of the matrix's rights requests (see `matrix`) each rights route acts on.
RIGHTS_REQUEST_OF = {
    "/rights/requests/{request_id}/rectification": "rectification",
    "/rights/requests/{request_id}/erasure": "erasure",
}


@dataclass(frozen=True)
class Caller:
    username: str
    team: str
    roles: frozenset[str]


@dataclass(frozen=True)
class CaseSpec:
    reporter_role: str
    team: str
    advisor: str


_MEMBERS = {member.member_id: member for member in DEMO_MEMBERS}
CALLERS = {
    label: Caller(username, _MEMBERS[username].team_id, frozenset(_MEMBERS[username].roles))
    for label, username in {
        "screener": "ss-screener",
        "other_team_screener": "hr-screener",
        "advisor": "ss-advisor-1",
        "other_advisor": "ss-advisor-2",
        "analyst": "di-analyst",
        "admin": "dpo-admin",
    }.items()
}
#: Relations are the advisor's (ss-advisor-1): their own case, another team's, a colleague's.
CASES = {
    "own_case": CaseSpec("student", "student_support", "ss-advisor-1"),
    "other_team_case": CaseSpec("staff", "human_resources", "hr-advisor"),
    "other_advisor_case": CaseSpec("student", "student_support", "ss-advisor-2"),
}


def sees(role: str, caller: Caller, case: CaseSpec) -> bool:
    """Whether this role lets the caller see the case at all."""
    if role == "screener":
        return case.team == caller.team
    if role == "advisor":
        return case.advisor == caller.username
    return role == "admin"


def literal_expected(method: str, route: str, caller: Caller, case: CaseSpec | None) -> int | None:
    """The outcome as `ROUTE_ROLES` and `sees` write the rule: None for 2xx, else the status."""
    roles = ROUTE_ROLES[(method, route)] & caller.roles
    if not roles:
        return 403
    if case is None or any(sees(role, caller, case) for role in roles):
        return None
    return 404


@dataclass(frozen=True)
class Seen:
    """What the policy reads of a case (`policy.Relations`)."""

    team_id: str | None
    advisor_id: str | None
    status: str
    follow_up: bool = False


def expected(method: str, route: str, caller: Caller, case: CaseSpec | None) -> int | None:
    """The outcome of a call with a valid token, as the policy table says: None for success
    (2xx), 403 for no role in the action's row, 404 for a role without its relation."""
    action = ROUTE_ACTIONS[(method, route)]
    if action is None:
        return None
    if not policy.roles_for(action) & caller.roles:
        return 403
    if case is None or action not in policy.CASE_POLICY:
        return None
    principal = Principal(caller.username, caller.team, frozenset(caller.roles))
    # The matrix's cases are all assigned and carry `follow_up` (see `matrix`): every route
    # admits them.
    seen = Seen(team_id=case.team, advisor_id=case.advisor, status="assigned", follow_up=True)
    return None if policy.reaches(principal, seen, action) else 404


# --- the routes and the bodies ---------------------------------------------------------------

STAFF_ROUTES = sorted(
    (method, path.removeprefix("/staff"))
    for path, entries in app.routes.items()
    if path.startswith("/staff/")
    for method in entries
)


@dataclass(frozen=True)
class Context:
    """What a body is made from: who calls, on which case, at which version."""

    caller: Caller
    case: CaseSpec | None
    version: int
    #: The reference of the report the rights requests are about (the advisor's own case).
    subject_reference: str = ""


def _assignee(context: Context) -> str:
    # The case's own advisor when the caller may assign it (nothing changes but the audit);
    # otherwise an advisor of the caller's team, so that the body is valid for the caller
    # and only the case's visibility can refuse it.
    assert context.case is not None
    if context.case.team == context.caller.team:
        return context.case.advisor
    return next(
        (
            member.member_id
            for member in DEMO_MEMBERS
            if member.team_id == context.caller.team and "advisor" in member.roles
        ),
        context.case.advisor,
    )


#: A minimal valid body for every POST route, keyed by the path after `/staff`.
BODIES: dict[str, Callable[[Context], dict[str, Any]]] = {
    "/cases/{reference}/reveal": lambda c: {"purpose": "Checking access rules"},
    "/cases/{reference}/timeline": lambda c: {"entry": {"type": "note", "text": "Check"}},
    "/cases/{reference}/timeline/read": lambda c: {"purpose": "Checking access rules"},
    "/cases/{reference}/assignment": lambda c: {
        "advisor_id": _assignee(c),
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/cases/{reference}/transitions": lambda c: {
        "to": "closed",
        "outcome": "no_further_action",
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/cases/{reference}/priority": lambda c: {
        "priority": "urgent",
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/cases/{reference}/escalation": lambda c: {
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/cases/{reference}/flags": lambda c: {
        "flag": "legal_hold",
        "value": True,
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/cases/{reference}/messages": lambda c: {"text": "Checking access rules"},
    # Every matrix case's account begins with this word (see `_submission`).
    "/cases/{reference}/redactions": lambda c: {
        "field": "narrative",
        "text": "Matrixnarrative",
        "reason": "Checking access rules",
        "version": c.version,
    },
    "/rights/requests": lambda c: {"kind": "access", "email": "someone@example.ac.uk"},
    "/rights/requests/{request_id}/export": lambda c: {"reason": "Checking access rules"},
    "/rights/requests/{request_id}/rectification": lambda c: {
        "reference": c.subject_reference,
        "contact": {"phone": "+44 7700 900999"},
        "reason": "Checking access rules",
    },
    "/rights/requests/{request_id}/erasure": lambda c: {"reason": "Checking access rules"},
    "/rights/requests/{request_id}/close": lambda c: {
        "outcome": "refused",
        "reason": "Checking access rules",
    },
    # The matrix's content (see `matrix`): 2 published, 1 before it, 3 a draft.
    "/admin/content/versions": lambda c: {"document": DEFAULT_DOCUMENT, "based_on": 2},
    "/admin/content/versions/{version}/publish": lambda c: {
        "reason": "Checking access rules",
        "published": 2,
    },
    "/admin/content/restore": lambda c: {"reason": "Checking access rules", "published": 2},
    # Each admin call adds a team or member of its own (ids are new every call); the member
    # routes act on the matrix's own member (`MATRIX_MEMBER`), never on a caller.
    "/admin/teams": lambda c: {
        "team_id": f"matrix_{uuid.uuid4().hex[:8]}",
        "name": "Matrix team",
        "reason": "Checking access rules",
    },
    "/admin/members": lambda c: {
        "member_id": f"matrix-{uuid.uuid4().hex[:8]}",
        "team_id": "student_support",
        "name": "Matrix Member",
        "email": f"matrix-{uuid.uuid4().hex[:8]}@example.ac.uk",
        "roles": ["advisor"],
        "reason": "Checking access rules",
    },
    "/admin/members/{member_id}": lambda c: {"capacity": 5, "reason": "Checking access rules"},
    "/admin/members/{member_id}/deactivation": lambda c: {"reason": "Checking access rules"},
    "/admin/members/{member_id}/reactivation": lambda c: {"reason": "Checking access rules"},
}
#: The member the directory's member routes act on (added with a sign-in by `matrix`).
MATRIX_MEMBER = "matrix-member"


def _cells() -> Iterator[Any]:
    for method, route in STAFF_ROUTES:
        for caller in CALLERS:
            cases: list[str | None] = list(CASES) if "{reference}" in route else [None]
            for case in cases:
                yield pytest.param(
                    method,
                    route,
                    caller,
                    case,
                    id=f"{method} {route} | {caller}" + (f" | {case}" if case else ""),
                )


# --- the shared stack and the three cases ----------------------------------------------------

#: Distinctive answers (option ids searched for in refused answers).
ANSWERS = {
    "reporting_for": "witness",
    "what_happened": ["stalking", "online_harassment"],
    "when": "last_six_months",
    "where": "online",
    "online_platform": "gaming_or_forum",
    "involved_role": ["contractor_or_visitor"],
    "involved_count": "two_or_three",
    "involved_department": "engineering_physical_sciences",
    "anyone_told": ["friend_or_family"],
    "desired_outcome": ["know_my_options"],
}


@dataclass
class SetUpCase:
    spec: CaseSpec
    reference: str
    version: int
    email: str
    secrets: list[str]
    baseline: list[dict[str, Any]]


@dataclass
class Matrix:
    stack: Stack
    cases: dict[str, SetUpCase]
    notifications: list[dict[str, Any]]
    #: Rights requests by kind (the erasure one finds no report), and the rights table.
    rights: dict[str, str] = field(default_factory=dict)
    rights_items: list[dict[str, Any]] = field(default_factory=list)
    content: list[dict[str, Any]] = field(default_factory=list)

    def path(self, route: str, case: SetUpCase | None) -> str:
        """The route's path for a case, the rights request or the content version it acts on."""
        request = self.rights.get(RIGHTS_REQUEST_OF.get(route, "access"), "")
        path = route.replace("{reference}", case.reference if case else "")
        path = path.replace("{version}", str(CONTENT_DRAFT))
        path = path.replace("{member_id}", MATRIX_MEMBER)
        return "/staff" + path.replace("{request_id}", request)

    def content_items(self) -> list[dict[str, Any]]:
        """The content versions and the published pointer (admin table), low-level."""
        items = services.dynamodb().scan(
            TableName=self.stack.settings.admin_table, ConsistentRead=True
        )["Items"]
        return sorted(
            (item for item in items if item["pk"]["S"] == "CONTENT"),
            key=lambda item: item["sk"]["S"],
        )

    def context(self, caller: Caller, case: SetUpCase | None) -> Context:
        """What a body is made from for this caller and case."""
        return Context(
            caller,
            case.spec if case else None,
            case.version if case else 0,
            self.cases["own_case"].reference,
        )

    def rights_table(self) -> list[dict[str, Any]]:
        """The rights table, low-level, in id order."""
        items = services.dynamodb().scan(
            TableName=self.stack.settings.rights_table, ConsistentRead=True
        )["Items"]
        return sorted(items, key=lambda item: item["request_id"]["S"])

    def case_data(self) -> list[str]:
        """Every value no refused answer may contain."""
        return [secret for case in self.cases.values() for secret in case.secrets]

    def notification_items(self) -> list[dict[str, Any]]:
        """The notifications table, low-level, in id order."""
        items = services.dynamodb().scan(
            TableName=self.stack.settings.notifications_table, ConsistentRead=True
        )["Items"]
        return sorted(items, key=lambda item: item["notification_id"]["S"])


def _submission(spec: CaseSpec) -> tuple[dict[str, Any], list[str]]:
    tag = uuid.uuid4().hex[:10]
    # A witness: the case goes to the team of the person it happened to (`affected_role`),
    # and a witness is not asked the demographic questions.
    answers = {**ANSWERS, "reporter_role": spec.reporter_role, "affected_role": spec.reporter_role}
    body = named_submission(answers=answers, demographics=None)
    body["contact"] = contact(
        name=f"Matrixname {tag}",
        email=f"matrix-{tag}@example.ac.uk",
        phone=f"+44 7700 9{tag[:5].translate(str.maketrans('abcdef', '123456'))}",
        safe_times=f"Matrixsafetimes {tag}",
    )
    body["narrative"] = f"Matrixnarrative {tag}"
    options = [
        option
        for value in ANSWERS.values()
        for option in (value if isinstance(value, list) else [value])
    ]
    contact_values = [body["contact"][k] for k in ("name", "email", "phone", "safe_times")]
    return body, [*options, *contact_values, body["narrative"], tag]


@pytest.fixture(scope="module")
def matrix(stack: Stack) -> Matrix:
    stack.forget_cases()
    stack.reset()
    cases = {}
    for label, spec in CASES.items():
        body, secrets = _submission(spec)
        reference = stack.submit(body)
        screener = next(
            m.member_id for m in DEMO_MEMBERS if m.team_id == spec.team and m.roles == ["screener"]
        )
        version = stack.call("get", f"/staff/cases/{reference}", screener).json_body["version"]
        assigned = stack.call(
            "post",
            f"/staff/cases/{reference}/assignment",
            screener,
            {"advisor_id": spec.advisor, "reason": "Setting up", "version": version},
        )
        assert assigned.status_code == 200, assigned.json_body
        assert assigned.json_body["team_id"] == spec.team
        stack.drain()
        # As if its reporter had kept a receipt code: the message thread's routes admit it.
        store = services.report_store()
        ledger = CaseLedger(
            store, services.audit_trail(), services.identity_sealer(), services.clock()
        )
        report = store.case_item(stack.report_id(reference))
        assert report is not None
        ledger.commit(
            "system:test", report, CaseUpdate(changes={"follow_up": True}), [], "setup", {}, None
        )
        cases[label] = SetUpCase(
            spec=spec,
            reference=reference,
            version=int(assigned.json_body["version"]) + 1,
            email=body["contact"]["email"],
            secrets=[reference, *secrets],
            baseline=stack.partition(reference),
        )
    result = Matrix(stack=stack, cases=cases, notifications=[])
    subjects = {
        "access": cases["own_case"].email,
        "rectification": cases["own_case"].email,
        "erasure": "nobody-reported@example.ac.uk",
    }
    for kind, email in subjects.items():
        logged = stack.call(
            "post", "/staff/rights/requests", "dpo-admin", {"kind": kind, "email": email}
        )
        assert logged.status_code == 201, logged.json_body
        result.rights[kind] = logged.json_body["request_id"]
    member = StaffMember(
        member_id=MATRIX_MEMBER,
        team_id="student_support",
        name="Matrix Member",
        email="matrix-member@example.ac.uk",
        roles=["advisor"],
    )
    services.staff_directory().put_member(member)
    services.cognito().admin_create_user(
        UserPoolId=stack.settings.staff_pool_id, Username=MATRIX_MEMBER, MessageAction="SUPPRESS"
    )
    for case in cases.values():
        case.baseline = stack.partition(case.reference)
    # Content: version 1 published, then 2 over it (so 1 can be restored); 3 a draft.
    for number in (1, 2, CONTENT_DRAFT):
        saved = stack.call(
            "post",
            "/staff/admin/content/versions",
            "dpo-admin",
            {"document": DEFAULT_DOCUMENT, "based_on": None},
        )
        assert saved.status_code == 201 and saved.json_body["version"] == number, saved.json_body
    for number, seen in ((1, None), (2, 1)):
        published = stack.call(
            "post",
            f"/staff/admin/content/versions/{number}/publish",
            "dpo-admin",
            {"reason": "Setting up", "published": seen},
        )
        assert published.status_code == 200, published.json_body
    result.notifications = result.notification_items()
    result.rights_items = result.rights_table()
    result.content = result.content_items()
    return result


def put_back(matrix: Matrix, cases: list[SetUpCase]) -> None:
    """These case partitions, the notifications and rights tables as they were set up."""
    for case in cases:
        matrix.stack.restore(case.reference, case.baseline)
    dynamodb = services.dynamodb()
    for item in matrix.rights_table():
        if item not in matrix.rights_items:
            dynamodb.delete_item(
                TableName=matrix.stack.settings.rights_table,
                Key={"request_id": item["request_id"]},
            )
    for item in matrix.rights_items:
        dynamodb.put_item(TableName=matrix.stack.settings.rights_table, Item=item)
    for item in matrix.notification_items():
        if item not in matrix.notifications:
            dynamodb.delete_item(
                TableName=matrix.stack.settings.notifications_table,
                Key={"notification_id": item["notification_id"]},
            )
    for item in matrix.content_items():
        if item not in matrix.content:
            dynamodb.delete_item(
                TableName=matrix.stack.settings.admin_table,
                Key={"pk": item["pk"], "sk": item["sk"]},
            )
    for item in matrix.content:
        dynamodb.put_item(TableName=matrix.stack.settings.admin_table, Item=item)


def assert_nothing_written(matrix: Matrix, cases: list[SetUpCase]) -> None:
    for case in cases:
        assert matrix.stack.partition(case.reference) == case.baseline, "the case changed"
    assert matrix.notification_items() == matrix.notifications, "a notification was queued"
    assert matrix.rights_table() == matrix.rights_items, "a rights request changed"
    assert matrix.content_items() == matrix.content, "the content changed"


def assert_no_case_data(matrix: Matrix, response: Any) -> None:
    text = response.body.decode("utf-8", "replace")
    leaked = [secret for secret in matrix.case_data() if secret in text]
    assert leaked == [], f"a refused answer holds case data: {leaked} in {text}"


def request(
    matrix: Matrix, method: str, path: str, headers: dict[str, str], body: Any = None
) -> Any:
    call = getattr(matrix.stack.client.http, method.lower())
    if body is None:
        return call(path, headers=headers)
    return call(path, headers=headers, body=json.dumps(body))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


# --- the matrix ------------------------------------------------------------------------------


def test_every_staff_route_has_a_rule() -> None:
    assert STAFF_ROUTES, "no staff routes found in app.routes"
    missing = [route for route in STAFF_ROUTES if route not in ROUTE_ROLES]
    assert missing == [], "add these routes to ROUTE_ROLES (and BODIES for a POST)"
    no_body = [r for m, r in STAFF_ROUTES if m == "POST" and r not in BODIES]
    assert no_body == [], "add a minimal valid body for these routes to BODIES"
    assert set(ROUTE_ROLES) == set(STAFF_ROUTES), "ROUTE_ROLES names a route that is gone"
    assert set(ROUTE_ACTIONS) == set(STAFF_ROUTES), "ROUTE_ACTIONS must name every route"


def test_the_policy_table_is_the_rule_written_here() -> None:
    """The policy (what every route consults, and what the matrix below expects) gives each
    route the roles `ROUTE_ROLES` writes out, and each caller on each case the outcome
    `sees` does: neither can drift from the other."""
    for (method, route), action in ROUTE_ACTIONS.items():
        roles = ANY_STAFF if action is None else policy.roles_for(action)
        assert roles == ROUTE_ROLES[(method, route)], (method, route)
    for method, route in STAFF_ROUTES:
        for label, caller in CALLERS.items():
            for spec in CASES.values() if "{reference}" in route else [None]:
                assert expected(method, route, caller, spec) == literal_expected(
                    method, route, caller, spec
                ), (method, route, label, spec)


@pytest.mark.parametrize(("method", "route", "caller_label", "case_label"), list(_cells()))
def test_a_valid_token_gets_exactly_what_the_role_and_case_allow(
    matrix: Matrix, method: str, route: str, caller_label: str, case_label: str | None
) -> None:
    if (method, route) not in ROUTE_ROLES:
        pytest.fail(f"no rule for {method} /staff{route}: add it to ROUTE_ROLES")
    caller = CALLERS[caller_label]
    case = matrix.cases[case_label] if case_label else None
    outcome = expected(method, route, caller, case.spec if case else None)
    path = matrix.path(route, case)
    body = None
    if method == "POST":
        body = BODIES[route](matrix.context(caller, case))
    headers = bearer(matrix.stack.token(caller.username))
    touched = [case] if case else list(matrix.cases.values())

    response = request(matrix, method, path, headers, body)
    if outcome is None:
        put_back(matrix, touched)
        assert 200 <= response.status_code < 300, (response.status_code, response.json_body)
        return
    try:
        assert response.status_code == outcome, (response.status_code, response.json_body)
        assert_no_case_data(matrix, response)
        if outcome == 404:
            unknown = request(
                matrix, method, path.replace(case.reference, "RS-ZZZZ-ZZ99"), headers, body
            )
            assert (unknown.status_code, unknown.json_body) == (404, response.json_body), (
                "a hidden case must answer as a case that does not exist"
            )
        assert_nothing_written(matrix, touched)
    except AssertionError:
        put_back(matrix, touched)
        raise


def test_each_queue_holds_exactly_the_cases_its_owner_may_see(matrix: Matrix) -> None:
    for label, caller in CALLERS.items():
        response = request(
            matrix, "GET", "/staff/queue", bearer(matrix.stack.token(caller.username))
        )
        if not caller.roles & CASE_WORKERS:
            assert response.status_code == 403, label
            continue
        assert response.status_code == 200, (label, response.json_body)
        listed = {row["reference"] for row in response.json_body["cases"]}
        visible = {
            case.reference
            for case in matrix.cases.values()
            if any(sees(role, caller, case.spec) for role in caller.roles & CASE_WORKERS)
        }
        assert listed == visible, label


def test_me_names_the_signed_in_member(matrix: Matrix) -> None:
    for caller in CALLERS.values():
        response = request(matrix, "GET", "/staff/me", bearer(matrix.stack.token(caller.username)))
        assert response.status_code == 200, response.json_body
        # (What the member may do, `allowed_staff_actions`, is the policy's: see
        # tests/api/test_allowed_actions.py, which writes it out for each role.)
        body = response.json_body
        assert body.pop("allowed_staff_actions"), caller.username
        assert body == {
            "member_id": caller.username,
            "team_id": caller.team,
            "roles": sorted(caller.roles),
        }


# --- bad tokens ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _moto_key() -> Any:
    """The fixed RSA key moto signs every Cognito token with (kid "dummy")."""
    raw = gzip.decompress(
        resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    )
    return jwt.PyJWK.from_dict(json.loads(raw)).key


@dataclass
class Tokens:
    """Real tokens for the screener, and what is needed to forge variants of them."""

    access: str
    id_token: str
    other_client: str
    other_pool: str
    claims: dict[str, Any]
    moto_key: Any
    other_key: Any

    def forged(self, key: Any = None, drop: tuple[str, ...] = (), **changes: Any) -> str:
        claims = {**self.claims, **changes}
        for name in drop:
            claims.pop(name)
        return jwt.encode(claims, key or self.moto_key, algorithm="RS256", headers={"kid": "dummy"})


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _sign_in(client_id: str, username: str) -> dict[str, str]:
    return services.cognito().initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    )["AuthenticationResult"]


@pytest.fixture(scope="module")
def tokens(matrix: Matrix) -> Tokens:
    settings = matrix.stack.settings
    cognito = services.cognito()
    mine = _sign_in(settings.staff_client_id, "ss-screener")
    other_client = cognito.create_user_pool_client(
        UserPoolId=settings.staff_pool_id,
        ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    other_pool, other_pool_client = create_user_pool(cognito, RESOURCES.user_pool, "elsewhere")
    create_demo_users(cognito, other_pool)
    claims = _claims(mine["AccessToken"])
    assert claims["token_use"] == "access" and claims["client_id"] == settings.staff_client_id
    assert claims["iss"] == settings.staff_token_issuer
    other_clients = _sign_in(other_client, "ss-screener")["AccessToken"]
    assert _claims(other_clients)["client_id"] == other_client != settings.staff_client_id
    other_pools = _sign_in(other_pool_client, "ss-screener")["AccessToken"]
    # (moto signs every pool's tokens with the same key: only the issuer tells them apart)
    assert _claims(other_pools)["iss"].endswith(other_pool) and other_pool != settings.staff_pool_id
    return Tokens(
        access=mine["AccessToken"],
        id_token=mine["IdToken"],
        other_client=other_clients,
        other_pool=other_pools,
        claims=claims,
        moto_key=_moto_key(),
        other_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


def _tampered_payload(t: Tokens) -> str:
    header, _, signature = t.access.split(".")
    payload = {**t.claims, "cognito:groups": ["screeners", "admins"]}
    return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"


def _tampered_signature(t: Tokens) -> str:
    header, payload, signature = t.access.split(".")
    flipped = "A" if signature[20] != "A" else "B"
    return f"{header}.{payload}.{signature[:20]}{flipped}{signature[21:]}"


def _unsigned(t: Tokens) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "dummy"}).encode())
    return f"{header}.{_b64(json.dumps(t.claims).encode())}."


def _hs256_with_the_public_key(t: Tokens) -> str:
    """The classic confusion: HMAC "signed" with the pool's public key as the secret."""
    secret = t.moto_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "dummy"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(t.claims).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _now() -> int:
    return int(time.time())


#: Each fault: the Authorization header it sends (None: no header at all).
FAULTS: dict[str, Callable[[Tokens], str | None]] = {
    "no_token": lambda t: None,
    "empty_bearer": lambda t: "Bearer ",
    "garbage": lambda t: "Bearer not-a.jwt-at.all",
    "wrong_scheme": lambda t: f"Basic {t.access}",
    "no_scheme": lambda t: t.access,
    "expired": lambda t: "Bearer " + t.forged(exp=_now() - 3600, iat=_now() - 7200),
    "without_expiry": lambda t: "Bearer " + t.forged(drop=("exp",)),
    "tampered_payload": lambda t: "Bearer " + _tampered_payload(t),
    "tampered_signature": lambda t: "Bearer " + _tampered_signature(t),
    "signed_by_another_key": lambda t: "Bearer " + t.forged(key=t.other_key),
    "wrong_client_id": lambda t: "Bearer " + t.forged(client_id="4n0th3rc113nt1d"),
    "another_app_client": lambda t: f"Bearer {t.other_client}",
    "other_pool": lambda t: f"Bearer {t.other_pool}",
    "wrong_issuer": lambda t: (
        "Bearer " + t.forged(iss=t.claims["iss"].rsplit("/", 1)[0] + "/eu-west-2_0ther9oo1")
    ),
    "id_token": lambda t: f"Bearer {t.id_token}",
    "id_token_use": lambda t: "Bearer " + t.forged(token_use="id"),
    "alg_none": lambda t: "Bearer " + _unsigned(t),
    "hs256_with_the_public_key": lambda t: "Bearer " + _hs256_with_the_public_key(t),
}


def test_a_forged_token_with_every_claim_right_is_accepted(matrix: Matrix, tokens: Tokens) -> None:
    """The control for the faults below: forging with moto's key and the real claims gives
    a token the API accepts, so each fault is refused for its one defect alone."""
    response = request(matrix, "GET", "/staff/me", bearer(tokens.forged()))
    assert response.status_code == 200, response.json_body
    assert response.json_body["member_id"] == "ss-screener"


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize(
    ("method", "route"), STAFF_ROUTES, ids=[f"{m} {r}" for m, r in STAFF_ROUTES]
)
def test_a_bad_token_is_refused_with_401(
    matrix: Matrix, tokens: Tokens, method: str, route: str, fault: str
) -> None:
    case = matrix.cases["own_case"]
    path = matrix.path(route, case)
    # The faults are made from the screener's token. On a route for other roles (the admins'
    # or the analysts') a valid screener token gets 403, so a 401 there still shows the token
    # refused before any role check; the body is made for a caller who may call the route.
    spec = case.spec if "{reference}" in route else None
    caller = next(
        CALLERS[label]
        for label in ("screener", "admin", "analyst")
        if expected(method, route, CALLERS[label], spec) is None
    )
    body = None
    if method == "POST":
        body = BODIES[route](matrix.context(caller, case))
    headers = {"Content-Type": "application/json"}
    authorization = FAULTS[fault](tokens)
    if authorization is not None:
        headers["Authorization"] = authorization

    response = request(matrix, method, path, headers, body)
    try:
        assert response.status_code == 401, (response.status_code, response.body)
        assert_no_case_data(matrix, response)
        assert_nothing_written(matrix, [case])
    except AssertionError:
        put_back(matrix, [case])
        raise
