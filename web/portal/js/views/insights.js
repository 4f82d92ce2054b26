// The analysts' dashboard (#/insights): anonymised counts for a period of months, drawn as
// bar charts with a data table under each, time to first contact, open caseload per team,
// demographic breakdowns with small cells suppressed (one set of tables per published
// reporting period, with when the current period's come), and the same tables as CSV.
//
// Everything comes from GET /staff/insights, which the insights job precomputes. A value the
// API sends as null is suppressed: it is shown as the word "suppressed", never as a number
// and never as a bar (charts are given published values only; see charts.js).

import { ApiError, saveBlob, staff } from "../api.js";
import { barChartFigure, drawBarChart } from "../charts.js";
import { h, fill } from "../../../shared/dom.js";
import { dateTime, label, TEAM } from "../format.js";
import { button, clearErrors, showErrors, textField, whileBusy } from "../../../shared/forms.js";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MONTH_NAMES = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
]; // prettier-ignore

const PERIOD_FIELDS = {
  from: {
    id: "insights-from",
    label: "From",
    missing: "Enter the first month, for example 2026-01",
  },
  to: { id: "insights-to", label: "To", missing: "Enter the last month, for example 2026-12" },
};

/** "2026-01" as "January 2026" (anything else as it is). */
export function monthName(value) {
  if (!MONTH.test(value || "")) return value || "";
  const [year, month] = value.split("-");
  return `${MONTH_NAMES[Number(month) - 1]} ${year}`;
}

function isSuppressed(value) {
  return value === null || value === undefined;
}

/** A count for reading: the number, or the word "suppressed". */
function countText(value) {
  return isSuppressed(value) ? "suppressed" : String(value);
}

/** A table cell for a count; a suppressed one says so and carries no number at all. */
function countCell(value, { dataset = {} } = {}) {
  if (isSuppressed(value)) {
    return h(
      "td",
      {
        class: "table__cell table__cell--numeric table__cell--suppressed",
        dataset: { ...dataset, suppressed: "true" },
      },
      "suppressed",
    );
  }
  return h("td", { class: "table__cell table__cell--numeric", dataset }, String(value));
}

function periodFrom(query) {
  const period = {};
  for (const name of ["from", "to"]) {
    const value = (query.get(name) || "").trim();
    if (value) period[name] = value;
  }
  return period;
}

