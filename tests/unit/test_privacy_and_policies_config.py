"""The privacy notice and the policies an institution configures: mistakes are refused at
load, naming the bad entry, and the notice's figures come from the retention settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.institution import Institution, load_institution
from chalicelib.institution.models import Retention
from tests.unit.test_institution import Data, default_data, refusal, set_in


def _notice(data: Data) -> Data:
    notice: Data = data["privacy_notice"]
    return notice


def _drop(place: Callable[[Data], Data], key: str) -> Callable[[Data], None]:
    return lambda data: place(data).pop(key)


def _policy(data: Data) -> Data:
    policy: Data = data["policies"][0]
    return policy


MISTAKES: list[Any] = [
    ("no data protection officer", _drop(_notice, "data_protection_officer"), "data_protection"),
    (
        "no way to contact the data protection officer",
        _drop(lambda data: _notice(data)["data_protection_officer"], "email"),
        "email",
    ),
    (
        "a data protection officer's address that is not an email address",
        set_in(lambda data: _notice(data)["data_protection_officer"], "email", "the DPO's office"),
        "must be an email address",
    ),
    ("no controller", _drop(_notice, "controller"), "controller"),
    ("no lawful basis", set_in(_notice, "lawful_bases", []), "lawful_bases"),
    ("no limits of confidentiality", _drop(_notice, "confidentiality"), "confidentiality"),
    (
        "limits of confidentiality with no circumstance",
        set_in(lambda data: _notice(data)["confidentiality"], "circumstances", []),
        "circumstances",
    ),
    (
        "no short limits of confidentiality for the form",
        _drop(lambda data: _notice(data)["confidentiality"], "summary"),
        "summary",
    ),
    ("no supervisory authority", _drop(_notice, "supervisory_authority"), "supervisory"),
    (
        "a summary naming an unknown figure",
        set_in(_notice, "summary", {"en": "Deleted after {retention_years} years."}),
        "unknown placeholders ['retention_years']",
    ),
    (
        "a privacy notice url on another site over http",
        set_in(_notice, "url", "http://example.org/privacy"),
        "https",
    ),
    ("no policies", set_in(lambda data: data, "policies", []), "policies"),
    ("a policy over plain http", set_in(_policy, "url", "http://example.ac.uk/p"), "https"),
    ("a policy url that leaves the site", set_in(_policy, "url", "//example.org/p"), "https"),
    ("a policy linked by javascript", set_in(_policy, "url", "javascript:alert(1)"), "https"),
    ("a policy without a title", _drop(_policy, "title"), "title"),
    (
        "two policies with one id",
        lambda data: data["policies"].append(dict(data["policies"][0])),
        "policies repeats an id",
    ),
    ("no formal complaint procedure", _drop(lambda data: data, "formal_complaint"), "formal"),
    (
        "a formal complaint link over plain http",
        set_in(lambda data: data["formal_complaint"], "url", "http://example.ac.uk/complaints"),
        "https",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=what) for what, change, expected in MISTAKES],
)
def test_a_privacy_notice_or_policy_with_a_mistake_is_refused(
    change: Callable[[Data], None], expected: str
) -> None:
    assert expected in refusal(change)


@pytest.mark.parametrize(
    "url",
    ["https://www.example.ac.uk/policies/dignity", "/report/policies.html"],
)
def test_a_policy_may_link_over_https_or_to_a_page_of_this_site(url: str) -> None:
    data = default_data()
    _policy(data)["url"] = url

    institution = Institution.model_validate(data)

    assert institution.policies[0].url == url


def test_the_default_summary_names_no_period_but_through_the_retention_settings() -> None:
    notice = load_institution().privacy_notice

    for language in ("en", "cy"):
        assert "{redact_named_after_months}" in notice.summary[language]
        assert "{delete_anonymised_after_years}" in notice.summary[language]
        assert not any(character.isdigit() for character in notice.summary[language])


def test_the_summary_states_the_periods_the_retention_settings_give() -> None:
    notice = load_institution().privacy_notice
    retention = Retention(redact_named_after_months=9, delete_anonymised_after_years=4)

    summary = notice.summary_for(retention)

    assert "deleted 9 months after your case closes" in summary["en"]
    assert "anonymised records after 4 years" in summary["en"]
    assert "eu dileu 9 o fisoedd" in summary["cy"]
    assert "ar ôl 4 o flynyddoedd" in summary["cy"]
    assert "{" not in summary["en"] + summary["cy"]
