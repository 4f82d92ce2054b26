"""Repeat-concern links and trend alerts, through intake, triage, the staff API and email.

All tests of this module share one mocked stack (see `tests.api.shared_stack`); before each
test the case tables are emptied, the clock set back and the sent emails forgotten.
Default institution settings: a location alert at 3 reports within 30 days, a department
alert at 5 reports within 30 days.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.resources import INSIGHTS_TABLE
from tests.api.conftest import deliver, file_quiet_anonymous_reports, post_json, sent_emails
from tests.api.shared_stack import START, Stack
from tests.factories import anonymous_submission, named_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences

SS_SCREENER, HR_SCREENER, DI_SCREENER = "ss-screener", "hr-screener", "di-screener"
ADVISOR, ADMIN = "ss-advisor-1", "dpo-admin"
LIBRARY = {"where": "on_campus", "campus_area": "library"}


@pytest.fixture(autouse=True)
def _fresh_tables_clock_and_mailbox(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


# --- helpers ---------------------------------------------------------------------------------


def naming(
    names: list[str],
    department: str = "social_sciences",
    *,
    mode: str = "named",
    **answers: Any,
) -> dict[str, Any]:
    """A report body naming people of a department, one entry per name."""
    make = named_submission if mode == "named" else anonymous_submission
    people = [{"name": name} for name in names]
    return make(answers={"involved_names": people, "involved_department": department, **answers})


def submit_at(stack: Stack, body: dict[str, Any], minutes: float = 0, days: float = 0) -> str:
    """Submit (and triage) a report at START plus an offset; its reference."""
    stack.clock.moment = START + timedelta(days=days, minutes=minutes)
    return stack.submit(body)


def view(stack: Stack, reference: str, user: str = SS_SCREENER) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}", user)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def linked(stack: Stack, reference: str, user: str = SS_SCREENER) -> list[str]:
    return [link["reference"] for link in view(stack, reference, user)["linked_reports"]]


def notifications(stack: Stack, kind: str) -> list[dict[str, Any]]:
    items = services.dynamodb().scan(TableName=stack.settings.notifications_table)["Items"]
    return [item for item in items if item["kind"]["S"] == kind]


def emails_about(stack: Stack, words: str) -> list[Any]:
    return [message for message in sent_emails(stack.settings) if words in message["Subject"]]


def alert_items(stack: Stack) -> list[dict[str, Any]]:
    items = services.dynamodb().scan(TableName=stack.settings.insights_table)["Items"]
    return [item for item in items if item["pk"]["S"].startswith("ALERT#")]


# --- Repeat concerns -------------------------------------------------------------------------


def test_two_reports_naming_one_person_in_different_spellings_are_linked_both_ways(
    stack: Stack,
) -> None:
    first = submit_at(stack, naming(["Dr. Jane  SMITH", "Sam Lee"]))
    second = submit_at(stack, naming(["jane smith"], mode="anonymous"), minutes=5)

    assert linked(stack, first) == [second]
    assert view(stack, first)["linked_reports"] == [
        {
            "reference": second,
            "submitted_at": "2026-11-20T10:35:00.000Z",
            "team_id": "student_support",
        }
    ]
    assert linked(stack, second) == [first]


def test_the_second_report_is_flagged_and_its_screeners_told_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an institution that files quiet anonymous reports: the repeat alone queues it
    file_quiet_anonymous_reports(monkeypatch)
    first = submit_at(stack, naming(["Jane Smith"]))
    second = submit_at(stack, naming(["Prof. Jane Smith"], mode="anonymous"), minutes=5)
    # a redelivered triage message of the second report changes nothing
    stack.clock.moment += timedelta(minutes=5)
    result = deliver(
        stack.client, "on_triage_message", json.dumps({"report_id": stack.report_id(second)})
    )

    assert result.payload == {"batchItemFailures": []}
    assert "repeat_concern" not in view(stack, first)["risk_flags"]
    flagged = view(stack, second)
    assert flagged["risk_flags"] == ["repeat_concern"]
    # an anonymous report with no other risk is screened, not filed, once it repeats a name
    assert flagged["status"] == "awaiting_screening"
    [told] = notifications(stack, "repeat_concern")
    assert told["notification_id"]["S"] == f"{stack.report_id(second)}.repeat_concern"
    [email] = emails_about(stack, "names someone named in another report")
    assert second in email["Subject"]
    assert email["To"] == "sam.okafor@example.ac.uk"


@pytest.mark.parametrize(
    ("first_department", "second_department"),
    [("social_sciences", "business_law"), ("social_sciences", "not_sure")],
    ids=["another-department", "department-unknown"],
)
def test_one_name_in_another_department_is_not_linked(
    stack: Stack, first_department: str, second_department: str
) -> None:
    first = submit_at(stack, naming(["Jane Smith"], first_department))
    second = submit_at(stack, naming(["Jane Smith"], second_department), minutes=5)

    assert linked(stack, first) == []
    assert linked(stack, second) == []
    assert "repeat_concern" not in view(stack, second)["risk_flags"]
    assert notifications(stack, "repeat_concern") == []


def test_different_people_are_not_linked(stack: Stack) -> None:
    first = submit_at(stack, naming(["Jane Smith"]))
    second = submit_at(stack, naming(["Jane Smithson", "J"]), minutes=5)

    assert linked(stack, first) == []
    assert linked(stack, second) == []


def with_people(people: list[dict[str, Any]], *, mode: str = "named") -> dict[str, Any]:
    """A report body about a social sciences department listing these people's entries."""
    make = named_submission if mode == "named" else anonymous_submission
    answers = {"involved_names": people, "involved_department": "social_sciences"}
    return make(answers=answers)


