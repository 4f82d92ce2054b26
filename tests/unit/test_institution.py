"""The institution's configuration: the default form is what the issue asks for, and
mistakes in an institution's data are refused when it is loaded, not shown to a reporter."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.errors import ConfigurationError
from chalicelib.institution import Institution, Question, load_institution

Data = dict[str, Any]


@cache
def _default_text() -> str:
    return resources.files("chalicelib.institution").joinpath("default.json").read_text("utf-8")


def default_data() -> Data:
    """A fresh, mutable copy of the default institution's JSON."""
    return copy.deepcopy(json.loads(_default_text()))


def question_in(data: Data, question_id: str) -> Data:
    """The question with this id in raw institution data (form or demographic questions)."""
    form = data["form"]
    return next(
        q for q in form["questions"] + form["demographic_questions"] if q["id"] == question_id
    )


def asked_question(question_id: str) -> Question:
    question = load_institution().form.question(question_id)
    assert question is not None, f"the default form has no question {question_id}"
    return question


# --- The default institution ---------------------------------------------------------------


def test_the_default_institution_loads() -> None:
    institution = load_institution()

    assert institution.id == "default"
    assert institution.name["en"]


def test_the_default_form_is_short_about_fifteen_questions() -> None:
    questions = load_institution().form.questions

    assert 12 <= len(questions) <= 20


@pytest.mark.parametrize(
    "question_id",
    [
        "reporter_role",
        "reporting_for",
        "what_happened",
        "discrimination_grounds",
        "when",
        "where",
        "campus_area",
        "online_platform",
        "ongoing",
        "involved_role",
        "involved_count",
        "anyone_told",
        "desired_outcome",
        "immediate_danger",
        "involved_department",
        "involved_names",
    ],
)
def test_the_default_form_asks(question_id: str) -> None:
    assert load_institution().form.question(question_id) is not None


def test_what_happened_lets_a_reporter_choose_discrimination_or_hate() -> None:
    what_happened = asked_question("what_happened")

    assert what_happened.kind == "multi"
    assert "discrimination_or_hate" in what_happened.option_ids()


@pytest.mark.parametrize(
    ("question_id", "depends_on", "shown_for"),
    [
        ("discrimination_grounds", "what_happened", ["discrimination_or_hate"]),
        ("campus_area", "where", ["on_campus"]),
        ("online_platform", "where", ["online"]),
    ],
)
def test_a_follow_up_question_is_shown_only_for_its_answer(
    question_id: str, depends_on: str, shown_for: list[str]
) -> None:
    show_if = asked_question(question_id).show_if

    assert show_if is not None
    assert show_if.question == depends_on
    assert show_if.any_of == shown_for


def test_immediate_danger_must_be_answered() -> None:
    immediate_danger = asked_question("immediate_danger")

    assert immediate_danger.required
    assert {"yes", "no"} <= immediate_danger.option_ids()


def test_the_people_involved_are_optional_and_asked_one_by_one() -> None:
    involved_names = asked_question("involved_names")

    assert involved_names.kind == "people"
    assert not involved_names.required
    assert involved_names.options == [] and involved_names.max_length is None


def test_every_question_but_the_people_involved_is_multiple_choice() -> None:
    kinds = {q.id: q.kind for q in load_institution().form.questions}

    assert [qid for qid, kind in kinds.items() if kind not in ("single", "multi")] == [
        "involved_names"
    ]


def test_the_default_form_asks_demographic_questions() -> None:
    assert load_institution().form.demographic_questions


@pytest.mark.parametrize(
    "question", load_institution().form.demographic_questions, ids=lambda q: q.id
)
def test_every_demographic_question_offers_prefer_not_to_say(question: Question) -> None:
    assert "prefer_not_to_say" in question.option_ids()
    assert not question.required


