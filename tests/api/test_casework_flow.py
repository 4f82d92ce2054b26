"""A case worked from submission to closure through the staff API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.settings import Settings
from tests.api.conftest import FixedClock, as_staff, drain, post_json, sent_emails, sign_in
from tests.factories import anonymous_submission, named_submission

pytestmark = pytest.mark.usefixtures("staff")


def call(client: Client, method: str, path: str, token: str, body: Any = None) -> Any:
    request = getattr(client.http, method)
    if body is None:
        return request(path, headers=as_staff(token))
    return request(path, headers=as_staff(token), body=json.dumps(body))


def test_a_named_case_from_screening_to_closure(client: Client, aws: Settings) -> None:
    reference = post_json(client, "/reports", named_submission()).json_body["reference"]
    drain(client, aws)
    screener = sign_in(aws, "ss-screener")
    advisor = sign_in(aws, "ss-advisor-1")

    queue = call(client, "get", "/staff/queue", screener)
    assert queue.status_code == 200, queue.json_body
    assert [row["reference"] for row in queue.json_body["cases"]] == [reference]
    case = call(client, "get", f"/staff/cases/{reference}", screener).json_body
    assert case["status"] == "awaiting_screening"
    assert "contact" not in json.dumps(case["answers"])

    choices = call(client, "get", f"/staff/cases/{reference}/advisors", screener).json_body
    assert {a["member_id"] for a in choices["advisors"]} == {"ss-advisor-1", "ss-advisor-2"}
    assigned = call(
        client,
        "post",
        f"/staff/cases/{reference}/assignment",
        screener,
        {
            "advisor_id": "ss-advisor-1",
            "reason": "Specialist in this area",
            "version": case["version"],
        },
    )
    assert assigned.status_code == 200, assigned.json_body
    drain(client, aws)
    assert sent_emails(aws)[-1]["To"] == "rhian.evans@example.ac.uk"

    mine = call(client, "get", "/staff/queue", advisor).json_body
    assert [row["reference"] for row in mine["cases"]] == [reference]
    revealed = call(
        client,
        "post",
        f"/staff/cases/{reference}/reveal",
        advisor,
        {"purpose": "To make first contact"},
    )
    assert revealed.status_code == 200, revealed.json_body
    assert revealed.json_body["contact"]["email"] == "alex.example@example.ac.uk"

    contact = call(
        client,
        "post",
        f"/staff/cases/{reference}/timeline",
        advisor,
        {"entry": {"type": "contact_attempt", "method": "phone", "result": "reached"}},
    )
    assert contact.status_code == 201, contact.json_body
    assert contact.json_body["status"] == "contacted"
    assert contact.json_body["first_contact_met"] is True

    note = call(
        client,
        "post",
        f"/staff/cases/{reference}/timeline",
        advisor,
        {"entry": {"type": "note", "text": "Agreed weekly check-ins."}},
    )
    assert note.status_code == 201
    support = call(
        client,
        "post",
        f"/staff/cases/{reference}/transitions",
        advisor,
        {"to": "in_support", "reason": "Support plan agreed", "version": note.json_body["version"]},
    )
    assert support.status_code == 200, support.json_body
    closed = call(
        client,
        "post",
        f"/staff/cases/{reference}/transitions",
        advisor,
        {
            "to": "closed",
            "reason": "Resolved informally",
            "outcome": "informal_resolution",
            "version": support.json_body["version"],
        },
    )
    assert closed.status_code == 200, closed.json_body
    assert closed.json_body["status"] == "closed"

    audit = call(client, "get", f"/staff/cases/{reference}/audit", screener).json_body
    assert audit["verification"]["intact"] is True
    assert [entry["action"] for entry in audit["entries"]] == [
        "triage",
        "assign",
        "reveal",
        "add_contact_attempt",
        "add_note",
        "transition",
        "transition",
    ]
    assert call(client, "get", "/staff/queue", screener).json_body["cases"] == []


def _run_sla_watch(client: Client) -> Any:
    return client.lambda_.invoke(
        "sla_watch",
        client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        ),
    ).payload


def _assigned_case(client: Client, aws: Settings) -> tuple[str, str, str]:
    reference = post_json(client, "/reports", named_submission()).json_body["reference"]
    drain(client, aws)
    screener, advisor = sign_in(aws, "ss-screener"), sign_in(aws, "ss-advisor-1")
    case = call(client, "get", f"/staff/cases/{reference}", screener).json_body
    call(
        client,
        "post",
        f"/staff/cases/{reference}/assignment",
        screener,
        {"advisor_id": "ss-advisor-1", "reason": "Available now", "version": case["version"]},
    )
    return reference, screener, advisor


def test_first_contact_in_time_stops_the_first_contact_escalation(
    client: Client, aws: Settings, clock: FixedClock
) -> None:
    reference, _screener, advisor = _assigned_case(client, aws)
    call(
        client,
        "post",
        f"/staff/cases/{reference}/timeline",
        advisor,
        {"entry": {"type": "contact_attempt", "method": "email", "result": "reached"}},
    )
    drain(client, aws)
    emails_before = len(sent_emails(aws))

    clock.moment += timedelta(days=4, minutes=1)  # past the first-contact deadline
    escalated = _run_sla_watch(client)
    drain(client, aws)

    assert escalated == {"escalated": 0}
    assert len(sent_emails(aws)) == emails_before


@pytest.mark.parametrize(
    ("query", "field"), [("status=nonsense", "status"), ("priority=asap", "priority")]
)
def test_an_unknown_queue_filter_value_is_refused_by_name(
    client: Client, aws: Settings, query: str, field: str
) -> None:
    response = call(client, "get", f"/staff/queue?{query}", sign_in(aws, "ss-screener"))

    assert response.status_code == 400
    assert [problem["field"] for problem in response.json_body["errors"]] == [field]


def test_a_closed_case_cannot_be_escalated(client: Client, aws: Settings) -> None:
    reference, screener, _advisor = _assigned_case(client, aws)
    case = call(client, "get", f"/staff/cases/{reference}", screener).json_body
    closed = call(
        client,
        "post",
        f"/staff/cases/{reference}/transitions",
        screener,
        {
            "to": "closed",
            "reason": "Withdrawn",
            "outcome": "reporter_withdrew",
            "version": case["version"],
        },
    ).json_body

    response = call(
        client,
        "post",
        f"/staff/cases/{reference}/escalation",
        screener,
        {"reason": "Too late", "version": closed["version"]},
    )

    assert response.status_code == 409
    assert response.json_body["allowed"] == ["reopened"]


def _anonymous_case(client: Client, aws: Settings) -> tuple[str, str]:
    # Friday 20 November 2026, 10:30 in London: screening is due Tuesday 24th, 10:30
    reference = post_json(client, "/reports", anonymous_submission()).json_body["reference"]
    drain(client, aws)
    return reference, sign_in(aws, "ss-screener")


def test_an_anonymous_report_left_unscreened_is_overdue_and_the_screeners_are_chased(
    client: Client, aws: Settings, clock: FixedClock
) -> None:
    reference, screener = _anonymous_case(client, aws)
    [row] = call(client, "get", "/staff/queue", screener).json_body["cases"]
    assert row["screening_due"] == "2026-11-24T10:30:00.000Z"
    assert row["first_contact_due"] is None
    assert row["overdue"] is False
    assert call(client, "get", "/staff/queue?overdue=true", screener).json_body["cases"] == []
    emails_before = len(sent_emails(aws))

    # when the deadline passes with the report still waiting
    clock.moment += timedelta(days=4, minutes=1)
    escalated = _run_sla_watch(client)
    drain(client, aws)

    assert escalated == {"escalated": 1}
    overdue = call(client, "get", "/staff/queue?overdue=true", screener).json_body["cases"]
    assert [(r["reference"], r["overdue"]) for r in overdue] == [(reference, True)]
    [chase] = sent_emails(aws)[emails_before:]
    assert "screening is overdue" in chase["Subject"]
    assert chase["To"] == "sam.okafor@example.ac.uk", "the student team's screener"
    assert _run_sla_watch(client) == {"escalated": 0}, "chased once"


def test_an_anonymous_report_screened_in_time_is_not_chased(
    client: Client, aws: Settings, clock: FixedClock
) -> None:
    reference, screener = _anonymous_case(client, aws)
    case = call(client, "get", f"/staff/cases/{reference}", screener).json_body
    filed = call(
        client,
        "post",
        f"/staff/cases/{reference}/transitions",
        screener,
        {"to": "filed", "reason": "Nothing to act on", "version": case["version"]},
    )
    assert filed.status_code == 200, filed.json_body
    drain(client, aws)
    emails_before = len(sent_emails(aws))

    clock.moment += timedelta(days=4, minutes=1)
    escalated = _run_sla_watch(client)
    drain(client, aws)

    assert escalated == {"escalated": 0}
    assert len(sent_emails(aws)) == emails_before
    refetched = call(client, "get", f"/staff/cases/{reference}", screener).json_body
    assert (refetched["status"], refetched["overdue"]) == ("filed", False)