function periodForm(ctx, period) {
  const form = h(
    "form",
    {
      id: "insights-period",
      class: "filters",
      novalidate: true,
      "aria-label": "Choose the period",
    },
    h(
      "div",
      { class: "filters__row" },
      textField({
        id: PERIOD_FIELDS.from.id,
        name: "from",
        label: "From (month)",
        hint: "For example 2026-01",
        type: "month",
        value: period.from || "",
        widthClass: "input--width-10",
      }),
      textField({
        id: PERIOD_FIELDS.to.id,
        name: "to",
        label: "To (month)",
        hint: "For example 2026-12",
        type: "month",
        value: period.to || "",
        widthClass: "input--width-10",
      }),
    ),
    h("div", { class: "button-group" }, button("Show period", { variant: "secondary" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const from = form.elements.from.value.trim();
    const to = form.elements.to.value.trim();
    const problems = [];
    if (from && !MONTH.test(from))
      problems.push({ field: "from", message: "must be a month written as YYYY-MM" });
    if (to && !MONTH.test(to))
      problems.push({ field: "to", message: "must be a month written as YYYY-MM" });
    if (!problems.length && from && to && from > to) {
      problems.push({ field: "to", message: "must be the same month as From or later" });
    }
    if (problems.length) {
      showErrors(form, problems, PERIOD_FIELDS);
      return;
    }
    const query = new URLSearchParams();
    if (from) query.set("from", from);
    if (to) query.set("to", to);
    const text = query.toString();
    ctx.navigate(text ? `#/insights?${text}` : "#/insights");
  });
  return form;
}

/** The API's name for a bad query field, as the form knows it ("query.from" → "from"). */
function fieldOf(problem) {
  const field = String(problem.field || "")
    .split(".")
    .pop();
  return { ...problem, field };
}

export async function renderInsights(ctx) {
  document.title = "Insights — Staff portal — Report + Support";
  const requested = periodFrom(ctx.query);
  const heading = h("h1", { class: "heading-l" }, "Insights");
  const lead = h(
    "p",
    { class: "body lead" },
    "Anonymised counts of the reports made, month by month. Nothing on this page identifies a person or a case.",
  );
  const form = periodForm(ctx, requested);
  const loading = h("p", { class: "body", "aria-busy": "true" }, "Loading the statistics…");
  fill(ctx.view, heading, lead, form, loading);

  let insights;
  try {
    insights = await staff.insights(requested);
  } catch (failure) {
    if (!ctx.current()) return;
    if (failure instanceof ApiError && failure.status === 400 && failure.body.errors) {
      loading.remove();
      showErrors(form, failure.body.errors.map(fieldOf), PERIOD_FIELDS);
      return;
    }
    throw failure;
  }
  if (!ctx.current()) return;

  const period = insights.period || requested;
  form.elements.from.value = period.from || "";
  form.elements.to.value = period.to || "";
  const k = insights.suppression_threshold;
  const charts = [];

  const page = h(
    "div",
    { id: "insights", dataset: { charts: "drawing" } },
    overview(insights, period),
    suppressionNote(k),
    csvDownload(ctx, period),
    (insights.counts || []).map((dimension) => countsSection(dimension, charts)),
    firstContactSection(insights.first_contact),
    caseloadSection(insights.caseload || [], charts),
    demographicsSection(insights, k),
  );
  fill(ctx.view, heading, lead, form, page);

  try {
    for (const chart of charts) {
      if (!ctx.current()) return;
      await drawBarChart(chart.canvas, chart.values, { axisTitle: chart.unit });
      chart.canvas.dataset.drawn = "true";
    }
    page.dataset.charts = "drawn";
  } catch (failure) {
    if (!ctx.current()) return;
    page.dataset.charts = "failed";
    for (const chart of charts) {
      chart.canvas
        .closest("figure")
        ?.replaceWith(
          h(
            "p",
            { class: "body secondary-text" },
            "The chart could not be drawn. The table below has every number.",
          ),
        );
    }
    console.error(failure);
  }
}

function overview(insights, period) {
  const rows = [
    ["Period", `${monthName(period.from)} to ${monthName(period.to)}`, "period"],
    ["Reports made in the period", countText(insights.total_reports), "total-reports"],
    [
      "Counted until",
      insights.counted_until
        ? h("time", { datetime: insights.counted_until }, dateTime(insights.counted_until))
        : "Not counted yet: the statistics are counted every 15 minutes.",
      "counted-until",
    ],
  ];
  return h(
    "dl",
    { class: "summary-list" },
    rows.map(([key, value, testid]) =>
      h(
        "div",
        { class: "summary-list__row" },
        h("dt", { class: "summary-list__key" }, key),
        h("dd", { class: "summary-list__value", "data-testid": testid }, value),
      ),
    ),
  );
}

function suppressionNote(k) {
  return h(
    "div",
    { class: "inset", "data-testid": "suppression-note" },
    h("h2", { class: "heading-s" }, "Why some numbers say “suppressed”"),
    h(
      "p",
      { class: "body" },
      `A small number can point to a person, especially next to demographic answers. So any count under ${k} (the threshold k = ${k}) is shown as “suppressed”, never as a number or a bar, and a few larger counts are suppressed too, where a total would otherwise let someone work out a small one.`,
    ),
  );
}

function csvDownload(ctx, period) {
  const download = button("Download CSV", {
    type: "button",
    variant: "secondary",
    testid: "download-csv",
    onclick: async () => {
      const group = download.parentElement;
      await whileBusy(group, async () => {
        try {
          const blob = await staff.insightsCsv(period);
          saveBlob(blob, `insights-${period.from}-to-${period.to}.csv`);
          ctx.announce("The CSV file has been downloaded.", { focus: false });
        } catch (failure) {
          if (failure instanceof ApiError) ctx.announce(failure.sentence, { kind: "error" });
          else throw failure;
        }
      });
    },
  });
  return h(
    "div",
    { class: "button-group" },
    download,
    h(
      "p",
      { class: "hint" },
      "Every table on this page, with suppressed cells written as “suppressed”.",
    ),
  );
}

// --- counts per dimension ----------------------------------------------------------------

function chartAndTable({ name, title, valueHeading, values, charts, unit = "Reports" }) {
  const published = values.filter((value) => !isSuppressed(value.count));
  const parts = [];
  if (published.length) {
    const { figure, canvas } = barChartFigure({
      name,
      bars: published.length,
      description: `${title}: ${unit.toLowerCase()} for each of ${published.length} ${published.length === 1 ? "value" : "values"}.`,
    });
    charts.push({ canvas, values, unit });
    parts.push(figure);
  }
  if (!values.length) {
    parts.push(h("p", { class: "body secondary-text" }, "No reports in this period."));
    return parts;
  }
  const tableId = `table-${name}`;
  parts.push(
    h(
      "div",
      {
        class: "table-wrapper",
        role: "region",
        "aria-labelledby": `${tableId}-caption`,
        tabindex: "0",
      },
      h(
        "table",
        { class: "table table--small", id: tableId, dataset: { table: name } },
        h(
          "caption",
          { class: "table__caption", id: `${tableId}-caption` },
          `${title}: ${unit.toLowerCase()}`,
        ),
        h(
          "thead",
          { class: "table__head" },
          h(
            "tr",
            null,
            h("th", { class: "table__header", scope: "col" }, valueHeading),
            h("th", { class: "table__header table__header--numeric", scope: "col" }, unit),
          ),
        ),
        h(
          "tbody",
          { class: "table__body" },
          values.map((value) =>
            h(
              "tr",
              { dataset: { value: value.value } },
              h("th", { class: "table__header table__header--row", scope: "row" }, value.label),
              countCell(value.count),
            ),
          ),
        ),
      ),
    ),
  );
  return parts;
}

function countsSection(dimension, charts) {
  const isMonth = dimension.dimension === "month";
  const values = (dimension.values || []).map((value) => ({
    value: value.value,
    label:
      isMonth && (!value.label || value.label === value.value)
        ? monthName(value.value)
        : value.label || label(null, value.value),
    count: value.count,
  }));
  const headingId = `counts-${dimension.dimension}-heading`;
  return h(
    "section",
    { class: "section", "aria-labelledby": headingId, dataset: { dimension: dimension.dimension } },
    h("h2", { class: "heading-m", id: headingId }, dimension.label),
    chartAndTable({
      name: dimension.dimension,
      title: dimension.label,
      valueHeading: dimension.label,
      values,
      charts,
    }),
  );
}

// --- first contact and caseload ------------------------------------------------------------

function firstContactSection(firstContact) {
  const data = firstContact || {};
  const none = !data.cases;
  const hours = (value) =>
    isSuppressed(value)
      ? "suppressed"
      : `${Number(value).toLocaleString("en-GB", { maximumFractionDigits: 1 })} hours`;
  const share = (value) =>
    isSuppressed(value) ? "suppressed" : `${Math.round(Number(value) * 100)}%`;
  return h(
    "section",
    {
      class: "section",
      "aria-labelledby": "first-contact-heading",
      dataset: { section: "first-contact" },
    },
    h("h2", { class: "heading-m", id: "first-contact-heading" }, "Time to first contact"),
    h(
      "p",
      { class: "body" },
      "Named reports whose reporter was first contacted in the period. The agreed time is two working days from the report.",
    ),
    none && !isSuppressed(data.cases)
      ? h(
          "p",
          { class: "body secondary-text", "data-testid": "first-contact-none" },
          "No first contacts in this period.",
        )
      : h(
          "dl",
          { class: "summary-list", "data-testid": "first-contact" },
          [
            ["Cases contacted", countText(data.cases)],
            ["Median time to first contact", hours(data.median_hours)],
            ["Contacted within two working days", share(data.within_two_working_days)],
          ].map(([key, value]) =>
            h(
              "div",
              { class: "summary-list__row" },
              h("dt", { class: "summary-list__key" }, key),
              h("dd", { class: "summary-list__value" }, value),
            ),
          ),
        ),
  );
}

function caseloadSection(caseload, charts) {
  const values = caseload.map((row) => ({
    value: row.team_id,
    label: row.label || label(TEAM, row.team_id),
    count: row.open,
  }));
  return h(
    "section",
    { class: "section", "aria-labelledby": "caseload-heading", dataset: { section: "caseload" } },
    h("h2", { class: "heading-m", id: "caseload-heading" }, "Open caseload by team"),
    h("p", { class: "body" }, "Cases open now, whatever the period chosen."),
    chartAndTable({
      name: "caseload",
      title: "Open caseload by team",
      valueHeading: "Team",
      values,
      charts,
      unit: "Open cases",
    }),
  );
}

// --- demographics ---------------------------------------------------------------------------

/** "2027-09-01" as "1 September 2027" (anything else as it is). */
function dayName(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  if (!match) return value || "";
  return `${Number(match[3])} ${MONTH_NAMES[Number(match[2]) - 1]} ${match[1]}`;
}

/** Today as "yyyy-mm-dd" (the browser's date: only to word a note). */
function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function periodKey(period) {
  return `${period.from}/${period.to}`;
}

function demographicsSection(insights, k) {
  const tables = insights.demographics || [];
  const periods = insights.demographic_periods || [];
  const current = insights.current_demographic_period;
  const byPeriod = new Map();
  for (const table of tables) {
    const key = periodKey(table.period || {});
    if (!byPeriod.has(key)) byPeriod.set(key, { period: table.period, tables: [] });
    byPeriod.get(key).tables.push(table);
  }
  const pending = periods.filter((period) => !period.published);
  return h(
    "section",
    {
      class: "section",
      "aria-labelledby": "demographics-heading",
      dataset: { section: "demographics" },
    },
    h("h2", { class: "heading-m", id: "demographics-heading" }, "Demographic breakdowns"),
    h(
      "p",
      { class: "body" },
      `Answers to the optional demographic questions, by what happened. They describe the person it happened to, whoever reported it. Reporters may choose more than one kind of behaviour, so a report can count in more than one column. Cells under ${k} are suppressed.`,
    ),
    h(
      "p",
      { class: "body", "data-testid": "demographic-periods-note" },
      "Each table covers a whole reporting period, whatever months you choose above, and is published once the period has ended and a month has passed. A published table never changes, so two tables can never be compared to reveal a small number.",
    ),
    current
      ? h(
          "p",
          { class: "body", "data-testid": "next-demographic-release" },
          `The tables for ${current.label} will be published from ${dayName(current.published_from)}.`,
        )
      : null,
    pending
      .filter((period) => !current || periodKey(period) !== periodKey(current))
      .map((period) =>
        h(
          "p",
          { class: "body secondary-text", dataset: { pendingPeriod: periodKey(period) } },
          period.published_from > today()
            ? `The tables for ${period.label} will be published from ${dayName(period.published_from)}.`
            : `The tables for ${period.label} are not published.`,
        ),
      ),
    byPeriod.size
      ? [...byPeriod.values()].map(({ period, tables: inPeriod }) => periodTables(period, inPeriod))
      : h(
          "p",
          { class: "body secondary-text" },
          "No demographic tables are published for the months chosen.",
        ),
  );
}

function periodTables(period, tables) {
  const id = `demographics-period-${period.from}`;
  return h(
    "section",
    { class: "demographic-period", "aria-labelledby": id, dataset: { period: periodKey(period) } },
    h("h3", { class: "heading-s", id }, `Reporting period: ${period.label}`),
    tables.map((table) => demographicTable(table)),
  );
}

function demographicTable(table) {
  const id = `demographics-${table.question}-${(table.period || {}).from || "period"}`;
  const byLabel = table.by === "behaviour" ? "what happened" : label(null, table.by).toLowerCase();
  const title = `${table.label} by ${byLabel}`;
  const columns = table.columns || [];
  const rows = table.rows || [];
  const cells = table.cells || [];
  const rowTotals = table.row_totals || [];
  const columnTotals = table.column_totals || [];
  return h(
    "div",
    { class: "demographic" },
    h("h4", { class: "heading-s", id: `${id}-heading` }, title),
    h(
      "div",
      { class: "table-wrapper", role: "region", "aria-labelledby": `${id}-heading`, tabindex: "0" },
      h(
        "table",
        {
          class: "table table--small",
          id,
          dataset: { demographics: table.question, period: periodKey(table.period || {}) },
        },
        h(
          "caption",
          { class: "visually-hidden" },
          `${title}, ${(table.period || {}).label || ""}: number of reports`,
        ),
        h(
          "thead",
          { class: "table__head" },
          h(
            "tr",
            null,
            h("th", { class: "table__header", scope: "col" }, table.label),
            columns.map((column) =>
              h(
                "th",
                { class: "table__header table__header--numeric", scope: "col" },
                column.label,
              ),
            ),
            h("th", { class: "table__header table__header--numeric", scope: "col" }, "Total"),
          ),
        ),
        h(
          "tbody",
          { class: "table__body" },
          rows.map((row, index) =>
            h(
              "tr",
              { dataset: { row: row.value } },
              h("th", { class: "table__header table__header--row", scope: "row" }, row.label),
              columns.map((column, columnIndex) =>
                countCell((cells[index] || [])[columnIndex], { dataset: { column: column.value } }),
              ),
              countCell(rowTotals[index], { dataset: { column: "total" } }),
            ),
          ),
        ),
        h(
          "tfoot",
          null,
          h(
            "tr",
            { class: "table__row--total", dataset: { row: "total" } },
            h("th", { class: "table__header table__header--row", scope: "row" }, "Total"),
            columns.map((column, columnIndex) =>
              countCell(columnTotals[columnIndex], { dataset: { column: column.value } }),
            ),
            countCell(table.total, { dataset: { column: "total" } }),
          ),
        ),
      ),
    ),
  );
}
