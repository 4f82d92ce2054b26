"""The OpenAPI document is the contract: schemathesis tries every operation against the app.

Given the document the app serves, when schemathesis sends each operation requests built
from it (valid ones and deliberately invalid ones), as each staff role, without a token and
with a forged one, then every answer is one the document describes: no server error, a
documented status code, the documented content type and a body of the documented schema.

The app runs in process (chalice's local gateway, the same one `chalice local` serves),
behind a small WSGI adapter: chalice apps are neither WSGI nor ASGI, and schemathesis calls
WSGI apps directly. Examples are few per operation and derandomized, so a run is repeatable
and takes about a minute.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

import pytest
import schemathesis
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import openapi_document
from tests.api.shared_stack import Stack
from tests.factories import named_submission

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Who calls: a member of each staff role, nobody, and someone with a forged token.
CALLERS = ("ss-screener", "ss-advisor-1", "di-analyst", "dpo-admin", None, "forged")
EXAMPLES_PER_OPERATION = 20
OPERATIONS = [
    pytest.param(method, path, id=operation["operationId"])
    for path, entry in openapi_document()["paths"].items()
    for method, operation in entry.items()
]


class ChaliceWsgi:
    """Chalice's in-process gateway as a WSGI app (path, query, headers and body as sent)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Answer one request through the test client."""
        headers = {
            name[5:].replace("_", "-").title(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        response = self._client.http.request(
            environ["REQUEST_METHOD"], environ["RAW_URI"], headers=headers, body=body
        )
        answer_headers = [
            (name, str(item))
            for name, value in response.headers.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        status = HTTPStatus(response.status_code)
        start_response(f"{status.value} {status.phrase}", answer_headers)
        return [response.body]


@pytest.fixture(scope="module")
def contract(stack: Stack) -> Iterator[tuple[Stack, Any, dict[str, str]]]:
    """The served document loaded by schemathesis, and a real case and rights request."""
    reference = stack.submit(named_submission())
    logged = stack.call(
        "post", "/staff/rights/requests", "dpo-admin", {"kind": "access", "email": "a@b.ac.uk"}
    )
    assert logged.status_code == 201, logged.json_body
    known = {"reference": reference, "request_id": logged.json_body["request_id"]}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", ChaliceWsgi(stack.client))
    yield stack, schema, known


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_answer_is_one_the_document_describes(
    contract: tuple[Stack, Any, dict[str, str]], method: str, path: str
) -> None:
    stack, schema, known = contract
    operation = schema[path][method]
    ours = {name: value for name, value in known.items() if "{" + name + "}" in path}
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    if ours:
        # Generated ids are almost never real: also ask about the case and request that exist.
        strategies.append(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=ours)
        )
    tokens = {caller: stack.token(caller) for caller in CALLERS if caller not in (None, "forged")}
    tokens["forged"] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), caller=st.sampled_from(CALLERS))
    def answers_as_documented(case: schemathesis.Case, caller: str | None) -> None:
        case.headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() != "authorization"
        }
        if caller is not None:
            case.headers["Authorization"] = f"Bearer {tokens[caller]}"
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()


def test_the_adapter_passes_query_headers_and_body_through(
    contract: tuple[Stack, Any, dict[str, str]],
) -> None:
    stack, _, _ = contract
    import werkzeug.test

    adapter = werkzeug.test.Client(ChaliceWsgi(stack.client))
    answer = adapter.get(
        "/staff/queue?overdue=maybe",
        headers={"Authorization": f"Bearer {stack.token('ss-screener')}"},
    )

    assert answer.status_code == 400
    assert json.loads(answer.data)["errors"] == [
        {"field": "overdue", "message": "must be true or false"}
    ]
