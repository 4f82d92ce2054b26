"""The staff API: case work for screeners and advisors, behind Cognito sign-in.

Every route is under `/staff/` and needs a valid access token (the `staff_authorizer`).
Which roles may call a route, and which cases they see, is decided in
`chalicelib.cases.casework`; this module only parses requests and shapes answers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from chalice.app import AuthRequest, AuthResponse, Blueprint, Response
from pydantic import BaseModel

from chalicelib import services
from chalicelib.api import staff_calls
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.staff_calls import json_answer as _json
from chalicelib.cases.access import Principal
from chalicelib.errors import FieldProblem, InvalidInput, Unauthenticated
from chalicelib.lazy import lazy_module
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.api import staff_schemas as schemas
    from chalicelib.cases import models as case_requests
    from chalicelib.cases import policy
    from chalicelib.institution import labels as institution_labels
else:
    # Imported by the route that first needs them, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.staff_schemas")
    case_requests = lazy_module("chalicelib.cases.models")
    policy = lazy_module("chalicelib.cases.policy")
    institution_labels = lazy_module("chalicelib.institution.labels")

staff_api = Blueprint(__name__)
_Model = TypeVar("_Model", bound=BaseModel)
_REFERENCE = re.compile(r"\ARS-[A-Z0-9]{4}-[A-Z0-9]{4}\Z")


@staff_api.authorizer(name="staff_authorizer", ttl_seconds=60)
def staff_authorizer(auth_request: AuthRequest) -> AuthResponse:
    """Verify the caller's access token; API Gateway answers 401 when this fails."""
    try:
        identity = services.token_verifier().verify(auth_request.token)
    except Unauthenticated as refusal:
        logger.info("staff token refused", extra={"why": str(refusal)})
        # API Gateway's contract: this exact message becomes a 401.
        raise Exception("Unauthorized") from None
    # Only who the caller is and when they signed in: API Gateway keeps this answer for the
    # authorizer's TTL, so what the member may do is read from the directory by each view.
    return AuthResponse(
        routes=["*"],
        principal_id=identity.username,
        context={"authenticated_at": str(identity.authenticated_at)},
    )


def _principal() -> Principal:
    return staff_calls.principal(staff_api.current_request)


def staff_principal() -> Principal:
    """The signed-in staff member of the current request (for the other staff blueprints)."""
    return _principal()


def _body(model: type[_Model]) -> _Model:
    return staff_calls.parsed_body(staff_api.current_request, model)


def _reference(reference: str) -> str:
    if not _REFERENCE.match(reference):
        raise InvalidInput([FieldProblem("reference", "is not a case reference (RS-XXXX-XXXX)")])
    return reference


def _query() -> dict[str, str]:
    return dict(staff_api.current_request.query_params or {})


def _flag(name: str) -> bool:
    value = _query().get(name, "false").lower()
    if value not in ("true", "false"):
        raise InvalidInput([FieldProblem(name, "must be true or false")])
    return value == "true"


_AUTH = {"authorizer": staff_authorizer}
_JSON_BODY = {"content_types": ["application/json"], **_AUTH}


@staff_api.route("/staff/me", methods=["GET"], **_AUTH)
@handles_domain_errors
def me() -> Response:
    """Who is signed in: member id, team, roles, and the staff actions the policy allows."""
    principal = _principal()
    return _json(
        schemas.Me,
        {
            "member_id": principal.member_id,
            "team_id": principal.team_id,
            "roles": sorted(principal.roles),
            "allowed_staff_actions": policy.allowed_staff_actions(principal),
        },
    )


@staff_api.route("/staff/labels", methods=["GET"], **_AUTH)
@handles_domain_errors
def labels() -> Response:
    """The names of the institution's teams and risk flags. Query: `lang` (en, cy)."""
    _principal()  # any signed-in member: who they are is checked, no role is needed
    params = _query()
    problems = [
        FieldProblem(name, "is not a query of the labels")
        for name in sorted(set(params) - {"lang"})
    ]
    language = params.get("lang", "en")
    if language not in ("en", "cy"):
        problems.append(FieldProblem("lang", "must be one of: en, cy"))
    if problems:
        raise InvalidInput(problems)
    directory = services.staff_directory()

    def team_name(team_id: str) -> str | None:
        team = directory.team(team_id)
        return team.name if team else None

    return _json(
        schemas.Labels,
        institution_labels.labels(services.published_institution(), team_name, language),  # type: ignore[arg-type]
    )


