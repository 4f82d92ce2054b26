"""The demo data set as a plan: reports and what staff do with them, step by step.

Built from a seed without the stack, so the same seed gives the same reports, answers and
staff actions in the same order (`build_plan`). Each step is one HTTP request of the real
APIs — `POST /reports` as the form sends it, a staff route as the portal calls it — at a
moment of the demo's clock; `devstack.demo_data.seeding` carries the steps out, moving the
clock forward between them. What a step needs that only the stack knows (the case's
reference, its version, a receipt code, a rights request's id) is filled in when it runs.

The shape of the data set:

- reports from the start of the academic year two years back to now, more in October-
  November and February-March, fewer in the summer and at weekends; every behaviour,
  place, reporter role and mode (named, anonymous with and without a receipt code), about
  one in six written in Welsh;
- each case taken as far as its age allows: new, assigned, contacted, in support, closed
  with each outcome, filed, reopened; some first contacts late (so the SLA watch chases
  them), a few escalated, two old closed cases under legal hold (so retention keeps them),
  and message threads with anonymous reporters who kept a receipt code;
- a repeat concern (several reports naming the same person in the same department, so the
  screeners see them linked) and a cluster of reports at one place within the trend
  window (so a trend alert is raised);
- rights requests by the data protection officer: a subject access export, an erasure, and
  one still open when the demo ends (it goes overdue as the clock moves on).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.cases.rules import affected_view, route
from chalicelib.institution.models import Institution, Question
from devstack.demo import DEMO_MEMBERS
from devstack.demo_data import texts
from devstack.demo_data.texts import Language

#: The default seed (`--demo-seed`): any integer gives another, equally fixed, data set.
DEFAULT_SEED = 16
#: The default number of reports (`--demo-reports`): enough for Insights to show real tables
#: (a few cells of 5 or more in each academic year, most still suppressed); seeding them
#: takes 3 to 4 minutes on a 2-core machine busy with other work (README).
DEFAULT_REPORTS = 150
#: The fewest reports the clusters and every stage fit in, and the most whose people get
#: numbers of their own (`texts`).
MIN_REPORTS = 12
MAX_REPORTS = 900
#: Who sends `POST /reports` and the follow-up messages: no sign-in.
REPORTER = "reporter"
#: The data protection officer of the demo directory.
DPO = "dpo-admin"
#: The academic year starts in August (as the institution's reporting year does).
YEAR_START_MONTH = 8
#: Relative volume of reports by month (1 = January): busiest at the start of each term.
MONTH_WEIGHTS = {
    1: 0.9,
    2: 1.5,
    3: 1.5,
    4: 0.8,
    5: 0.9,
    6: 0.6,
    7: 0.35,
    8: 0.35,
    9: 1.0,
    10: 1.8,
    11: 1.7,
    12: 0.7,
}
WEEKEND_WEIGHT = 0.55
#: Nothing is planned this close to the end: the last steps must have happened by "now".
END_MARGIN = timedelta(hours=2)
#: Reports younger than this at the end are left new (awaiting screening).
NEW_FOR = timedelta(days=5)

#: The place and department of the clusters (form option ids).
CLUSTER_AREA = "student_accommodation"
CONCERN_DEPARTMENT = "engineering_physical_sciences"
OUTCOMES = (
    "informal_resolution",
    "formal_complaint",
    "no_further_action",
    "referred_elsewhere",
    "reporter_withdrew",
    "unable_to_contact",
)
#: The stages a case can be left at (its status once its steps are done).
STAGES = (
    "awaiting_screening",
    "assigned",
    "contacted",
    "in_support",
    "closed",
    "filed",
    "reopened",
)

Body = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One request of the real APIs, at a moment of the demo's clock.

    `path` and string values of `body` may hold `{reference}` (the report's case),
    `{receipt_code}` (its receipt) or `{request_id}` (the rights request's id), filled in
    when the step runs; `versioned` steps also get the case's current `version`.
    """

    at: datetime
    actor: str
    method: str
    path: str
    body: Body | None
    #: What the step is, for the summary and the tests ("submit", "assign", "close", ...).
    what: str
    #: The report (its number) the step is about, if any.
    report: int | None = None
    #: The rights request (its number) the step is about, if any.
    rights_request: int | None = None
    versioned: bool = False
    #: The case's status once this step is done, when it changes it.
    reaches: str | None = None
    #: The schedules must have run up to this step's moment before it is taken (a late
    #: first contact: the SLA watch chases the case before the advisor reaches the reporter).
    on_time: bool = False