def test_each_advisor_preference_says_what_it_matches_in_an_advisor() -> None:
    options = load_institution().form.contact.advisor_preferences

    matches = {
        option.id: option.match.model_dump(exclude_none=True) if option.match else None
        for option in options
    }

    assert matches == {
        "no_preference": None,
        "woman": {"gender": "woman"},
        "man": {"gender": "man"},
        "welsh_speaking": {"language": "cy"},
        "sexual_violence_trained": {"specialism": "sexual_violence"},
    }


def test_at_least_one_support_resource_is_an_emergency_contact() -> None:
    emergency = [r for r in load_institution().support_resources if r.emergency]

    assert emergency
    assert all(resource.phone for resource in emergency)


def test_the_privacy_notice_has_a_version() -> None:
    notice = load_institution().privacy_notice

    assert notice.version.strip()
    assert notice.summary["en"]


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """Every text (language code -> wording) in raw institution data, with where it is."""
    if isinstance(node, dict):
        if "en" in node and set(node) <= {"en", "cy"}:
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = item.get("id", index) if isinstance(item, dict) else index
            yield from _texts(item, f"{path}[{name}]")


def test_every_text_of_the_default_institution_is_in_english_and_welsh() -> None:
    texts = list(_texts(default_data()))

    assert len(texts) > 150  # labels, hints, options, resources, privacy, next steps, name
    assert [path for path, text in texts if not text.get("cy", "").strip()] == []
    assert [path for path, text in texts if not text["en"].strip()] == []


def test_welsh_texts_are_translations_not_copies_of_the_english() -> None:
    copied = [path for path, text in _texts(default_data()) if text.get("cy") == text["en"]]

    assert copied == []


def test_yes_and_no_in_welsh_answer_each_question_in_its_own_verb() -> None:
    # Welsh has no one word for yes: "Ydych chi...?" is answered "Ydw", "Oes...?" "Oes".
    for question_id, yes in [("under_18", "Ydw"), ("ongoing", "Ydy"), ("immediate_danger", "Oes")]:
        options = {option.id: option.label for option in asked_question(question_id).options}
        assert options["yes"]["cy"] == yes
        assert options["no"]["cy"] == f"Nac {yes.lower()}"


@pytest.mark.parametrize("name", ["no_such_institution", "../default", "default.json"])
def test_an_institution_that_does_not_exist_is_a_configuration_error(name: str) -> None:
    with pytest.raises(ConfigurationError):
        load_institution(name)


# --- Institution data with one mistake is refused -------------------------------------------


