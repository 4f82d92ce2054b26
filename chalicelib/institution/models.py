"""The shape of an institution's configuration, validated when it is loaded.

A mistake in the data (an option id used twice, a condition on a question that does not
exist, a required question with no options) fails at load with the path of the bad entry,
not later in front of a reporter.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    model_validator,
)

from chalicelib.institution.strict import Strict
from chalicelib.institution.working_time import WorkingTimePolicy

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]

#: The genders an advisor may choose to publish for matching (absent unless they choose).
#: A small fixed vocabulary: it is a matching attribute the advisor shares, not a record of
#: who they are, and preferences name it (`{"gender": "woman"}`).
AdvisorGender = Literal["woman", "man", "non_binary"]
ADVISOR_GENDERS: frozenset[str] = frozenset(get_args(AdvisorGender))
#: The preference that asks for nothing; it cannot be combined with another.
NO_PREFERENCE = "no_preference"


def _has_english(text: dict[str, str]) -> dict[str, str]:
    if "en" not in text:
        raise ValueError("every text needs an English version ('en')")
    return text


#: Text per language code; English is always present.
LocalText = Annotated[
    dict[Literal["en", "cy"], Annotated[str, StringConstraints(min_length=1)]],
    AfterValidator(_has_english),
]


def _unique(ids: list[str], owner: str, kind: str) -> None:
    repeated = sorted({item for item in ids if ids.count(item) > 1})
    if repeated:
        raise ValueError(f"{owner} repeats {kind}: {', '.join(repeated)}")


class Option(Strict):
    """One choice of a multiple-choice question.

    A retired option is no longer offered to reporters (`GET /form` leaves it out, a new
    report may not choose it) but stays in the configuration, so the reports that chose it
    and the statistics that count them keep its label. Options are retired, never deleted
    (`chalicelib.content`).
    """

    id: Identifier
    label: LocalText
    retired: bool = False


class ShowIf(Strict):
    """A question is asked only when an earlier answer includes one of these options."""

    question: Identifier
    any_of: list[Identifier] = Field(min_length=1)


class Wording(Strict):
    """A question as it is put to one kind of reporter (one answer to `reporting_for`).

    It replaces the question's label and hint together (a wording without a hint shows none)
    and may reword some options (in Welsh "Ydw" answers "Ydych chi...?", "Ydy" "Ydy'r person
    ...?"); the other options keep their labels. Option ids, and so the answers, are the same.
    """

    label: LocalText
    hint: LocalText | None = None
    options: dict[Identifier, LocalText] = Field(default_factory=dict)


class Question(Strict):
    """One question of the report form.

    `single` and `multi` answers are option ids and stay in clear (they drive triage and
    statistics). `text` answers may name people, so they are always sealed; so are `people`
    answers, one entry per person: a name, or "I don't know their name" (see
    `chalicelib.reports.people`). `wording` asks the question about the right person: keyed
    by an option of the form's `reporting_for` question (a witness is asked "Is the person it
    happened to under 18?"); the label and hint are the wording for any other answer.
    """

    id: Identifier
    kind: Literal["single", "multi", "text", "people"]
    label: LocalText
    hint: LocalText | None = None
    options: list[Option] = Field(default_factory=list)
    required: bool = False
    show_if: ShowIf | None = None
    max_length: int | None = Field(default=None, ge=1, le=20_000)
    wording: dict[Identifier, Wording] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        if self.kind == "text":
            if self.options:
                raise ValueError(f"text question {self.id} cannot have options")
            if self.max_length is None:
                raise ValueError(f"text question {self.id} needs max_length")
        elif self.kind == "people":
            # One person per entry: the limits are fixed (`reports.people`), not per question.
            if self.options or self.max_length is not None:
                raise ValueError(f"people question {self.id} takes no options or max_length")
        else:
            if not self.options:
                raise ValueError(f"question {self.id} needs options")
            _unique([option.id for option in self.options], f"question {self.id}", "an option id")
            if all(option.retired for option in self.options):
                raise ValueError(f"question {self.id} needs an option that is not retired")
        for answer, wording in self.wording.items():
            unknown = sorted(set(wording.options) - self.option_ids())
            if unknown:
                raise ValueError(
                    f"question {self.id}: wording.{answer}.options.{unknown[0]} "
                    f"is not an option of {self.id}"
                )
        return self

    def option_ids(self) -> frozenset[str]:
        """Every option's id, retired ones included (what a stored answer may hold)."""
        return frozenset(option.id for option in self.options)

    def offered_ids(self) -> frozenset[str]:
        """The ids a new answer may use: the options not retired."""
        return frozenset(option.id for option in self.options if not option.retired)

    def as_asked(self, reporting_for: object) -> Wording:
        """The question as put to a reporter who answered reporting_for so: its wording for
        that answer, else its own label and hint."""
        wording = self.wording.get(reporting_for) if isinstance(reporting_for, str) else None
        return wording or Wording(label=self.label, hint=self.hint)

    def option_label(self, option_id: str, asked: Wording) -> LocalText | None:
        """What an option was called in the question as asked (`as_asked`), if it exists."""
        option = next((o for o in self.options if o.id == option_id), None)
        return asked.options.get(option_id, option.label) if option else None


CONTACT_METHODS = frozenset({"email", "phone"})
#: A language code as the staff directory lists an advisor's languages (`en`, `cy`, `ur`).
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class AdvisorMatch(Strict):
    """What an advisor preference asks of an advisor: exactly one attribute the advisor
    publishes in the staff directory (see `chalicelib.cases.matching`)."""

    #: The gender the advisor chose to share (`woman`, `man`, `non_binary`).
    gender: AdvisorGender | None = None
    #: A language the advisor speaks, as the directory lists it (`cy`).
    language: LanguageCode | None = None
    #: A specialism, spelled as in the directory (`sexual_violence`).
    specialism: Identifier | None = None

    @model_validator(mode="after")
    def _one_attribute(self) -> AdvisorMatch:
        given = [name for name in ("gender", "language", "specialism") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("a match names exactly one of gender, language or specialism")
        return self


class AdvisorPreference(Option):
    """A preference a named reporter may tick, and what it matches in an advisor."""

    match: AdvisorMatch | None = None


class ContactSpec(Strict):
    """What a named reporter is asked so that an advisor can reach them."""

    contact_methods: list[Option] = Field(min_length=1)
    #: A reporter may tick several (all but no_preference, which stands alone).
    advisor_preferences: list[AdvisorPreference] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_options(self) -> ContactSpec:
        methods = [option.id for option in self.contact_methods]
        _unique(methods, "contact_methods", "an option id")
        unknown = set(methods) - CONTACT_METHODS
        if unknown:
            # Advisors act on these (an email address, a phone number), so they are fixed.
            raise ValueError(f"contact methods must be among {sorted(CONTACT_METHODS)}")
        preferences = [option.id for option in self.advisor_preferences]
        _unique(preferences, "advisor_preferences", "an option id")
        if NO_PREFERENCE not in preferences:
            raise ValueError(f"advisor preferences must offer {NO_PREFERENCE}")
        for option in self.advisor_preferences:
            # A preference that matches nothing would show every advisor as missing it.
            if option.id == NO_PREFERENCE and option.match is not None:
                raise ValueError(f"advisor preference {NO_PREFERENCE} cannot have a match")
            if option.id != NO_PREFERENCE and option.match is None:
                raise ValueError(
                    f"advisor preference {option.id} needs a match "
                    "(the gender, language or specialism it asks of an advisor)"
                )
        return self


class SupportResource(Strict):
    """A service a person can turn to, shown at every step of the form."""

    id: Identifier
    name: LocalText
    description: LocalText
    phone: str | None = None
    url: str | None = None
    hours: LocalText | None = None
    emergency: bool = False


#: A link a reporter page may show: a web page over https, or a page of this site.
WEB_OR_LOCAL = re.compile(r"^(https://[^/\s]+|/(?!/))\S*$")
#: The figures a privacy text may name through placeholders, filled in from `Retention`
#: when the form is served, so a notice never promises other periods than the sweep keeps.
RETENTION_PLACEHOLDERS = frozenset({"redact_named_after_months", "delete_anonymised_after_years"})


def _web_or_local(url: str) -> str:
    if not WEB_OR_LOCAL.match(url):
        raise ValueError("must be an https address or a page of this site (starting with /)")
    return url


WebOrLocalUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_web_or_local)]


