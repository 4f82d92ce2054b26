"""Notification emails: what each kind says (a reference, a priority, a portal link and
nothing about the report), that hostile values cannot inject markup, and how a message is
handed to SES."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.errors import DependencyUnavailable, DomainError
from chalicelib.notify.mailer import Mailer
from chalicelib.notify.rendering import Email, EmailRenderer

PORTAL = "https://portal.example.ac.uk/portal/"
REFERENCE = "RS-ABCD-2345"
DUE = "2026-12-30T16:00:00.000Z"
#: How staff read DUE: in the institution's time zone (GMT in December).
DUE_LOCAL = "Wed 30 Dec 2026, 16:00 (Europe/London)"
#: What an escalation email says first, for each stage of a case's clock.
STAGE_TEXT = {
    "acknowledge_due_soon": "The statutory acknowledgement of this report is due soon.",
    "feedback_due_soon": "The statutory feedback on this report is due soon.",
    "first_contact_overdue": "First contact is overdue: nobody has reached the reporter yet.",
}
STAGES = sorted(STAGE_TEXT)


def renderer(institution: str = "Example University", portal: str = PORTAL) -> EmailRenderer:
    return EmailRenderer(institution_name=institution, portal_url=portal)


def notification(kind: str, **values: Any) -> dict[str, Any]:
    """A stored notification as the outbox returns it."""
    item: dict[str, Any] = {
        "notification_id": "0123456789abcdef0123456789abcdef." + kind,
        "kind": kind,
        "report_id": "0123456789abcdef0123456789abcdef",
        "reference": REFERENCE,
        "priority": "urgent" if kind == "urgent_report" else "high",
        "team_id": "student_support",
        "created_at": "2026-12-23T16:00:00.000Z",
        "status": "pending",
        "unsent": "pending",
        "attempts": 0,
    }
    if kind == "sla_escalation":
        item |= {"stage": "first_contact_overdue", "due_at": DUE}
    if kind == "trend_alert":
        # a pattern across reports: the trend watch stores no priority for it
        del item["priority"]
        item |= {
            "trend_dimension": "location",
            "trend_label": "On campus: Library",
            "trend_count": 3,
            "trend_window_days": 30,
        }
    item.update(values)
    return item


def link_to(reference: str, portal: str = PORTAL) -> str:
    return f"{portal}#/cases/{quote(reference)}"


EVERY_EMAIL = [
    pytest.param(notification("new_report"), id="new_report"),
    pytest.param(notification("urgent_report"), id="urgent_report"),
    *(
        pytest.param(notification("sla_escalation", stage=stage), id=f"sla_escalation-{stage}")
        for stage in STAGES
    ),
    pytest.param(notification("repeat_concern"), id="repeat_concern"),
    pytest.param(notification("trend_alert"), id="trend_alert"),
]
#: The emails about one case, which carry its priority (a trend alert has none).
CASE_EMAILS = [param for param in EVERY_EMAIL if param.id != "trend_alert"]


# --- What every email says -------------------------------------------------------------------


@pytest.mark.parametrize("stored", EVERY_EMAIL)
def test_every_email_names_the_reference_in_its_subject(stored: dict[str, Any]) -> None:
    rendered = renderer().render(stored)

    assert REFERENCE in rendered.subject
    assert rendered.subject.startswith("[Report + Support] ")


@pytest.mark.parametrize("stored", CASE_EMAILS)
def test_every_case_email_gives_reference_priority_and_link_in_text(
    stored: dict[str, Any],
) -> None:
    text = renderer().render(stored).text

    assert f"Reference: {REFERENCE}" in text
    assert f"Priority: {stored['priority']}" in text
    assert link_to(REFERENCE) in text


@pytest.mark.parametrize("stored", CASE_EMAILS)
def test_every_case_email_gives_reference_priority_and_link_in_html(
    stored: dict[str, Any],
) -> None:
    body = renderer().render(stored).html

    assert f"<td>{REFERENCE}</td>" in body
    assert f">Priority</th><td>{stored['priority']}</td>" in body
    assert f'href="{link_to(REFERENCE)}"' in body


def test_a_trend_alert_says_what_it_is_and_gives_no_priority() -> None:
    rendered = renderer().render(notification("trend_alert"))

    assert "Priority" not in rendered.text
    assert "Priority" not in rendered.html
    assert "What this is: a trend alert, a pattern across reports." in rendered.text
    assert ">Alert</th><td>Trend: many reports about one place or department</td>" in (
        rendered.html
    )
    assert f"Reference: {REFERENCE}" in rendered.text
    assert f'href="{link_to(REFERENCE)}"' in rendered.html


@pytest.mark.parametrize("stored", EVERY_EMAIL)
def test_every_email_is_signed_by_the_institution(stored: dict[str, Any]) -> None:
    rendered = renderer(institution="Prifysgol Enghraifft").render(stored)

    assert "Prifysgol Enghraifft" in rendered.text
    assert "Prifysgol Enghraifft" in rendered.html


@pytest.mark.parametrize("stored", EVERY_EMAIL)
def test_no_placeholder_is_left_unsubstituted(stored: dict[str, Any]) -> None:
    rendered = renderer().render(stored)

    assert "$" not in rendered.subject
    assert "$" not in rendered.text
    assert "$" not in rendered.html


@pytest.mark.parametrize("stored", EVERY_EMAIL)
def test_the_html_declares_its_language_and_has_a_title(stored: dict[str, Any]) -> None:
    rendered = renderer().render(stored)

    assert re.search(r'<html lang="en">', rendered.html)
    title = re.search(r"<title>(.*?)</title>", rendered.html)
    assert title is not None
    assert title.group(1).strip()
    assert REFERENCE in title.group(1)


# --- Each kind -------------------------------------------------------------------------------


def test_a_new_report_email_gives_the_priority_in_its_subject() -> None:
    rendered = renderer().render(notification("new_report", priority="normal"))

    assert rendered.subject == f"[Report + Support] New report {REFERENCE} (normal priority)"
    assert rendered.text.startswith("A new report is waiting in your team's screening queue.")


def test_an_urgent_report_email_says_urgent_first() -> None:
    rendered = renderer().render(notification("urgent_report"))

    assert rendered.subject.startswith("[Report + Support] URGENT")
    assert rendered.text.startswith("URGENT")
    assert "<h1" in rendered.html
    assert "URGENT" in rendered.html


@pytest.mark.parametrize("stage", STAGES)
def test_an_escalation_email_explains_its_stage_and_when_it_is_due(stage: str) -> None:
    rendered = renderer().render(notification("sla_escalation", stage=stage))

    assert rendered.text.startswith(STAGE_TEXT[stage])
    assert f"Due: {DUE_LOCAL}" in rendered.text
    assert f"<td>{DUE_LOCAL}</td>" in rendered.html
    assert STAGE_TEXT[stage] in rendered.html


def test_escalation_subjects_tell_the_stages_apart() -> None:
    subjects = {
        renderer().render(notification("sla_escalation", stage=stage)).subject for stage in STAGES
    }

    assert len(subjects) == len(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_an_escalation_subject_is_a_headline_without_a_full_stop(stage: str) -> None:
    # The subject is cut from the stage text at its colon; only one stage text has one.
    subject = renderer().render(notification("sla_escalation", stage=stage)).subject

    assert not subject.endswith(".")
    assert subject.startswith(f"[Report + Support] Action needed on {REFERENCE}: ")


def test_the_first_contact_escalation_subject_says_it_is_overdue() -> None:
    rendered = renderer().render(notification("sla_escalation", stage="first_contact_overdue"))

    assert rendered.subject == (
        f"[Report + Support] Action needed on {REFERENCE}: first contact is overdue"
    )


@pytest.mark.parametrize("kind", ["new_report", "urgent_report"])
def test_a_report_email_has_no_due_row(kind: str) -> None:
    rendered = renderer().render(notification(kind))

    assert ">Due<" not in rendered.html
    assert "Due:" not in rendered.text


def test_a_repeat_concern_email_says_someone_is_named_again_but_not_who() -> None:
    rendered = renderer().render(notification("repeat_concern"))

    assert rendered.subject == (
        f"[Report + Support] Report {REFERENCE} names someone named in another report"
    )
    assert rendered.text.startswith("A report names someone who is also named in another report.")


def test_a_trend_alert_gives_the_place_the_count_and_the_window() -> None:
    rendered = renderer().render(notification("trend_alert"))

    assert rendered.subject == (
        "[Report + Support] Trend alert: 3 reports about On campus: Library within 30 days "
        f"(latest {REFERENCE})"
    )
    assert rendered.text.startswith("Trend alert: 3 reports about On campus: Library within 30")
    assert f"The latest of them:\nReference: {REFERENCE}" in rendered.text
    assert ">Where</th><td>On campus: Library</td>" in rendered.html
    assert ">Reports</th><td>3</td>" in rendered.html
    assert ">Within</th><td>30 days</td>" in rendered.html
    assert ">Due<" not in rendered.html


def test_a_department_trend_alert_names_the_department_row() -> None:
    stored = notification(
        "trend_alert", trend_dimension="department", trend_label="Social Sciences"
    )

    rendered = renderer().render(stored)

    assert ">Department</th><td>Social Sciences</td>" in rendered.html
    assert "about Social Sciences" in rendered.subject


def test_a_hostile_trend_label_is_escaped_in_html() -> None:
    rendered = renderer().render(notification("trend_alert", trend_label=HOSTILE))

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


# --- Hostile values --------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>\''


@pytest.mark.parametrize("stored", EVERY_EMAIL)
def test_a_hostile_reference_is_escaped_in_html(stored: dict[str, Any]) -> None:
    rendered = renderer().render({**stored, "reference": HOSTILE})

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;" in rendered.html


def test_a_hostile_institution_name_is_escaped_in_html() -> None:
    rendered = renderer(institution='Evil "U" <img src=x onerror=alert(1)>').render(
        notification("new_report")
    )

    assert "<img" not in rendered.html
    assert "Evil &quot;U&quot; &lt;img src=x onerror=alert(1)&gt;" in rendered.html


@pytest.mark.parametrize("field", ["priority", "due_at"])
def test_hostile_priority_or_due_values_are_escaped_in_html(field: str) -> None:
    rendered = renderer().render(notification("sla_escalation", **{field: HOSTILE}))

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_a_hostile_reference_cannot_break_out_of_the_link() -> None:
    rendered = renderer().render(notification("new_report", reference=HOSTILE))

    [href] = re.findall(r'href="([^"]*)"', rendered.html)
    assert href == f"{PORTAL}#/cases/{quote(HOSTILE)}"
    assert "<" not in href
    assert "'" not in href


def test_the_reference_in_the_link_is_url_quoted() -> None:
    rendered = renderer().render(notification("new_report", reference="RS 12#?&x"))

    assert f"{PORTAL}#/cases/RS%2012%23%3F%26x" in rendered.text
    assert f'href="{PORTAL}#/cases/RS%2012%23%3F%26x"' in rendered.html


def test_a_dollar_sign_in_a_value_is_kept_literally() -> None:
    rendered = renderer(institution="$institution Ltd").render(notification("new_report"))

    assert "$institution Ltd — Report + Support" in rendered.text


# --- Handing the message to SES --------------------------------------------------------------


class FakeSes:
    """Records every `send_email` call; answers like SES v2, or raises what it is given."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def send_email(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        if self.error is not None:
            raise self.error
        return {"MessageId": f"ses-message-{len(self.calls)}"}