@pytest.mark.parametrize(
    ("first_people", "second_people"),
    [
        ([{"name": "Don't know his name"}], [{"name": "Don't know his name"}]),
        ([{"name_unknown": True}], [{"name_unknown": True}]),
        ([{"name": "Dwi ddim yn gwybod"}], [{"name": "Dim syniad"}]),
        ([{"name": "Unknown"}, {"name_unknown": True}], [{"name": "n/a"}, {"name": "a man"}]),
    ],
    ids=["dont-know-his-name", "name-unknown", "welsh", "mixed"],
)
def test_reports_that_do_not_know_the_name_are_not_linked_and_nobody_is_emailed(
    stack: Stack, first_people: list[dict[str, Any]], second_people: list[dict[str, Any]]
) -> None:
    # given two reports about one department, neither knowing the name of who was involved
    first = submit_at(stack, with_people(first_people))
    second = submit_at(stack, with_people(second_people, mode="anonymous"), minutes=5)

    # then they are not linked, not flagged, and no repeat-concern email is sent...
    assert linked(stack, first) == []
    assert linked(stack, second) == []
    assert "repeat_concern" not in view(stack, second)["risk_flags"]
    assert notifications(stack, "repeat_concern") == []
    assert emails_about(stack, "names someone named in another report") == []
    for reference in (first, second):
        case = stack.case_item(reference)
        assert "concern_macs" not in case
        # ...while each was read for its department and still waits for a screener
        assert case["department_key"] == {"S": "social_sciences"}
        assert case["status"] == {"S": "awaiting_screening"}
        # and the entries themselves are kept, sealed, for the people handling the case
        assert "answer.involved_names" in case["sealed"]["M"]


def test_one_name_among_other_entries_links_two_reports(stack: Stack) -> None:
    first = submit_at(
        stack,
        with_people([{"name_unknown": True}, {"name": "Sam Lee"}, {"name": "Jo Bloggs"}]),
    )
    second = submit_at(
        stack,
        with_people(
            [{"name": "Don't know her name"}, {"name": "jo bloggs"}, {"name": "Kim Park"}],
            mode="anonymous",
        ),
        minutes=5,
    )

    assert linked(stack, first) == [second]
    assert linked(stack, second) == [first]
    assert view(stack, second)["risk_flags"] == ["repeat_concern"]
    [email] = emails_about(stack, "names someone named in another report")
    assert second in email["Subject"]
    # two real names each: the unknown entry and the placeholder are not indexed
    assert len(stack.case_item(first)["concern_macs"]["L"]) == 2
    assert len(stack.case_item(second)["concern_macs"]["L"]) == 2


