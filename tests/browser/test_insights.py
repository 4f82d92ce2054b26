"""The analysts' dashboard in Chromium: the counts the insights job made from reports in the
running stack, drawn as bar charts with a data table under each; a demographic table under
its reporting period's heading, a small cell shown as "suppressed" and its count nowhere on
the page; the CSV downloaded.

Demographic tables are published only for reporting periods that have ended (and a grace
month since), so reports sent now could not show in one. The reports are therefore
submitted through the real intake dated March 2020 (reporting year August 2019 to July
2020; `tests/browser/insights.py`), triaged and counted by the stack like any other, and the
period released by the job's own release step at September 2020. They are anonymous and
answer the religion question, which no other browser test answers, so the religion table's
cells are known exactly: 6 Buddhist + bullying, 6 Buddhist + stalking, 6 Christian +
bullying and 2 Hindu + bullying. The Hindu + bullying cell (2) is under k = 5 and must be
suppressed. The stack's scheduler runs the insights job every 15 seconds
(`--schedule-scale 60`); the test waits until the job has counted every report.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.form import Checkpoint
from tests.browser.insights import release_at, submit_at
from tests.browser.portal import CspWatch, section_links, sign_in, staff_call
from tests.e2e.reports import report_with_reference, wait_for_triage
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission
from tests.sentinels import wait_until

pytestmark = pytest.mark.browser

ANALYST = "di-analyst"
K = 5
#: (religion, what happened) of each report the test sends.
SENT = (
    [("buddhist", "bullying")] * 6
    + [("buddhist", "stalking")] * 6
    + [("christian", "bullying")] * 6
    + [("hindu", "bullying")] * 2
)
SUPPRESSED_ROW, SUPPRESSED_COLUMN, SUPPRESSED_COUNT = "hindu", "bullying", 2
#: When the reports are dated, the reporting period they fall in, and when it is released.
SUBMITTED = datetime(2020, 3, 10, 9, tzinfo=UTC)
PERIOD = "2019-08/2020-07"
PERIOD_LABEL = "August 2019 to July 2020"
RELEASED = datetime(2020, 9, 2, 9, tzinfo=UTC)
#: The insights job runs every 15 s on the test stack; two runs and some slack.
COUNTING_SECONDS = 45
#: A number standing alone in text (not part of a longer number or a decimal).
_ALONE = r"(?<![\d.]){}(?![\d.])"


@pytest.fixture
def counted(stack: RunningStack) -> None:
    """The reports in SENT, submitted in March 2020, triaged and counted by the stack, and
    their reporting period released."""
    bodies = [
        anonymous_submission(
            answers={"what_happened": [behaviour]}, demographics={"religion": religion}
        )
        for religion, behaviour in SENT
    ]
    references = submit_at(stack, SUBMITTED, bodies)
    for reference in references:
        wait_for_triage(stack, reference)

    def all_counted() -> bool:
        # The job removes `insight_pending` in the same transaction that adds the report's
        # counts (and its demographic answers) to the counters.
        items = [report_with_reference(stack, reference) for reference in references]
        return all(item is not None and "insight_pending" not in item for item in items)

    assert wait_until(all_counted, COUNTING_SECONDS, interval=1), (
        f"the insights job did not count the reports within {COUNTING_SECONDS} s"
    )
    # Everything is counted: what the job's run at that moment would then do.
    assert release_at(stack, RELEASED) >= 1


def charts_and_tables(page: Page) -> list[dict[str, Any]]:
    """For every chart on the page: what Chart.js was given, and its table's published rows."""
    found: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
            const chart = Chart.getChart(canvas);
            const table = document.querySelector(`table[data-table="${canvas.dataset.chart}"]`);
            const rows = [...table.querySelectorAll("tbody tr")].map((row) => ({
                label: row.querySelector("th").textContent,
                cell: row.querySelector("td").textContent,
                suppressed: row.querySelector("td").dataset.suppressed === "true",
            }));
            const context = canvas.getContext("2d");
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
            return {
                name: canvas.dataset.chart,
                drawn: canvas.dataset.drawn === "true",
                labels: chart ? chart.data.labels : null,
                data: chart ? chart.data.datasets.map((set) => set.data) : null,
                painted,
                rows,
            };
        })"""
    )
    return found


def table_count(page: Page, dimension: str, value: str) -> str:
    """The text of a count table's cell for one value."""
    return page.locator(f'table[data-table="{dimension}"] tr[data-value="{value}"] td').inner_text()


