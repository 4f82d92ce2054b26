"""The rights API: the data protection officer's subject access, rectification and erasure.

Every route is under `/staff/rights/`, behind the `staff_authorizer`, for the `admin` role
only (checked in `chalicelib.rights.desk` against `chalicelib.cases.policy`). This module
parses requests and shapes answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib import services
from chalicelib.api import staff_calls
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.portal import staff_authorizer
from chalicelib.api.staff_calls import json_answer
from chalicelib.cases.access import Principal
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.api import rights_schemas as schemas
    from chalicelib.rights import models as rights_requests
else:
    # Imported by the route that first needs them, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.rights_schemas")
    rights_requests = lazy_module("chalicelib.rights.models")

rights_api = Blueprint(__name__)
_Model = TypeVar("_Model", bound=BaseModel)
_AUTH = {"authorizer": staff_authorizer}
_JSON_BODY = {"content_types": ["application/json"], **_AUTH}
_REQUESTS = "/staff/rights/requests"
_REQUEST = _REQUESTS + "/{request_id}"


def _principal() -> Principal:
    return staff_calls.principal(rights_api.current_request)


def _body(model: type[_Model]) -> _Model:
    return staff_calls.parsed_body(rights_api.current_request, model)


@rights_api.route(_REQUESTS, methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def log_request() -> Response:
    """Log a data-subject request as received; it is due one calendar month later."""
    body = _body(rights_requests.NewRightsRequest)
    desk = services.rights_desk()
    return json_answer(schemas.RightsRequestDetail, desk.log(_principal(), body), 201)


@rights_api.route(_REQUESTS, methods=["GET"], **_AUTH)
@handles_domain_errors
def open_requests() -> Response:
    """Open requests, soonest due first, overdue ones flagged."""
    return json_answer(schemas.RightsRequests, services.rights_desk().open_requests(_principal()))


@rights_api.route(_REQUEST, methods=["GET"], **_AUTH)
@handles_domain_errors
def view_request(request_id: str) -> Response:
    """A request, what was done on it, and the references of the reports found."""
    desk = services.rights_desk()
    return json_answer(
        schemas.RightsRequestDetail,
        desk.view(_principal(), rights_requests.parse_request_id(request_id)),
    )


@rights_api.route(_REQUEST + "/export", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def export(request_id: str) -> Response:
    """The subject access document of an access request; each case's audit records it."""
    body = _body(rights_requests.ExportRequest)
    desk = services.rights_desk()
    return json_answer(
        schemas.SubjectAccessExport,
        desk.export(_principal(), rights_requests.parse_request_id(request_id), body),
    )


@rights_api.route(_REQUEST + "/rectification", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def rectify(request_id: str) -> Response:
    """Correct a report's contact details (resealed; the email's blind index recomputed)."""
    body = _body(rights_requests.RectificationRequest)
    desk = services.rights_desk()
    return json_answer(
        schemas.RightsRequestDetail,
        desk.rectify(_principal(), rights_requests.parse_request_id(request_id), body),
    )


@rights_api.route(_REQUEST + "/erasure", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def erase(request_id: str) -> Response:
    """Erase the subject's personal data from every report found; 409 under legal hold."""
    body = _body(rights_requests.ErasureRequest)
    desk = services.rights_desk()
    return json_answer(
        schemas.RightsRequestDetail,
        desk.erase(_principal(), rights_requests.parse_request_id(request_id), body),
    )


@rights_api.route(_REQUEST + "/close", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def close(request_id: str) -> Response:
    """Close a request as completed (answer sent) or refused (with the reason)."""
    body = _body(rights_requests.CloseRequest)
    desk = services.rights_desk()
    return json_answer(
        schemas.RightsRequestDetail,
        desk.close(_principal(), rights_requests.parse_request_id(request_id), body),
    )
