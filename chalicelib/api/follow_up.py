"""The anonymous reporter's way back in (issue 14): no sign-in, the receipt code in the
body is the only key (never in a URL, where logs and histories keep it).

Every answer that depends on the code — the copy, an unknown code, a wrong one, a deleted
report — carries the same headers; the three failures the same 404 body.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.body import read_json_object
from chalicelib.api.errors import JSON_HEADERS, handles_domain_errors

follow_up_api = Blueprint(__name__)


@follow_up_api.route("/reports/follow-up", methods=["POST"], content_types=["application/json"])
@handles_domain_errors
def open_follow_up() -> Response:
    """A copy of the report a receipt code opens, its status in plain words, its thread."""
    request = follow_up_api.current_request
    body = read_json_object(request.raw_body, request.headers.get("content-type"))
    copy = services.follow_up_desk().copy(body)
    return Response(
        status_code=200,
        body=copy.model_dump(mode="json", by_alias=True),
        headers=dict(JSON_HEADERS),
    )


@follow_up_api.route(
    "/reports/follow-up/messages", methods=["POST"], content_types=["application/json"]
)
@handles_domain_errors
def send_follow_up_message() -> Response:
    """The reporter writes to the staff of their case; a reply is then owed to them."""
    request = follow_up_api.current_request
    body = read_json_object(request.raw_body, request.headers.get("content-type"))
    sent = services.follow_up_desk().send(body)
    return Response(status_code=201, body=sent.model_dump(mode="json"), headers=dict(JSON_HEADERS))
