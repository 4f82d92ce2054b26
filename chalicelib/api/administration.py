"""The administration API's shared route: the signed trail of every change an administrator
made to the staff directory or the institution's content.

`GET /staff/admin/trail`, behind the `staff_authorizer`, for the `admin` role only (the
`read_admin_trail` row of `chalicelib.cases.policy`). Reading it opens the reasons given,
so the read is itself recorded in the trail first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.portal import staff_authorizer, staff_principal
from chalicelib.api.staff_calls import json_answer
from chalicelib.cases import policy
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.api import administration_schemas as schemas
else:
    # Imported by the route that first needs it, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.administration_schemas")

administration_api = Blueprint(__name__)


@administration_api.route("/staff/admin/trail", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def admin_trail() -> Response:
    """Every change to the directory and the content, verified."""
    principal = staff_principal()
    policy.require(principal, "read_admin_trail")
    entries, verification = services.admin_trail().read(principal.member_id)
    return json_answer(
        schemas.AdminTrailView,
        {
            "intact": verification.intact,
            "broken_at": verification.broken_at,
            "problem": verification.problem,
            "entries": [entry.__dict__ for entry in entries],
        },
    )
