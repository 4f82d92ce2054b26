"""Parsing a submission and checking it against the institution's form.

Every problem is collected, not just the first: the reporter (or the form's developer)
sees each bad field with its reason in one answer. Messages name rules, never values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.institution.models import NO_PREFERENCE, Form, PrivacyNotice, Question
from chalicelib.problems import problems_from
from chalicelib.reports.lengths import text_length, trimmed
from chalicelib.reports.models import Submission
from chalicelib.reports.people import check_people


def parse_submission(
    body: Any,
    form: Form,
    privacy_notice: PrivacyNotice,
    *,
    form_versions: Collection[str] = (),
    notice_versions: Collection[str] = (),
) -> Submission:
    """Return the validated submission, or raise `InvalidInput` listing every problem.

    The answers are checked against `form` (the one published now). A submission made
    against an earlier published version (`form_versions`, `notice_versions`: every one
    published so far) is accepted all the same and records the version the reporter saw: a
    reporter who opened the form before a publish keeps their report. Any other version is
    refused ("reload it"), as is an option no longer offered (it names the answer).
    """
    accepted = (
        frozenset({form.version, *form_versions}),
        frozenset({privacy_notice.version, *notice_versions}),
    )
    problems: list[FieldProblem] = []
    submission: Submission | None = None
    try:
        submission = Submission.model_validate(body)
    except ValidationError as error:
        problems.extend(problems_from(error))
    if isinstance(body, Mapping):
        already = {problem.field for problem in problems}
        problems.extend(
            problem
            for problem in _against_form(body, form, privacy_notice, accepted)
            if not _within(problem.field, already)
        )
    if problems or submission is None:
        raise InvalidInput(sorted(problems, key=lambda p: p.field))
    return submission


def _within(field: str, already: set[str]) -> bool:
    """Whether `field` or a field it is part of already has a problem listed."""
    parts = field.split(".")
    return any(".".join(parts[:end]) in already for end in range(1, len(parts) + 1))


def _against_form(
    body: Mapping[str, Any],
    form: Form,
    privacy_notice: PrivacyNotice,
    accepted: tuple[frozenset[str], frozenset[str]],
) -> Iterable[FieldProblem]:
    form_versions, notice_versions = accepted
    if isinstance(body.get("form_version"), str) and body["form_version"] not in form_versions:
        yield FieldProblem(
            "form_version", f"the form has changed (now version {form.version}): reload it"
        )
    version = body.get("privacy_notice_version")
    if isinstance(version, str) and version not in notice_versions:
        yield FieldProblem(
            "privacy_notice_version",
            f"the privacy notice has changed (now version {privacy_notice.version}): "
            "read it again before sending",
        )
    answers = body.get("answers")
    if isinstance(answers, Mapping):
        yield from _check_answers(answers, form)
    yield from _check_mode_and_contact(body, form)
    demographics = body.get("demographics")
    if isinstance(demographics, Mapping):
        if demographics and not _demographics_asked(form, answers):
            # They describe the person affected, and are asked only of reporters who can
            # say (a witness is not asked another person's ethnicity or religion).
            yield FieldProblem(
                "demographics",
                f"are only asked for some answers to {form.reporting_for_question}",
            )
        else:
            yield from _check_choices("demographics", demographics, form.demographic_questions)
    narrative = body.get("narrative")
    if isinstance(narrative, str) and text_length(narrative) > form.narrative_max_length:
        yield FieldProblem("narrative", f"must be at most {form.narrative_max_length} characters")


def _demographics_asked(form: Form, answers: Any) -> bool:
    asked_for, asker = form.demographics.asked_for, form.reporting_for_question
    if asked_for is None or asker is None:
        return True
    given = answers.get(asker) if isinstance(answers, Mapping) else None
    question = form.question(asker)
    # A missing or unknown answer to reporting_for is refused on its own; the demographics
    # are judged once it is valid.
    known = question.option_ids() if question else frozenset[str]()
    return given not in known or given in asked_for


def _check_answers(answers: Mapping[str, Any], form: Form) -> Iterable[FieldProblem]:
    for question_id in answers:
        if form.question(str(question_id)) is None:
            yield FieldProblem(f"answers.{question_id}", "is not a question on this form")
    # Conditions are judged only on answers of the right shape; the others are refused below.
    well_formed = {
        question.id: answers[question.id]
        for question in form.questions
        if question.id in answers and _has_shape(question, answers[question.id])
    }
    for question in form.questions:
        field = f"answers.{question.id}"
        asked = _is_asked(question, well_formed)
        present = question.id in answers and not _is_empty(answers[question.id])
        if not asked:
            if present:
                parent = question.show_if.question if question.show_if else ""
                yield FieldProblem(field, f"is only asked for some answers to {parent}")
            continue
        if not present:
            if question.required:
                yield FieldProblem(field, "is required")
            continue
        yield from _check_answer(field, question, answers[question.id])


def _has_shape(question: Question, value: Any) -> bool:
    if question.kind == "multi":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if question.kind == "people":
        return isinstance(value, list)
    return isinstance(value, str)


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not trimmed(value))


def _is_asked(question: Question, well_formed: Mapping[str, str | list[str]]) -> bool:
    if question.show_if is None:
        return True
    given = well_formed.get(question.show_if.question)
    chosen = set(given) if isinstance(given, list) else {given}
    return bool(chosen & set(question.show_if.any_of))


def _check_answer(field: str, question: Question, value: Any) -> Iterable[FieldProblem]:
    if question.kind == "text":
        if not isinstance(value, str):
            yield FieldProblem(field, "must be text")
        elif question.max_length is not None and text_length(value) > question.max_length:
            yield FieldProblem(field, f"must be at most {question.max_length} characters")
        return
    if question.kind == "people":
        yield from check_people(field, value)
        return
    allowed = question.offered_ids()
    if question.kind == "single":
        if not isinstance(value, str):
            yield FieldProblem(field, "must be one option id")
        elif value not in allowed:
            yield FieldProblem(field, _not_offered(question, [value]))
        return
    if not _has_shape(question, value):
        yield FieldProblem(field, "must be a list of option ids")
    elif len(set(value)) != len(value):
        yield FieldProblem(field, "must not repeat an option")
    elif any(item not in allowed for item in value):
        yield FieldProblem(field, _not_offered(question, value))


def _check_choices(
    prefix: str, given: Mapping[str, Any], questions: list[Question]
) -> Iterable[FieldProblem]:
    by_id = {question.id: question for question in questions}
    for key, value in given.items():
        question = by_id.get(str(key))
        if question is None:
            yield FieldProblem(f"{prefix}.{key}", "is not a question on this form")
        else:
            yield from _check_answer(f"{prefix}.{key}", question, value)


def _check_mode_and_contact(body: Mapping[str, Any], form: Form) -> Iterable[FieldProblem]:
    mode = body.get("mode")
    contact = body.get("contact")
    if mode == "anonymous" and contact is not None:
        yield FieldProblem(
            "contact", "must be left out of an anonymous report (choose named to be contacted)"
        )
    if mode == "named" and contact is None:
        yield FieldProblem("contact", "is required for a named report")
    if mode == "named" and body.get("follow_up") is True:
        # A named reporter is contacted by an advisor; a receipt is the anonymous way back.
        yield FieldProblem("follow_up", "is only for anonymous reports")
    if not isinstance(contact, Mapping):
        return
    spec = form.contact
    method = contact.get("preferred_contact_method")
    methods = frozenset(option.id for option in spec.contact_methods)
    if isinstance(method, str) and method not in methods:
        yield FieldProblem("contact.preferred_contact_method", _unknown_option(methods))
    if method == "phone" and not contact.get("phone"):
        yield FieldProblem("contact.phone", "is required when the preferred contact is phone")
    chosen = contact.get("advisor_preferences")
    if isinstance(chosen, list) and all(isinstance(item, str) for item in chosen):
        offered = frozenset(option.id for option in spec.advisor_preferences)
        problem = _preferences_problem(chosen, offered)
        if problem is not None:
            yield FieldProblem("contact.advisor_preferences", problem)


def _preferences_problem(chosen: list[str], offered: frozenset[str]) -> str | None:
    if any(item not in offered for item in chosen):
        return _unknown_option(offered)
    if len(set(chosen)) != len(chosen):
        return "must not repeat an option"
    if NO_PREFERENCE in chosen and len(chosen) > 1:
        return f"{NO_PREFERENCE} cannot be combined with another preference"
    return None


def _not_offered(question: Question, chosen: list[str]) -> str:
    retired = sorted(set(chosen) & (question.option_ids() - question.offered_ids()))
    if retired:
        # An option retired since the reporter opened the form: they choose again.
        return f"{', '.join(retired)} is no longer offered; reload the form and choose again"
    return _unknown_option(question.offered_ids())


def _unknown_option(allowed: frozenset[str]) -> str:
    return "must be one of: " + ", ".join(sorted(allowed))
