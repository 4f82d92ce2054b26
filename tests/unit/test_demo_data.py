"""The demo data set (`devstack.demo_data.plan`), built without the stack: deterministic,
valid against the form and the staff API's request models, covering every behaviour, place,
role, mode, language and stage, and plainly fictional wherever a person reads it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from chalicelib.cases import models as case_models
from chalicelib.institution import load_institution
from chalicelib.reports.validation import parse_submission
from chalicelib.rights import models as rights_models
from devstack.__main__ import DemoOptions, parse_command
from devstack.demo_data.plan import Plan, academic_year_start, build_plan

INSTITUTION = load_institution()
#: Where the data sets below end ("now"): a Tuesday evening in December.
END = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
START = datetime(2024, 8, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The default data set (seed 16, 150 reports) ending at END."""
    return build_plan(INSTITUTION, seed=16, reports=150, start=START, end=END)


def submissions(plan: Plan) -> list[dict[str, Any]]:
    return [report.body for report in plan.reports]


def answers(plan: Plan, question: str) -> Counter[str]:
    """How often each option of a question was chosen (each option of a multi counts)."""
    counted: Counter[str] = Counter()
    for body in submissions(plan):
        given = body["answers"].get(question)
        counted.update(given if isinstance(given, list) else [given] if given else [])
    return counted


# --- deterministic ------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_reports_answers_and_steps_in_the_same_order(
    plan: Plan,
) -> None:
    # Given the same institution, seed, count and dates
    again = build_plan(INSTITUTION, seed=16, reports=150, start=START, end=END)

    # Then every report, answer and step is the same, in the same order
    assert again == plan
    assert [step.what for step in again.steps] == [step.what for step in plan.steps]
    # And the first report is the one this seed has always given
    first = plan.reports[0]
    assert first.number == 1
    assert first.body["submission_id"] == "354f8c74-c2bd-4f0c-8f97-b61b99111def"


def test_another_seed_gives_another_data_set(plan: Plan) -> None:
    other = build_plan(INSTITUTION, seed=17, reports=150, start=START, end=END)

    assert [r.body for r in other.reports] != [r.body for r in plan.reports]
    # ... of the same size and span
    assert len(other.reports) == 150
    assert other.start == plan.start


def test_the_data_set_starts_at_the_academic_year_two_years_back() -> None:
    assert academic_year_start(datetime(2026, 12, 1, tzinfo=UTC)) == datetime(
        2024, 8, 1, tzinfo=UTC
    )
    # Before August, the current academic year began the year before
    assert academic_year_start(datetime(2027, 3, 5, tzinfo=UTC)) == datetime(2024, 8, 1, tzinfo=UTC)
    assert academic_year_start(datetime(2027, 8, 1, tzinfo=UTC)) == datetime(2025, 8, 1, tzinfo=UTC)


def test_the_volume_is_bounded() -> None:
    with pytest.raises(ValueError, match="12 to 900"):
        build_plan(INSTITUTION, reports=11, start=START, end=END)
    assert len(build_plan(INSTITUTION, reports=12, start=START, end=END).reports) == 12


# --- valid, as the form and the portal send them -------------------------------------------


def test_every_report_is_accepted_by_the_forms_own_validation(plan: Plan) -> None:
    for body in submissions(plan):
        parse_submission(body, INSTITUTION.form, INSTITUTION.privacy_notice)
    assert len(submissions(plan)) == 150


#: The request model each staff step's body is parsed with.
MODELS: dict[str, type[BaseModel]] = {
    "assign": case_models.AssignRequest,
    "reveal": case_models.RevealRequest,
    "contact_attempt": case_models.TimelineRequest,
    "assessment": case_models.TimelineRequest,
    "note": case_models.TimelineRequest,
    "action": case_models.TimelineRequest,
    "in_support": case_models.TransitionRequest,
    "close": case_models.TransitionRequest,
    "file": case_models.TransitionRequest,
    "reopen": case_models.TransitionRequest,
    "escalate": case_models.EscalationRequest,
    "legal_hold": case_models.FlagRequest,
    "reply": case_models.MessageRequest,
    "reporter_message": case_models.MessageRequest,
    "rights_request": rights_models.NewRightsRequest,
    "export": rights_models.ExportRequest,
    "erasure": rights_models.ErasureRequest,
    "rights_close": rights_models.CloseRequest,
}