def _email(address: str) -> str:
    if not re.fullmatch(r"[^\s@]+@[^\s@.]+(\.[^\s@.]+)+", address):
        raise ValueError("must be an email address, like dpo@example.ac.uk")
    return address


class DataProtectionOfficer(Strict):
    """How anyone reaches the data protection officer, who answers every rights request."""

    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
    phone: Annotated[str, StringConstraints(min_length=3, max_length=32)] | None = None
    postal_address: LocalText | None = None


class ConfidentialityLimits(Strict):
    """When what a reporter says may be passed on without their agreement.

    `summary` is shown on the form's step where the reporter chooses anonymous or named,
    before they choose (short and plain); `circumstances` are listed in the full notice.
    """

    summary: LocalText
    circumstances: list[LocalText] = Field(min_length=1)


class PrivacyNotice(Strict):
    """The privacy notice a reporter sees; its version is recorded with each report.

    What is kept for how long is not written here: the page builds it from `Retention`,
    and `summary` may name those periods only through the placeholders
    `{redact_named_after_months}` and `{delete_anonymised_after_years}`.
    """

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    summary: LocalText
    url: WebOrLocalUrl
    #: Who the data controller is (the institution's legal name and address).
    controller: LocalText
    data_protection_officer: DataProtectionOfficer
    #: One entry per purpose and its lawful basis (UK GDPR Articles 6 and 9).
    lawful_bases: list[LocalText] = Field(min_length=1)
    confidentiality: ConfidentialityLimits
    #: Where a complaint about the handling of personal data goes (e.g. the ICO), with how.
    supervisory_authority: LocalText

    @model_validator(mode="after")
    def _check_placeholders(self) -> PrivacyNotice:
        for language, text in self.summary.items():
            unknown = set(re.findall(r"\{([^{}]*)\}", text)) - RETENTION_PLACEHOLDERS
            if unknown:
                raise ValueError(
                    f"privacy_notice.summary ({language}) names unknown placeholders "
                    f"{sorted(unknown)}; only {sorted(RETENTION_PLACEHOLDERS)} are filled in"
                )
        return self

    def summary_for(self, retention: Retention) -> dict[Literal["en", "cy"], str]:
        """The summary with its retention placeholders filled in from `retention`."""
        figures = {
            "redact_named_after_months": retention.redact_named_after_months,
            "delete_anonymised_after_years": retention.delete_anonymised_after_years,
        }
        filled: dict[Literal["en", "cy"], str] = {}
        for language, text in self.summary.items():
            for name, figure in figures.items():
                text = text.replace("{" + name + "}", str(figure))
            filled[language] = text
        return filled