@dataclass(frozen=True)
class PlannedReport:
    """A report of the data set: when it is sent, what it says, and where it will go."""

    number: int
    at: datetime
    language: Language
    body: Body
    #: The team triage will route it to (`chalicelib.cases.rules.route`).
    team_id: str
    #: The values that identify someone (names, addresses, texts): sealed wherever kept.
    personal: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The data set: its reports and every step, in the order they are carried out."""

    seed: int
    start: datetime
    end: datetime
    reports: tuple[PlannedReport, ...]
    steps: tuple[Step, ...]
    #: Free text staff and reporters write after intake (sealed wherever kept).
    later_texts: tuple[str, ...] = field(default=())

    def stages(self) -> dict[int, str]:
        """Each report's status once every step is done."""
        reached = {report.number: "awaiting_screening" for report in self.reports}
        for step in self.steps:
            if step.report is not None and step.reaches is not None:
                reached[step.report] = step.reaches
        return reached

    def outcomes(self) -> Counter[str]:
        """How many cases are closed with each outcome (at their last closure)."""
        last: dict[int, str] = {}
        for step in self.steps:
            if step.what == "close" and step.report is not None and step.body:
                last[step.report] = str(step.body["outcome"])
        return Counter(
            outcome for number, outcome in last.items() if self.stages()[number] == "closed"
        )

    def personal_values(self) -> list[str]:
        """Every identifying value and free text the data set sends: none may be stored,
        queued, logged or emailed in clear."""
        values = [value for report in self.reports for value in report.personal]
        return sorted({*values, *self.later_texts})


def academic_year_start(moment: datetime, years_back: int = 2) -> datetime:
    """Midnight UTC on 1 August of the academic year `years_back` before `moment`'s."""
    year = moment.year if moment.month >= YEAR_START_MONTH else moment.year - 1
    return datetime(year - years_back, YEAR_START_MONTH, 1, tzinfo=UTC)


def build_plan(
    institution: Institution,
    *,
    seed: int = DEFAULT_SEED,
    reports: int = DEFAULT_REPORTS,
    start: datetime,
    end: datetime,
) -> Plan:
    """The data set of `reports` reports sent between `start` and `end`, and every step.

    Deterministic: the same institution, seed, count and dates give the same plan.
    """
    if not MIN_REPORTS <= reports <= MAX_REPORTS:
        raise ValueError(f"the demo takes {MIN_REPORTS} to {MAX_REPORTS} reports")
    if end - start < timedelta(days=120):
        raise ValueError("the demo needs at least 120 days between start and end")
    # Not for secrets: a seeded generator, so the same seed gives the same data set.
    planner = _Planner(institution, random.Random(seed), start, end)  # noqa: S311
    return planner.plan(seed, reports)


class _Deck:
    """Draws without replacement from a weighted multiset, reshuffled when empty: every value
    comes up in each round, in proportion to its weight, in a seeded order."""

    def __init__(self, rng: random.Random, weights: Mapping[str, int]) -> None:
        self._rng = rng
        self._cards = [value for value, weight in weights.items() for _ in range(weight)]
        self._left: list[str] = []

    def draw(self) -> str:
        if not self._left:
            self._left = list(self._cards)
            self._rng.shuffle(self._left)
        return self._left.pop()


@dataclass
class _Case:
    """What the planner knows of one report while planning its steps."""

    number: int
    at: datetime
    mode: str
    follow_up: bool
    language: Language
    team_id: str
    behaviour: str
    desired: list[str]
    contact_method: str | None
    stage: str
    late_contact: bool = False
    escalate: bool = False
    legal_hold: bool = False


