"""POST /reports counts text as the form does: code points of the trimmed text, so a text
of emoji exactly at a limit is accepted and one emoji more is refused, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from tests.api.conftest import post_json
from tests.factories import contact, named_submission

EMOJI = "😀"  # one code point, two UTF-16 units


def _with_narrative(text: str) -> dict[str, Any]:
    return named_submission(narrative=text)


def _with_person_named(text: str) -> dict[str, Any]:
    return named_submission(answers={"involved_names": [{"name": "Jo Bloggs"}, {"name": text}]})


def _with_name(text: str) -> dict[str, Any]:
    return named_submission(contact=contact(name=text))


def _with_safe_times(text: str) -> dict[str, Any]:
    return named_submission(contact=contact(safe_times=text))


FIELDS: list[Any] = [
    pytest.param(_with_narrative, "narrative", 20_000, id="narrative"),
    pytest.param(_with_person_named, "answers.involved_names.1.name", 200, id="person's name"),
    pytest.param(_with_name, "contact.name", 200, id="contact name"),
    pytest.param(_with_safe_times, "contact.safe_times", 500, id="safe times"),
]


@pytest.mark.parametrize(("body", "field", "limit"), FIELDS)
def test_emoji_exactly_at_the_limit_are_accepted(
    client: Client, body: Any, field: str, limit: int
) -> None:
    response = post_json(client, "/reports", body(f"  {EMOJI * limit}\n"))

    assert response.status_code == 201, response.json_body


@pytest.mark.parametrize(("body", "field", "limit"), FIELDS)
def test_one_emoji_over_the_limit_is_refused_naming_the_field(
    client: Client, body: Any, field: str, limit: int
) -> None:
    response = post_json(client, "/reports", body(EMOJI * (limit + 1)))

    assert response.status_code == 400
    problems = {e["field"]: e["message"] for e in response.json_body["errors"]}
    assert problems == {field: f"must be at most {limit} characters"}
