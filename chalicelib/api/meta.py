"""Routes about the API itself: liveness and the OpenAPI document."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import services
from chalicelib.api.errors import handles_domain_errors

meta_api = Blueprint(__name__)


@meta_api.route("/health", methods=["GET"])
@handles_domain_errors
def health() -> Response:
    """Liveness: the process runs and its configuration loads."""
    institution = services.institution()
    return Response(
        body={"status": "ok", "form_version": institution.form.version},
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


@meta_api.route("/openapi.json", methods=["GET"])
@handles_domain_errors
def openapi() -> Response:
    """The OpenAPI 3.1 description of the public API."""
    # Imported here: the document imports every schema of the API, which no other route
    # needs at a cold start.
    from chalicelib.api.openapi import openapi_document

    return Response(
        body=openapi_document(),
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )
