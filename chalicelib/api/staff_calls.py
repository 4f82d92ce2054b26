"""What every staff route needs from its request: who is calling, the parsed body, the answer.

Shared by the staff blueprints (case work, rights, ...), which all sit behind the
`staff_authorizer`: the authorizer has verified the token (who), these turn its context
and the member's directory record (what they may do) into a `Principal` the domain can
check roles on, a request body into a strict pydantic model, and
an answer into JSON checked against its published shape.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib import services
from chalicelib.api.body import read_json_object
from chalicelib.api.errors import JSON_HEADERS
from chalicelib.cases.access import Principal
from chalicelib.errors import FieldProblem, InvalidInput, Unauthenticated
from chalicelib.problems import problems_from
from chalicelib.roles import ROLES

_Model = TypeVar("_Model", bound=BaseModel)


def principal(request: Request) -> Principal:
    """The signed-in staff member as the directory knows them, roles and all.

    One directory read per request, here and not in the authorizer (whose answer API
    Gateway caches): `Unauthenticated` (401) if the member is not in the directory, is
    deactivated, or signed in before their `not_before`. The roles are the directory's;
    the token's groups grant nothing.
    """
    context = request.context.get("authorizer") or {}
    username = context.get("principalId")
    authenticated_at = str(context.get("authenticated_at", ""))
    if not username or not authenticated_at.isdigit():
        raise Unauthenticated("no verified identity")
    member = services.staff_directory().member(str(username))
    if member is None or not member.active:
        raise Unauthenticated("the member may not sign in")
    if not signed_in_after(int(authenticated_at), member.not_before):
        raise Unauthenticated("the token was revoked")
    roles = frozenset(role for role in member.roles if role in ROLES)
    return Principal(member_id=member.member_id, team_id=member.team_id, roles=roles)


def signed_in_after(authenticated_at: int, not_before: str | None) -> bool:
    """Whether a session begun at `authenticated_at` (epoch seconds) still counts.

    Token times are whole seconds, so `not_before` is rounded up: a token from the very
    second of a revocation is refused (the member signs in again a second later) rather
    than one issued just before it being let through.
    """
    if not_before is None:
        return True
    cutoff = datetime.fromisoformat(not_before).timestamp()
    return authenticated_at >= math.ceil(cutoff)


def parsed_body(request: Request, model: type[_Model]) -> _Model:
    """The request's JSON body as `model`; `InvalidInput` naming every bad field."""
    body = read_json_object(request.raw_body, request.headers.get("content-type"))
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidInput(_without_union_tag(problems_from(error), body)) from None


def _without_union_tag(problems: list[FieldProblem], body: dict[str, Any]) -> list[FieldProblem]:
    # A timeline entry is a union tagged by its `type`; pydantic puts the tag in the error's
    # path (entry.note.text). The client wrote entry.text, so that is the name it gets.
    entry = body.get("entry")
    tag = entry.get("type") if isinstance(entry, dict) else None
    if not isinstance(tag, str):
        return problems
    prefix = f"entry.{tag}."
    return [
        FieldProblem("entry." + p.field.removeprefix(prefix), p.message)
        if p.field.startswith(prefix)
        else p
        for p in problems
    ]


def json_answer(shape: type[BaseModel], body: Any, status: int = 200) -> Response:
    """`body` checked against its published shape (nothing extra leaves), as JSON."""
    # By alias: a field named as Python cannot name it (a message's `from`) keeps its name.
    checked = shape.model_validate(body).model_dump(mode="json", by_alias=True)
    return Response(status_code=status, body=checked, headers=dict(JSON_HEADERS))
