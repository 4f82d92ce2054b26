"""The records API: what is held about a case reference, for the data protection officer.

Two routes behind the `staff_authorizer`, for the `admin` role only (checked in
`chalicelib.records` against `chalicelib.cases.policy`): `GET /staff/records/{reference}` —
the case as the admin's case view shows it, or the signed tombstone its deletion left, or
404; and `GET /staff/records` — the retention log of a month (`month=YYYY-MM`, `cursor`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.portal import staff_authorizer, staff_principal
from chalicelib.api.staff_calls import json_answer
from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.api import records_schemas as schemas
else:
    # Imported by the route that first needs it, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.records_schemas")

records_api = Blueprint(__name__)


@records_api.route("/staff/records/{reference}", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def held_record(reference: str) -> Response:
    """The case held under a reference, or the tombstone of its deletion (verified)."""
    return json_answer(
        schemas.HeldRecord, services.records_office().held(staff_principal(), reference)
    )


@records_api.route("/staff/records", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def retention_log() -> Response:
    """What was redacted and deleted in a month. Query: `month` (YYYY-MM), `cursor`."""
    params = dict(records_api.current_request.query_params or {})
    unknown = sorted(set(params) - {"month", "cursor"})
    if unknown:
        raise InvalidInput([FieldProblem(name, "is not a query of the log") for name in unknown])
    return json_answer(
        schemas.RetentionLog,
        services.records_office().log(staff_principal(), params.get("month"), params.get("cursor")),
    )
