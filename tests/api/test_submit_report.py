"""POST /reports: what is stored, what is queued, and what is refused."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.clock import FixedClock
from chalicelib.settings import Settings
from tests.api.conftest import drain, post_json, queued_bodies, report_items
from tests.factories import anonymous_submission, named_submission


def demographics_items(aws: Settings) -> list[dict[str, Any]]:
    dynamodb = services.dynamodb()
    items: list[dict[str, Any]] = dynamodb.scan(TableName=aws.demographics_table)["Items"]
    return items


def all_items(aws: Settings) -> list[dict[str, Any]]:
    dynamodb = services.dynamodb()
    items: list[dict[str, Any]] = dynamodb.scan(TableName=aws.reports_table)["Items"]
    return items + demographics_items(aws)


def _point_triage_at(monkeypatch: pytest.MonkeyPatch, clock: FixedClock, url: str) -> None:
    monkeypatch.setenv("RS_TRIAGE_QUEUE_URL", url)
    services.reset(clock=clock)


class TestANamedReport:
    def test_is_accepted_with_a_human_friendly_reference(self, client: Client) -> None:
        response = post_json(client, "/reports", named_submission())

        assert response.status_code == 201
        assert re.fullmatch(
            r"RS-[2-9BCDFGHJKMNPQRSTWXZ]{4}-[2-9BCDFGHJKMNPQRSTWXZ]{4}",
            response.json_body["reference"],
        )
        assert response.json_body["mode"] == "named"
        assert "2 working days" in response.json_body["next_steps"]
        assert response.headers["Cache-Control"] == "no-store"

    def test_is_stored_with_clear_answers_and_sealed_identifiers(
        self, client: Client, aws: Settings
    ) -> None:
        post_json(
            client, "/reports", named_submission(answers={"involved_names": [{"name": "Someone"}]})
        )

        [item] = report_items(aws)
        assert item["status"]["S"] == "awaiting_triage"
        assert item["answers"]["M"]["where"] == {"S": "off_campus"}
        assert set(item["sealed"]["M"]) == {
            "contact",
            "narrative",
            "answer.involved_names",
            "submission_digest",
        }
        assert all("B" in value for value in item["sealed"]["M"].values())
        assert "involved_names" not in item["answers"]["M"]
        assert item["email_mac"]["S"]
        assert item["preferences"]["M"]["preferred_contact_method"] == {"S": "email"}

    def test_keeps_demographics_sealed_in_their_own_table(
        self, client: Client, aws: Settings
    ) -> None:
        post_json(client, "/reports", named_submission())

        [item] = report_items(aws)
        [demographics] = demographics_items(aws)
        assert demographics["report_id"] == item["report_id"]
        assert set(demographics) == {"report_id", "sealed", "submitted_at"}
        assert "B" in demographics["sealed"]

    def test_is_queued_for_triage_by_id_only(self, client: Client, aws: Settings) -> None:
        post_json(client, "/reports", named_submission())

        [item] = report_items(aws)
        assert queued_bodies(aws) == [{"report_id": item["report_id"]["S"]}]

    def test_the_same_email_gets_the_same_blind_index_whatever_its_case(
        self, client: Client, aws: Settings
    ) -> None:
        first = named_submission()
        second = named_submission()
        second["contact"]["email"] = first["contact"]["email"].upper()

        post_json(client, "/reports", first)
        post_json(client, "/reports", second)

        assert len({item["email_mac"]["S"] for item in report_items(aws)}) == 1


class TestAnAnonymousReport:
    def test_is_stored_without_contact_or_blind_index(self, client: Client, aws: Settings) -> None:
        response = post_json(client, "/reports", anonymous_submission())

        assert response.status_code == 201
        assert "no one can contact you" in response.json_body["next_steps"]
        [item] = report_items(aws)
        assert "email_mac" not in item
        assert "preferences" not in item
        assert set(item["sealed"]["M"]) == {"submission_digest"}
        assert demographics_items(aws) == []


class TestARetry:
    def test_with_the_same_submission_returns_the_same_reference_and_stores_nothing_new(
        self, client: Client, aws: Settings
    ) -> None:
        body = named_submission()
        first = post_json(client, "/reports", body)
        before = all_items(aws)

        again = post_json(client, "/reports", body)

        assert again.status_code == 201
        assert again.json_body == first.json_body
        assert again.headers["Idempotent-Replayed"] == "true"
        assert all_items(aws) == before
        [item] = report_items(aws)
        report = {"report_id": item["report_id"]["S"]}
        assert queued_bodies(aws) == [report, report]

    def test_after_a_lost_queue_message_sends_the_report_to_triage(
        self, client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
    ) -> None:
        body = named_submission()
        missing_queue = aws.triage_queue_url.rsplit("/", 1)[0] + "/no-such-queue"
        _point_triage_at(monkeypatch, clock, missing_queue)
        first = post_json(client, "/reports", body)
        assert first.status_code == 201
        assert queued_bodies(aws) == []
        _point_triage_at(monkeypatch, clock, aws.triage_queue_url)

        again = post_json(client, "/reports", body)

        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        [item] = report_items(aws)
        assert queued_bodies(aws) == [{"report_id": item["report_id"]["S"]}]

    def test_of_a_report_already_triaged_queues_nothing(
        self, client: Client, aws: Settings, staff: None
    ) -> None:
        body = named_submission()
        post_json(client, "/reports", body)
        drain(client, aws)
        [triaged] = report_items(aws)
        assert triaged["status"]["S"] == "awaiting_screening"

        again = post_json(client, "/reports", body)

        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert queued_bodies(aws) == []
        assert report_items(aws) == [triaged]

    def test_reusing_a_submission_id_for_a_different_report_is_refused(
        self, client: Client, aws: Settings
    ) -> None:
        body = named_submission()
        post_json(client, "/reports", body)
        before = all_items(aws)
        different = {**body, "narrative": "Something else entirely."}

        response = post_json(client, "/reports", different)

        assert response.status_code == 409
        assert "submission_id" in response.json_body["message"]
        assert all_items(aws) == before


BAD_BODIES: list[tuple[str, Any, set[str]]] = [
    ("unknown field", {**anonymous_submission(), "ip_address": "x"}, {"ip_address"}),
    (
        "unknown question",
        anonymous_submission(answers={"favourite_colour": "red"}),
        {"answers.favourite_colour"},
    ),
    ("unknown option", anonymous_submission(answers={"when": "yesterday"}), {"answers.when"}),
    (
        "missing required answer",
        anonymous_submission(answers={"immediate_danger": None}),
        {"answers.immediate_danger"},
    ),
    (
        "contact on an anonymous report",
        {**anonymous_submission(), "contact": named_submission()["contact"]},
        {"contact"},
    ),
    ("named without contact", {**anonymous_submission(), "mode": "named"}, {"contact"}),
    (
        "malformed email",
        named_submission(contact={**named_submission()["contact"], "email": "not-an-email"}),
        {"contact.email"},
    ),
    ("oversized narrative", named_submission(narrative="x" * 20_001), {"narrative"}),
    (
        "wrong type",
        anonymous_submission(answers={"what_happened": "bullying"}),
        {"answers.what_happened"},
    ),
    ("mode as a number", anonymous_submission(mode=1), {"mode"}),
    ("submission id not a uuid", anonymous_submission(submission_id="123"), {"submission_id"}),
    (
        "people as free text",
        anonymous_submission(answers={"involved_names": "Jo Bloggs and Sam Lee"}),
        {"answers.involved_names"},
    ),
    (
        "eleven people",
        anonymous_submission(answers={"involved_names": [{"name_unknown": True}] * 11}),
        {"answers.involved_names"},
    ),
    (
        "bad people entries beside a good one",
        anonymous_submission(
            answers={
                "involved_names": [
                    {"name": "Jo Bloggs"},
                    {"name": " "},
                    {"name": "Sam Lee", "name_unknown": True},
                    {"name": ["Sam", "Lee"]},
                    {"name": "n" * 201},
                ]
            }
        ),
        {
            "answers.involved_names.1.name",
            "answers.involved_names.2",
            "answers.involved_names.3.name",
            "answers.involved_names.4.name",
        },
    ),
]


@pytest.mark.parametrize(("case", "body", "fields"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_input_is_refused_naming_each_field_and_nothing_is_written(
    client: Client, aws: Settings, case: str, body: Any, fields: set[str]
) -> None:
    response = post_json(client, "/reports", body)

    assert response.status_code == 400, case
    assert response.json_body["error"] == "invalid_input"
    assert {problem["field"] for problem in response.json_body["errors"]} == fields
    assert all(problem["message"] for problem in response.json_body["errors"])
    assert all_items(aws) == []
    assert queued_bodies(aws) == []


def test_ten_thousand_unknown_keys_get_a_short_answer_naming_the_first_and_counting_the_rest(
    client: Client, aws: Settings
) -> None:
    body = {**anonymous_submission(), **{f"unknown_{n:05d}": "x" for n in range(10_000)}}

    response = post_json(client, "/reports", body)

    assert response.status_code == 400
    assert len(response.body) < 8 * 1024
    assert response.json_body["message"] == "10000 fields are not right; see errors."
    listed = [problem["field"] for problem in response.json_body["errors"]]
    assert listed[:3] == ["unknown_00000", "unknown_00001", "unknown_00002"]
    assert len(listed) == 20
    assert response.json_body["more"] == 9980
    assert all_items(aws) == []


def test_an_unknown_key_is_named_cut_short(client: Client) -> None:
    response = post_json(client, "/reports", {**anonymous_submission(), "k" * 5000: "x"})

    assert response.status_code == 400
    [problem] = response.json_body["errors"]
    assert problem["field"] == "k" * 99 + "…"
    assert "more" not in response.json_body


def test_every_bad_field_is_listed_in_one_answer(client: Client) -> None:
    body = named_submission(
        mode="named",
        answers={"when": "yesterday", "where": "on_campus"},
        narrative="x" * 20_001,
    )
    body["contact"]["email"] = "nope"

    response = post_json(client, "/reports", body)

    assert {problem["field"] for problem in response.json_body["errors"]} == {
        "answers.when",
        "answers.campus_area",
        "narrative",
        "contact.email",
    }


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"", 400),
        (b"not json", 400),
        (b"[1, 2, 3]", 400),
        (b'{"mode": "named", "mode": "anonymous"}', 400),
        (b'{"answers": NaN}', 400),
        (b"\xff\xfe\xfd", 400),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (b'{"narrative": "' + b"x" * (300 * 1024) + b'"}', 413),
    ],
    ids=["empty", "not-json", "array", "duplicate-key", "nan", "not-utf8", "deep", "huge"],
)
def test_unreadable_bodies_get_a_json_4xx(
    client: Client, aws: Settings, raw: bytes, status: int
) -> None:
    response = client.http.post("/reports", body=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == status
    assert response.json_body["error"] in {"malformed_request", "payload_too_large"}
    assert all_items(aws) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/json; charset=latin-1"},
    ],
    ids=["no content type", "text", "form", "json in another charset"],
)
def test_a_body_not_declared_as_json_is_refused_and_nothing_is_stored(
    client: Client, aws: Settings, headers: dict[str, str]
) -> None:
    response = client.http.post(
        "/reports", body=json.dumps(anonymous_submission()), headers=headers
    )

    assert response.status_code == 415
    assert response.json_body == {
        "error": "unsupported_media_type",
        "message": "send the body as JSON, with Content-Type: application/json",
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/json"
    assert all_items(aws) == []
    assert queued_bodies(aws) == []


def test_the_same_body_declared_as_json_is_accepted(client: Client, aws: Settings) -> None:
    response = client.http.post(
        "/reports",
        body=json.dumps(anonymous_submission()),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 201
    assert len(report_items(aws)) == 1


def test_json_with_a_charset_is_accepted(client: Client) -> None:
    response = client.http.post(
        "/reports",
        body=json.dumps(anonymous_submission()).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201


def test_references_are_unique_across_many_reports(client: Client, aws: Settings) -> None:
    references = {
        post_json(client, "/reports", anonymous_submission()).json_body["reference"]
        for _ in range(30)
    }

    assert len(references) == 30
    assert all(re.match(r"^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$", ref) for ref in references)