def test_a_screener_who_reveals_a_case_sees_the_people_as_they_were_given(
    stack: Stack,
) -> None:
    people = [{"name": " Jo Bloggs "}, {"name_unknown": True}, {"name": "Sam Lee"}]
    reference = submit_at(stack, with_people(people))

    response = stack.call(
        "post", f"/staff/cases/{reference}/reveal", SS_SCREENER, {"purpose": "First contact"}
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["answers"] == {
        "involved_names": [{"name": "Jo Bloggs"}, {"name_unknown": True}, {"name": "Sam Lee"}]
    }
    assert response.json_body["contact"]["name"] == "Alex Example"


def test_advisors_and_admins_are_not_shown_the_links(stack: Stack) -> None:
    first = submit_at(stack, naming(["Jane Smith"]))
    submit_at(stack, naming(["Jane Smith"]), minutes=5)
    version = view(stack, first)["version"]
    assigned = stack.call(
        "post",
        f"/staff/cases/{first}/assignment",
        SS_SCREENER,
        {"advisor_id": ADVISOR, "reason": "Right specialism", "version": version},
    )
    assert assigned.status_code == 200, assigned.json_body

    assert linked(stack, first, SS_SCREENER) != []
    assert linked(stack, first, ADVISOR) == []
    assert linked(stack, first, ADMIN) == []


def test_a_screener_sees_a_link_to_another_teams_case_but_cannot_open_it(stack: Stack) -> None:
    student = submit_at(stack, naming(["Jane Smith"], reporter_role="student"))
    staff = submit_at(stack, naming(["jane SMITH"], reporter_role="staff"), minutes=5)

    assert view(stack, staff, HR_SCREENER)["linked_reports"] == [
        {
            "reference": student,
            "submitted_at": "2026-11-20T10:30:00.000Z",
            "team_id": "student_support",
        }
    ]
    assert stack.call("get", f"/staff/cases/{student}", HR_SCREENER).status_code == 404


def test_a_report_naming_several_people_links_to_each_of_their_reports(stack: Stack) -> None:
    jane = submit_at(stack, naming(["Jane Smith"]))
    sam = submit_at(stack, naming(["Sam Lee"]), minutes=1)
    both = submit_at(stack, naming(["Sam Lee", "Jane Smith", "Kim Park"]), minutes=2)

    assert linked(stack, both) == [jane, sam]
    assert linked(stack, jane) == [both]
    assert linked(stack, sam) == [both]


def test_names_are_never_in_clear_in_tables_queues_logs_or_emails(
    stack: Stack, logs: list[str]
) -> None:
    tag = uuid.uuid4().hex[:10]
    person, other = f"Sentinelperson {tag}", f"Sentinelother {tag}"
    first = submit_at(stack, naming([person, other]))
    stack.clock.moment += timedelta(minutes=5)
    accepted = post_json(stack.client, "/reports", naming([f"DR. {person.upper()}"]))
    assert accepted.status_code == 201
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    stack.drain()
    assert linked(stack, first) == [accepted.json_body["reference"]]

    stored = list(every_table_blob(services.dynamodb()))
    logged = [Blob(f"log line {number}", line) for number, line in enumerate(logs)]
    emailed = [
        Blob(f"email {n}", message.as_string())
        for n, message in enumerate(sent_emails(stack.settings))
    ]

    assert stored and queued and logged and emailed, "the scan must search something"
    sentinels = [person, other, f"sentinelperson {tag}", tag]
    assert occurrences(stored, sentinels) == []
    assert occurrences(queued, sentinels) == []
    assert occurrences(logged, sentinels) == []
    assert occurrences(emailed, sentinels) == []


def test_a_link_item_holds_the_reference_and_date_and_nothing_else(stack: Stack) -> None:
    reference = submit_at(stack, naming(["Jane Smith", "Sam Lee"]))

    case = stack.case_item(reference)
    macs = [value["S"] for value in case["concern_macs"]["L"]]
    assert len(macs) == 2
    for mac in macs:
        [link] = services.dynamodb().query(
            TableName=stack.settings.reports_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"CONCERN#{mac}"}},
        )["Items"]
        assert link == {
            "pk": {"S": f"CONCERN#{mac}"},
            "sk": {"S": f"REPORT#{stack.report_id(reference)}"},
            "report_id": {"S": stack.report_id(reference)},
            "reference": {"S": reference},
            "submitted_at": case["submitted_at"],
        }
    assert case["department_key"] == {"S": "social_sciences"}


def test_a_report_naming_nobody_has_no_links_and_no_department_key(stack: Stack) -> None:
    reference = submit_at(stack, naming([], "not_sure"))

    case = stack.case_item(reference)
    assert "concern_macs" not in case
    assert "department_key" not in case
    assert view(stack, reference)["linked_reports"] == []


# --- Trend alerts ----------------------------------------------------------------------------


def test_a_location_alert_fires_once_at_the_threshold_not_again_inside_its_window_then_again(
    stack: Stack,
) -> None:
    submit_at(stack, anonymous_submission(answers=LIBRARY))
    submit_at(stack, anonymous_submission(answers=LIBRARY), minutes=1)
    assert notifications(stack, "trend_alert") == []

    third = submit_at(stack, anonymous_submission(answers=LIBRARY), minutes=2)

    [alert] = notifications(stack, "trend_alert")
    assert alert["reference"]["S"] == third
    assert alert["team_id"]["S"] == "diversity_inclusion"
    [email] = emails_about(stack, "Trend alert")
    assert email["To"] == "alex.morgan@example.ac.uk"
    assert email["Subject"] == (
        "[Report + Support] Trend alert: 3 reports about On campus: Library within 30 days "
        f"(latest {third})"
    )
    [item] = alert_items(stack)
    assert item["pk"]["S"] == "ALERT#location#on_campus/library"
    assert item["active_until"]["S"] == "2026-12-20T10:32:00.000Z"

    # inside the window: a fourth and fifth report raise nothing more
    submit_at(stack, anonymous_submission(answers=LIBRARY), days=10)
    submit_at(stack, anonymous_submission(answers=LIBRARY), days=29)
    assert len(notifications(stack, "trend_alert")) == 1

    # after the window (and with the reports of day 10 and 29 counted in the new one)
    latest = submit_at(stack, anonymous_submission(answers=LIBRARY), days=31)
    assert len(notifications(stack, "trend_alert")) == 2
    assert len(emails_about(stack, "Trend alert")) == 2
    assert emails_about(stack, f"latest {latest}")