def test_every_staff_step_is_a_body_the_staff_api_accepts(plan: Plan) -> None:
    checked = Counter[str]()
    for step in plan.steps:
        if step.what in ("submit", "look"):
            continue
        body = dict(step.body or {})
        if step.versioned:
            body["version"] = 3  # filled in from the case when the step runs
        if step.what == "reporter_message":
            body.pop("receipt_code")  # filled in from the report's receipt
        MODELS[step.what].model_validate(body)
        checked[step.what] += 1
    assert set(checked) == set(MODELS)


def test_steps_run_in_time_order_within_the_span_each_case_after_its_report(
    plan: Plan,
) -> None:
    moments = [step.at for step in plan.steps]
    assert moments == sorted(moments)
    assert plan.start <= moments[0] and moments[-1] <= END
    seen: set[int] = set()
    for step in plan.steps:
        if step.what == "submit":
            assert step.report is not None
            seen.add(step.report)
        elif step.report is not None:
            assert step.report in seen, f"{step.what} before report {step.report} was sent"


def test_a_late_first_contact_waits_for_the_schedules_so_the_sla_watch_chases_it_first(
    plan: Plan,
) -> None:
    # Seeding runs the schedules once a simulated week, and up to the moment of an on-time
    # step: a late first contact is one, at least 4.5 days after its case was assigned
    # (past the two working days the first-contact SLA gives, even over a weekend).
    on_time = [step for step in plan.steps if step.on_time]
    assigned = {step.report: step.at for step in plan.steps if step.what == "assign"}
    assert len(on_time) >= 3
    for step in on_time:
        assert step.what == "contact_attempt"
        assert step.body is not None and step.body["entry"]["result"] == "reached"
        assert step.at - assigned[step.report] >= timedelta(days=4, hours=12)
    # The other first contacts come sooner, and do not ask for the schedules.
    prompt = [
        step
        for step in plan.steps
        if step.what == "contact_attempt"
        and step.body is not None
        and step.body["entry"]["result"] == "reached"
        and not step.on_time
    ]
    assert prompt
    assert all(step.at - assigned[step.report] < timedelta(days=4) for step in prompt)


# --- realistic -------------------------------------------------------------------------------


def test_every_behaviour_place_role_and_mode_appears(plan: Plan) -> None:
    form = {q.id: q for q in INSTITUTION.form.questions}
    for question in ("what_happened", "where", "campus_area", "online_platform", "reporter_role"):
        assert set(answers(plan, question)) == form[question].option_ids(), question
    modes = Counter((body["mode"], bool(body.get("follow_up"))) for body in submissions(plan))
    assert modes[("named", False)] > 0
    assert modes[("anonymous", True)] > 0
    assert modes[("anonymous", False)] > 0
    assert ("named", True) not in modes


def test_both_languages_are_written(plan: Plan) -> None:
    languages = Counter(report.language for report in plan.reports)
    assert languages["cy"] >= 15
    assert languages["en"] > languages["cy"]
    welsh = [
        r.body["narrative"] for r in plan.reports if r.language == "cy" and "narrative" in r.body
    ]
    assert welsh and all("Adroddiad demo" in text for text in welsh)


def test_more_reports_at_the_start_of_each_term_than_in_the_summer(plan: Plan) -> None:
    by_month = Counter(report.at.month for report in plan.reports)
    busy = sum(by_month[m] for m in (10, 11, 2, 3))
    quiet = sum(by_month[m] for m in (6, 7, 8, 12))
    assert busy > 2 * quiet
    assert quiet > 0


