"""GET /form, /health and the headers every answer carries."""

from __future__ import annotations

from chalice.test import Client


def test_the_form_lists_its_questions_options_and_conditions(client: Client) -> None:
    response = client.http.get("/form")

    assert response.status_code == 200
    form = response.json_body["form"]
    assert form["version"]
    questions = {question["id"]: question for question in form["questions"]}
    assert 12 <= len(questions) <= 20
    assert questions["immediate_danger"]["required"] is True
    assert questions["campus_area"]["show_if"] == {"question": "where", "any_of": ["on_campus"]}
    assert {option["id"] for option in questions["reporter_role"]["options"]} == {
        "student",
        "staff",
        "visitor",
        "other",
    }


def test_the_form_carries_the_wording_for_each_answer_to_reporting_for(client: Client) -> None:
    form = client.http.get("/form").json_body["form"]

    questions = {question["id"]: question for question in form["questions"]}
    assert form["reporting_for_question"] == "reporting_for"
    witness = questions["under_18"]["wording"]["witness"]
    assert witness["label"] == {
        "en": "Is the person it happened to under 18?",
        "cy": "Ydy'r person a gafodd ei effeithio o dan 18 oed?",
    }
    assert witness["options"]["yes"] == {"en": "Yes", "cy": "Ydy"}
    assert questions["under_18"]["label"]["en"] == "Are you under 18?"
    assert form["demographics"]["asked_for"] == ["myself", "someone_else"]
    assert "someone_else" in form["demographics"]["wording"]
    assert not questions["when"].get("wording")


def test_the_form_carries_support_emergency_contacts_and_the_privacy_notice(client: Client) -> None:
    body = client.http.get("/form").json_body

    assert any(resource.get("emergency") for resource in body["support_resources"])
    assert body["privacy_notice"]["version"]
    assert all(
        "prefer_not_to_say" in {option["id"] for option in question["options"]}
        for question in body["form"]["demographic_questions"]
    )


def test_health_answers_with_the_form_version(client: Client) -> None:
    response = client.http.get("/health")

    assert response.status_code == 200
    assert response.json_body["status"] == "ok"


def test_every_answer_carries_security_headers(client: Client) -> None:
    for path in ("/form", "/health", "/openapi.json"):
        headers = client.http.get(path).headers

        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