SENDER = "report-support@example.ac.uk"
RECIPIENTS = ["sam.okafor@example.ac.uk", "priya.nair@example.ac.uk"]


def rendered_email() -> Email:
    return renderer().render(notification("new_report"))


def raw_message(call: dict[str, Any]) -> EmailMessage:
    message = email.message_from_bytes(call["Content"]["Raw"]["Data"], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_one_send_is_one_ses_call_returning_its_message_id() -> None:
    ses = FakeSes()

    message_id = Mailer(ses, SENDER).send(RECIPIENTS, rendered_email())

    assert message_id == "ses-message-1"
    [call] = ses.calls
    assert call["FromEmailAddress"] == SENDER
    assert call["Destination"] == {"ToAddresses": RECIPIENTS}


def test_two_sends_are_two_ses_calls() -> None:
    ses = FakeSes()
    mailer = Mailer(ses, SENDER)

    mailer.send(RECIPIENTS[:1], rendered_email())
    mailer.send(RECIPIENTS[1:], rendered_email())

    assert [call["Destination"]["ToAddresses"] for call in ses.calls] == [
        RECIPIENTS[:1],
        RECIPIENTS[1:],
    ]


def test_the_message_is_raw_mime_with_text_and_html_alternatives() -> None:
    ses = FakeSes()
    sent = rendered_email()

    Mailer(ses, SENDER).send(RECIPIENTS, sent)

    message = raw_message(ses.calls[0])
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert isinstance(parts[0], EmailMessage)
    assert isinstance(parts[1], EmailMessage)
    assert parts[0].get_content().rstrip("\n") == sent.text.rstrip("\n")
    assert parts[1].get_content().rstrip("\n") == sent.html.rstrip("\n")


def test_the_message_carries_from_to_subject_and_auto_submitted_headers() -> None:
    ses = FakeSes()
    sent = rendered_email()

    Mailer(ses, SENDER).send(RECIPIENTS, sent)

    message = raw_message(ses.calls[0])
    assert message["From"] == SENDER
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Subject"] == sent.subject
    assert message["Auto-Submitted"] == "auto-generated"


def test_an_ses_client_error_becomes_dependency_unavailable() -> None:
    refused = ClientError(
        {"Error": {"Code": "MessageRejected", "Message": "Email address is not verified."}},
        "SendEmail",
    )
    ses = FakeSes(error=refused)

    with pytest.raises(DependencyUnavailable) as raised:
        Mailer(ses, SENDER).send(RECIPIENTS, rendered_email())

    assert raised.value.service == "ses"
    assert len(ses.calls) == 1


def test_an_ses_connection_failure_becomes_dependency_unavailable() -> None:
    ses = FakeSes(error=EndpointConnectionError(endpoint_url="https://email.example"))

    with pytest.raises(DependencyUnavailable):
        Mailer(ses, SENDER).send(RECIPIENTS, rendered_email())


@pytest.mark.parametrize(
    "recipient",
    [
        "sam.okafor@example.ac.uk\nBcc: someone@example.org",
        "sam.okafor@example.ac.uk\rBcc: someone@example.org",
    ],
    ids=["line_feed", "carriage_return"],
)
def test_a_recipient_that_cannot_be_a_header_fails_as_a_domain_error(recipient: str) -> None:
    # The directory accepts any 3 to 254 characters as an address. A message that cannot be
    # built must fail like a refused send (a DomainError), so that the notify worker releases
    # its claim and counts the attempt instead of leaving it leased and retried for ever.
    ses = FakeSes()

    with pytest.raises(DomainError):
        Mailer(ses, SENDER).send([recipient], rendered_email())

    assert ses.calls == []
