"""The OpenAPI document describes the API that runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client
from openapi_spec_validator import validate
from pydantic import ValidationError

from app import app
from chalicelib.api.errors import error_response
from chalicelib.api.openapi import ErrorResponse
from chalicelib.errors import (
    FieldProblem,
    InvalidInput,
    LegalHoldActive,
    StaleVersion,
    TransitionRefused,
)


def test_the_document_is_valid_openapi(client: Client) -> None:
    document = client.http.get("/openapi.json").json_body

    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_route_of_the_app_is_documented(client: Client) -> None:
    document = client.http.get("/openapi.json").json_body

    for path, entry in app.routes.items():
        for method in entry:
            assert method.lower() in document["paths"][path], f"{method} {path} is undocumented"


def test_the_submission_schema_refuses_unknown_fields(client: Client) -> None:
    schemas = client.http.get("/openapi.json").json_body["components"]["schemas"]

    assert schemas["Submission"]["additionalProperties"] is False
    assert set(schemas["Submission"]["required"]) >= {"submission_id", "mode", "answers"}


# --- what the gateway answers by itself ---------------------------------------------------------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def test_a_refused_token_is_the_documented_problem_with_the_security_headers(
    client: Client,
) -> None:
    document = client.http.get("/openapi.json").json_body

    refused = client.http.get("/staff/me", headers={"Authorization": "Bearer not-a-token"})

    assert refused.status_code == 401
    assert refused.json_body == {"error": "unauthenticated", "message": "Sign in again."}
    assert refused.headers["Content-Type"] == "application/json"
    assert {name: refused.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    documented = document["paths"]["/staff/me"]["get"]["responses"]["401"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }


def test_no_route_is_a_404_problem_that_does_not_quote_the_token(client: Client) -> None:
    token = "Bearer eyJ-a-token-that-must-not-come-back"

    unknown = client.http.get("/staff/nothing-here", headers={"Authorization": token})
    preflight = client.http.options("/reports")
    health = client.http.get("/health")

    for answer in (unknown, preflight):
        assert answer.status_code == 404
        assert answer.json_body == {"error": "not_found", "message": "not found"}
        assert {name: answer.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "a-token-that-must-not-come-back" not in unknown.body.decode()
    assert health.status_code == 200


# --- the models' constraints, as documented --------------------------------------------------


def test_a_correction_documents_that_name_and_email_cannot_be_null_but_phone_can(
    client: Client,
) -> None:
    correction = client.http.get("/openapi.json").json_body["components"]["schemas"][
        "ContactCorrection"
    ]

    assert correction["minProperties"] == 1
    assert correction["properties"]["name"] == {
        "maxLength": 200,
        "minLength": 1,
        "title": "Name",
        "type": "string",
    }
    assert correction["properties"]["email"]["type"] == "string"
    assert {"type": "null"} in correction["properties"]["phone"]["anyOf"]


def test_query_parameters_document_the_values_they_accept(client: Client) -> None:
    paths = client.http.get("/openapi.json").json_body["paths"]

    queue = {p["name"]: p["schema"] for p in paths["/staff/queue"]["get"]["parameters"]}
    records = {p["name"]: p["schema"] for p in paths["/staff/records"]["get"]["parameters"]}

    assert queue["overdue"] == {"type": "string", "enum": ["true", "false"]}
    assert queue["priority"] == {"type": "string", "enum": ["urgent", "high", "normal"]}
    assert records["month"] == {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
    assert records["cursor"] == {"type": "string"}


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (StaleVersion(4), {"current_version": 4}),
        (
            TransitionRefused("assigned", "closed", frozenset({"contacted"})),
            {"allowed": ["contacted"]},
        ),
        (LegalHoldActive(["RS-AAAA-AAAA"]), {"references": ["RS-AAAA-AAAA"]}),
        (
            InvalidInput([FieldProblem("email", "must be text")]),
            {"errors": [{"field": "email", "message": "must be text"}]},
        ),
    ],
)
def test_every_detail_a_problem_carries_is_documented(
    error: Exception, detail: dict[str, Any]
) -> None:
    body = json.loads(json.dumps(error_response(error).body))

    assert {key: body[key] for key in detail} == detail
    ErrorResponse.model_validate(body)
    with pytest.raises(ValidationError):
        ErrorResponse.model_validate({**body, "undocumented": 1})