class Policy(Strict):
    """One of the institution's policies or procedures, linked from every reporter page."""

    id: Identifier
    title: LocalText
    description: LocalText
    url: WebOrLocalUrl


class FormalComplaint(Strict):
    """How to make a formal complaint (a report here is not one), with a link to the procedure."""

    text: LocalText
    link_text: LocalText
    url: WebOrLocalUrl


class StepWording(Strict):
    """The demographics step's heading, introduction and review heading for one kind of
    reporter (one answer to `reporting_for`)."""

    heading: LocalText
    intro: LocalText
    review_heading: LocalText


class DemographicsStep(Strict):
    """Whom the demographic questions ask about, and for which reporters they are asked.

    The demographic statistics describe the person affected: the reporter reporting for
    themselves, or the person they report for. `asked_for` lists the answers to
    `reporting_for` for which the step is asked at all (a witness may not know another
    person's ethnicity or religion, and a guess would distort the statistics); unset, it is
    asked of every reporter. `wording` words the step for some of those answers.
    """

    asked_for: list[Identifier] | None = Field(default=None, min_length=1)
    wording: dict[Identifier, StepWording] = Field(default_factory=dict)


class Form(Strict):
    """The report form: questions in order, contact questions, demographic questions."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    questions: list[Question] = Field(min_length=1)
    contact: ContactSpec
    narrative_max_length: int = Field(default=20_000, ge=1, le=20_000)
    demographic_questions: list[Question] = Field(default_factory=list)
    #: The question asking whom a report is for (`reporting_for`): questions and the
    #: demographics step are worded by its answer (`Question.wording`, `demographics`).
    reporting_for_question: Identifier | None = None
    demographics: DemographicsStep = Field(default_factory=DemographicsStep)

    @model_validator(mode="after")
    def _check_references(self) -> Form:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id} is used twice")
            if question.show_if is not None:
                parent = seen.get(question.show_if.question)
                if parent is None:
                    raise ValueError(
                        f"question {question.id} depends on {question.show_if.question}, "
                        "which is not an earlier question"
                    )
                unknown = set(question.show_if.any_of) - parent.option_ids()
                if unknown:
                    raise ValueError(
                        f"question {question.id} depends on unknown options {sorted(unknown)}"
                    )
            seen[question.id] = question
        _unique(
            [q.id for q in self.demographic_questions], "demographic_questions", "a question id"
        )
        for question in self.demographic_questions:
            if question.kind != "single":
                raise ValueError(f"demographic question {question.id} must be single choice")
            if "prefer_not_to_say" not in question.option_ids():
                raise ValueError(f"demographic question {question.id} needs prefer_not_to_say")
        self._check_reporting_for()
        return self

    def _check_reporting_for(self) -> None:
        """Wording keys and `asked_for` must be answers to the reporting_for question."""
        asked = self.reporting_for_question
        asker = self.question(asked) if asked else None
        if asked is not None and (asker is None or asker.kind != "single"):
            raise ValueError(f"form.reporting_for_question {asked} is not a single choice question")
        answers = asker.option_ids() if asker else frozenset[str]()
        places: list[tuple[str, list[str]]] = [
            (f"form.questions[{q.id}].wording", list(q.wording)) for q in self.questions
        ]
        places += [
            (f"form.demographic_questions[{q.id}].wording", list(q.wording))
            for q in self.demographic_questions
        ]
        places.append(("form.demographics.wording", list(self.demographics.wording)))
        places.append(("form.demographics.asked_for", self.demographics.asked_for or []))
        for path, keys in places:
            if keys and asker is None:
                raise ValueError(f"{path} needs form.reporting_for_question (what it follows)")
            unknown = sorted(set(keys) - answers)
            if unknown:
                raise ValueError(
                    f"{path}.{unknown[0]} is not an answer to {asker.id if asker else ''} "
                    f"(its options: {', '.join(sorted(answers))})"
                )
        if asker is not None:
            # A question worded by the answer to reporting_for must come after it.
            for question in self.questions[: self.questions.index(asker) + 1]:
                if question.wording:
                    raise ValueError(
                        f"form.questions[{question.id}].wording follows {asker.id}, "
                        "which is not an earlier question"
                    )

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if the form has one."""
        return next((q for q in self.questions if q.id == question_id), None)