class _Planner:
    def __init__(
        self, institution: Institution, rng: random.Random, start: datetime, end: datetime
    ) -> None:
        self.institution = institution
        self.form = institution.form
        self.rng = rng
        self.start = start
        self.end = end
        self.steps: list[Step] = []
        self.later: list[str] = []
        self.decks: dict[str, _Deck] = {}
        self.people_named = 0

    # --- the reports ------------------------------------------------------------------------

    def plan(self, seed: int, count: int) -> Plan:
        times = self._times(count - 8)
        # The clusters: a repeat concern over the last two months and four reports at one
        # place within a week, late enough that the alert and the links are current.
        concern = [self.end - timedelta(days=d, hours=h) for d, h in ((58, 3), (41, 6), (27, 2))]
        concern.append(self.end - timedelta(days=12, hours=5))
        cluster = [self.end - timedelta(days=d, hours=h) for d, h in ((19, 4), (17, 7), (15, 1))]
        cluster.append(self.end - timedelta(days=14, hours=2))
        special = {moment: "concern" for moment in concern} | dict.fromkeys(cluster, "cluster")
        every = sorted([*((moment, "") for moment in times), *special.items()])
        planned: list[PlannedReport] = []
        cases: list[_Case] = []
        for number, (moment, kind) in enumerate(every, start=1):
            report, case = self._report(number, moment, kind)
            planned.append(report)
            cases.append(case)
        self._mark_special_cases(cases)
        for case in cases:
            self._case_steps(case)
        self._rights_requests(cases)
        kept = [step for step in self.steps if step.at <= self.end - END_MARGIN]
        order = {id(step): index for index, step in enumerate(self.steps)}
        kept.sort(key=lambda step: (step.at, order[id(step)]))
        return Plan(
            seed=seed,
            start=self.start,
            end=self.end,
            reports=tuple(planned),
            steps=tuple(kept),
            later_texts=tuple(self.later),
        )

    def _times(self, count: int) -> list[datetime]:
        """`count` moments between start and end, weighted by month and weekday."""
        first = self.start.date()
        days = [
            first + timedelta(days=offset)
            for offset in range((self.end - END_MARGIN - self.start).days)
        ]
        weights = [
            MONTH_WEIGHTS[day.month] * (WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0)
            for day in days
        ]
        chosen = self.rng.choices(days, weights=weights, k=count)
        return sorted(self._during(day) for day in chosen)

    def _during(self, day: date) -> datetime:
        # Reports come in from early morning to late at night, most in the afternoon.
        hour = min(23, max(7, round(self.rng.gauss(15, 4))))
        return datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=UTC)

    def _deck(self, name: str, weights: Mapping[str, int]) -> str:
        if name not in self.decks:
            self.decks[name] = _Deck(self.rng, weights)
        return self.decks[name].draw()

    def _report(self, number: int, at: datetime, kind: str) -> tuple[PlannedReport, _Case]:
        rng = self.rng
        language: Language = "cy" if self._deck("language", {"en": 5, "cy": 1}) == "cy" else "en"
        mode = self._deck("mode", {"named": 11, "anonymous": 9})
        follow_up = mode == "anonymous" and self._deck("follow_up", {"yes": 1, "no": 1}) == "yes"
        stage = self._stage(mode, at)
        answers = self._answers(kind, stage)
        behaviour = str(answers["what_happened"][0])
        personal: list[str] = []
        body: Body = {
            "submission_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "form_version": self.form.version,
            "privacy_notice_version": self.institution.privacy_notice.version,
            "mode": mode,
            "answers": answers,
        }
        names = answers.get("involved_names")
        if isinstance(names, list):
            personal += [str(entry["name"]) for entry in names if "name" in entry]
        if rng.random() < 0.85:
            body["narrative"] = texts.narrative(language, behaviour, number)
            personal.append(body["narrative"])
        if self._demographics_asked(answers) and rng.random() < 0.65:
            body["demographics"] = self._demographics()
        contact_method = None
        if mode == "named":
            contact, contact_method = self._contact(number, language, answers, behaviour)
            body["contact"] = contact
            personal += [str(v) for k, v in contact.items() if k in _CONTACT_TEXT and v]
        elif follow_up:
            body["follow_up"] = True
        team = route(
            self.institution.triage.routing,
            affected_view(answers, self.institution.triage.affected_person),
        )
        case = _Case(
            number=number,
            at=at,
            mode=mode,
            follow_up=follow_up,
            language=language,
            team_id=team,
            behaviour=behaviour,
            desired=list(answers.get("desired_outcome", [])),
            contact_method=contact_method,
            stage=stage,
        )
        self.steps.append(Step(at, REPORTER, "POST", "/reports", body, "submit", report=number))
        report = PlannedReport(number, at, language, body, team, tuple(personal))
        return report, case

    def _stage(self, mode: str, at: datetime) -> str:
        """Where the case is left: as far as its age allows (the steps past `end` are
        dropped, so a young case stops earlier still)."""
        age = (self.end - at).days
        if mode == "anonymous":
            return self._deck("anonymous", {"filed": 8, "closed": 1})
        if age < 30:
            return self._deck(
                "named_recent", {"assigned": 2, "contacted": 2, "in_support": 3, "closed": 2}
            )
        return self._deck(
            "named_old",
            {"closed": 12, "filed": 1, "reopened": 1, "in_support": 1 if age < 200 else 0},
        )

    def _answers(self, kind: str, stage: str) -> Body:
        """Answers to every question asked, as the form would collect them."""
        answers: Body = {}
        for question in self.form.questions:
            if not _asked(question, answers):
                continue
            value = self._answer(question, answers, kind, stage)
            if value is not None:
                answers[question.id] = value
        return answers

    def _answer(self, question: Question, answers: Body, kind: str, stage: str) -> Any:
        rng = self.rng
        qid = question.id
        options = sorted(question.option_ids())
        if qid in _FIXED and kind in _FIXED[qid]:
            return _FIXED[qid][kind]
        if qid == "desired_outcome" and stage == "filed":
            return ["record_only"]
        if qid in _WEIGHTS:
            choice = self._deck(qid, _WEIGHTS[qid])
            if question.kind == "multi":
                chosen = [choice]
                extra = _EXTRA.get(qid, 0.0)
                if rng.random() < extra:
                    other = self._deck(qid, _WEIGHTS[qid])
                    if other != choice:
                        chosen.append(other)
                return chosen
            return choice
        if question.kind == "people":
            if rng.random() >= 0.35:
                return None
            if rng.random() < 0.8:
                self.people_named += 1
                return [{"name": texts.person_name(texts.REPORTED_PEOPLE_FROM + self.people_named)}]
            return [{"name_unknown": True}]
        if question.kind == "text":
            return None
        if not question.required and rng.random() < 0.25:
            return None
        if question.kind == "multi":
            return sorted(rng.sample(options, k=1 if rng.random() < 0.7 else 2))
        return rng.choice(options)

    def _demographics_asked(self, answers: Body) -> bool:
        asked_for = self.form.demographics.asked_for
        asker = self.form.reporting_for_question
        if asked_for is None or asker is None:
            return True
        return answers.get(asker) in asked_for

    def _demographics(self) -> Body:
        rng = self.rng
        given: Body = {}
        for question in self.form.demographic_questions:
            if rng.random() < 0.8:
                weights = _DEMOGRAPHIC_WEIGHTS.get(question.id)
                given[question.id] = (
                    self._deck("demo." + question.id, weights)
                    if weights
                    else rng.choice(sorted(question.option_ids()))
                )
        return given

    def _contact(
        self, number: int, language: Language, answers: Body, behaviour: str
    ) -> tuple[Body, str]:
        rng = self.rng
        role = answers.get("reporter_role")
        contact: Body = {
            "name": texts.person_name(number),
            "email": texts.email_address(number, role in ("student", "staff")),
        }
        if rng.random() < 0.6:
            contact["phone"] = texts.phone_number(number)
        method = "phone" if "phone" in contact and rng.random() < 0.5 else "email"
        contact["preferred_contact_method"] = method
        if rng.random() < 0.4:
            contact["safe_times"] = texts.safe_times(language, number)
        preferences = ["no_preference"]
        if language == "cy":
            preferences = ["welsh_speaking"]
        elif behaviour in ("sexual_assault", "sexual_harassment") and rng.random() < 0.5:
            preferences = ["sexual_violence_trained", "woman"]
        contact["advisor_preferences"] = preferences
        return contact, method

    def _mark_special_cases(self, cases: Sequence[_Case]) -> None:
        """Two old closed cases go under legal hold; a few open ones are escalated or
        contacted late (so the SLA watch has something to chase)."""
        old_closed = [
            c
            for c in cases
            if c.mode == "named" and c.stage == "closed" and (self.end - c.at).days > 320
        ]
        for case in old_closed[3:5]:
            case.legal_hold = True
        named = [c for c in cases if c.mode == "named"]
        for case in named[2::9]:
            case.late_contact = True
        recent_support = [
            c for c in named if c.stage == "in_support" and (self.end - c.at).days < 60
        ]
        for case in recent_support[:2]:
            case.escalate = True

    # --- what staff do ----------------------------------------------------------------------

    def _case_steps(self, case: _Case) -> None:
        screener, advisors = _team(case.team_id)
        staff_language = case.language if case.team_id == "student_support" else "en"

        def text(purpose: str) -> str:
            words = texts.staff_text(staff_language, purpose, case.number)
            self.later.append(words)
            return words

        def step(
            after: timedelta,
            actor: str,
            what: str,
            path: str,
            body: Body | None,
            *,
            versioned: bool = False,
            reaches: str | None = None,
            method: str = "POST",
            on_time: bool = False,
        ) -> datetime:
            moment = clock + after
            self.steps.append(
                Step(
                    moment,
                    actor,
                    method,
                    "/staff/cases/{reference}" + path,
                    body,
                    what,
                    report=case.number,
                    versioned=versioned,
                    reaches=reaches,
                    on_time=on_time,
                )
            )
            return moment

        rng = self.rng
        # Triage runs within the hour; a screener looks within a working day or so.
        clock = case.at + timedelta(hours=rng.uniform(3, 26))
        step(timedelta(0), screener, "look", "", None, method="GET")
        # The last few days' reports are still new: looked at, not yet acted on.
        new = self.end - case.at < NEW_FOR
        if case.mode == "anonymous":
            if case.follow_up:
                message = texts.staff_text(case.language, "message", case.number)
                self.later.append(message)
                self.steps.append(
                    Step(
                        case.at + timedelta(hours=rng.uniform(20, 40)),
                        REPORTER,
                        "POST",
                        "/reports/follow-up/messages",
                        {"receipt_code": "{receipt_code}", "text": message},
                        "reporter_message",
                        report=case.number,
                    )
                )
                if new:
                    return
                clock = case.at + timedelta(hours=rng.uniform(44, 70))
                step(timedelta(0), screener, "reply", "/messages", {"text": text("reply")})
            if new:
                return
            clock += timedelta(hours=rng.uniform(1, 30))
            if case.stage == "closed":
                step(
                    timedelta(0),
                    screener,
                    "close",
                    "/transitions",
                    {"to": "closed", "reason": text("file"), "outcome": "no_further_action"},
                    versioned=True,
                    reaches="closed",
                )
            else:
                step(
                    timedelta(0),
                    screener,
                    "file",
                    "/transitions",
                    {"to": "filed", "reason": text("file")},
                    versioned=True,
                    reaches="filed",
                )
            return
        if new:
            return
        if case.stage == "filed":
            step(
                timedelta(hours=1),
                screener,
                "file",
                "/transitions",
                {"to": "filed", "reason": text("file")},
                versioned=True,
                reaches="filed",
            )
            return

        def contact_attempt(result: str) -> dict[str, Any]:
            """A timeline entry: the advisor tried the reporter's contact method."""
            entry = {"type": "contact_attempt", "method": case.contact_method}
            return {"entry": {**entry, "result": result, "note": text(result)}}

        advisor = _advisor_for(case, advisors, rng)
        clock = step(
            timedelta(minutes=20),
            screener,
            "assign",
            "/assignment",
            {"advisor_id": advisor, "reason": text("assign")},
            versioned=True,
            reaches="assigned",
        )
        if case.stage == "assigned":
            if rng.random() < 0.5:
                step(
                    timedelta(hours=5),
                    advisor,
                    "contact_attempt",
                    "/timeline",
                    contact_attempt("no_answer"),
                )
            return
        if rng.random() < 0.4:
            clock = step(
                timedelta(hours=2), advisor, "reveal", "/reveal", {"purpose": text("reveal")}
            )
        if case.late_contact or rng.random() < 0.3:
            clock = step(
                timedelta(hours=3),
                advisor,
                "contact_attempt",
                "/timeline",
                contact_attempt("no_answer"),
            )
        # Late: past the two working days the SLA gives, so the watch chases it first.
        clock += timedelta(days=rng.uniform(4.5, 6) if case.late_contact else rng.uniform(0.2, 1))
        # The first attempt that reaches the reporter moves the case to contacted.
        clock = step(
            timedelta(0),
            advisor,
            "contact_attempt",
            "/timeline",
            contact_attempt("reached"),
            reaches="contacted",
            on_time=case.late_contact,
        )
        if case.stage == "contacted":
            return
        if rng.random() < 0.6:
            clock = step(
                timedelta(hours=rng.uniform(2, 30)),
                advisor,
                "assessment",
                "/timeline",
                {
                    "entry": {
                        "type": "assessment",
                        "risk_level": self._deck("risk", {"low": 3, "medium": 3, "high": 1}),
                        "needs": sorted({self._deck("need", _NEEDS), self._deck("need", _NEEDS)}),
                        "note": text("assessment"),
                    }
                },
            )
        clock = step(
            timedelta(minutes=30),
            advisor,
            "in_support",
            "/transitions",
            {"to": "in_support", "reason": text("in_support")},
            versioned=True,
            reaches="in_support",
        )
        if rng.random() < 0.5:
            clock = step(
                timedelta(days=rng.uniform(1, 6)),
                advisor,
                "note",
                "/timeline",
                {"entry": {"type": "note", "text": text("note")}},
            )
        if rng.random() < 0.5:
            action = self._deck("action", _ACTIONS)
            entry: Body = {"type": "action", "action": action}
            if action in ("safeguarding_referral", "police_disclosure"):
                entry["justification"] = text("escalate")
            clock = step(
                timedelta(hours=rng.uniform(1, 48)),
                advisor,
                "action",
                "/timeline",
                {"entry": entry},
            )
        if case.escalate:
            clock = step(
                timedelta(hours=2),
                advisor,
                "escalate",
                "/escalation",
                {"reason": text("escalate")},
                versioned=True,
            )
        if case.stage == "in_support":
            return
        outcome = self._deck("outcome", dict.fromkeys(OUTCOMES, 1))
        clock = step(
            timedelta(days=rng.uniform(10, 50)),
            advisor,
            "close",
            "/transitions",
            {"to": "closed", "reason": text("close"), "outcome": outcome},
            versioned=True,
            reaches="closed",
        )
        if case.legal_hold:
            step(
                timedelta(days=rng.uniform(20, 60)),
                DPO,
                "legal_hold",
                "/flags",
                {"flag": "legal_hold", "value": True, "reason": text("legal_hold")},
                versioned=True,
            )
        if case.stage == "reopened":
            step(
                timedelta(days=rng.uniform(7, 30)),
                screener,
                "reopen",
                "/transitions",
                {"to": "reopened", "reason": text("reopen")},
                versioned=True,
                reaches="reopened",
            )

    # --- rights requests --------------------------------------------------------------------

    def _rights_requests(self, cases: Sequence[_Case]) -> None:
        """An access request answered with an export, an erasure carried out, and one
        request still open at the end (it falls overdue a month after it was received)."""
        named = [c for c in cases if c.mode == "named" and not c.legal_hold]
        closed = [c for c in named if c.stage == "closed" and 150 < (self.end - c.at).days < 400]
        if closed:
            self._rights(1, closed[0], "access", after=timedelta(days=45), work="export")
        if len(closed) > 2:
            self._rights(2, closed[1], "erasure", after=timedelta(days=90), work="erasure")
        recent = [c for c in named if 20 < (self.end - c.at).days < 60]
        if recent:
            self._rights(3, recent[0], "access", after=None, work=None)

    def _rights(
        self,
        number: int,
        case: _Case,
        kind: str,
        *,
        after: timedelta | None,
        work: str | None,
    ) -> None:
        at = self.end - timedelta(days=6) if after is None else case.at + after
        # Which report's email: the demo data's own, as the reporter gave it (see _contact).
        email = _email_of(self.steps, case.number)
        base = "/staff/rights/requests"
        self.steps.append(
            Step(
                at,
                DPO,
                "POST",
                base,
                {"kind": kind, "email": email},
                "rights_request",
                rights_request=number,
            )
        )
        if work is None:
            return
        reason = texts.rights_text(work, number)
        close = texts.rights_text("close", number)
        self.later += [reason] if work == "erasure" else [reason, close]
        path = base + "/{request_id}"
        self.steps.append(
            Step(
                at + timedelta(days=2),
                DPO,
                "POST",
                f"{path}/{work}",
                {"reason": reason},
                work,
                rights_request=number,
                report=case.number if work == "erasure" else None,
            )
        )
        if work == "erasure":
            return  # an erasure carried out closes its request
        self.steps.append(
            Step(
                at + timedelta(days=3),
                DPO,
                "POST",
                f"{path}/close",
                {"outcome": "completed", "reason": close},
                "rights_close",
                rights_request=number,
            )
        )