def test_cases_are_left_at_every_stage_and_closed_with_every_outcome(plan: Plan) -> None:
    stages = Counter(plan.stages().values())
    for stage in (
        "awaiting_screening",
        "assigned",
        "contacted",
        "in_support",
        "closed",
        "filed",
        "reopened",
    ):
        assert stages[stage] > 0, stage
    assert set(plan.outcomes()) == {
        "informal_resolution",
        "formal_complaint",
        "no_further_action",
        "referred_elsewhere",
        "reporter_withdrew",
        "unable_to_contact",
    }
    done = Counter(step.what for step in plan.steps)
    assert done["legal_hold"] == 2
    assert done["escalate"] >= 1
    assert done["reply"] >= 1 and done["reporter_message"] >= done["reply"]
    assert done["rights_request"] == 3
    assert done["export"] == 1 and done["erasure"] == 1


def test_several_reports_name_the_same_person_in_the_same_department(plan: Plan) -> None:
    named = Counter(
        (entry["name"], body["answers"].get("involved_department"))
        for body in submissions(plan)
        for entry in body["answers"].get("involved_names", [])
        if "name" in entry
    )
    (person, department), count = named.most_common(1)[0]
    assert (person, department, count) == (
        "Demo Person 999",
        "engineering_physical_sciences",
        4,
    )
    # ... and no one else is named twice
    assert named.most_common(2)[1][1] == 1


def test_a_place_has_enough_reports_within_the_trend_window_to_raise_an_alert(
    plan: Plan,
) -> None:
    rule = next(r for r in INSTITUTION.insights.trend_alerts if r.dimension == "location")
    accommodation = sorted(
        report.at
        for report in plan.reports
        if report.body["answers"].get("campus_area") == "student_accommodation"
    )
    window = timedelta(days=rule.window_days)
    most = max(sum(1 for t in accommodation if s <= t < s + window) for s in accommodation)
    assert most >= rule.threshold + 1


# --- plainly fictional ---------------------------------------------------------------------


def texts_a_person_reads(plan: Plan) -> list[str]:
    found = [value for value in plan.later_texts]
    for body in submissions(plan):
        found += [body["narrative"]] if "narrative" in body else []
        found += [body["contact"]["safe_times"]] if "safe_times" in body.get("contact", {}) else []
    return found


def test_every_free_text_starts_with_the_demo_mark(plan: Plan) -> None:
    texts = texts_a_person_reads(plan)
    assert len(texts) > 300
    assert all(text.startswith("[Demo] ") for text in texts)


def test_people_addresses_and_phone_numbers_are_obviously_fictional(plan: Plan) -> None:
    names, emails, phones = [], [], []
    for body in submissions(plan):
        contact = body.get("contact") or {}
        names += [contact["name"]] if contact else []
        emails += [contact["email"]] if contact else []
        phones += [contact["phone"]] if "phone" in contact else []
        names += [e["name"] for e in body["answers"].get("involved_names", []) if "name" in e]
    assert names and all(re.fullmatch(r"Demo Person \d+", name) for name in names)
    assert emails and all(
        re.fullmatch(r"demo\.person\.\d+@example\.(ac\.uk|org)", email) for email in emails
    )
    assert phones and all(re.fullmatch(r"07700 900\d{3}", phone) for phone in phones)


def test_the_personal_values_to_scan_for_include_every_identifying_value(plan: Plan) -> None:
    values = set(plan.personal_values())
    report = next(r for r in plan.reports if r.body["mode"] == "named")
    assert report.body["contact"]["name"] in values
    assert report.body["contact"]["email"] in values
    assert "Demo Person 999" in values
    # Option ids are clear answers, not personal values
    assert "student_accommodation" not in values


# --- the command line -----------------------------------------------------------------------


def test_demo_flags_of_the_command_line() -> None:
    _, demo = parse_command(["--demo", "--demo-seed", "7", "--demo-reports", "40"])
    assert demo == DemoOptions(seed=7, reports=40)
    _, default = parse_command(["--demo"])
    assert default == DemoOptions(seed=16, reports=150)
    _, none = parse_command([])
    assert none is None


def test_a_volume_out_of_range_is_refused_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        parse_command(["--demo", "--demo-reports", "5"])
    assert "--demo-reports must be between 12 and 900" in capsys.readouterr().err
