"""The content routes: the institution's support services, policies, privacy notice and
question options, edited as versions, previewed and published without a deploy.

Every route is under `/staff/admin/content`, behind the `staff_authorizer`, for the `admin`
role only (the `manage_content` row of `chalicelib.cases.policy`, checked by
`chalicelib.content.desk`). This module parses requests and shapes answers.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib import services
from chalicelib.api import staff_calls
from chalicelib.api.errors import JSON_HEADERS, handles_domain_errors
from chalicelib.api.portal import staff_authorizer
from chalicelib.api.staff_calls import json_answer
from chalicelib.cases.access import Principal
from chalicelib.errors import NotFound
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.api import content_admin_schemas as schemas
    from chalicelib.api import reporter
    from chalicelib.storage.content_versions import StoredVersion
else:
    # Imported by the route that first needs them, not at a cold start (chalicelib.lazy).
    schemas = lazy_module("chalicelib.api.content_admin_schemas")
    reporter = lazy_module("chalicelib.api.reporter")

content_admin_api = Blueprint(__name__)
_Model = TypeVar("_Model", bound=BaseModel)
_AUTH = {"authorizer": staff_authorizer}
_JSON_BODY = {"content_types": ["application/json"], **_AUTH}
_CONTENT = "/staff/admin/content"
_VERSION = _CONTENT + "/versions/{version}"
_NUMBER = re.compile(r"\A[1-9][0-9]{0,9}\Z")


def _principal() -> Principal:
    return staff_calls.principal(content_admin_api.current_request)


def _body(model: type[_Model]) -> _Model:
    return staff_calls.parsed_body(content_admin_api.current_request, model)


def _number(version: str) -> int:
    # Anything but a version number names no version: the same 404 as an unknown one.
    if not _NUMBER.match(version):
        raise NotFound("no such content version")
    return int(version)


def _summary(stored: StoredVersion) -> dict[str, Any]:
    values = asdict(stored)
    del values["document"]
    return values


@content_admin_api.route(_CONTENT, methods=["GET"], **_AUTH)
@handles_domain_errors
def content() -> Response:
    """What is published, what a restore would publish, every version, the document."""
    overview = services.content_desk().overview(_principal())
    return json_answer(
        schemas.ContentOverviewView,
        {
            "published": overview.published,
            "previous": overview.previous,
            "restorable": overview.restorable,
            "versions": [_summary(stored) for stored in overview.versions],
            "document": overview.document,
        },
    )


@content_admin_api.route(_CONTENT + "/versions", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def save_version() -> Response:
    """Save a new draft version; a document that does not validate is a 400 naming each
    field (`document.…`), and nothing is stored."""
    principal = _principal()
    body = _body(schemas.SaveContent)
    stored = services.content_desk().save(principal, body.document, body.based_on)
    return json_answer(schemas.VersionSummary, _summary(stored), 201)


@content_admin_api.route(_VERSION, methods=["GET"], **_AUTH)
@handles_domain_errors
def version(version: str) -> Response:
    """One version with its document."""
    stored, document = services.content_desk().version(_principal(), _number(version))
    return json_answer(schemas.VersionDetail, {**_summary(stored), "document": document})


@content_admin_api.route(_VERSION + "/preview", methods=["GET"], **_AUTH)
@handles_domain_errors
def preview(version: str) -> Response:
    """Exactly what `GET /form` would answer if this version were published now."""
    institution = services.content_desk().preview(_principal(), _number(version))
    return Response(body=reporter.public_form(institution), headers=dict(JSON_HEADERS))


@content_admin_api.route(_VERSION + "/publish", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def publish(version: str) -> Response:
    """Publish a version, if the version the administrator saw is still the published one
    (else 409); audited with the reason, in the same transaction."""
    principal = _principal()
    number = _number(version)
    body = _body(schemas.PublishContent)
    stored = services.content_desk().publish(principal, number, body.reason, body.published)
    return json_answer(schemas.VersionSummary, _summary(stored))


@content_admin_api.route(_CONTENT + "/restore", methods=["POST"], **_JSON_BODY)
@handles_domain_errors
def restore() -> Response:
    """Publish the previous version again, or after a first publish the deployed default
    (409 if nothing was ever published, or `published` is stale)."""
    principal = _principal()
    body = _body(schemas.PublishContent)
    restored = services.content_desk().restore(principal, body.reason, body.published)
    return json_answer(schemas.RestoredContent, asdict(restored))
