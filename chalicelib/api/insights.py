"""The analysts' statistics API: anonymised counts and suppressed demographic tables.

Analysts only. Both routes read the counters the `build_insights` job keeps; neither can
open demographics (the API holds no way to unseal the `insight` key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.errors import JSON_HEADERS, handles_domain_errors
from chalicelib.api.portal import staff_authorizer, staff_principal
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    # The reading code (and boto3 with it) loads on the first request, not at start-up.
    from chalicelib.api import insights_schemas as schemas
    from chalicelib.cases import policy
    from chalicelib.insights.reading import Period
else:
    # Imported by the route that first needs it, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.insights_schemas")
    policy = lazy_module("chalicelib.cases.policy")

insights_api = Blueprint(__name__)


def _period() -> Period:
    policy.require(staff_principal(), "read_insights")
    params = dict(insights_api.current_request.query_params or {})
    return services.insights_dashboard().period(params)


@insights_api.route("/staff/insights", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def insights() -> Response:
    """Statistics for `from`..`to` (months, YYYY-MM; by default the last 12 months)."""
    answer = schemas.InsightsAnswer.model_validate(services.insights_dashboard().read(_period()))
    return Response(body=answer.model_dump(mode="json", by_alias=True), headers=dict(JSON_HEADERS))


@insights_api.route("/staff/insights/csv", methods=["GET"], authorizer=staff_authorizer)
@handles_domain_errors
def insights_csv() -> Response:
    """The same statistics as CSV; suppressed values are written `suppressed`."""
    period = _period()
    filename = f"insights-{period.start}-{period.end}.csv"
    return Response(
        body=services.insights_dashboard().csv(period),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
