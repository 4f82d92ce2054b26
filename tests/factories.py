"""Small factories for request bodies. Overrides replace top-level keys; `answers=` merges."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib.institution import load_institution


def valid_answers(**overrides: Any) -> dict[str, Any]:
    """Answers to every required question of the default form (off campus, no danger)."""
    answers: dict[str, Any] = {
        "reporter_role": "student",
        "reporting_for": "myself",
        "what_happened": ["verbal_harassment"],
        "when": "last_month",
        "where": "off_campus",
        "immediate_danger": "no",
    }
    answers.update(overrides)
    return {key: value for key, value in answers.items() if value is not None}


def anonymous_submission(answers: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid anonymous report body."""
    institution = load_institution()
    body: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "form_version": institution.form.version,
        "privacy_notice_version": institution.privacy_notice.version,
        "mode": "anonymous",
        "answers": valid_answers(**(answers or {})),
    }
    body.update(overrides)
    return body


def contact(**overrides: Any) -> dict[str, Any]:
    """Valid contact details for a named report."""
    details: dict[str, Any] = {
        "name": "Alex Example",
        "email": "alex.example@example.ac.uk",
        "phone": "+44 7700 900123",
        "preferred_contact_method": "email",
        "safe_times": "Weekday mornings",
        "advisor_preferences": ["no_preference"],
    }
    details.update(overrides)
    return details


def named_submission(answers: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid named report body, with contact details, a narrative and demographics."""
    body = anonymous_submission(answers, mode="named")
    body["contact"] = contact()
    body["narrative"] = "It happened after the seminar."
    body["demographics"] = {"age_band": "18_24", "disability": "prefer_not_to_say"}
    body.update(overrides)
    return body


def sentinel_submission() -> tuple[dict[str, Any], list[str]]:
    """A named report whose every identifying value is a unique, searchable sentinel.

    Returns the body and the sentinels to search for (the phone's digits are one of them).
    """
    tag = uuid.uuid4().hex[:12]
    digits = str(uuid.uuid4().int)[:5]
    sentinels = {
        "name": f"Sentinelname {tag}",
        "email": f"sentinel-{tag}@example.ac.uk",
        "phone_digits": f"77009{digits}",
        "safe_times": f"Sentinelsafetimes {tag}",
        "narrative": f"Sentinelnarrative {tag}",
        "involved": f"Sentinelinvolved {tag}",
        "involved_second": f"Sentinelsecondperson {tag}",
    }
    # the people involved, one entry each: two names and one not known
    people = [
        {"name": sentinels["involved"]},
        {"name_unknown": True},
        {"name": sentinels["involved_second"]},
    ]
    body = named_submission(answers={"involved_names": people})
    body["contact"] = contact(
        name=sentinels["name"],
        email=sentinels["email"],
        phone=f"+44 7700 9{digits}",
        safe_times=sentinels["safe_times"],
    )
    body["narrative"] = sentinels["narrative"]
    body["demographics"] = {
        "age_band": "25_34",
        "ethnicity": "mixed",
        "religion": "sikh",
        "sexual_orientation": "bisexual",
    }
    return body, [*sentinels.values(), f"+44 7700 9{digits}", tag]