@staff_api.route("/staff/queue", methods=["GET"], **_AUTH)
@handles_domain_errors
def queue() -> Response:
    """Open cases: a screener's team queue, or an advisor's own, in priority and due order.

    Query: `status`, `priority`, `overdue=true`, `cursor` (from the previous page).
    """
    params = _query()
    unknown = set(params) - {"status", "priority", "overdue", "cursor"}
    if unknown:
        raise InvalidInput(
            [FieldProblem(name, "is not a filter of the queue") for name in sorted(unknown)]
        )
    return _json(
        schemas.Queue,
        services.casework().queue(
            _principal(),
            status=params.get("status"),
            priority=params.get("priority"),
            overdue=_flag("overdue"),
            cursor=params.get("cursor"),
        ),
    )


@staff_api.route("/staff/cases/{reference}", methods=["GET"], **_AUTH)
@handles_domain_errors
def view_case(reference: str) -> Response:
    """A case, without personal data."""
    return _json(schemas.CaseView, services.casework().view(_principal(), _reference(reference)))


@staff_api.route("/staff/cases/{reference}/reveal", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def reveal(reference: str) -> Response:
    """The reporter's contact details and account; the purpose is recorded first."""
    request = _body(case_requests.RevealRequest)
    return _json(
        schemas.Revealed, services.casework().reveal(_principal(), _reference(reference), request)
    )


@staff_api.route("/staff/cases/{reference}/timeline", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def add_timeline_entry(reference: str) -> Response:
    """Log a contact attempt, a note, an assessment or an action."""
    request = _body(case_requests.TimelineRequest)
    return _json(
        schemas.CaseDetail,
        services.casework().add_to_timeline(_principal(), _reference(reference), request),
        201,
    )


@staff_api.route("/staff/cases/{reference}/timeline/read", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def read_timeline(reference: str) -> Response:
    """The timeline with notes opened; the purpose is recorded first."""
    request = _body(case_requests.RevealRequest)
    casework = services.casework()
    return _json(
        schemas.Timeline, casework.timeline(_principal(), _reference(reference), request.purpose)
    )


@staff_api.route("/staff/cases/{reference}/advisors", methods=["GET"], **_AUTH)
@handles_domain_errors
def advisors(reference: str) -> Response:
    """Advisors of the case's team, with specialisms, languages and open caseload."""
    return _json(
        schemas.Advisors, services.casework().advisors(_principal(), _reference(reference))
    )


@staff_api.route("/staff/cases/{reference}/assignment", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def assign(reference: str) -> Response:
    """Assign or reassign the case to an advisor (who is emailed a link)."""
    request = _body(case_requests.AssignRequest)
    return _json(
        schemas.CaseDetail, services.casework().assign(_principal(), _reference(reference), request)
    )


@staff_api.route("/staff/cases/{reference}/transitions", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def transition(reference: str) -> Response:
    """Move the case through its workflow, with a reason."""
    request = _body(case_requests.TransitionRequest)
    return _json(
        schemas.CaseDetail,
        services.casework().transition(_principal(), _reference(reference), request),
    )


@staff_api.route("/staff/cases/{reference}/priority", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def set_priority(reference: str) -> Response:
    """Change the case's priority (e.g. mark it urgent)."""
    request = _body(case_requests.PriorityRequest)
    return _json(
        schemas.CaseDetail,
        services.casework().set_priority(_principal(), _reference(reference), request),
    )


@staff_api.route("/staff/cases/{reference}/escalation", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def escalate(reference: str) -> Response:
    """Escalate: urgent, and the team's and fallback team's screeners are alerted."""
    request = _body(case_requests.EscalationRequest)
    return _json(
        schemas.CaseDetail,
        services.casework().escalate(_principal(), _reference(reference), request),
    )


@staff_api.route("/staff/cases/{reference}/flags", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def set_flag(reference: str) -> Response:
    """Set or lift legal hold or the malicious-or-vexatious flag."""
    request = _body(case_requests.FlagRequest)
    return _json(
        schemas.CaseDetail,
        services.casework().set_flag(_principal(), _reference(reference), request),
    )


@staff_api.route("/staff/cases/{reference}/audit", methods=["GET"], **_AUTH)
@handles_domain_errors
def audit(reference: str) -> Response:
    """Who did what to the case, and whether the chain verifies."""
    return _json(
        schemas.AuditTrail, services.casework().audit_trail(_principal(), _reference(reference))
    )


@staff_api.route("/staff/cases/{reference}/messages", methods=["GET"], **_AUTH)
@handles_domain_errors
def read_thread(reference: str) -> Response:
    """The message thread with the reporter (a receipt code's), and the reply owed; audited."""
    return _json(
        schemas.Thread, services.message_thread().read(_principal(), _reference(reference))
    )


@staff_api.route("/staff/cases/{reference}/messages", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def reply_to_reporter(reference: str) -> Response:
    """Reply to the reporter through their receipt code; the reply owed is cleared."""
    request = _body(case_requests.MessageRequest)
    return _json(
        schemas.MessagePosted,
        services.message_thread().reply(_principal(), _reference(reference), request),
        201,
    )
