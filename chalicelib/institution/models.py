"""The shape of an institution's configuration, validated when it is loaded.

A mistake in the data (an option id used twice, a condition on a question that does not
exist, a required question with no options) fails at load with the path of the bad entry,
not later in front of a reporter.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]


def _has_english(text: dict[str, str]) -> dict[str, str]:
    if "en" not in text:
        raise ValueError("every text needs an English version ('en')")
    return text


#: Text per language code; English is always present.
LocalText = Annotated[
    dict[Literal["en", "cy"], Annotated[str, StringConstraints(min_length=1)]],
    AfterValidator(_has_english),
]


class Strict(BaseModel):
    """Base for configuration models: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(ids: list[str], owner: str, kind: str) -> None:
    repeated = sorted({item for item in ids if ids.count(item) > 1})
    if repeated:
        raise ValueError(f"{owner} repeats {kind}: {', '.join(repeated)}")


class Option(Strict):
    """One choice of a multiple-choice question."""

    id: Identifier
    label: LocalText


class ShowIf(Strict):
    """A question is asked only when an earlier answer includes one of these options."""

    question: Identifier
    any_of: list[Identifier] = Field(min_length=1)


class Question(Strict):
    """One question of the report form.

    `single` and `multi` answers are option ids and stay in clear (they drive triage and
    statistics). `text` answers may name people, so they are always sealed.
    """

    id: Identifier
    kind: Literal["single", "multi", "text"]
    label: LocalText
    hint: LocalText | None = None
    options: list[Option] = Field(default_factory=list)
    required: bool = False
    show_if: ShowIf | None = None
    max_length: int | None = Field(default=None, ge=1, le=20_000)

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        if self.kind == "text":
            if self.options:
                raise ValueError(f"text question {self.id} cannot have options")
            if self.max_length is None:
                raise ValueError(f"text question {self.id} needs max_length")
        else:
            if not self.options:
                raise ValueError(f"question {self.id} needs options")
            _unique([option.id for option in self.options], f"question {self.id}", "an option id")
        return self

    def option_ids(self) -> frozenset[str]:
        """The ids a valid answer may use."""
        return frozenset(option.id for option in self.options)


CONTACT_METHODS = frozenset({"email", "phone"})
NO_PREFERENCE = "no_preference"


class ContactSpec(Strict):
    """What a named reporter is asked so that an advisor can reach them."""

    contact_methods: list[Option] = Field(min_length=1)
    advisor_preferences: list[Option] = Field(min_length=1)

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


class PrivacyNotice(Strict):
    """The privacy notice a reporter sees; its version is recorded with each report."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    summary: LocalText
    url: str


class Form(Strict):
    """The report form: questions in order, contact questions, demographic questions."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    questions: list[Question] = Field(min_length=1)
    contact: ContactSpec
    narrative_max_length: int = Field(default=20_000, ge=1, le=20_000)
    demographic_questions: list[Question] = Field(default_factory=list)

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
        return self

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if the form has one."""
        return next((q for q in self.questions if q.id == question_id), None)


class NextSteps(Strict):
    """What a reporter is told happens next, once their report is accepted."""

    named: LocalText
    anonymous: LocalText


class Institution(Strict):
    """Everything that differs from one institution to the next."""

    id: Identifier
    name: LocalText
    time_zone: str = "Europe/London"
    form: Form
    privacy_notice: PrivacyNotice
    support_resources: list[SupportResource] = Field(min_length=1)
    next_steps: NextSteps

    @model_validator(mode="after")
    def _check_resources(self) -> Institution:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {self.time_zone!r} is not a known time zone") from None
        _unique([r.id for r in self.support_resources], "support_resources", "an id")
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
