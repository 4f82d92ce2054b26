"""A stored notification rendered as an email, plain text and HTML, from the templates in
`chalicelib/templates/`: a reference, the case's priority, its deadline in the institution's
time and a portal link (a trend alert: the place or department, a count and a window);
never a name, a reporter's address, a narrative or what happened. Every value is escaped
into the HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

STAGE_SUBJECT = {
    "first_contact_overdue": "first contact is overdue",
    "acknowledge_due_soon": "acknowledgement due soon",
    "feedback_due_soon": "feedback due soon",
    "screening_overdue": "screening is overdue",
    "reply_overdue": "a reply to the reporter is overdue",
}
STAGE_TEXT = {
    "first_contact_overdue": "First contact is overdue: nobody has reached the reporter yet.",
    "acknowledge_due_soon": "The statutory acknowledgement of this report is due soon.",
    "feedback_due_soon": "The statutory feedback on this report is due soon.",
    "screening_overdue": "Screening is overdue: nobody has filed this anonymous report or "
    "taken it on yet.",
    "reply_overdue": "A reply is overdue: the reporter wrote through their receipt code and "
    "nobody has answered yet.",
}


@dataclass(frozen=True)
class Email:
    """A rendered email: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass
class EmailRenderer:
    """Renders notifications from the templates beside this module."""

    institution_name: str
    portal_url: str
    time_zone: str = "Europe/London"

    def render(self, notification: dict[str, Any]) -> Email:
        """The email for a stored notification."""
        kind = notification["kind"]
        reference = notification["reference"]
        priority = str(notification.get("priority", ""))
        stage_text = STAGE_TEXT.get(notification.get("stage") or "", "")
        trend = {
            "dimension": str(notification.get("trend_dimension", "")),
            "label": str(notification.get("trend_label", "")),
            "count": str(notification.get("trend_count", "")),
            "window_days": str(notification.get("trend_window_days", "")),
        }
        subject = {
            "new_report": f"New report {reference} ({priority} priority)",
            "urgent_report": f"URGENT report {reference}: screen it now",
            "sla_escalation": f"Action needed on {reference}: "
            + STAGE_SUBJECT.get(notification.get("stage") or "", "a deadline is near"),
            "assignment": f"Case {reference} has been assigned to you",
            "escalation": f"ESCALATED case {reference}: urgent attention needed",
            "repeat_concern": f"Report {reference} names someone named in another report",
            "trend_alert": f"Trend alert: {trend['count']} reports about {trend['label']} "
            f"within {trend['window_days']} days (latest {reference})",
        }[kind]
        fields = {
            "reference": reference,
            "priority": priority,
            "link": f"{self.portal_url}#/cases/{quote(reference)}",
            "institution": self.institution_name,
            "stage_text": stage_text,
            "due": self._local(notification.get("due_at")),
            **trend,
        }
        text = _template(f"{kind}.txt").substitute(fields)
        escaped = {name: html.escape(value) for name, value in fields.items()}
        # A trend alert is about a pattern across reports: it has no priority of its own, and
        # the latest report's would mislead; it says what it is instead.
        rows = [] if kind == "trend_alert" else [("Priority", escaped["priority"])]
        rows += [("Due", escaped["due"])] if fields["due"] else []
        if kind == "trend_alert":
            rows += [
                ("Alert", "Trend: many reports about one place or department"),
                ("Department" if trend["dimension"] == "department" else "Where", escaped["label"]),
                ("Reports", escaped["count"]),
                ("Within", f"{escaped['window_days']} days"),
            ]
        body = _template("email.html").substitute(
            escaped,
            subject=html.escape(subject),
            heading=html.escape(stage_text or text.splitlines()[0]),
            detail_rows="".join(
                '<tr><th scope="row" style="text-align: left; padding-right: 16px;">'
                f"{name}</th><td>{value}</td></tr>"
                for name, value in rows
            ),
        )
        return Email(subject=f"[Report + Support] {subject}", text=text, html=body)

    def _local(self, moment: str | None) -> str:
        # Staff read deadlines in the institution's time, not in UTC.
        if not moment:
            return ""
        try:
            local = datetime.fromisoformat(moment).astimezone(ZoneInfo(self.time_zone))
        except ValueError:
            return moment
        return f"{local:%a %d %b %Y, %H:%M} ({self.time_zone})"


@cache
def _template(name: str) -> Template:
    return Template(resources.files("chalicelib").joinpath("templates", name).read_text("utf-8"))