class NextSteps(Strict):
    """What a reporter is told happens next, once their report is accepted."""

    named: LocalText
    anonymous: LocalText


Priority = Literal["urgent", "high", "normal"]
#: Highest first: a report takes the highest priority any of its rules gives it.
PRIORITIES: tuple[Priority, ...] = ("urgent", "high", "normal")


class Clause(Strict):
    """True when the answer to `question` includes one of `any_of`."""

    question: Identifier
    any_of: list[Identifier] = Field(min_length=1)


class RoutingOverride(Strict):
    """Send reports matching every clause to `team`, whoever the reporter is."""

    when: list[Clause] = Field(min_length=1)
    team: Identifier


class Routing(Strict):
    """Which team receives a report: overrides first (in order), then a role.

    `role_question` names the role it reads, through the answers about the person affected
    (`Triage.affected_person`): the default reads `affected_role`, the reporter's own role
    when they report for themselves. `by_role` maps every option of it to a team (a "not
    sure" option included); a report without an answer to it goes to `fallback_team`.
    """

    role_question: Identifier = "reporter_role"
    by_role: dict[Identifier, Identifier]
    overrides: list[RoutingOverride] = Field(default_factory=list)
    #: Receives what no rule routes, and whatever a team with no screeners would miss.
    fallback_team: Identifier