def _repeat_an_option(question_id: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        options = question_in(data, question_id)["options"]
        options[1]["id"] = options[0]["id"]

    return change


def _show_if(question_id: str, depends_on: str, any_of: list[str]) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        question_in(data, question_id)["show_if"] = {"question": depends_on, "any_of": any_of}

    return change


def set_in(path: Callable[[Data], Data], key: str, value: Any) -> Callable[[Data], None]:
    """A change to the default data: `path(data)[key] = value`."""

    def change(data: Data) -> None:
        path(data)[key] = value

    return change


def refusal(change: Callable[[Data], None]) -> str:
    """Why the default data with `change` made to it is refused at load (it must be)."""
    data = default_data()
    change(data)
    with pytest.raises(ValidationError) as refused:
        Institution.model_validate(data)
    return str(refused.value)


def _drop(path: Callable[[Data], Data], key: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        del path(data)[key]

    return change


def _as_text(settings: Data) -> Callable[[Data], None]:
    """The people question asked as free text instead, with these settings."""

    def change(data: Data) -> None:
        question_in(data, "involved_names").update({"kind": "text", **settings})

    return change


def _form(data: Data) -> Data:
    form: Data = data["form"]
    return form


def _contact(data: Data) -> Data:
    contact: Data = data["form"]["contact"]
    return contact


def _question(question_id: str) -> Callable[[Data], Data]:
    return lambda data: question_in(data, question_id)


def _first_option(question_id: str) -> Callable[[Data], Data]:
    return lambda data: question_in(data, question_id)["options"][0]


def _no_emergency_resource(data: Data) -> None:
    for resource in data["support_resources"]:
        resource["emergency"] = False


def _repeat_a_demographic_question(data: Data) -> None:
    demographics = data["form"]["demographic_questions"]
    demographics[1]["id"] = demographics[0]["id"]


def _advisor_preference(option_id: str) -> Callable[[Data], Data]:
    def find(data: Data) -> Data:
        options = data["form"]["contact"]["advisor_preferences"]
        return next(option for option in options if option["id"] == option_id)

    return find


def _repeat_a_contact_option(kind: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        options = data["form"]["contact"][kind]
        options[1]["id"] = options[0]["id"]

    return change


def _without_prefer_not_to_say(data: Data) -> None:
    question = question_in(data, "gender")
    question["options"] = [o for o in question["options"] if o["id"] != "prefer_not_to_say"]


WELSH_ONLY = {"cy": "Cymraeg yn unig"}

MISTAKES: list[Any] = [
    # (what is wrong, how to break the default data, a fragment of the expected error)
    ("option id twice in a question", _repeat_an_option("when"), "repeats an option id"),
    (
        "option id twice in a demographic question",
        _repeat_an_option("gender"),
        "repeats an option id",
    ),
    (
        "option id twice in contact methods",
        _repeat_a_contact_option("contact_methods"),
        "contact_methods",
    ),
    (
        "option id twice in advisor preferences",
        _repeat_a_contact_option("advisor_preferences"),
        "advisor_preferences",
    ),
    ("question id twice", set_in(_question("ongoing"), "id", "when"), "used twice"),
    ("demographic question id twice", _repeat_a_demographic_question, "age_band"),
    (
        "show_if names a later question",
        _show_if("campus_area", "immediate_danger", ["yes"]),
        "not an earlier question",
    ),
    (
        "show_if names an unknown question",
        _show_if("campus_area", "no_such_question", ["on_campus"]),
        "not an earlier question",
    ),
    (
        "show_if names its own question",
        _show_if("campus_area", "campus_area", ["library"]),
        "not an earlier question",
    ),
    (
        "show_if names an unknown option",
        _show_if("campus_area", "where", ["on_the_moon"]),
        "unknown options",
    ),
    ("show_if with no options", _show_if("campus_area", "where", []), "any_of"),
    (
        "text question with options",
        _as_text({"max_length": 500, "options": [{"id": "x", "label": {"en": "X"}}]}),
        "cannot have options",
    ),
    ("text question without max_length", _as_text({}), "needs max_length"),
    (
        "people question with options",
        set_in(_question("involved_names"), "options", [{"id": "x", "label": {"en": "X"}}]),
        "people question involved_names takes no options or max_length",
    ),
    (
        "people question with max_length",
        set_in(_question("involved_names"), "max_length", 500),
        "people question involved_names takes no options or max_length",
    ),
    (
        "single choice question without options",
        set_in(_question("when"), "options", []),
        "needs options",
    ),
    (
        "multi choice question without options",
        set_in(_question("what_happened"), "options", []),
        "needs options",
    ),
    (
        "demographic question without prefer_not_to_say",
        _without_prefer_not_to_say,
        "prefer_not_to_say",
    ),
    (
        "demographic question that is not single choice",
        set_in(_question("gender"), "kind", "multi"),
        "single choice",
    ),
    ("no emergency support resource", _no_emergency_resource, "emergency"),
    (
        "no support resources",
        set_in(lambda data: data, "support_resources", []),
        "support_resources",
    ),
    (
        "support resource url over plain http",
        set_in(lambda data: data["support_resources"][0], "url", "http://example.org"),
        "https",
    ),
    ("question id that is not an identifier", set_in(_question("when"), "id", "When?"), "pattern"),
    (
        "advisor preference that matches nothing",
        _drop(_advisor_preference("woman"), "match"),
        "advisor preference woman needs a match",
    ),
    (
        "no preference that matches something",
        set_in(_advisor_preference("no_preference"), "match", {"gender": "woman"}),
        "advisor preference no_preference cannot have a match",
    ),
    (
        "advisor preference matching two attributes",
        set_in(_advisor_preference("woman"), "match", {"gender": "woman", "language": "cy"}),
        "exactly one of gender, language or specialism",
    ),
    (
        "advisor preference with an empty match",
        set_in(_advisor_preference("woman"), "match", {}),
        "exactly one of gender, language or specialism",
    ),
    (
        "advisor preference matching a gender outside the directory's vocabulary",
        set_in(_advisor_preference("woman"), "match", {"gender": "female"}),
        "'woman', 'man' or 'non_binary'",
    ),
    (
        "advisor preference matching a language that is not a language code",
        set_in(_advisor_preference("welsh_speaking"), "match", {"language": "Welsh"}),
        "pattern",
    ),
    (
        "advisor preference matching a specialism that is not an identifier",
        set_in(_advisor_preference("woman"), "match", {"specialism": "Sexual violence"}),
        "pattern",
    ),
    ("no form version", _drop(_form, "version"), "version"),
    ("no privacy notice version", _drop(lambda data: data["privacy_notice"], "version"), "version"),
]

UNKNOWN_KEY_PLACES: list[Any] = [
    ("top level", lambda data: data),
    ("privacy notice", lambda data: data["privacy_notice"]),
    ("support resource", lambda data: data["support_resources"][0]),
    ("form", _form),
    ("question", _question("when")),
    ("option", _first_option("when")),
    ("show_if", lambda data: question_in(data, "campus_area")["show_if"]),
    ("demographic question", _question("gender")),
    ("contact", _contact),
    ("contact method", lambda data: data["form"]["contact"]["contact_methods"][0]),
    ("advisor preference", _advisor_preference("woman")),
    ("advisor preference match", lambda data: _advisor_preference("woman")(data)["match"]),
    ("next steps", lambda data: data["next_steps"]),
    ("label", lambda data: question_in(data, "when")["label"]),
    ("question wording", lambda data: question_in(data, "under_18")["wording"]["witness"]),
    ("demographics step", lambda data: data["form"]["demographics"]),
    (
        "demographics step wording",
        lambda data: data["form"]["demographics"]["wording"]["someone_else"],
    ),
    ("affected person", lambda data: data["triage"]["affected_person"]),
]

ENGLISHLESS_TEXT_PLACES: list[Any] = [
    ("question label", _question("when"), "label"),
    ("demographic question label", _question("gender"), "label"),
    ("question hint", _question("when"), "hint"),
    ("option label", _first_option("when"), "label"),
    ("demographic option label", _first_option("gender"), "label"),
    ("contact method label", lambda data: data["form"]["contact"]["contact_methods"][0], "label"),
    ("institution name", lambda data: data, "name"),
    ("support resource name", lambda data: data["support_resources"][0], "name"),
    ("support resource description", lambda data: data["support_resources"][0], "description"),
    ("privacy notice summary", lambda data: data["privacy_notice"], "summary"),
    ("next steps for a named report", lambda data: data["next_steps"], "named"),
    ("risk flag label", lambda data: data["triage"]["risk_rules"][0], "label"),
]


def test_the_unchanged_default_data_is_accepted() -> None:
    institution = Institution.model_validate(default_data())

    assert institution == load_institution()


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=what) for what, change, expected in MISTAKES],
)
def test_institution_data_with_a_mistake_is_refused(
    change: Callable[[Data], None], expected: str
) -> None:
    assert expected in refusal(change)


