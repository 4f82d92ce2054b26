// The retention log, for the data protection officer (role admin):
//
//   #/records                 this month (the institution's), from GET /staff/records
//   #/records?month=YYYY-MM   another month
//
// Two tables: the cases whose personal data were redacted that month (by the retention
// schedule or an admin's erasure, under which rule, and the audit entry that records it),
// and the records deleted that month, each with whether its signed record of deletion (its
// tombstone) verifies. A redacted case later deleted leaves its redaction month's table and
// is listed in its deletion month's. Nothing personal is in either: references, dates,
// staff ids and rules only.

import { ApiError, staff } from "../api.js";
import { h, fill } from "../../../shared/dom.js";
import { retentionRule } from "../format.js";
import { button, clearErrors, showErrors, textField } from "../../../shared/forms.js";
import { monthName } from "./insights.js";
import { when } from "./parts.js";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const SWEEP = "system:retention";
const MONTH_FIELDS = {
  month: { id: "log-month-input", label: "Month", missing: "Enter a month, for example 2026-10" },
};
const REQUESTED_RULE = {
  erasure_request: "An erasure request (data-subject rights)",
  redaction_request: "A redaction request",
};

function monthForm(ctx, month) {
  const form = h(
    "form",
    { id: "log-month", class: "filters", novalidate: true, "aria-label": "Choose the month" },
    h(
      "div",
      { class: "filters__row" },
      textField({
        id: MONTH_FIELDS.month.id,
        name: "month",
        label: "Month",
        hint: "For example 2026-10. Months are in the institution's time zone.",
        type: "month",
        value: month || "",
        widthClass: "input--width-10",
      }),
    ),
    h("div", { class: "button-group" }, button("Show month", { variant: "secondary" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = form.elements.month.value.trim();
    if (value && !MONTH.test(value)) {
      showErrors(
        form,
        [{ field: "month", message: "must be a month written as YYYY-MM" }],
        MONTH_FIELDS,
      );
      return;
    }
    ctx.navigate(value ? `#/records?month=${value}` : "#/records");
  });
  return form;
}

function caseLink(reference) {
  return h("a", { class: "link link--reference", href: `#/cases/${reference}` }, reference);
}

function byWhom(actor) {
  if (actor === SWEEP) return `The retention schedule (${SWEEP})`;
  return actor ? `An admin's erasure (${actor})` : "Not recorded";
}

function ruleText(rule) {
  return REQUESTED_RULE[rule] || retentionRule(rule) || "Not recorded";
}

function redactionRow(entry) {
  return h(
    "tr",
    { class: "table__row", dataset: { reference: entry.reference, by: entry.by || "" } },
    h("th", { class: "table__header table__header--row", scope: "row" }, caseLink(entry.reference)),
    h("td", { class: "table__cell" }, when(entry.redacted_at, "Not recorded")),
    h("td", { class: "table__cell" }, byWhom(entry.actor)),
    h("td", { class: "table__cell" }, ruleText(entry.rule)),
    h(
      "td",
      { class: "table__cell table__cell--numeric" },
      entry.audit_seq === null ? "" : `#${entry.audit_seq}`,
    ),
  );
}

function deletionRow(stone) {
  const verified = stone.signature_verified === true;
  return h(
    "tr",
    { class: "table__row", dataset: { reference: stone.reference, verified: String(verified) } },
    h("th", { class: "table__header table__header--row", scope: "row" }, caseLink(stone.reference)),
    h("td", { class: "table__cell" }, when(stone.deleted_at, "Not recorded")),
    h("td", { class: "table__cell" }, ruleText(stone.rule)),
    h("td", { class: "table__cell" }, byWhom(stone.actor)),
    h(
      "td",
      { class: "table__cell" },
      verified
        ? h("strong", { class: "tag tag--green" }, "Verified")
        : h("strong", { class: "tag tag--red" }, "Not verified"),
    ),
  );
}

/** A captioned table in a focusable scrolling region, and its body to add rows to. */
function logTable(id, caption, columns) {
  const body = h("tbody", { class: "table__body" });
  const captionElement = h("caption", { class: "table__caption", id: `${id}-caption` }, caption);
  const table = h(
    "table",
    { class: "table", id },
    captionElement,
    h(
      "thead",
      { class: "table__head" },
      h(
        "tr",
        null,
        columns.map((text) => h("th", { class: "table__header", scope: "col" }, text)),
      ),
    ),
    body,
  );
  const wrapper = h(
    "div",
    { class: "table-wrapper", role: "region", "aria-labelledby": `${id}-caption`, tabindex: "0" },
    table,
  );
  return { wrapper, body, caption: captionElement };
}

export async function renderRetentionLog(ctx) {
  document.title = "Retention log — Staff portal — Report + Support";
  const requested = (ctx.query.get("month") || "").trim();
  const heading = h("h1", { class: "heading-l" }, "Retention log");
  const lead = h(
    "p",
    { class: "body lead" },
    "What retention did in a month: the cases whose personal data were redacted, and the records deleted with the signed record of each deletion. A redacted case that is later deleted leaves its redaction month's list and is listed in the month it was deleted.",
  );
  const form = monthForm(ctx, requested);
  const loading = h("p", { class: "body", "aria-busy": "true" }, "Loading the log…");
  fill(ctx.view, heading, lead, form, loading);

  let page;
  try {
    page = await staff.retentionLog({ month: requested });
  } catch (failure) {
    if (!ctx.current()) return;
    if (failure instanceof ApiError && failure.status === 400 && failure.body.errors) {
      loading.remove();
      showErrors(form, failure.body.errors, MONTH_FIELDS);
      return;
    }
    throw failure;
  }
  if (!ctx.current()) return;
  if (!requested) form.elements.month.value = page.month;

  const month = page.month;
  const redactions = logTable("redactions", "", [
    "Reference",
    "Redacted",
    "By",
    "Rule",
    "Audit entry",
  ]);
  const deletions = logTable("deletions", "", [
    "Reference",
    "Deleted",
    "Rule",
    "By",
    "Record of deletion",
  ]);
  const counts = { redactions: 0, deletions: 0 };
  let cursor = page.next_cursor;
  const more = h("div", { class: "button-group" });

  const describe = () => {
    const tail = cursor ? " so far; more below" : "";
    redactions.caption.textContent = `Redacted in ${monthName(month)}: ${counts.redactions}${tail}`;
    deletions.caption.textContent = `Deleted in ${monthName(month)}: ${counts.deletions}${tail}`;
    redactions.wrapper.hidden = counts.redactions === 0;
    deletions.wrapper.hidden = counts.deletions === 0;
    noRedactions.hidden = counts.redactions > 0 || Boolean(cursor);
    noDeletions.hidden = counts.deletions > 0 || Boolean(cursor);
  };
  const add = (next) => {
    for (const entry of next.redactions) redactions.body.append(redactionRow(entry));
    for (const stone of next.deletions) deletions.body.append(deletionRow(stone));
    counts.redactions += next.redactions.length;
    counts.deletions += next.deletions.length;
  };
  const showMoreButton = () => {
    more.replaceChildren();
    if (!cursor) return;
    const moreButton = button("More entries", {
      type: "button",
      variant: "secondary",
      onclick: async () => {
        moreButton.disabled = true;
        moreButton.textContent = "Loading more entries…";
        try {
          const next = await staff.retentionLog({ month, cursor });
          cursor = next.next_cursor;
          add(next);
          describe();
          showMoreButton();
          ctx.announce(
            `${next.redactions.length} more redacted and ${next.deletions.length} more deleted.`,
            { kind: "info", focus: false },
          );
        } catch (failure) {
          if (failure instanceof ApiError) {
            ctx.announce(failure.sentence, { kind: "error" });
            moreButton.disabled = false;
            moreButton.textContent = "More entries";
          } else throw failure;
        }
      },
    });
    more.append(moreButton);
  };

  const noRedactions = h(
    "p",
    { class: "body inset", dataset: { testid: "no-redactions" } },
    `Nothing was redacted in ${monthName(month)}.`,
  );
  const noDeletions = h(
    "p",
    { class: "body inset", dataset: { testid: "no-deletions" } },
    `Nothing was deleted in ${monthName(month)}.`,
  );
  add(page);
  describe();
  showMoreButton();

  fill(
    ctx.view,
    heading,
    lead,
    form,
    h(
      "section",
      { class: "section", id: "log-redactions", "aria-labelledby": "log-redactions-heading" },
      h("h2", { class: "heading-m", id: "log-redactions-heading" }, "Redacted"),
      h(
        "p",
        { class: "body secondary-text" },
        "Personal data removed from a case that is still held. The audit entry is the case's own record of it (open the case to verify its audit trail).",
      ),
      noRedactions,
      redactions.wrapper,
    ),
    h(
      "section",
      { class: "section", id: "log-deletions", "aria-labelledby": "log-deletions-heading" },
      h("h2", { class: "heading-m", id: "log-deletions-heading" }, "Deleted"),
      h(
        "p",
        { class: "body secondary-text" },
        "Records deleted with everything of them. Verified: the record of deletion is signed with the audit key. Not verified: it was edited or forged; do not rely on it.",
      ),
      noDeletions,
      deletions.wrapper,
    ),
    more,
  );
}