class RepeatLocation(Strict):
    """`threshold` reports (this one included) about one place within `window_days`."""

    threshold: int = Field(ge=2, le=1000)
    window_days: int = Field(ge=1, le=3650)


class RiskRule(Strict):
    """A risk flag and the priority it gives, raised by answers or by repeats at a place."""

    flag: Identifier
    priority: Priority
    when: list[Clause] = Field(default_factory=list)
    repeat_location: RepeatLocation | None = None
    #: How the staff portal names the flag (served by `GET /staff/labels`); without one,
    #: the portal shows the flag's id in words.
    label: LocalText | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> RiskRule:
        if bool(self.when) == (self.repeat_location is not None):
            raise ValueError(f"risk rule {self.flag} needs either when or repeat_location")
        return self


class Escalation(Strict):
    """When the screeners are chased about a named case's clocks."""

    #: Warn this long before the statutory acknowledgement is due.
    acknowledge_warning_hours: int = Field(default=24, ge=1, le=24 * 7)
    #: Warn this long before the statutory feedback is due.
    feedback_warning_days: int = Field(default=14, ge=1, le=60)


#: Which reports a person screens. `every_report` (the default) is the process the service
#: was designed around: every report alerts the routed team's screeners and waits in their
#: queue, so an anonymous report with no risk flag is still read by someone who may act on
#: it (inform security about a building) before filing it. `named_or_flagged` files an
#: anonymous report that raises no risk flag at once, unseen and with no email.
Screening = Literal["every_report", "named_or_flagged"]


class AffectedPerson(Strict):
    """The answers about the person affected, whoever reports.

    A reporter reporting for someone else, or as a witness, is asked about the person
    affected (`affected_role`). One reporting for themselves (an answer in `themselves`,
    e.g. `reporting_for: myself`) is not: their answers about themselves stand in, as
    `answers` maps them (`{"affected_role": "reporter_role"}`). Routing and risk rules read
    the answers so completed, so a staff member reporting for a student is routed and rated
    as a report about a student.
    """

    themselves: Clause
    answers: dict[Identifier, Identifier] = Field(min_length=1)


class Triage(Strict):
    """Routing and risk rules: data, so each institution tunes them without code."""

    screening: Screening = "every_report"
    routing: Routing
    risk_rules: list[RiskRule] = Field(default_factory=list)
    escalation: Escalation = Field(default_factory=Escalation)
    #: A named reporter whose answer to this question is among these options only asked
    #: for nothing but a record (e.g. `desired_outcome: record_only`); every other named
    #: reporter asked to talk to someone, and filing their case needs an override reason.
    record_only: Clause | None = None
    #: How routing and risk rules see the person affected rather than the reporter.
    affected_person: AffectedPerson | None = None


class Retention(Strict):
    """How long personal data and records are kept (the privacy notice's promises).

    A named case's personal data and free text are redacted this many months after the case
    is closed (or filed); anonymised records, redacted cases and their demographics are
    deleted this many years after submission. A legal hold stops both until it is lifted.
    """

    redact_named_after_months: int = Field(default=6, ge=1, le=120)
    delete_anonymised_after_years: int = Field(default=3, ge=1, le=25)
    #: How many cases one sweep run handles at most (the rest wait for the next run).
    sweep_batch_size: int = Field(default=200, ge=1, le=10_000)


class TrendAlert(Strict):
    """Tell the screeners once when `threshold` reports about one place or department
    arrive within `window_days`."""

    dimension: Literal["location", "department"]
    threshold: int = Field(ge=2, le=1000)
    window_days: int = Field(ge=1, le=365)


