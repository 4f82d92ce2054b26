"""The OpenAPI 3.1 document of the public API, generated from the pydantic models.

The request and response schemas are the models the API validates with, so the document
cannot describe a different API from the one that runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from chalicelib import staff_admin
from chalicelib.api import (
    administration_schemas,
    content_admin_schemas,
    directory_admin_schemas,
    insights_schemas,
    records_schemas,
    rights_schemas,
    staff_schemas,
)
from chalicelib.api.reporter import PublicForm
from chalicelib.cases import models as staff_requests
from chalicelib.cases import workflow
from chalicelib.institution.models import PRIORITIES
from chalicelib.reports.follow_up import FollowUpCopy, OpenFollowUp
from chalicelib.reports.models import Submission, SubmissionAccepted
from chalicelib.rights import models as rights


@dataclass(frozen=True)
class StaffOperation:
    """One route of the staff API, for the document."""

    method: str
    path: str
    operation_id: str
    summary: str
    answer: type[BaseModel]
    body: type[BaseModel] | None = None
    status: int = 200
    query: tuple[str, ...] = ()
    #: What a success answers with; not JSON, the schema is only the JSON form's.
    media_type: str = "application/json"
    #: When well-formed fields may not fit what is stored (a 422 naming them), what that means.
    unprocessable: str | None = None
    #: When it answers 409 without a path parameter, why.
    conflict: str | None = None
    #: Further refusals of this operation: status -> what they mean.
    refusals: tuple[tuple[str, str], ...] = ()


_CASE = "/staff/cases/{reference}"
_MEMBER = "/staff/admin/members/{member_id}"
STAFF = (
    StaffOperation("get", "/staff/me", "whoAmI", "The signed-in staff member", staff_schemas.Me),
    StaffOperation(
        "get",
        "/staff/labels",
        "staffLabels",
        "The names of the institution's teams and risk flags",
        staff_schemas.Labels,
        query=("lang",),
    ),
    StaffOperation(
        "get",
        "/staff/queue",
        "queue",
        "Open cases in priority and due order",
        staff_schemas.Queue,
        query=("status", "priority", "overdue", "cursor"),
    ),
    StaffOperation(
        "get", _CASE, "viewCase", "A case, without personal data", staff_schemas.CaseView
    ),
    StaffOperation(
        "post",
        f"{_CASE}/reveal",
        "revealCase",
        "The reporter's details, for a recorded purpose",
        staff_schemas.Revealed,
        staff_requests.RevealRequest,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/timeline",
        "addTimelineEntry",
        "Log contact, a note, an assessment or an action",
        staff_schemas.CaseDetail,
        staff_requests.TimelineRequest,
        status=201,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/timeline/read",
        "readTimeline",
        "The timeline with notes, for a recorded purpose",
        staff_schemas.Timeline,
        staff_requests.RevealRequest,
    ),
    StaffOperation(
        "get",
        f"{_CASE}/advisors",
        "advisors",
        "Advisors who could take the case",
        staff_schemas.Advisors,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/assignment",
        "assignCase",
        "Assign to an advisor",
        staff_schemas.CaseDetail,
        staff_requests.AssignRequest,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/transitions",
        "transitionCase",
        "Move through the workflow",
        staff_schemas.CaseDetail,
        staff_requests.TransitionRequest,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/priority",
        "setPriority",
        "Change the priority",
        staff_schemas.CaseDetail,
        staff_requests.PriorityRequest,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/escalation",
        "escalateCase",
        "Escalate as urgent",
        staff_schemas.CaseDetail,
        staff_requests.EscalationRequest,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/flags",
        "setFlag",
        "Set or lift a flag",
        staff_schemas.CaseDetail,
        staff_requests.FlagRequest,
    ),
    StaffOperation(
        "get", f"{_CASE}/audit", "auditTrail", "Who did what, verified", staff_schemas.AuditTrail
    ),
    StaffOperation(
        "get",
        f"{_CASE}/messages",
        "readThread",
        "The message thread with the reporter (audited)",
        staff_schemas.Thread,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/messages",
        "replyToReporter",
        "Reply to the reporter through their receipt code",
        staff_schemas.MessagePosted,
        staff_requests.MessageRequest,
        status=201,
    ),
    StaffOperation(
        "post",
        f"{_CASE}/redactions",
        "redactText",
        "Remove words from the reporter's sealed free text (screeners)",
        staff_schemas.CaseDetail,
        staff_requests.RedactionRequest,
        unprocessable=(
            "The words are not in the field's current text (or not that many times), overlap "
            "words already removed or split a character, the field is not free text, or the "
            "reason quotes the words"
        ),
    ),
    # Analysts: anonymised statistics.
    StaffOperation(
        "get",
        "/staff/insights",
        "insights",
        "Anonymised statistics for a period; demographic tables per released reporting period,"
        " small cells suppressed",
        insights_schemas.InsightsAnswer,
        query=("from", "to"),
    ),
    StaffOperation(
        "get",
        "/staff/insights/csv",
        "insightsCsv",
        "The same statistics as CSV (suppressed values written `suppressed`)",
        insights_schemas.InsightsAnswer,
        query=("from", "to"),
        media_type="text/csv",
    ),
)

_RIGHTS = "/staff/rights/requests"
_CONTENT = "/staff/admin/content"
#: The data protection officer's routes (admins only).
RIGHTS = (
    StaffOperation(
        "post",
        _RIGHTS,
        "logRightsRequest",
        "Log a data-subject request (due one calendar month after receipt)",
        rights_schemas.RightsRequestDetail,
        rights.NewRightsRequest,
        status=201,
    ),
    StaffOperation(
        "get",
        _RIGHTS,
        "openRightsRequests",
        "Open data-subject requests, soonest due first",
        rights_schemas.RightsRequests,
    ),
    StaffOperation(
        "get",
        f"{_RIGHTS}/{{request_id}}",
        "viewRightsRequest",
        "A request, what was done, the reports found",
        rights_schemas.RightsRequestDetail,
    ),
    StaffOperation(
        "post",
        f"{_RIGHTS}/{{request_id}}/export",
        "exportSubjectData",
        "The subject access document (audited on every case)",
        rights_schemas.SubjectAccessExport,
        rights.ExportRequest,
    ),
    StaffOperation(
        "post",
        f"{_RIGHTS}/{{request_id}}/rectification",
        "rectifyContact",
        "Correct a report's contact details",
        rights_schemas.RightsRequestDetail,
        rights.RectificationRequest,
    ),
    StaffOperation(
        "post",
        f"{_RIGHTS}/{{request_id}}/erasure",
        "eraseSubjectData",
        "Erase the subject's personal data (refused under legal hold)",
        rights_schemas.RightsRequestDetail,
        rights.ErasureRequest,
    ),
    StaffOperation(
        "post",
        f"{_RIGHTS}/{{request_id}}/close",
        "closeRightsRequest",
        "Close a request as completed or refused",
        rights_schemas.RightsRequestDetail,
        rights.CloseRequest,
    ),
    StaffOperation(
        "get",
        "/staff/records/{reference}",
        "heldRecord",
        "What is held about a reference: the case, or its deletion's tombstone (verified)",
        records_schemas.HeldRecord,
    ),
    StaffOperation(
        "get",
        "/staff/records",
        "retentionLog",
        "What retention redacted and deleted in a month (tombstones verified)",
        records_schemas.RetentionLog,
        query=("month", "cursor"),
    ),
    StaffOperation(
        "get",
        "/staff/admin/trail",
        "adminTrail",
        "Every change to the staff directory and the content, verified (the read is recorded)",
        administration_schemas.AdminTrailView,
    ),
    *(
        StaffOperation(
            "get",
            _CONTENT,
            "contentVersions",
            "The published content version, the previous one, every version and the "
            "published document",
            content_admin_schemas.ContentOverviewView,
        ),
        StaffOperation(
            "post",
            f"{_CONTENT}/versions",
            "saveContentVersion",
            "Save a new draft version of the content (validated; 400 names each field)",
            content_admin_schemas.VersionSummary,
            content_admin_schemas.SaveContent,
            status=201,
        ),
        StaffOperation(
            "get",
            f"{_CONTENT}/versions/{{version}}",
            "contentVersion",
            "One content version with its document",
            content_admin_schemas.VersionDetail,
        ),
        StaffOperation(
            "get",
            f"{_CONTENT}/versions/{{version}}/preview",
            "previewContentVersion",
            "What GET /form would answer if this version were published",
            PublicForm,
        ),
        StaffOperation(
            "post",
            f"{_CONTENT}/versions/{{version}}/publish",
            "publishContentVersion",
            "Publish a version (audited, with the reason)",
            content_admin_schemas.VersionSummary,
            content_admin_schemas.PublishContent,
        ),
        StaffOperation(
            "post",
            f"{_CONTENT}/restore",
            "restoreContent",
            "Publish the previous version again, or after a first publish the content "
            "deployed with the service (audited, with the reason)",
            content_admin_schemas.RestoredContent,
            content_admin_schemas.PublishContent,
            conflict="Nothing to restore, or the published version is not the one you saw "
            "(content_changed)",
        ),
    ),
    StaffOperation(
        "get",
        "/staff/admin/directory",
        "staffDirectory",
        "Every team and its members, with each member's open cases",
        directory_admin_schemas.DirectoryView,
    ),
    StaffOperation(
        "post",
        "/staff/admin/teams",
        "addTeam",
        "Add a team (recorded in the administration trail with its reason)",
        directory_admin_schemas.TeamView,
        staff_admin.NewTeam,
        201,
        refusals=(("409", "The team id is taken (already_exists), naming team_id"),),
    ),
    StaffOperation(
        "post",
        "/staff/admin/members",
        "addStaffMember",
        "Add a member: their sign-in (Cognito sends the invitation) and directory record",
        directory_admin_schemas.MemberView,
        staff_admin.NewMember,
        201,
        refusals=(
            ("409", "The member id or the address is taken (already_exists), naming the field"),
            ("422", "The team does not exist (unknown_reference), naming team_id"),
        ),
    ),
    StaffOperation(
        "post",
        _MEMBER,
        "changeStaffMember",
        "Change a member's team, contact details, roles, specialisms, languages, capacity or "
        "shared gender",
        directory_admin_schemas.MemberView,
        staff_admin.MemberChange,
        refusals=(
            (
                "409",
                "The address is another sign-in's (already_exists), or the change would leave "
                "no active admin (would_lock_out), naming the field",
            ),
            ("422", "The team does not exist (unknown_reference), naming team_id"),
        ),
    ),
    StaffOperation(
        "post",
        _MEMBER + "/deactivation",
        "deactivateStaffMember",
        "End a leaver's access at once; the open cases they held, for reassignment",
        directory_admin_schemas.Deactivated,
        staff_admin.AccessChange,
        refusals=(("409", "The member is the last active admin (would_lock_out)"),),
    ),
    StaffOperation(
        "post",
        _MEMBER + "/reactivation",
        "reactivateStaffMember",
        "Let a deactivated member work again",
        directory_admin_schemas.MemberView,
        staff_admin.AccessChange,
    ),
)
_PATH_PARAMETERS = {
    "reference": ("No such case, or not one you may see", "^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$"),
    "request_id": ("No such request", rights.REQUEST_ID),
    "version": ("No such content version", "^[1-9][0-9]{0,9}$"),
    "member_id": ("No such staff member", "^[a-z0-9][a-z0-9_-]{0,63}$"),
}
_MONTH = {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
#: Query parameters: what each accepts (anything else is a 400 naming it).
_QUERY: dict[str, tuple[dict[str, Any], str]] = {
    "status": (
        {"type": "string", "enum": sorted(workflow.OPEN)},
        "Only cases in this open status",
    ),
    "priority": ({"type": "string", "enum": list(PRIORITIES)}, "Only cases of this priority"),
    "overdue": ({"type": "string", "enum": ["true", "false"]}, "Only overdue cases"),
    "cursor": (
        {"type": "string"},
        "The `next_cursor` of the previous page of the same list, as it came (opaque; any "
        "other value is a 400 naming cursor)",
    ),
    "from": (_MONTH, "First month (YYYY-MM); by default 12 months before `to`"),
    "to": (_MONTH, "Last month (YYYY-MM); by default this month"),
    "month": (_MONTH, "The month (YYYY-MM); by default this month"),
    "lang": ({"type": "string", "enum": ["en", "cy"]}, "The language; by default English"),
}


class FieldError(BaseModel):
    """One bad field of a request."""

    field: str = Field(description="Dotted path, e.g. answers.when or contact.email")
    message: str


class ErrorResponse(BaseModel):
    """Every error answer has this shape, the gateway's own (a refused token) included.

    `errors` lists bad fields on a 400 (and on a 422: fields that do not fit what is
    stored); a 409 may say more: the case's `current_version`
    (stale_version), the moves `allowed` (transition_refused), the `references` on hold
    (legal_hold).
    """

    model_config = ConfigDict(extra="forbid")

    error: str = Field(description="Machine-readable code, e.g. invalid_input")
    message: str
    errors: list[FieldError] | None = None
    current_version: int | None = None
    allowed: list[str] | None = None
    references: list[str] | None = None
    more: int | None = Field(
        None, description="On a 400: how many bad fields there are beyond those listed"
    )


class Health(BaseModel):
    """Liveness answer."""

    status: str
    form_version: str


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


#: What every operation may answer: API Gateway throttles the stage (a gateway answer,
#: `chalicelib.api.gateway_answers`).
_ANY_OPERATION = {"429": _error("Too many requests; try again shortly")}
#: What every operation with a JSON body may answer, before the body is read.
_WITH_BODY = {
    "413": _error("Body too large"),
    "415": _error("Content-Type is not application/json"),
}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


@cache
def openapi_document() -> dict[str, Any]:
    """Build (once) the OpenAPI document."""
    from chalicelib.cases.follow_up import MessageSent, SendMessage

    requests: list[type[BaseModel]] = [
        Submission,
        OpenFollowUp,
        SendMessage,
        *(op.body for op in STAFF + RIGHTS if op.body),
    ]
    answers: list[type[BaseModel]] = [
        SubmissionAccepted,
        FollowUpCopy,
        MessageSent,
        PublicForm,
        ErrorResponse,
        FieldError,
        Health,
        *(op.answer for op in STAFF + RIGHTS),
    ]
    _, schemas = models_json_schema(
        [(model, "validation") for model in dict.fromkeys(requests)]
        + [(model, "serialization") for model in dict.fromkeys(answers)],
        ref_template="#/components/schemas/{model}",
    )
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Report + Support API",
            "version": "0.1.0",
            "description": (
                "Report bullying, harassment, sexual misconduct, hate incidents and "
                "discrimination, anonymously or to get support from an advisor."
            ),
        },
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness",
                    "responses": {"200": _json("The service is up", "Health"), **_ANY_OPERATION},
                }
            },
            "/form": {
                "get": {
                    "operationId": "getForm",
                    "summary": "The report form, support resources and privacy notice",
                    "description": (
                        "As published by the institution's administrators (a publish "
                        "reaches every reporter within about 90 seconds). Options no "
                        "longer offered are left out unless `options=all`."
                    ),
                    "parameters": [
                        {
                            "name": "options",
                            "in": "query",
                            "required": False,
                            "description": "`offered` (the default): the options a reporter "
                            "may choose; `all`: retired ones too, marked `retired` (to name "
                            "the answers of older reports)",
                            "schema": {"type": "string", "enum": ["offered", "all"]},
                        }
                    ],
                    "responses": {
                        "200": _json("The current form", "PublicForm"),
                        "400": _error("An unknown query, naming it"),
                        **_ANY_OPERATION,
                    },
                }
            },
            "/reports": {
                "post": {
                    "operationId": "submitReport",
                    "summary": "Submit a report (anonymous or named)",
                    "description": (
                        "Idempotent on submission_id: a retry with the same body returns "
                        "the same reference and stores nothing new."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Submission"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("Accepted; keep the reference", "SubmissionAccepted"),
                        "400": _error("Malformed body, or fields that are not right"),
                        "409": _error("submission_id already used for a different report"),
                        **_WITH_BODY,
                        **_ANY_OPERATION,
                        "503": _error("Could not be saved now; nothing was stored; retry"),
                    },
                }
            },
            "/reports/follow-up": {
                "post": {
                    "operationId": "openFollowUp",
                    "summary": "Come back to an anonymous report with its receipt code",
                    "description": (
                        "The code goes in the body, never in a URL. An unknown code, a wrong "
                        "one and a deleted report get the same 404. Too many codes that "
                        "opened nothing in the current 10-minute window: every receipt call "
                        "gets 429 with Retry-After until the window ends."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/OpenFollowUp"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            "A copy of the report, its status in plain words and its thread",
                            "FollowUpCopy",
                        ),
                        "400": _error("Malformed body, or receipt_code is not a receipt code"),
                        "404": _error("No report matches this code (receipt_not_found)"),
                        **_WITH_BODY,
                        "429": {
                            **_error(
                                "Too many attempts (too_many_attempts), or the gateway "
                                "throttles; try again after Retry-After seconds"
                            ),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds until the window ends",
                                    "schema": {"type": "integer"},
                                }
                            },
                        },
                        "503": _error("A backing service failed; try again"),
                    },
                }
            },
            "/reports/follow-up/messages": {
                "post": {
                    "operationId": "sendFollowUpMessage",
                    "summary": "Write to the staff of an anonymous report, with its receipt code",
                    "description": (
                        "The message (1 to 5,000 characters, trimmed) goes into the report's "
                        "thread, and a reply is then owed to the reporter. The code is "
                        "checked as for opening the report: the same 404 and 429."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SendMessage"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("The message, written", "MessageSent"),
                        "400": _error("Malformed body, a bad receipt_code or text"),
                        "404": _error("No report matches this code (receipt_not_found)"),
                        **_WITH_BODY,
                        "429": {
                            **_error(
                                "Too many attempts (too_many_attempts), or the gateway "
                                "throttles; try again after Retry-After seconds"
                            ),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds until the window ends",
                                    "schema": {"type": "integer"},
                                }
                            },
                        },
                        "409": _error("The report was redacted: its thread is closed"),
                        "503": _error("A backing service failed; try again"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_ANY_OPERATION,
                    },
                }
            },
        },
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "staffToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito access token of the staff user pool "
                    "(groups: screeners, advisors, analysts, admins).",
                }
            },
        },
    }
    document["paths"].update(_staff_paths())
    return document


def _staff_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in STAFF + RIGHTS:
        done = (
            _json("Done", op.answer.__name__)
            if op.media_type == "application/json"
            else {"description": "Done", "content": {op.media_type: {"schema": {"type": "string"}}}}
        )
        responses = {
            str(op.status): done,
            "400": _error("Bad input, naming each bad field"),
            "401": _error("No valid staff token (answered by the gateway, or a revoked one)"),
            "403": _error("Your role does not allow this"),
            **_ANY_OPERATION,
            "503": _error("A backing service is unavailable; nothing was written"),
        }
        parameters = [name for name in _PATH_PARAMETERS if "{" + name + "}" in op.path]
        for name in parameters:
            responses["404"] = _error(_PATH_PARAMETERS[name][0])
        if parameters:
            responses["409"] = _error(
                "Stale version, a move the workflow does not allow, a closed request, a legal "
                "hold, a message thread on a case without a receipt code (transition_refused), "
                "stored data that failed its integrity check (seal_refused), or content "
                "published meanwhile (content_changed)"
            )
        if op.conflict is not None:
            responses["409"] = _error(op.conflict)
        if op.body is not None:
            responses.update(_WITH_BODY)
        if op.unprocessable is not None:
            responses["422"] = _error(op.unprocessable)
        responses.update({status: _error(meaning) for status, meaning in op.refusals})
        operation: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "security": [{"staffToken": []}],
            "responses": responses,
        }
        if parameters:
            operation["parameters"] = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": _PATH_PARAMETERS[name][1]},
                }
                for name in parameters
            ]
        if op.query:
            operation.setdefault("parameters", []).extend(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": _QUERY[name][1],
                    "schema": _QUERY[name][0],
                }
                for name in op.query
            )
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}
                    }
                },
            }
        paths.setdefault(op.path, {})[op.method] = operation
    return paths