def _asked(question: Question, answers: Mapping[str, Any]) -> bool:
    if question.show_if is None:
        return True
    given = answers.get(question.show_if.question)
    chosen = set(given) if isinstance(given, list) else {given}
    return bool(chosen & set(question.show_if.any_of))


def _team(team_id: str) -> tuple[str, list[str]]:
    """The team's screener and advisors in the demo directory."""
    members = [m for m in DEMO_MEMBERS if m.team_id == team_id]
    screener = next(m.member_id for m in members if "screener" in m.roles)
    return screener, [m.member_id for m in members if "advisor" in m.roles]


def _advisor_for(case: _Case, advisors: Sequence[str], rng: random.Random) -> str:
    """An advisor meeting the reporter's needs where the team has one."""
    by_id = {m.member_id: m for m in DEMO_MEMBERS}
    if case.language == "cy":
        speaking = [a for a in advisors if "cy" in by_id[a].languages]
        if speaking:
            return speaking[0]
    if case.behaviour in ("sexual_assault", "sexual_harassment"):
        trained = [a for a in advisors if "sexual_violence" in by_id[a].specialisms]
        if trained:
            return trained[0]
    return rng.choice(sorted(advisors))


def _email_of(steps: Sequence[Step], number: int) -> str:
    submit = next(s for s in steps if s.what == "submit" and s.report == number)
    assert submit.body is not None
    return str(submit.body["contact"]["email"])