def test_a_trend_alert_says_what_it_is_and_gives_no_priority_of_its_own(stack: Stack) -> None:
    for minute in range(3):
        submit_at(stack, anonymous_submission(answers=LIBRARY), minutes=minute)

    [alert] = notifications(stack, "trend_alert")
    assert "priority" not in alert
    [email] = emails_about(stack, "Trend alert")
    text = email.get_body(("plain",)).get_content()
    assert "What this is: a trend alert, a pattern across reports." in text
    assert "Priority" not in text
    assert "Priority" not in email.get_body(("html",)).get_content()
    # each report's own email (every report alerts its team) keeps the report's priority
    reports = emails_about(stack, "New report")
    assert len(reports) == 3
    assert "Priority: normal" in reports[0].get_body(("plain",)).get_content()


def test_reports_about_other_places_do_not_count(stack: Stack) -> None:
    submit_at(stack, anonymous_submission(answers=LIBRARY))
    submit_at(
        stack,
        anonymous_submission(answers={"where": "on_campus", "campus_area": "sports_facilities"}),
    )
    submit_at(stack, anonymous_submission(answers={"where": "off_campus"}))
    submit_at(stack, anonymous_submission(answers=LIBRARY), days=31)
    submit_at(stack, anonymous_submission(answers=LIBRARY), days=32)

    assert notifications(stack, "trend_alert") == []
    assert alert_items(stack) == []


def test_a_department_alert_fires_at_five_reports_about_one_department(stack: Stack) -> None:
    for minute in range(4):
        submit_at(stack, naming([], "social_sciences", mode="anonymous"), minutes=minute)
    submit_at(stack, naming([], "not_sure", mode="anonymous"), minutes=5)
    submit_at(stack, naming([], "business_law", mode="anonymous"), minutes=6)
    assert notifications(stack, "trend_alert") == []

    fifth = submit_at(stack, naming([], "social_sciences", mode="anonymous"), minutes=7)

    [alert] = notifications(stack, "trend_alert")
    assert alert["notification_id"]["S"] == f"{stack.report_id(fifth)}.trend_alert.department"
    [email] = emails_about(stack, "Trend alert")
    assert "5 reports about Social Sciences within 30 days" in email["Subject"]
    [item] = alert_items(stack)
    assert item["pk"]["S"] == "ALERT#department#social_sciences"


def test_a_redelivered_triage_message_raises_a_missed_alert_and_never_a_second(
    stack: Stack,
) -> None:
    submit_at(stack, anonymous_submission(answers=LIBRARY))
    submit_at(stack, anonymous_submission(answers=LIBRARY), minutes=1)
    stack.clock.moment = START + timedelta(minutes=2)
    third = post_json(stack.client, "/reports", anonymous_submission(answers=LIBRARY))
    message = json.dumps({"report_id": stack.report_id(third.json_body["reference"])})
    dynamodb = services.dynamodb()

    # given triage commits but the alert cannot be written (the insights table is gone)
    dynamodb.delete_table(TableName=stack.settings.insights_table)
    try:
        failed = deliver(stack.client, "on_triage_message", message)
    finally:
        _recreate_insights_table(dynamodb)
    assert len(failed.payload["batchItemFailures"]) == 1
    assert view(stack, third.json_body["reference"])["status"] == "awaiting_screening"
    assert notifications(stack, "trend_alert") == []

    # when the message is delivered again (SQS retries it), and again
    stack.drain()
    again = deliver(stack.client, "on_triage_message", message, message)
    stack.drain()

    # then the missed alert is raised, once
    assert again.payload == {"batchItemFailures": []}
    assert len(notifications(stack, "trend_alert")) == 1
    assert len(alert_items(stack)) == 1
    assert len(emails_about(stack, "Trend alert")) == 1


def _recreate_insights_table(dynamodb: Any) -> None:
    from devstack.provision import create_table

    create_table(dynamodb, INSIGHTS_TABLE, "test")
