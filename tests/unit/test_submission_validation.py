"""Checking a report body against the institution's form.

Every bad field is listed with its dotted path and a reason; no reason repeats a value the
reporter sent; nothing a client can send makes validation crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.institution import load_institution
from chalicelib.reports.models import Submission
from chalicelib.reports.validation import parse_submission
from tests.factories import anonymous_submission, contact, named_submission

Body = dict[str, Any]


def parse(body: Any) -> Submission:
    institution = load_institution()
    return parse_submission(body, institution.form, institution.privacy_notice)


def problems_with(body: Any) -> list[FieldProblem]:
    """The problems reported for a body that must be refused."""
    with pytest.raises(InvalidInput) as refused:
        parse(body)
    return refused.value.problems


def replaced(body: Body, **changes: Any) -> Body:
    """The body with top-level keys replaced (`None` removes the key)."""
    changed = {**body, **changes}
    return {key: value for key, value in changed.items() if value is not None}


def without_contact_key(body: Body, key: str) -> Body:
    details = {k: v for k, v in body["contact"].items() if k != key}
    return {**body, "contact": details}


def reads_as_a_sentence(message: str) -> bool:
    """Problems read as the rest of a sentence after the field name: "contact.email must be..."

    So a message starts with a lower-case word, or with an acronym left whole ("UUID"), never
    with an acronym whose first letter was lower-cased ("uUID").
    """
    first = message.split(" ", 1)[0]
    return bool(first) and (first.islower() or first.isupper())


# --- Valid reports ----------------------------------------------------------------------------


def test_a_valid_named_report_is_accepted() -> None:
    body = named_submission()

    submission = parse(body)

    assert submission.mode == "named"
    assert submission.contact is not None
    assert submission.contact.email == body["contact"]["email"]
    assert str(submission.submission_id) == body["submission_id"]
    assert submission.answers == body["answers"]


def test_a_valid_anonymous_report_is_accepted() -> None:
    submission = parse(anonymous_submission())

    assert submission.mode == "anonymous"
    assert submission.contact is None


def test_an_anonymous_report_may_tell_what_happened_in_its_own_words() -> None:
    submission = parse(anonymous_submission(narrative="It happened after the seminar."))

    assert submission.narrative == "It happened after the seminar."


@pytest.mark.parametrize(
    "answers",
    [
        {"where": "on_campus", "campus_area": "library"},
        {"where": "online", "online_platform": "social_media"},
        {"where": "online"},
        {
            "what_happened": ["bullying", "discrimination_or_hate"],
            "discrimination_grounds": ["age"],
        },
        {
            "involved_names": [{"name": "Someone in my seminar group"}, {"name_unknown": True}],
            "ongoing": "not_sure",
        },
    ],
    ids=[
        "on campus",
        "online with platform",
        "online without platform",
        "discrimination",
        "optional answers",
    ],
)
def test_a_report_answering_follow_up_and_optional_questions_is_accepted(
    answers: dict[str, Any],
) -> None:
    submission = parse(anonymous_submission(answers=answers))

    for question_id, answer in answers.items():
        assert submission.answers[question_id] == answer


# --- Asked about the person affected ----------------------------------------------------------


@pytest.mark.parametrize("reporting_for", ["someone_else", "witness"])
def test_a_report_for_someone_else_needs_the_affected_persons_role(reporting_for: str) -> None:
    body = anonymous_submission(answers={"reporting_for": reporting_for})

    problems = problems_with(body)

    assert [(p.field, p.message) for p in problems] == [("answers.affected_role", "is required")]
    accepted = parse(
        anonymous_submission(answers={"reporting_for": reporting_for, "affected_role": "not_sure"})
    )
    assert accepted.answers["affected_role"] == "not_sure"


def test_a_report_for_oneself_is_not_asked_the_affected_persons_role() -> None:
    body = anonymous_submission(answers={"reporting_for": "myself", "affected_role": "student"})

    problems = problems_with(body)

    assert [p.field for p in problems] == ["answers.affected_role"]
    assert "only asked for some answers to reporting_for" in problems[0].message
    assert "affected_role" not in parse(anonymous_submission()).answers


def test_a_witness_is_not_asked_the_demographic_questions() -> None:
    witness = {"reporting_for": "witness", "affected_role": "student"}
    body = named_submission(answers=witness)

    problems = problems_with(body)

    assert [(p.field, p.message) for p in problems] == [
        ("demographics", "are only asked for some answers to reporting_for")
    ]
    assert parse(named_submission(answers=witness, demographics=None)).demographics is None


def test_someone_reporting_for_another_may_answer_the_demographic_questions_about_them() -> None:
    body = named_submission(answers={"reporting_for": "someone_else", "affected_role": "staff"})

    submission = parse(body)

    assert submission.demographics == {"age_band": "18_24", "disability": "prefer_not_to_say"}


def test_a_named_report_preferring_phone_with_a_number_is_accepted() -> None:
    body = named_submission(contact=contact(preferred_contact_method="phone"))

    submission = parse(body)

    assert submission.contact is not None
    assert submission.contact.phone == "+44 7700 900123"


def test_a_named_reporter_may_ask_for_several_advisor_preferences_at_once() -> None:
    body = named_submission(
        contact=contact(advisor_preferences=["woman", "welsh_speaking", "sexual_violence_trained"])
    )

    submission = parse(body)

    assert submission.contact is not None
    assert submission.contact.advisor_preferences == [
        "woman",
        "welsh_speaking",
        "sexual_violence_trained",
    ]


def test_a_named_reporter_who_says_nothing_of_an_advisor_has_no_preference() -> None:
    body = without_contact_key(named_submission(), "advisor_preferences")

    submission = parse(body)

    assert submission.contact is not None
    assert submission.contact.advisor_preferences == ["no_preference"]
    assert "advisor_preferences" not in body["contact"]


def test_leading_and_trailing_spaces_do_not_count_against_a_limit() -> None:
    body = named_submission(contact=contact(name=" " + "A" * 200 + " "))

    submission = parse(body)

    assert submission.contact is not None
    assert submission.contact.name == "A" * 200


# --- One bad field at a time ------------------------------------------------------------------

ONE_BAD_FIELD: list[tuple[str, Callable[[], Any], str, str]] = [
    # (what is wrong, the body, the field named, a pattern the reason matches)
    (
        "unknown top-level field",
        lambda: anonymous_submission(colour="blue"),
        "colour",
        r"not a field",
    ),
    (
        "unknown question id",
        lambda: anonymous_submission(answers={"favourite_colour": "blue"}),
        "answers.favourite_colour",
        r"not a question",
    ),
    (
        "unknown option of a single choice question",
        lambda: anonymous_submission(answers={"when": "yesterday"}),
        "answers.when",
        r"must be one of: .*last_week",
    ),
    (
        "unknown option of a multi choice question",
        lambda: anonymous_submission(answers={"what_happened": ["bullying", "teasing"]}),
        "answers.what_happened",
        r"must be one of: .*bullying",
    ),
    (
        "missing required answer",
        lambda: anonymous_submission(answers={"when": None}),
        "answers.when",
        r"is required",
    ),
    (
        "empty list for a required multi choice question",
        lambda: anonymous_submission(answers={"what_happened": []}),
        "answers.what_happened",
        r"is required",
    ),
    (
        "follow-up answered when it is not asked",
        lambda: anonymous_submission(answers={"where": "off_campus", "campus_area": "library"}),
        "answers.campus_area",
        r"only asked .*where",
    ),
    (
        "required follow-up missing when it is asked",
        lambda: anonymous_submission(answers={"where": "on_campus"}),
        "answers.campus_area",
        r"is required",
    ),
    (
        "discrimination grounds missing when discrimination is reported",
        lambda: anonymous_submission(answers={"what_happened": ["discrimination_or_hate"]}),
        "answers.discrimination_grounds",
        r"is required",
    ),
    (
        "multi choice answer repeating an option",
        lambda: anonymous_submission(answers={"what_happened": ["bullying", "bullying"]}),
        "answers.what_happened",
        r"repeat",
    ),
    ("mode as a number", lambda: anonymous_submission(mode=1), "mode", r"'anonymous' or 'named'"),
    (
        "mode that is neither anonymous nor named",
        lambda: anonymous_submission(mode="secret"),
        "mode",
        r"'anonymous' or 'named'",
    ),
    (
        "multi choice answer as a string",
        lambda: anonymous_submission(answers={"what_happened": "bullying"}),
        "answers.what_happened",
        r"list of option ids",
    ),
    (
        "single choice answer as a list",
        lambda: anonymous_submission(answers={"reporter_role": ["student"]}),
        "answers.reporter_role",
        r"one option id",
    ),
    (
        "people answer as text",
        lambda: anonymous_submission(answers={"involved_names": "Sam"}),
        "answers.involved_names",
        r"must be a list of people",
    ),
    (
        "people answer as an object",
        lambda: anonymous_submission(answers={"involved_names": {"name": "Sam"}}),
        "answers.involved_names",
        r"a list of people",
    ),
    (
        "answers as a list",
        lambda: replaced(anonymous_submission(), answers=["student", "myself"]),
        "answers",
        r"must be an object",
    ),
    (
        "answer as a number",
        lambda: anonymous_submission(answers={"when": 5}),
        "answers.when",
        r"option id",
    ),
    (
        "answer as an object",
        lambda: anonymous_submission(answers={"when": {"most_recent": "last_week"}}),
        "answers.when",
        r"option id",
    ),
    (
        "answer as a list of nulls",
        lambda: anonymous_submission(answers={"what_happened": [None, None]}),
        "answers.what_happened",
        r"option id",
    ),
    (
        "contact details on an anonymous report",
        lambda: anonymous_submission(contact=contact()),
        "contact",
        r"anonymous",
    ),
    (
        "named report with contact set to null",
        lambda: named_submission(contact=None),
        "contact",
        r"required for a named report",
    ),
    (
        "named report without a contact key",
        lambda: replaced(named_submission(), contact=None),
        "contact",
        r"required for a named report",
    ),
    (
        "contact that is not an object",
        lambda: named_submission(contact="alex@example.ac.uk"),
        "contact",
        r"must be an object",
    ),
    (
        "malformed email",
        lambda: named_submission(contact=contact(email="alex@@example")),
        "contact.email",
        r"valid email address",
    ),
    (
        "missing email",
        lambda: without_contact_key(named_submission(), "email"),
        "contact.email",
        r"required",
    ),
    ("blank name", lambda: named_submission(contact=contact(name="   ")), "contact.name", r"blank"),
    (
        "name of 201 characters",
        lambda: named_submission(contact=contact(name="A" * 201)),
        "contact.name",
        r"at most 200 characters",
    ),
    (
        "narrative of 20,001 characters",
        lambda: named_submission(narrative="a" * 20_001),
        "narrative",
        r"at most 20000 characters",
    ),
    (
        "a person's name of 201 characters",
        lambda: anonymous_submission(answers={"involved_names": [{"name": "n" * 201}]}),
        "answers.involved_names.0.name",
        r"at most 200 characters",
    ),
    (
        "eleven people",
        lambda: anonymous_submission(
            answers={"involved_names": [{"name": f"Person {n}"} for n in "ABCDEFGHIJK"]}
        ),
        "answers.involved_names",
        r"at most 10 people",
    ),
    (
        "phone preferred with a null phone",
        lambda: named_submission(contact=contact(preferred_contact_method="phone", phone=None)),
        "contact.phone",
        r"required when the preferred contact is phone",
    ),
    (
        "phone preferred without a phone key",
        lambda: without_contact_key(
            named_submission(contact=contact(preferred_contact_method="phone")), "phone"
        ),
        "contact.phone",
        r"required when the preferred contact is phone",
    ),
    (
        "malformed phone",
        lambda: named_submission(contact=contact(phone="call me maybe")),
        "contact.phone",
        r"phone number",
    ),
    (
        "phone with too few digits",
        lambda: named_submission(contact=contact(phone="123-45")),
        "contact.phone",
        r"phone number",
    ),
    (
        "unknown preferred contact method",
        lambda: named_submission(contact=contact(preferred_contact_method="carrier_pigeon")),
        "contact.preferred_contact_method",
        r"must be one of: email, phone",
    ),
    (
        "unknown advisor preference",
        lambda: named_submission(contact=contact(advisor_preferences=["woman", "a_wizard"])),
        "contact.advisor_preferences",
        r"must be one of: .*no_preference",
    ),
    (
        "advisor preference repeated",
        lambda: named_submission(contact=contact(advisor_preferences=["woman", "woman"])),
        "contact.advisor_preferences",
        r"must not repeat an option",
    ),
    (
        "no preference combined with a preference",
        lambda: named_submission(
            contact=contact(advisor_preferences=["no_preference", "welsh_speaking"])
        ),
        "contact.advisor_preferences",
        r"no_preference cannot be combined with another preference",
    ),
    (
        "no advisor preference at all",
        lambda: named_submission(contact=contact(advisor_preferences=[])),
        "contact.advisor_preferences",
        r"must list at least one option \(no_preference for none\)",
    ),
    (
        "one advisor preference as a string",
        lambda: named_submission(contact=contact(advisor_preferences="woman")),
        "contact.advisor_preferences",
        r"must be a list of option ids",
    ),
    (
        "an advisor preference that is not text",
        lambda: named_submission(contact=contact(advisor_preferences=["woman", 7])),
        "contact.advisor_preferences",
        r"must be a list of option ids",
    ),
    (
        "too many advisor preferences",
        lambda: named_submission(contact=contact(advisor_preferences=["woman"] * 17)),
        "contact.advisor_preferences",
        r"must be a list of at most 16 option ids",
    ),
    (
        "the single advisor preference of before",
        lambda: named_submission(
            contact={**contact(), "advisor_preference": "woman"},
        ),
        "contact.advisor_preference",
        r"is not a field of this request",
    ),
    (
        "submission id that is not a UUID",
        lambda: anonymous_submission(submission_id="report-1"),
        "submission_id",
        r"\bUUID\b",
    ),
    (
        "submission id that is a number",
        lambda: anonymous_submission(submission_id=12345),
        "submission_id",
        r"\bUUID\b",
    ),
    (
        "missing submission id",
        lambda: replaced(anonymous_submission(), submission_id=None),
        "submission_id",
        r"required",
    ),
    (
        "stale form version",
        lambda: anonymous_submission(form_version="2019.1"),
        "form_version",
        r"form has changed .*reload",
    ),
    (
        "stale privacy notice version",
        lambda: anonymous_submission(privacy_notice_version="2019-01"),
        "privacy_notice_version",
        r"privacy notice has changed",
    ),
    (
        "unknown demographic question",
        lambda: named_submission(demographics={"star_sign": "leo"}),
        "demographics.star_sign",
        r"not a question",
    ),
    (
        "unknown demographic option",
        lambda: named_submission(demographics={"gender": "undisclosed"}),
        "demographics.gender",
        r"must be one of: .*prefer_not_to_say",
    ),
    (
        "demographic answer as a list",
        lambda: named_submission(demographics={"gender": ["woman"]}),
        "demographics.gender",
        r"must be text",
    ),
    (
        "a person's name that is not valid Unicode",
        lambda: anonymous_submission(answers={"involved_names": [{"name": "Sam \ud800"}]}),
        "answers.involved_names.0.name",
        r"valid Unicode",
    ),
]


@pytest.mark.parametrize(
    ("make_body", "field", "reason"),
    [pytest.param(make, field, reason, id=what) for what, make, field, reason in ONE_BAD_FIELD],
)
def test_a_body_with_one_bad_field_is_refused_naming_that_field(
    make_body: Callable[[], Any], field: str, reason: str
) -> None:
    problems = problems_with(make_body())

    assert [problem.field for problem in problems] == [field]
    assert re.search(reason, problems[0].message), problems[0].message
    assert reads_as_a_sentence(problems[0].message), problems[0].message


@pytest.mark.parametrize(
    "answers",
    [
        {"where": {"campus": "on_campus"}},
        {"where": [["on_campus"]]},
        {"what_happened": [{"kind": "bullying"}]},
        {"what_happened": [["discrimination_or_hate"]]},
    ],
    ids=[
        "object where",
        "nested list where",
        "object in what_happened",
        "nested list in what_happened",
    ],
)
def test_a_malformed_answer_to_a_question_others_depend_on_is_refused_not_a_crash(
    answers: dict[str, Any],
) -> None:
    (question_id,) = answers

    problems = problems_with(anonymous_submission(answers=answers))

    assert f"answers.{question_id}" in {problem.field for problem in problems}


@pytest.mark.parametrize(
    "body",
    [["mode", "anonymous"], "anonymous", None, 42, True],
    ids=["list", "string", "null", "number", "boolean"],
)
def test_a_body_that_is_not_an_object_is_refused_not_a_crash(body: Any) -> None:
    problems = problems_with(body)

    assert [problem.field for problem in problems] == ["body"]


def test_an_empty_object_is_refused_listing_each_missing_field() -> None:
    problems = problems_with({})

    assert {problem.field for problem in problems} == {
        "submission_id",
        "form_version",
        "privacy_notice_version",
        "mode",
        "answers",
    }
    assert {problem.message for problem in problems} == {"is required"}


# --- Many problems at once --------------------------------------------------------------------


def test_every_problem_is_listed_not_just_the_first() -> None:
    body = named_submission(
        answers={"when": "yesterday"},
        colour="blue",
        form_version="2019.1",
        submission_id="report-1",
        contact=contact(email="alex@@example"),
    )

    problems = problems_with(body)

    assert {problem.field for problem in problems} == {
        "answers.when",
        "colour",
        "form_version",
        "submission_id",
        "contact.email",
    }
    assert len(problems) == 5


def test_problems_are_listed_in_a_stable_order() -> None:
    body = anonymous_submission(answers={"when": "yesterday", "where": "nowhere"}, mode="secret")

    fields = [problem.field for problem in problems_with(body)]

    assert fields == sorted(fields)


# --- No value is ever repeated back -----------------------------------------------------------

SENTINEL = "sentinelq7x"


def body_full_of_sentinel_values() -> tuple[Body, set[str]]:
    """A body whose every bad value carries the sentinel, and the fields that must be named."""
    body = named_submission(
        answers={
            "when": f"{SENTINEL}opt",
            "what_happened": ["bullying", f"{SENTINEL}multi"],
            "involved_names": [{"name": f"{SENTINEL}names " * 100}, {"name_unknown": SENTINEL}],
        },
        submission_id=f"{SENTINEL}-id",
        form_version=f"{SENTINEL}form",
        privacy_notice_version=f"{SENTINEL}notice",
        narrative=f"{SENTINEL}narrative " * 2_000,
        demographics={"gender": f"{SENTINEL}gender"},
        contact=contact(
            name=f"{SENTINEL}name " * 20,
            email=f"{SENTINEL}-xyz@@",
            phone=f"{SENTINEL}phone",
            preferred_contact_method=f"{SENTINEL}method",
            advisor_preferences=[f"{SENTINEL}pref"],
            safe_times=f"{SENTINEL}times " * 100,
        ),
    )
    fields = {
        "answers.when",
        "answers.what_happened",
        "answers.involved_names.0.name",
        "answers.involved_names.1.name_unknown",
        "submission_id",
        "form_version",
        "privacy_notice_version",
        "narrative",
        "demographics.gender",
        "contact.name",
        "contact.email",
        "contact.phone",
        "contact.preferred_contact_method",
        "contact.advisor_preferences",
        "contact.safe_times",
    }
    return body, fields


def test_no_problem_message_repeats_a_submitted_value() -> None:
    body, fields = body_full_of_sentinel_values()

    problems = problems_with(body)

    assert {problem.field for problem in problems} == fields
    leaking = [problem for problem in problems if SENTINEL in problem.message.lower()]
    assert leaking == []


def test_the_error_text_repeats_no_submitted_value() -> None:
    body, _fields = body_full_of_sentinel_values()

    with pytest.raises(InvalidInput) as refused:
        parse(body)

    assert SENTINEL not in str(refused.value).lower()
    assert SENTINEL not in repr(refused.value).lower()


def test_an_invalid_submission_id_is_refused_without_quoting_any_of_it() -> None:
    (problem,) = problems_with(anonymous_submission(submission_id="Zq-not-a-uuid"))

    assert problem.field == "submission_id"
    assert "Z" not in problem.message


# --- The people involved, one entry per person -------------------------------------------------


def test_every_bad_person_entry_is_named_with_its_place_and_field() -> None:
    # given one good entry among entries wrong in every way a client could get them wrong
    body = anonymous_submission(
        answers={
            "involved_names": [
                {"name": "Jo Bloggs"},
                {"name": "   "},
                {"name": "Sam Lee", "name_unknown": True},
                {"name_unknown": "yes"},
                {"name": 5},
                {"nickname": "Jo"},
                "Sam Lee",
                {},
                {"name_unknown": False},
                {"name": "n" * 201},
            ]
        }
    )

    problems = {(problem.field, problem.message) for problem in problems_with(body)}

    assert problems == {
        ("answers.involved_names.1.name", "must not be blank (or set name_unknown: true)"),
        ("answers.involved_names.2", "give a name or name_unknown: true, not both"),
        ("answers.involved_names.3.name_unknown", "must be true or false"),
        ("answers.involved_names.4.name", "must be text"),
        ("answers.involved_names.5.nickname", "is not a field of a person"),
        ("answers.involved_names.5.name", "is required unless name_unknown is true"),
        (
            "answers.involved_names.6",
            'must be an object: {"name": ...} or {"name_unknown": true}',
        ),
        ("answers.involved_names.7.name", "is required unless name_unknown is true"),
        ("answers.involved_names.8.name", "is required unless name_unknown is true"),
        ("answers.involved_names.9.name", "must be at most 200 characters"),
    }
    # and the good entry, first, is named in none of them
    assert not [field for field, _ in problems if field.startswith("answers.involved_names.0")]


def test_names_and_unknown_names_are_accepted_as_given() -> None:
    people = [{"name": "Jo Bloggs"}, {"name_unknown": True}, {"name": "Sam", "name_unknown": False}]

    submission = parse(anonymous_submission(answers={"involved_names": people}))

    assert submission.answers["involved_names"] == [
        {"name": "Jo Bloggs"},
        {"name_unknown": True},
        {"name": "Sam", "name_unknown": False},
    ]


def test_no_people_is_no_answer() -> None:
    submission = parse(anonymous_submission(answers={"involved_names": []}))

    assert submission.answers["involved_names"] == []
    assert submission.answers["when"] == "last_month"


def _with_names_as_text() -> Any:
    """The default form as an institution that still asks for the names as free text."""
    form = load_institution().form.model_dump(mode="json", exclude_none=True)
    for question in form["questions"]:
        if question["id"] == "involved_names":
            question["kind"] = "text"
            question["max_length"] = 500
    return type(load_institution().form).model_validate(form)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("Jo Bloggs and Sam Lee", None),
        ([{"name": "Jo Bloggs"}], ("answers.involved_names", "must be text")),
        ("n" * 501, ("answers.involved_names", "must be at most 500 characters")),
    ],
    ids=["text", "entries", "too-long"],
)
def test_a_text_question_for_the_names_still_takes_free_text(
    answer: Any, problem: tuple[str, str] | None
) -> None:
    institution = load_institution()
    body = anonymous_submission(answers={"involved_names": answer})

    if problem is None:
        parsed = parse_submission(body, _with_names_as_text(), institution.privacy_notice)
        assert parsed.answers["involved_names"] == "Jo Bloggs and Sam Lee"
    else:
        with pytest.raises(InvalidInput) as refused:
            parse_submission(body, _with_names_as_text(), institution.privacy_notice)
        assert [(p.field, p.message) for p in refused.value.problems] == [problem]
