"""The staff directory's administration API: teams, members, roles and leavers, for admins.

Every route is under `/staff/admin/`, behind the `staff_authorizer`, for the `admin` role
only (the `manage_directory` row of `chalicelib.cases.policy`, checked in
`chalicelib.staff_admin`). Each change carries a `reason` and is recorded in the
administration trail (`GET /staff/admin/trail`) before it is made. This module parses
requests and shapes answers; an error names fields, never a value sent (a name or an
email address).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib import services
from chalicelib.api import staff_calls
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.portal import staff_authorizer
from chalicelib.api.staff_calls import json_answer
from chalicelib.cases.access import Principal
from chalicelib.errors import NotFound
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib import staff_admin
    from chalicelib.api import directory_admin_schemas as schemas
else:
    # Imported by the route that first needs them, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.directory_admin_schemas")
    staff_admin = lazy_module("chalicelib.staff_admin")

directory_admin_api = Blueprint(__name__)
_Model = TypeVar("_Model", bound=BaseModel)
_AUTH = {"authorizer": staff_authorizer}
_JSON_BODY = {"content_types": ["application/json"], **_AUTH}
_MEMBER = "/staff/admin/members/{member_id}"
#: A member id as the directory stores them (`chalicelib.directory.StaffId`).
_MEMBER_ID = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,63}\Z")


def _principal() -> Principal:
    return staff_calls.principal(directory_admin_api.current_request)


def _body(model: type[_Model]) -> _Model:
    return staff_calls.parsed_body(directory_admin_api.current_request, model)


def _member_id(member_id: str) -> str:
    # An id no member could have is answered as a member that does not exist.
    if not _MEMBER_ID.match(member_id):
        raise NotFound("no such staff member")
    return member_id


@directory_admin_api.route("/staff/admin/directory", methods=["GET"], **_AUTH)
@handles_domain_errors
def directory() -> Response:
    """Every team and its members, with each member's open cases."""
    return json_answer(schemas.DirectoryView, services.staff_admin().overview(_principal()))


@directory_admin_api.route("/staff/admin/teams", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def add_team() -> Response:
    """Add a team."""
    principal = _principal()
    request = _body(staff_admin.NewTeam)
    return json_answer(schemas.TeamView, services.staff_admin().add_team(principal, request), 201)


@directory_admin_api.route("/staff/admin/members", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def add_member() -> Response:
    """Add a member: their sign-in (Cognito emails the invitation) and directory record."""
    principal = _principal()
    request = _body(staff_admin.NewMember)
    added = services.staff_admin().add_member(principal, request)
    return json_answer(schemas.MemberView, added, 201)


@directory_admin_api.route(_MEMBER, methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def change_member(member_id: str) -> Response:
    """Change a member's team, contact details, roles, specialisms, languages, capacity or
    shared gender (only the fields sent)."""
    principal = _principal()
    request = _body(staff_admin.MemberChange)
    changed = services.staff_admin().change_member(principal, _member_id(member_id), request)
    return json_answer(schemas.MemberView, changed)


@directory_admin_api.route(_MEMBER + "/deactivation", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def deactivate_member(member_id: str) -> Response:
    """End a leaver's access at once; the open cases they held, for reassignment."""
    principal = _principal()
    request = _body(staff_admin.AccessChange)
    answer = services.staff_admin().deactivate(principal, _member_id(member_id), request)
    return json_answer(schemas.Deactivated, answer)


@directory_admin_api.route(_MEMBER + "/reactivation", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def reactivate_member(member_id: str) -> Response:
    """Let a member work again."""
    principal = _principal()
    request = _body(staff_admin.AccessChange)
    answer = services.staff_admin().reactivate(principal, _member_id(member_id), request)
    return json_answer(schemas.MemberView, answer)
