"""The OpenAPI document describes the API that runs."""

from __future__ import annotations

from chalice.test import Client
from openapi_spec_validator import validate

from app import app


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
