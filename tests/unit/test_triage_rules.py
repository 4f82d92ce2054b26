"""Triage rules: which team gets a report, which risk flags it raises, how urgent it is and
whether a person must screen it. Rules are data, so each rule of the default institution is
tested one by one; the mechanics are tested on small rule sets built here."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.cases import rules
from chalicelib.cases.rules import (
    AWAITING_SCREENING,
    FILED,
    Answers,
    decide,
    location_key,
    route,
)
from chalicelib.institution import load_institution
from chalicelib.institution.models import (
    Clause,
    Priority,
    RepeatLocation,
    RiskRule,
    Routing,
    RoutingOverride,
    Triage,
)
from tests.factories import valid_answers


class LocationCounter:
    """Stands in for the store: answers `count` for any window and records each window asked."""

    def __init__(self, count: int = 1) -> None:
        self.count = count
        self.windows: list[int] = []

    def __call__(self, days: int) -> int:
        self.windows.append(days)
        return self.count


def default_triage() -> Triage:
    return load_institution().triage


def repeat_rule(flag: str = "repeat_location", threshold: int = 3, window: int = 90) -> RiskRule:
    return RiskRule(
        flag=flag,
        priority="high",
        repeat_location=RepeatLocation(threshold=threshold, window_days=window),
    )


def answer_rule(flag: str, priority: Priority, question: str, *any_of: str) -> RiskRule:
    return RiskRule(
        flag=flag, priority=priority, when=[Clause(question=question, any_of=list(any_of))]
    )


ROUTING = Routing(
    by_role={"student": "student_support", "staff": "human_resources"},
    overrides=[
        RoutingOverride(
            when=[Clause(question="what_happened", any_of=["discrimination_or_hate"])],
            team="diversity_inclusion",
        ),
        RoutingOverride(
            when=[Clause(question="what_happened", any_of=["sexual_assault", "stalking"])],
            team="specialist",
        ),
    ],
    fallback_team="fallback",
)


def triage_of(*risk_rules: RiskRule) -> Triage:
    return Triage(routing=ROUTING, risk_rules=list(risk_rules))


def decide_default(mode: str = "anonymous", count: int = 1, **answers: Any) -> rules.TriageDecision:
    return decide(default_triage(), mode, valid_answers(**answers), LocationCounter(count))


def filing_quiet_reports() -> Triage:
    """The default rules with the other screening setting: quiet anonymous reports filed."""
    return default_triage().model_copy(update={"screening": "named_or_flagged"})


def decide_filing(mode: str = "anonymous", count: int = 1, **answers: Any) -> rules.TriageDecision:
    return decide(filing_quiet_reports(), mode, valid_answers(**answers), LocationCounter(count))


# --- The default institution's risk rules, one by one ---------------------------------------


def test_a_report_with_no_risk_answers_raises_no_flag_and_is_normal_priority() -> None:
    decision = decide_default()

    assert decision.flags == ()
    assert decision.priority == "normal"
    assert not decision.urgent


@pytest.mark.parametrize(
    ("answers", "flag", "priority"),
    [
        pytest.param({"immediate_danger": "yes"}, "immediate_danger", "urgent", id="danger"),
        pytest.param({"under_18": "yes"}, "under_18", "urgent", id="under_18"),
        pytest.param(
            {"what_happened": ["sexual_assault"]}, "sexual_assault", "high", id="sexual_assault"
        ),
        pytest.param(
            {"what_happened": ["bullying", "physical_violence"]},
            "physical_violence",
            "high",
            id="physical_violence_among_others",
        ),
        pytest.param({"ongoing": "yes"}, "ongoing", "high", id="ongoing"),
        pytest.param(
            {"reporter_role": "student", "involved_role": ["student", "staff_member"]},
            "position_of_trust",
            "high",
            id="student_reporting_staff",
        ),
    ],
)
def test_a_default_risk_rule_raises_its_flag_and_priority(
    answers: dict[str, Any], flag: str, priority: str
) -> None:
    # given a report whose only risk is this answer
    # when it is triaged under the default rules
    decision = decide_default(**answers)
    # then exactly this flag is raised, at the rule's priority
    assert decision.flags == (flag,)
    assert decision.priority == priority


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"immediate_danger": "no"}, id="danger_no"),
        pytest.param({"immediate_danger": "not_sure"}, id="danger_not_sure"),
        pytest.param({"under_18": "no"}, id="under_18_no"),
        pytest.param({"under_18": "prefer_not_to_say"}, id="under_18_not_said"),
        pytest.param({"ongoing": "not_sure"}, id="ongoing_not_sure"),
        pytest.param({"what_happened": ["sexual_harassment"]}, id="sexual_harassment"),
    ],
)
def test_a_default_risk_rule_does_not_fire_for_a_neighbouring_answer(
    answers: dict[str, Any],
) -> None:
    assert decide_default(**answers).flags == ()


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_immediate_danger_yes_makes_a_report_urgent_but_not_sure_does_not(answer: str) -> None:
    assert decide_default(immediate_danger=answer).urgent is (answer == "yes")


def test_a_staff_member_reporting_another_staff_member_is_not_a_position_of_trust() -> None:
    decision = decide_default(reporter_role="staff", involved_role=["staff_member"])

    assert "position_of_trust" not in decision.flags
    assert decision.priority == "normal"


def test_a_student_reporting_another_student_is_not_a_position_of_trust() -> None:
    assert decide_default(reporter_role="student", involved_role=["student"]).flags == ()


def test_a_student_report_without_involved_role_is_not_a_position_of_trust() -> None:
    assert decide_default(reporter_role="student").flags == ()


def test_repeat_location_does_not_fire_one_report_below_the_threshold() -> None:
    # given the default rule: 3 reports about one place within 90 days
    counter = LocationCounter(count=2)

    decision = decide(default_triage(), "anonymous", valid_answers(), counter)

    assert decision.flags == ()
    assert counter.windows == [90]


def test_repeat_location_fires_at_the_threshold_with_its_window() -> None:
    counter = LocationCounter(count=3)

    decision = decide(default_triage(), "anonymous", valid_answers(), counter)

    assert decision.flags == ("repeat_location",)
    assert decision.priority == "high"
    assert counter.windows == [90]


def test_the_default_repeat_location_rule_is_three_reports_in_ninety_days() -> None:
    [rule] = [r for r in default_triage().risk_rules if r.repeat_location is not None]

    assert rule.repeat_location == RepeatLocation(threshold=3, window_days=90)


# --- Priority and flags ----------------------------------------------------------------------


def test_the_highest_priority_of_the_raised_flags_wins() -> None:
    # given a report that is ongoing (high) and in immediate danger (urgent)
    decision = decide_default(ongoing="yes", immediate_danger="yes")

    assert decision.priority == "urgent"
    assert decision.urgent


def test_high_beats_a_rule_of_normal_priority() -> None:
    triage = triage_of(
        answer_rule("noted", "normal", "ongoing", "yes"),
        answer_rule("serious", "high", "ongoing", "yes"),
    )

    decision = decide(triage, "anonymous", {"ongoing": "yes"}, LocationCounter())

    assert decision.priority == "high"


def test_a_rule_of_normal_priority_still_raises_its_flag() -> None:
    triage = triage_of(answer_rule("noted", "normal", "ongoing", "yes"))

    decision = decide(triage, "anonymous", {"ongoing": "yes"}, LocationCounter())

    assert decision.flags == ("noted",)
    assert decision.priority == "normal"


def test_flags_are_listed_in_rule_order_not_answer_or_priority_order() -> None:
    # the default rules run: immediate_danger, under_18, sexual_assault, physical_violence,
    # ongoing, position_of_trust, repeat_location
    decision = decide_default(
        count=3,
        ongoing="yes",
        what_happened=["physical_violence", "sexual_assault"],
        involved_role=["staff_member"],
        under_18="yes",
        immediate_danger="yes",
    )

    assert decision.flags == (
        "immediate_danger",
        "under_18",
        "sexual_assault",
        "physical_violence",
        "ongoing",
        "position_of_trust",
        "repeat_location",
    )


def test_every_clause_of_a_rule_must_match() -> None:
    rule = RiskRule(
        flag="both",
        priority="high",
        when=[
            Clause(question="reporter_role", any_of=["student"]),
            Clause(question="ongoing", any_of=["yes"]),
        ],
    )
    triage = triage_of(rule)

    only_one = decide(triage, "anonymous", {"reporter_role": "student"}, LocationCounter())
    both = decide(
        triage, "anonymous", {"reporter_role": "student", "ongoing": "yes"}, LocationCounter()
    )

    assert only_one.flags == ()
    assert both.flags == ("both",)


def test_a_clause_on_an_unanswered_question_does_not_match() -> None:
    triage = triage_of(answer_rule("ongoing", "high", "ongoing", "yes"))

    assert decide(triage, "anonymous", {}, LocationCounter()).flags == ()


# --- Screening or filing ---------------------------------------------------------------------


def test_a_named_report_without_risk_awaits_screening() -> None:
    decision = decide_default(mode="named")

    assert decision.flags == ()
    assert decision.status == AWAITING_SCREENING


def test_the_default_institution_screens_every_report() -> None:
    assert default_triage().screening == "every_report"


def test_by_default_an_anonymous_report_without_risk_awaits_screening() -> None:
    decision = decide_default(mode="anonymous")

    assert decision.flags == ()
    assert decision.status == AWAITING_SCREENING


def test_when_filing_quiet_reports_an_anonymous_report_without_risk_is_filed() -> None:
    assert decide_filing(mode="anonymous").status == FILED


def test_when_filing_quiet_reports_a_named_report_without_risk_still_awaits_screening() -> None:
    assert decide_filing(mode="named").status == AWAITING_SCREENING


@pytest.mark.parametrize(
    ("answers", "count"),
    [
        ({"immediate_danger": "yes"}, 1),
        ({"ongoing": "yes"}, 1),
        ({"involved_role": ["staff_member"]}, 1),
        ({}, 3),
    ],
    ids=["urgent_flag", "high_flag", "position_of_trust", "repeat_location"],
)
def test_an_anonymous_report_with_any_flag_awaits_screening(
    answers: dict[str, Any], count: int
) -> None:
    # given an institution that files quiet anonymous reports
    decision = decide_filing(mode="anonymous", count=count, **answers)

    assert decision.flags
    assert decision.status == AWAITING_SCREENING


def test_an_anonymous_report_with_a_normal_priority_flag_awaits_screening() -> None:
    triage = triage_of(answer_rule("noted", "normal", "ongoing", "yes")).model_copy(
        update={"screening": "named_or_flagged"}
    )

    decision = decide(triage, "anonymous", {"ongoing": "yes"}, LocationCounter())

    assert decision.status == AWAITING_SCREENING


def test_a_repeat_concern_sends_an_anonymous_report_to_screening_with_its_flag() -> None:
    decision = decide(
        filing_quiet_reports(),
        "anonymous",
        valid_answers(),
        LocationCounter(1),
        repeat_concern=True,
    )

    assert decision.flags == ("repeat_concern",)
    assert decision.status == AWAITING_SCREENING
    assert decision.priority == "normal"


def test_a_repeat_concern_is_listed_after_the_rules_flags_and_keeps_their_priority() -> None:
    decision = decide(
        default_triage(),
        "named",
        valid_answers(ongoing="yes"),
        LocationCounter(1),
        repeat_concern=True,
    )

    assert decision.flags == ("ongoing", "repeat_concern")
    assert decision.priority == "high"


# --- The location counter --------------------------------------------------------------------


def test_the_location_counter_is_not_asked_when_no_repeat_rule_exists() -> None:
    # given rules that never look at repeats
    triage = triage_of(answer_rule("ongoing", "high", "ongoing", "yes"))

    def must_not_count(days: int) -> int:
        raise AssertionError(f"the location counter was asked for {days} days")

    # when a report is decided, then nothing counts reports (no store read)
    decision = decide(triage, "named", {"ongoing": "yes"}, must_not_count)

    assert decision.flags == ("ongoing",)


def test_the_location_counter_is_asked_with_each_repeat_rules_own_window() -> None:
    triage = triage_of(
        repeat_rule("hotspot_week", threshold=2, window=7),
        answer_rule("ongoing", "high", "ongoing", "yes"),
        repeat_rule("hotspot_year", threshold=10, window=365),
    )
    counter = LocationCounter(count=5)

    decision = decide(triage, "anonymous", {}, counter)

    assert counter.windows == [7, 365]
    assert decision.flags == ("hotspot_week",)


# --- Routing ---------------------------------------------------------------------------------


def test_a_report_is_routed_by_the_reporters_role() -> None:
    assert route(ROUTING, {"reporter_role": "staff", "what_happened": ["bullying"]}) == (
        "human_resources"
    )


def test_an_override_wins_over_the_reporters_role() -> None:
    answers: Answers = {
        "reporter_role": "staff",
        "what_happened": ["bullying", "discrimination_or_hate"],
    }

    assert route(ROUTING, answers) == "diversity_inclusion"


def test_the_first_matching_override_wins() -> None:
    # matches both overrides: the first one listed is taken
    answers: Answers = {
        "reporter_role": "student",
        "what_happened": ["stalking", "discrimination_or_hate"],
    }

    assert route(ROUTING, answers) == "diversity_inclusion"


def test_a_later_override_applies_when_an_earlier_one_does_not_match() -> None:
    answers: Answers = {"reporter_role": "student", "what_happened": ["stalking"]}

    assert route(ROUTING, answers) == "specialist"


@pytest.mark.parametrize(
    "answers",
    [{}, {"reporter_role": "alumnus"}, {"reporter_role": ["student"]}],
    ids=["no_role", "unknown_role", "role_as_a_list"],
)
def test_a_report_without_a_known_role_goes_to_the_fallback_team(answers: dict[str, Any]) -> None:
    assert route(ROUTING, answers) == "fallback"


@pytest.mark.parametrize(
    ("role", "team"),
    [
        ("student", "student_support"),
        ("staff", "human_resources"),
        ("visitor", "human_resources"),
        ("other", "diversity_inclusion"),
    ],
)
def test_the_default_routing_by_role(role: str, team: str) -> None:
    assert decide_default(reporter_role=role).team_id == team


def test_the_default_routing_sends_discrimination_or_hate_to_diversity_and_inclusion() -> None:
    decision = decide_default(reporter_role="student", what_happened=["discrimination_or_hate"])

    assert decision.team_id == "diversity_inclusion"


# --- The person affected, not necessarily the reporter ---------------------------------------


@pytest.mark.parametrize(
    ("reporter_role", "affected_role", "team"),
    [
        ("staff", "student", "student_support"),
        ("student", "staff", "human_resources"),
        ("student", "visitor", "human_resources"),
        ("visitor", "other", "diversity_inclusion"),
        ("student", "not_sure", "diversity_inclusion"),
    ],
)
@pytest.mark.parametrize("reporting_for", ["someone_else", "witness"])
def test_a_report_for_someone_else_is_routed_by_the_affected_persons_role(
    reporting_for: str, reporter_role: str, affected_role: str, team: str
) -> None:
    decision = decide_default(
        reporter_role=reporter_role, reporting_for=reporting_for, affected_role=affected_role
    )

    assert decision.team_id == team


def test_a_report_for_someone_else_without_their_role_goes_to_the_fallback_team() -> None:
    # given an older report, sent before the form asked the affected person's role
    decision = decide_default(reporter_role="student", reporting_for="witness")

    assert decision.team_id == "diversity_inclusion"
    assert decision.team_id != "student_support"


def test_a_staff_member_reporting_for_a_student_under_18_is_urgent_for_the_student_team() -> None:
    decision = decide_default(
        reporter_role="staff",
        reporting_for="someone_else",
        affected_role="student",
        under_18="yes",
    )

    assert decision.team_id == "student_support"
    assert decision.flags == ("under_18",)
    assert decision.urgent


@pytest.mark.parametrize(
    ("reporter_role", "reporting_for", "affected_role", "flagged"),
    [
        pytest.param("staff", "someone_else", "student", True, id="staff_for_a_student"),
        pytest.param("staff", "witness", "student", True, id="staff_witness_to_a_student"),
        pytest.param("student", "witness", "staff", False, id="student_witness_to_staff"),
        pytest.param("student", "someone_else", "not_sure", False, id="student_not_sure"),
        pytest.param("student", "myself", None, True, id="student_for_themselves"),
        pytest.param("staff", "myself", None, False, id="staff_for_themselves"),
    ],
)
def test_a_position_of_trust_is_judged_by_the_affected_persons_role(
    reporter_role: str, reporting_for: str, affected_role: str | None, flagged: bool
) -> None:
    # given a report about a member of staff
    decision = decide_default(
        reporter_role=reporter_role,
        reporting_for=reporting_for,
        affected_role=affected_role,
        involved_role=["staff_member"],
    )

    assert ("position_of_trust" in decision.flags) is flagged
    assert decision.priority == ("high" if flagged else "normal")


def test_reporting_for_oneself_the_reporters_answers_stand_for_the_affected_persons() -> None:
    affected_person = default_triage().affected_person
    answers: Answers = {"reporter_role": "staff", "reporting_for": "myself", "ongoing": "yes"}

    view = rules.affected_view(answers, affected_person)

    assert view == {
        "reporter_role": "staff",
        "reporting_for": "myself",
        "ongoing": "yes",
        "affected_role": "staff",
    }
    assert answers == {"reporter_role": "staff", "reporting_for": "myself", "ongoing": "yes"}


@pytest.mark.parametrize("reporting_for", ["someone_else", "witness"])
def test_reporting_for_another_their_own_answers_are_kept(reporting_for: str) -> None:
    affected_person = default_triage().affected_person
    answers: Answers = {
        "reporter_role": "staff",
        "reporting_for": reporting_for,
        "affected_role": "student",
    }

    assert rules.affected_view(answers, affected_person) == answers
    assert rules.affected_view(answers, affected_person)["affected_role"] != "staff"


def test_without_an_affected_person_setting_the_answers_are_read_as_given() -> None:
    answers: Answers = {"reporter_role": "staff", "reporting_for": "myself"}

    assert rules.affected_view(answers, None) == {
        "reporter_role": "staff",
        "reporting_for": "myself",
    }
    assert "affected_role" not in rules.affected_view(answers, None)


# --- Location keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"where": "on_campus", "campus_area": "library"}, "on_campus/library"),
        ({"where": "on_campus"}, None),
        ({"where": "online", "online_platform": "social_media"}, "online/social_media"),
        ({"where": "off_campus"}, None),
        ({"where": "on_campus", "campus_area": "other"}, None),
        ({}, None),
        ({"where": ["on_campus"]}, None),
    ],
    ids=[
        "on_campus_with_area",
        "on_campus_without_area",
        "online_with_platform",
        "off_campus",
        "somewhere_else_on_campus",
        "no_answer",
        "malformed",
    ],
)
def test_the_location_key_names_one_specific_place_or_none(
    answers: dict[str, Any], key: str | None
) -> None:
    assert location_key(answers) == key