@pytest.mark.parametrize(
    "place", [pytest.param(place, id=where) for where, place in UNKNOWN_KEY_PLACES]
)
def test_an_unknown_key_anywhere_in_institution_data_is_refused(
    place: Callable[[Data], Data],
) -> None:
    data = default_data()
    place(data)["colour"] = "blue"

    with pytest.raises(ValidationError) as refused:
        Institution.model_validate(data)

    assert {error["type"] for error in refused.value.errors()} & {
        "extra_forbidden",
        "literal_error",  # a text's keys are language codes, so an unknown key is a bad code
    }


@pytest.mark.parametrize(
    ("place", "key"),
    [pytest.param(place, key, id=where) for where, place, key in ENGLISHLESS_TEXT_PLACES],
)
def test_a_text_without_an_english_version_is_refused(
    place: Callable[[Data], Data], key: str
) -> None:
    data = default_data()
    place(data)[key] = dict(WELSH_ONLY)

    with pytest.raises(ValidationError) as refused:
        Institution.model_validate(data)

    assert "English" in str(refused.value)


def test_a_text_in_welsh_as_well_as_english_is_accepted() -> None:
    data = default_data()
    question_in(data, "when")["label"] = {"en": "When did it happen?", "cy": "Pryd ddigwyddodd?"}

    institution = Institution.model_validate(data)

    when = institution.form.question("when")
    assert when is not None
    assert when.label["cy"] == "Pryd ddigwyddodd?"