def test_an_analyst_reads_the_dashboard_and_downloads_the_csv(
    open_page: Callable[..., Page],
    checkpoint: Checkpoint,
    stack: RunningStack,
    counted: None,
) -> None:
    page = open_page()
    csp = CspWatch(page)

    # Signing in lands an analyst on the dashboard, its charts drawn.
    sign_in(page, checkpoint, ANALYST)
    expect(page.locator("main h1")).to_have_text("Insights")
    assert page.url.endswith("#/insights")
    assert section_links(page) == ["Insights"]
    expect(page.locator("#insights")).to_have_attribute("data-charts", "drawn")
    expect(page.get_by_test_id("counted-until").locator("time")).to_be_visible()
    # The last twelve months: the current reporting period is not published yet, and the
    # page says when it will be.
    expect(page.get_by_test_id("next-demographic-release")).to_contain_text(
        "will be published from"
    )
    checkpoint(page, "dashboard")

    # The year of the reports: their reporting period's tables are out.
    page.get_by_label("From (month)").fill("2020-01")
    page.get_by_label("To (month)").fill("2020-12")
    page.get_by_role("button", name="Show period").click()
    expect(page.locator("#insights")).to_have_attribute("data-charts", "drawn")
    assert page.url.endswith("#/insights?from=2020-01&to=2020-12")

    # Every chart is drawn from exactly the published rows of the table under it.
    charts = charts_and_tables(page)
    names = {chart["name"] for chart in charts}
    assert {"behaviour", "month"} <= names, names
    for chart in charts:
        published = [row for row in chart["rows"] if not row["suppressed"]]
        assert chart["drawn"], chart["name"]
        assert chart["painted"] > 0, f"the {chart['name']} chart's canvas is blank"
        assert chart["labels"] == [row["label"] for row in published], chart
        assert chart["data"] == [[int(row["cell"]) for row in published]], chart
        for row in chart["rows"]:
            if row["suppressed"]:
                assert row["cell"] == "suppressed"
                assert row["label"] not in chart["labels"]

    # The behaviour counts include this test's reports (other tests' reports may add more).
    assert int(table_count(page, "behaviour", "bullying")) >= 14
    assert int(table_count(page, "behaviour", "stalking")) >= 6

    # The religion table: the small cell says "suppressed", and every number shown is >= k.
    in_period = page.locator(f'section[data-period="{PERIOD}"]')
    expect(in_period.locator("h3")).to_have_text(f"Reporting period: {PERIOD_LABEL}")
    religion = in_period.locator('table[data-demographics="religion"]')
    cell = religion.locator(
        f'tr[data-row="{SUPPRESSED_ROW}"] td[data-column="{SUPPRESSED_COLUMN}"]'
    )
    expect(cell).to_have_text("suppressed")
    expect(cell).to_have_attribute("data-suppressed", "true")
    demographics = page.locator('section[data-section="demographics"]')
    for text in demographics.locator("td").all_inner_texts():
        assert text == "suppressed" or int(text) >= K, text
    expect(page.get_by_test_id("suppression-note")).to_contain_text(f"k = {K}")

    # Its count (2) is nowhere: not in the demographic tables' text, not in the cell's
    # markup, not given to any chart — and the API itself sent null for it.
    alone = re.compile(_ALONE.format(SUPPRESSED_COUNT))
    assert not alone.search(demographics.inner_text())
    assert not re.search(r"\d", cell.evaluate("(element) => element.outerHTML"))
    token = stack.access_token(ANALYST)
    answer = staff_call(stack, token, "GET", "/staff/insights?from=2020-01&to=2020-12")
    assert answer.status_code == 200, answer.text
    table = next(t for t in answer.json()["demographics"] if t["question"] == "religion")
    assert table["period"] == {"from": "2019-08", "to": "2020-07", "label": PERIOD_LABEL}
    row = [r["value"] for r in table["rows"]].index(SUPPRESSED_ROW)
    column = [c["value"] for c in table["columns"]].index(SUPPRESSED_COLUMN)
    assert table["cells"][row][column] is None
    checkpoint(page, "demographics")

    # The CSV: fetched with the token, saved from a Blob.
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == "insights-2020-01-to-2020-12.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0] == ["table", "row", "row_label", "column", "column_label", "value", "period"]
    religion_rows = {(row[1], row[3]): row[5] for row in rows if row[0] == "demographics:religion"}
    assert {row[6] for row in rows if row[0] == "demographics:religion"} == {PERIOD}
    assert religion_rows[(SUPPRESSED_ROW, SUPPRESSED_COLUMN)] == "suppressed"
    assert str(SUPPRESSED_COUNT) not in religion_rows.values()
    checkpoint(page, "csv-downloaded")

    # Another period: a year long past holds no report.
    page.get_by_label("From (month)").fill("2018-01")
    page.get_by_label("To (month)").fill("2018-03")
    page.get_by_role("button", name="Show period").click()
    expect(page.get_by_test_id("total-reports")).to_have_text("0")
    expect(page.locator("#insights")).to_have_attribute("data-charts", "drawn")
    assert page.url.endswith("#/insights?from=2018-01&to=2018-03")
    checkpoint(page, "empty-period")

    assert not csp.violations, csp.violations
