"""The records API: what is held about a case reference, for the data protection officer.

One route, `GET /staff/records/{reference}`, behind the `staff_authorizer`, for the `admin`
role only (checked in `chalicelib.records`): the case as the admin's case view shows it,
or the signed tombstone its deletion left, or 404.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.errors import handles_domain_errors
from chalicelib.api.portal import staff_authorizer, staff_principal
from chalicelib.api.records_schemas import HeldRecord
from chalicelib.api.staff_calls import json_answer

records_api = Blueprint(__name__)


@records_api.route("/staff/records/{reference}", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def held_record(reference: str) -> Response:
    """The case held under a reference, or the tombstone of its deletion (verified)."""
    return json_answer(HeldRecord, services.records_office().held(staff_principal(), reference))