# --- Triage rules that do not fit the form are refused --------------------------------------


def _triage(data: Data) -> Data:
    triage: Data = data["triage"]
    return triage


def _risk_rule(flag: str) -> Callable[[Data], Data]:
    return lambda data: next(r for r in data["triage"]["risk_rules"] if r["flag"] == flag)


def _risk_clause(flag: str, **clause: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        _risk_rule(flag)(data)["when"] = [clause]

    return change


def _override_clause(**clause: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["triage"]["routing"]["overrides"][0]["when"] = [clause]

    return change


def _without_role_route(role: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        del data["triage"]["routing"]["by_role"][role]

    return change


def _both_triggers(data: Data) -> None:
    _risk_rule("ongoing")(data)["repeat_location"] = {"threshold": 3, "window_days": 30}


def _no_trigger(data: Data) -> None:
    del _risk_rule("repeat_location")(data)["repeat_location"]


def _repeat_a_flag(data: Data) -> None:
    _risk_rule("physical_violence")(data)["flag"] = "sexual_assault"


def _working_time_zone(zone: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["working_time"]["time_zone"] = zone

    return change


TRIAGE_MISTAKES: list[Any] = [
    (
        "risk rule on an unknown question",
        _risk_clause("ongoing", question="still_happening", any_of=["yes"]),
        "unknown choice question still_happening",
    ),
    (
        "routing override on an unknown question",
        _override_clause(question="behaviour", any_of=["discrimination_or_hate"]),
        "unknown choice question behaviour",
    ),
    (
        "risk rule on a free-text question",
        _risk_clause("ongoing", question="involved_names", any_of=["yes"]),
        "unknown choice question involved_names",
    ),
    (
        "risk rule on a demographic question",
        _risk_clause("ongoing", question="gender", any_of=["prefer_not_to_say"]),
        "unknown choice question gender",
    ),
    (
        "risk rule naming an unknown option",
        _risk_clause("ongoing", question="ongoing", any_of=["yes", "sometimes"]),
        "names unknown ['sometimes']",
    ),
    (
        "routing override naming an unknown option",
        _override_clause(question="what_happened", any_of=["hate_crime"]),
        "names unknown ['hate_crime']",
    ),
    (
        "routing by role misses a role",
        _without_role_route("visitor"),
        "by_role misses ['visitor']",
    ),
    (
        "risk rule with both when and repeat_location",
        _both_triggers,
        "needs either when or repeat_location",
    ),
    (
        "risk rule with neither when nor repeat_location",
        _no_trigger,
        "needs either when or repeat_location",
    ),
    ("two risk rules with one flag", _repeat_a_flag, "repeats a flag: sexual_assault"),
    (
        "working time in another zone",
        _working_time_zone("Europe/Dublin"),
        "working_time.time_zone must equal time_zone",
    ),
    (
        "institution in another zone than its working time",
        set_in(lambda data: data, "time_zone", "Europe/Dublin"),
        "working_time.time_zone must equal time_zone",
    ),
    (
        "risk rule with an unknown priority",
        set_in(_risk_rule("ongoing"), "priority", "critical"),
        "priority",
    ),
    (
        "repeat location with a threshold of one",
        set_in(lambda data: _risk_rule("repeat_location")(data)["repeat_location"], "threshold", 1),
        "threshold",
    ),
    (
        "routing override with no clauses",
        set_in(lambda data: data["triage"]["routing"]["overrides"][0], "when", []),
        "when",
    ),
    (
        "routing without a fallback team",
        _drop(lambda data: data["triage"]["routing"], "fallback_team"),
        "fallback_team",
    ),
    (
        "a screening setting that does not exist",
        set_in(lambda data: data["triage"], "screening", "anonymous_only"),
        "screening",
    ),
    (
        "a record-only answer on an unknown question",
        set_in(lambda data: data["triage"]["record_only"], "question", "wants_contact"),
        "unknown choice question wants_contact",
    ),
    (
        "a record-only answer naming an unknown option",
        set_in(lambda data: data["triage"]["record_only"], "any_of", ["no_contact"]),
        "names unknown ['no_contact']",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=what) for what, change, expected in TRIAGE_MISTAKES],
)
def test_triage_data_with_a_mistake_is_refused(
    change: Callable[[Data], None], expected: str
) -> None:
    assert expected in refusal(change)


def test_an_institution_in_another_zone_is_accepted_when_its_working_time_agrees() -> None:
    data = default_data()
    data["time_zone"] = "Europe/Dublin"
    data["working_time"]["time_zone"] = "Europe/Dublin"
    data["working_time"]["bank_holidays"] = {"country": "IE", "subdivision": None}

    institution = Institution.model_validate(data)

    assert institution.working_time.time_zone == "Europe/Dublin"


def test_a_risk_rule_may_combine_clauses_on_several_choice_questions() -> None:
    data = default_data()
    _risk_rule("ongoing")(data)["when"] = [
        {"question": "ongoing", "any_of": ["yes"]},
        {"question": "campus_area", "any_of": ["student_accommodation"]},
    ]

    institution = Institution.model_validate(data)

    [rule] = [r for r in institution.triage.risk_rules if r.flag == "ongoing"]
    assert [clause.question for clause in rule.when] == ["ongoing", "campus_area"]


# --- Questions asked about the right person --------------------------------------------------


def test_a_witness_and_someone_reporting_for_another_are_asked_about_the_person_affected() -> None:
    under_18 = asked_question("under_18")

    assert under_18.label["en"] == "Are you under 18?"
    assert under_18.wording["witness"].label["en"] == "Is the person it happened to under 18?"
    assert (
        under_18.wording["someone_else"].label["en"]
        == "Is the person you are reporting for under 18?"
    )
    assert under_18.wording["witness"].label["cy"] == (
        "Ydy'r person a gafodd ei effeithio o dan 18 oed?"
    )
    # "Ydy'r person...?" is answered "Ydy" in Welsh, not "Ydw" (the answer to "Ydych chi...?")
    assert under_18.wording["witness"].options["yes"]["cy"] == "Ydy"
    assert "myself" not in under_18.wording


def test_the_affected_persons_role_is_asked_only_when_not_reporting_for_oneself() -> None:
    affected_role = asked_question("affected_role")

    assert affected_role.required
    assert affected_role.show_if is not None
    assert affected_role.show_if.question == "reporting_for"
    assert affected_role.show_if.any_of == ["someone_else", "witness"]
    assert "myself" not in affected_role.show_if.any_of
    assert affected_role.option_ids() == {"student", "staff", "visitor", "other", "not_sure"}


def test_routing_reads_the_affected_persons_role_and_a_reporter_for_themselves_stands_in() -> None:
    triage = load_institution().triage

    assert triage.routing.role_question == "affected_role"
    assert triage.routing.by_role["not_sure"] == "diversity_inclusion"
    assert triage.affected_person is not None
    assert triage.affected_person.themselves.question == "reporting_for"
    assert triage.affected_person.themselves.any_of == ["myself"]
    assert triage.affected_person.answers == {"affected_role": "reporter_role"}


def test_demographics_describe_the_person_affected_and_are_not_asked_of_a_witness() -> None:
    form = load_institution().form

    assert form.reporting_for_question == "reporting_for"
    assert form.demographics.asked_for == ["myself", "someone_else"]
    assert "witness" not in (form.demographics.asked_for or [])
    heading = form.demographics.wording["someone_else"].heading
    assert heading["en"] == "About the person you are reporting for (optional)"
    gender = next(q for q in form.demographic_questions if q.id == "gender")
    assert gender.wording["someone_else"].label["en"] == "What is their gender?"


@pytest.mark.parametrize(
    ("question_id", "answer", "yes"),
    [
        ("under_18", "witness", "Ydy"),  # "Ydy'r person...?"
        ("under_18", "someone_else", "Ydy"),
        ("disability", "someone_else", "Ydyn"),  # "Ydyn nhw'n ystyried...?"
    ],
)
def test_a_worded_question_is_answered_yes_and_no_in_its_own_welsh_verb(
    question_id: str, answer: str, yes: str
) -> None:
    form = load_institution().form
    question = next(q for q in form.questions + form.demographic_questions if q.id == question_id)

    options = question.wording[answer].options

    assert options["yes"]["cy"] == yes
    assert options["no"]["cy"] == f"Nac {yes.lower()}"
    assert {o.id: o.label for o in question.options}["yes"]["cy"] != yes


def _wording(question_id: str, answer: str) -> Callable[[Data], Data]:
    return lambda data: question_in(data, question_id)["wording"][answer]


def _reword(question_id: str, answer: str, wording: Data | None = None) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        question_in(data, question_id).setdefault("wording", {})[answer] = wording or {
            "label": {"en": "Is the person concerned under 18?"}
        }

    return change


def _without_reporting_for_question(data: Data) -> None:
    del data["form"]["reporting_for_question"]
    del data["form"]["demographics"]
    for question in data["form"]["questions"] + data["form"]["demographic_questions"]:
        question.pop("wording", None)


def _affected_answers(**answers: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        data["triage"]["affected_person"]["answers"] = answers

    return change


def _without_affected_option(option: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        question = question_in(data, "affected_role")
        question["options"] = [o for o in question["options"] if o["id"] != option]
        del data["triage"]["routing"]["by_role"][option]

    return change


WORDING_MISTAKES: list[Any] = [
    (
        "question wording keyed by an unknown answer to reporting_for",
        _reword("under_18", "bystander"),
        "form.questions[under_18].wording.bystander is not an answer to reporting_for "
        "(its options: myself, someone_else, witness)",
    ),
    (
        "demographic question wording keyed by an unknown answer",
        _reword("gender", "friend", {"label": {"en": "What is your friend's gender?"}}),
        "form.demographic_questions[gender].wording.friend is not an answer to reporting_for",
    ),
    (
        "demographics step wording keyed by an unknown answer",
        lambda data: data["form"]["demographics"]["wording"].update(
            {"parent": data["form"]["demographics"]["wording"]["someone_else"]}
        ),
        "form.demographics.wording.parent is not an answer to reporting_for",
    ),
    (
        "demographics asked for an unknown answer",
        set_in(lambda data: data["form"]["demographics"], "asked_for", ["myself", "everyone"]),
        "form.demographics.asked_for.everyone is not an answer to reporting_for",
    ),
    (
        "demographics asked for no one",
        set_in(lambda data: data["form"]["demographics"], "asked_for", []),
        "asked_for",
    ),
    (
        "wording option that the question does not offer",
        set_in(_wording("under_18", "witness"), "options", {"maybe": {"en": "Maybe"}}),
        "wording.witness.options.maybe is not an option of under_18",
    ),
    (
        "wording on a question asked before reporting_for",
        _reword("reporter_role", "witness", {"label": {"en": "Which describes them?"}}),
        "form.questions[reporter_role].wording follows reporting_for, "
        "which is not an earlier question",
    ),
    (
        "reporting_for_question naming an unknown question",
        set_in(_form, "reporting_for_question", "on_behalf_of"),
        "form.reporting_for_question on_behalf_of is not a single choice question",
    ),
    (
        "reporting_for_question naming a multiple choice question",
        set_in(_form, "reporting_for_question", "what_happened"),
        "form.reporting_for_question what_happened is not a single choice question",
    ),
    (
        "wording with no reporting_for_question",
        lambda data: (
            _without_reporting_for_question(data),
            _reword("under_18", "witness")(data),
        ),
        "form.questions[under_18].wording needs form.reporting_for_question",
    ),
    (
        "a wording without a label",
        _drop(_wording("under_18", "witness"), "label"),
        "label",
    ),
    (
        "affected person's answer read from an unknown question",
        _affected_answers(affected_role="reporters_job"),
        "triage.affected_person.answers.affected_role: reporters_job is not a single choice",
    ),
    (
        "affected person's answer that is not a question",
        _affected_answers(affected_age="reporter_role"),
        "triage.affected_person.answers.affected_age: affected_age is not a choice question",
    ),
    (
        "affected person's question lacking an option of the reporter's",
        _without_affected_option("visitor"),
        "affected_role lacks options of reporter_role: ['visitor']",
    ),
    (
        "affected person's 'themselves' naming an unknown answer",
        set_in(lambda data: data["triage"]["affected_person"]["themselves"], "any_of", ["me"]),
        "triage rule on reporting_for names unknown ['me']",
    ),
    (
        "routing by a role question that does not exist",
        set_in(lambda data: data["triage"]["routing"], "role_question", "victim_role"),
        "triage.routing.role_question victim_role is not a single choice question",
    ),
    (
        "routing by role missing the not-sure answer",
        _without_role_route("not_sure"),
        "triage.routing.by_role misses ['not_sure']",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=what) for what, change, expected in WORDING_MISTAKES],
)
def test_wording_and_affected_person_data_with_a_mistake_is_refused(
    change: Callable[[Data], None], expected: str
) -> None:
    assert expected in refusal(change)


@pytest.mark.parametrize(
    ("place", "key"),
    [
        pytest.param(_wording("under_18", "witness"), "label", id="wording label"),
        pytest.param(_wording("under_18", "witness"), "hint", id="wording hint"),
        pytest.param(
            lambda data: _wording("under_18", "witness")(data)["options"],
            "yes",
            id="wording option",
        ),
        pytest.param(
            lambda data: data["form"]["demographics"]["wording"]["someone_else"],
            "intro",
            id="demographics step intro",
        ),
    ],
)
def test_a_wording_without_english_is_refused(place: Callable[[Data], Data], key: str) -> None:
    data = default_data()
    place(data)[key] = dict(WELSH_ONLY)

    with pytest.raises(ValidationError) as refused:
        Institution.model_validate(data)

    assert "English" in str(refused.value)


def test_a_form_without_wording_or_an_affected_person_is_still_accepted() -> None:
    # given an institution that words nothing by reporting_for and routes by the reporter
    data = default_data()
    _without_reporting_for_question(data)
    del data["triage"]["affected_person"]
    routing = data["triage"]["routing"]
    routing["role_question"] = "reporter_role"
    del routing["by_role"]["not_sure"]
    _risk_rule("position_of_trust")(data)["when"][0]["question"] = "reporter_role"

    institution = Institution.model_validate(data)

    assert institution.form.reporting_for_question is None
    assert institution.triage.affected_person is None
    assert institution.triage.routing.role_question == "reporter_role"