def steps_by_report(plan: Plan) -> Iterator[tuple[int, list[Step]]]:
    """Each report's steps, in order (for the tests and the summary)."""
    grouped: dict[int, list[Step]] = {}
    for step in plan.steps:
        if step.report is not None:
            grouped.setdefault(step.report, []).append(step)
    yield from sorted(grouped.items())


_CONTACT_TEXT = ("name", "email", "phone", "safe_times")
#: Answers the clusters fix: the repeat concern names one person in one department; the
#: place cluster is on campus, in one area.
_FIXED: dict[str, dict[str, Any]] = {
    "involved_names": {"concern": [{"name": texts.person_name(texts.REPEATED_PERSON)}]},
    "involved_department": {"concern": CONCERN_DEPARTMENT},
    "where": {"cluster": "on_campus"},
    "campus_area": {"cluster": CLUSTER_AREA},
}
#: Relative frequencies of the answers that shape the data set (decks: each value comes up).
_WEIGHTS: dict[str, dict[str, int]] = {
    "reporter_role": {"student": 13, "staff": 4, "visitor": 2, "other": 1},
    "reporting_for": {"myself": 14, "someone_else": 3, "witness": 3},
    "under_18": {"no": 14, "prefer_not_to_say": 2, "yes": 1},
    "what_happened": {
        "bullying": 4,
        "verbal_harassment": 5,
        "sexual_harassment": 4,
        "sexual_assault": 2,
        "physical_violence": 1,
        "stalking": 2,
        "online_harassment": 4,
        "discrimination_or_hate": 4,
        "other": 1,
    },
    "where": {"on_campus": 6, "off_campus": 2, "online": 3},
    "campus_area": {
        "teaching_building": 4,
        "library": 2,
        "student_accommodation": 4,
        "sports_facilities": 1,
        "students_union": 3,
        "catering_or_social_space": 2,
        "office_or_workplace": 2,
        "outdoor_campus": 1,
        "other": 1,
    },
    "immediate_danger": {"no": 18, "not_sure": 2, "yes": 1},
    "ongoing": {"no": 4, "yes": 3, "not_sure": 2},
}
#: Chance a multiple-choice answer has a second option.
_EXTRA = {"what_happened": 0.3}
_DEMOGRAPHIC_WEIGHTS: dict[str, dict[str, int]] = {
    "age_band": {"18_24": 12, "25_34": 4, "35_44": 2, "45_54": 1, "55_plus": 1},
    "gender": {"woman": 10, "man": 6, "non_binary": 2, "prefer_not_to_say": 1},
    "ethnicity": {"white": 10, "asian": 4, "black": 3, "mixed": 2, "prefer_not_to_say": 1},
}
_NEEDS = {
    "safety_planning": 2,
    "no_contact_measures": 2,
    "academic_adjustments": 3,
    "workplace_adjustments": 1,
    "accommodation_move": 1,
    "counselling": 3,
    "reporting_options": 3,
}
_ACTIONS = {
    "signposted_counselling": 4,
    "signposted_external_services": 2,
    "informed_department": 2,
    "informed_security": 1,
    "informed_students_union": 1,
    "safeguarding_referral": 1,
}
