"""The OpenAPI 3.1 document of the public API, generated from the pydantic models.

The request and response schemas are the models the API validates with, so the document
cannot describe a different API from the one that runs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from chalicelib.reports.models import Submission, SubmissionAccepted


class FieldError(BaseModel):
    """One bad field of a request."""

    field: str = Field(description="Dotted path, e.g. answers.when or contact.email")
    message: str


class ErrorResponse(BaseModel):
    """Every error answer has this shape; `errors` lists bad fields on a 400."""

    error: str = Field(description="Machine-readable code, e.g. invalid_input")
    message: str
    errors: list[FieldError] | None = None


class Health(BaseModel):
    """Liveness answer."""

    status: str
    form_version: str


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


def _json(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


@cache
def openapi_document() -> dict[str, Any]:
    """Build (once) the OpenAPI document."""
    from chalicelib.api.reporter import PublicForm

    models: list[type[BaseModel]] = [
        Submission,
        SubmissionAccepted,
        PublicForm,
        ErrorResponse,
        FieldError,
        Health,
    ]
    _, schemas = models_json_schema(
        [(model, "validation" if model is Submission else "serialization") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Report + Support API",
            "version": "0.1.0",
            "description": (
                "Report bullying, harassment, sexual misconduct, hate incidents and "
                "discrimination, anonymously or to get support from an advisor."
            ),
        },
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness",
                    "responses": {"200": _json("The service is up", "Health")},
                }
            },
            "/form": {
                "get": {
                    "operationId": "getForm",
                    "summary": "The report form, support resources and privacy notice",
                    "responses": {"200": _json("The current form", "PublicForm")},
                }
            },
            "/reports": {
                "post": {
                    "operationId": "submitReport",
                    "summary": "Submit a report (anonymous or named)",
                    "description": (
                        "Idempotent on submission_id: a retry with the same body returns "
                        "the same reference and stores nothing new."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Submission"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("Accepted; keep the reference", "SubmissionAccepted"),
                        "400": _error("Malformed body, or fields that are not right"),
                        "409": _error("submission_id already used for a different report"),
                        "413": _error("Body too large"),
                        "415": _error("Content-Type is not application/json"),
                        "503": _error("Could not be saved now; nothing was stored; retry"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {"schemas": schemas["$defs"]},
    }