class Insights(Strict):
    """Anonymised statistics: small-cell suppression, trend alerts, and the reporting periods
    demographic tables are published for (see `chalicelib/insights/periods.py`)."""

    #: Any published cell below this count is suppressed (with complementary cells).
    suppression_threshold: int = Field(default=5, ge=2, le=100)
    trend_alerts: list[TrendAlert] = Field(default_factory=list)
    #: Demographic tables cover fixed, disjoint reporting periods of this many months (they
    #: divide the year, so every period starts at the same months each year).
    demographic_period_months: Literal[3, 4, 6, 12] = 12
    #: The month (1-12) a reporting year starts; 8, August, is the UK academic year.
    reporting_year_start_month: int = Field(default=8, ge=1, le=12)


class Institution(Strict):
    """Everything that differs from one institution to the next."""

    id: Identifier
    name: LocalText
    time_zone: str = "Europe/London"
    form: Form
    privacy_notice: PrivacyNotice
    support_resources: list[SupportResource] = Field(min_length=1)
    #: Policies and procedures (`/report/policies.html`), and how to make a formal complaint.
    policies: list[Policy] = Field(min_length=1)
    formal_complaint: FormalComplaint
    next_steps: NextSteps
    triage: Triage
    working_time: WorkingTimePolicy = Field(default_factory=WorkingTimePolicy)
    retention: Retention = Field(default_factory=Retention)
    insights: Insights = Field(default_factory=Insights)

    @model_validator(mode="after")
    def _check_resources(self) -> Institution:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {self.time_zone!r} is not a known time zone") from None
        _unique([r.id for r in self.support_resources], "support_resources", "an id")
        _unique([policy.id for policy in self.policies], "policies", "an id")
        if self.working_time.time_zone != self.time_zone:
            raise ValueError("working_time.time_zone must equal time_zone")
        self._check_triage()
        if not any(resource.emergency for resource in self.support_resources):
            raise ValueError("at least one support resource must be an emergency contact")
        for resource in self.support_resources:
            if resource.url is not None and not re.match(
                r"^(https://|tel:|mailto:|/)", resource.url
            ):
                raise ValueError(
                    f"support resource {resource.id} url must be https, tel, mailto or local"
                )
        return self

    def _check_triage(self) -> None:
        clauses = [clause for rule in self.triage.risk_rules for clause in rule.when]
        clauses += [
            clause for override in self.triage.routing.overrides for clause in override.when
        ]
        if self.triage.record_only is not None:
            clauses.append(self.triage.record_only)
        if self.triage.affected_person is not None:
            clauses.append(self.triage.affected_person.themselves)
        for clause in clauses:
            question = self.form.question(clause.question)
            if question is None or question.kind in ("text", "people"):
                raise ValueError(f"triage rule refers to unknown choice question {clause.question}")
            unknown = set(clause.any_of) - question.option_ids()
            if unknown:
                raise ValueError(
                    f"triage rule on {clause.question} names unknown {sorted(unknown)}"
                )
        self._check_affected_person()
        routing = self.triage.routing
        role = self.form.question(routing.role_question)
        if role is None or role.kind != "single":
            raise ValueError(
                f"triage.routing.role_question {routing.role_question} "
                "is not a single choice question"
            )
        roles = role.option_ids()
        mapped = set(routing.by_role)
        if roles - mapped:
            raise ValueError(f"triage.routing.by_role misses {sorted(roles - mapped)}")
        if mapped - roles:
            raise ValueError(f"triage.routing.by_role names unknown roles {sorted(mapped - roles)}")
        _unique([rule.flag for rule in self.triage.risk_rules], "risk_rules", "a flag")

    def _check_affected_person(self) -> None:
        affected = self.triage.affected_person
        for about_them, about_reporter in affected.answers.items() if affected else []:
            path = f"triage.affected_person.answers.{about_them}"
            target, source = self.form.question(about_them), self.form.question(about_reporter)
            if target is None or target.kind == "text":
                raise ValueError(f"{path}: {about_them} is not a choice question")
            if source is None or source.kind != target.kind:
                raise ValueError(f"{path}: {about_reporter} is not a {target.kind} choice question")
            # The reporter's answer stands for the affected person's: it must be one of theirs.
            missing = source.option_ids() - target.option_ids()
            if missing:
                raise ValueError(
                    f"{path}: {about_them} lacks options of {about_reporter}: {sorted(missing)}"
                )
