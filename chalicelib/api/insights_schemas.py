"""The shapes of the analysts' statistics answers (validated before they leave)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """Base: unknown fields are an error, on the way out too."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class PeriodAnswer(Answer):
    """Whole months, both ends included."""

    from_: str = Field(alias="from", serialization_alias="from", examples=["2026-01"])
    to: str = Field(examples=["2026-12"])

    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)


class ReportingPeriodAnswer(PeriodAnswer):
    """A reporting period: demographic tables cover exactly one, whatever range was asked."""

    label: str = Field(examples=["August 2025 to July 2026"])


class DemographicPeriod(ReportingPeriodAnswer):
    """A reporting period the requested range overlaps, and whether its tables are out."""

    published: bool = Field(description="Its demographic tables are released (and final)")
    published_from: str = Field(
        description="The date (institution's time zone) from which its tables are released",
        examples=["2026-09-01"],
    )


class CurrentPeriod(ReportingPeriodAnswer):
    """The reporting period of today, whose tables come once it has ended and a grace month
    has passed."""

    published_from: str = Field(examples=["2027-09-01"])


class CountValue(Answer):
    """One value of a dimension and how many reports it counts."""

    value: str
    label: str
    count: int


class DimensionCounts(Answer):
    """Counts by one dimension (month, mode, reporter_role, behaviour, location, team,
    outcome). A report with several behaviours counts once under each."""

    dimension: str
    label: str
    values: list[CountValue]


class FirstContact(Answer):
    """Time to first contact of named cases submitted in the period."""

    cases: int
    median_hours: float | None
    within_two_working_days: float | None = Field(description="Share, 0 to 1")


class TeamCaseload(Answer):
    """Cases open now in a team."""

    team_id: str
    open: int


class Heading(Answer):
    """A row or column of a table: an option id and its English label."""

    value: str
    label: str


class DemographicTable(Answer):
    """A demographic question by behaviour over one whole reporting period (`period`), never
    over the requested range. `null` marks a suppressed value; totals are sums of their line
    (a report with several behaviours counts once in each column)."""

    period: ReportingPeriodAnswer
    question: str
    label: str
    by: str
    rows: list[Heading]
    columns: list[Heading]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


class InsightsAnswer(Answer):
    """Anonymised statistics for a period; small demographic cells suppressed."""

    period: PeriodAnswer
    suppression_threshold: int
    counted_until: str | None = Field(description="When the counting job last caught up")
    total_reports: int
    counts: list[DimensionCounts]
    first_contact: FirstContact
    caseload: list[TeamCaseload]
    demographic_periods: list[DemographicPeriod] = Field(
        description="The reporting periods the range overlaps, in order"
    )
    current_demographic_period: CurrentPeriod
    demographics: list[DemographicTable] = Field(
        description="Each question's table for each published period the range overlaps"
    )
