// The first page after signing in: the queue (screeners and advisors), finding a case by
// reference (everyone with case access), or a short page for roles without case access.

import { may } from "../access.js";
import { ApiError, staff } from "../api.js";
import { h, fill } from "../../../shared/dom.js";
import { dateTime, label, listOf, MODE, PRIORITY, RISK_FLAG, STATUS, TEAM } from "../format.js";
import { button, clearErrors, showErrors, textField } from "../../../shared/forms.js";
import { tag } from "./parts.js";

const OPEN_STATUSES = ["awaiting_screening", "assigned", "contacted", "in_support", "reopened"];
const PRIORITIES = ["urgent", "high", "normal"];
const REFERENCE = /^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

export async function renderHome(ctx) {
  if (may(ctx.me, "work_queue")) return renderQueue(ctx);
  if (may(ctx.me, "find_case")) return renderFind(ctx);
  return renderNoAccess(ctx);
}

// --- roles without case access --------------------------------------------------------

function renderNoAccess(ctx) {
  document.title = "No case access — Staff portal — Report + Support";
  fill(
    ctx.view,
    h("h1", { class: "heading-l" }, "No case access"),
    h(
      "p",
      { class: "body" },
      "Your role does not give you access to individual cases. Cases are seen only by the screeners of the team a report is routed to and by the advisor assigned to it.",
    ),
    may(ctx.me, "read_insights")
      ? h(
          "p",
          { class: "body" },
          "Anonymised statistics are on the ",
          h("a", { class: "link", href: "#/insights" }, "Insights"),
          " page.",
        )
      : null,
  );
}

// --- find a case by reference ----------------------------------------------------------

function findForm(ctx) {
  const fields = {
    reference: {
      id: "find-reference",
      label: "Case reference",
      missing: "Enter a case reference, for example RS-7K3M-Q2PD",
    },
  };
  const form = h(
    "form",
    {
      id: "find-case",
      class: "form",
      novalidate: true,
      role: "search",
      "aria-label": "Find a case",
    },
    textField({
      id: fields.reference.id,
      name: "reference",
      label: "Case reference",
      hint: "For example RS-7K3M-Q2PD. Closed and filed cases are found here, not in the queue.",
      widthClass: "input--width-10",
      spellcheck: false,
      autocomplete: "off",
    }),
    button("Open case", { variant: "secondary" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const reference = form.elements.reference.value.trim().toUpperCase().replace(/\s+/g, "");
    if (!reference) {
      showErrors(form, [{ field: "reference", message: "is required" }], fields);
      return;
    }
    if (!REFERENCE.test(reference)) {
      showErrors(
        form,
        [
          {
            field: "reference",
            message: "must look like RS-7K3M-Q2PD (RS, then two groups of four letters or digits)",
          },
        ],
        fields,
      );
      return;
    }
    ctx.navigate(`#/cases/${reference}`);
  });
  return form;
}

function renderFind(ctx) {
  document.title = "Find a case — Staff portal — Report + Support";
  fill(
    ctx.view,
    h("h1", { class: "heading-l" }, "Find a case"),
    h(
      "p",
      { class: "body" },
      "Open a case by its reference to read its summary and audit trail, or to place or lift a legal hold. A case deleted under the retention schedule shows the signed record of its deletion instead. Contact details and case notes are not shown to your role.",
    ),
    findForm(ctx),
  );
}

// --- the queue -------------------------------------------------------------------------

function filtersFrom(query) {
  return {
    status: query.get("status") || "",
    priority: query.get("priority") || "",
    overdue: query.get("overdue") === "true" ? "true" : "",
  };
}

function filterForm(ctx, filters) {
  const form = h(
    "form",
    { id: "queue-filters", class: "filters", novalidate: true, "aria-label": "Filter the queue" },
    h(
      "div",
      { class: "filters__row" },
      selectGroup(
        "filter-status",
        "status",
        "Status",
        [
          { value: "", label: "Any open status" },
          ...OPEN_STATUSES.map((value) => ({ value, label: label(STATUS, value) })),
        ],
        filters.status,
      ),
      selectGroup(
        "filter-priority",
        "priority",
        "Priority",
        [
          { value: "", label: "Any priority" },
          ...PRIORITIES.map((value) => ({ value, label: label(PRIORITY, value) })),
        ],
        filters.priority,
      ),
      h(
        "div",
        { class: "form-group filters__check", dataset: { control: "filter-overdue" } },
        h(
          "div",
          { class: "checkboxes checkboxes--small" },
          h(
            "div",
            { class: "checkboxes__item" },
            checkbox("filter-overdue", "overdue", filters.overdue === "true"),
            h(
              "label",
              { class: "label checkboxes__label", for: "filter-overdue" },
              "Only overdue cases",
            ),
          ),
        ),
      ),
    ),
    h(
      "div",
      { class: "button-group" },
      button("Apply filters", { variant: "secondary" }),
      filters.status || filters.priority || filters.overdue
        ? h("a", { class: "link", href: "#/" }, "Clear filters")
        : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (form.elements.status.value) query.set("status", form.elements.status.value);
    if (form.elements.priority.value) query.set("priority", form.elements.priority.value);
    if (form.elements.overdue.checked) query.set("overdue", "true");
    const text = query.toString();
    ctx.navigate(text ? `#/?${text}` : "#/");
  });
  return form;
}

function checkbox(id, name, checked) {
  const input = h("input", {
    class: "checkboxes__input",
    id,
    name,
    type: "checkbox",
    value: "true",
  });
  input.checked = checked;
  return input;
}

function selectGroup(id, name, text, options, value) {
  const select = h(
    "select",
    { class: "select", id, name },
    options.map((option) => h("option", { value: option.value }, option.label)),
  );
  select.value = value;
  return h(
    "div",
    { class: "form-group", dataset: { control: id } },
    h("label", { class: "label", for: id }, text),
    h("p", { class: "error-message", id: `${id}-error`, hidden: true }),
    select,
  );
}

export function priorityTag(priority) {
  const colour = { urgent: "red", high: "orange", normal: "grey" }[priority] || "grey";
  return tag(label(PRIORITY, priority), colour);
}

export function statusTag(status) {
  const colour =
    {
      awaiting_screening: "blue",
      assigned: "purple",
      contacted: "turquoise",
      in_support: "green",
      closed: "grey",
      filed: "grey",
      reopened: "yellow",
      redacted: "black",
    }[status] || "grey";
  return tag(label(STATUS, status), colour);
}

function queueRow(row, showAdvisor) {
  // Named: first contact. Anonymous and waiting for screening: screening.
  const deadline =
    row.first_contact_due || (row.status === "awaiting_screening" ? row.screening_due : null);
  // A reply owed to an anonymous reporter's message (their receipt code's thread); the
  // server's `overdue` is about first contact and screening, so a late reply is read here.
  const replyLate = Boolean(row.reply_due) && new Date(row.reply_due).getTime() < Date.now();
  const reply = row.reply_due
    ? h(
        "span",
        { class: "nowrap", "data-testid": "reply-due" },
        replyLate ? [tag("Reply overdue", "red"), " "] : null,
        "Reply by ",
        h("time", { datetime: row.reply_due }, dateTime(row.reply_due)),
      )
    : null;
  const due = deadline
    ? [
        row.first_contact_due ? "Contact by " : "Screen by ",
        h("time", { datetime: deadline }, dateTime(deadline)),
        reply ? [h("br"), reply] : null,
      ]
    : reply || h("span", { class: "secondary-text" }, "No deadline");
  return h(
    "tr",
    {
      class: `table__row ${row.overdue || replyLate ? "table__row--overdue" : ""}`.trim(),
      dataset: { reference: row.reference, status: row.status, overdue: String(row.overdue) },
    },
    h(
      "th",
      { class: "table__header table__header--row", scope: "row" },
      h("a", { class: "link link--reference", href: `#/cases/${row.reference}` }, row.reference),
    ),
    h("td", { class: "table__cell" }, priorityTag(row.priority)),
    h("td", { class: "table__cell" }, label(STATUS, row.status)),
    h("td", { class: "table__cell" }, label(MODE, row.mode)),
    h(
      "td",
      { class: "table__cell" },
      row.risk_flags.length
        ? listOf(row.risk_flags.map((flag) => label(RISK_FLAG, flag)))
        : h("span", { class: "secondary-text" }, "None"),
    ),
    h("td", { class: "table__cell" }, row.overdue ? [tag("Overdue", "red"), " "] : null, due),
    showAdvisor
      ? h(
          "td",
          { class: "table__cell" },
          // The name from the staff directory; a leaver no longer in the team has only an id.
          row.advisor_id
            ? [
                h("span", { class: "nowrap" }, row.advisor_name || row.advisor_id),
                // The server marks a case whose advisor can no longer work it (a leaver).
                row.advisor_inactive ? [" ", tag("Advisor has left — reassign", "orange")] : null,
              ]
            : h("span", { class: "secondary-text" }, "Not assigned"),
        )
      : null,
  );
}

async function renderQueue(ctx) {
  const roles = new Set(ctx.me.roles);
  const screener = roles.has("screener");
  const filters = filtersFrom(ctx.query);
  const filtered = Boolean(filters.status || filters.priority || filters.overdue);
  const title = screener ? "Screening queue" : "Your cases";
  document.title = `${title} — Staff portal — Report + Support`;

  const heading = h("h1", { class: "heading-l" }, title);
  const lead = h(
    "p",
    { class: "body lead" },
    screener
      ? `Open cases routed to ${label(TEAM, ctx.me.team_id)}, most urgent first, then by first-contact deadline.`
      : "Open cases assigned to you, most urgent first, then by first-contact deadline.",
  );
  const form = filterForm(ctx, filters);
  const loading = h("p", { class: "body", "aria-busy": "true" }, "Loading cases…");
  fill(ctx.view, heading, lead, form, loading);

  let page;
  try {
    page = await staff.queue(filters);
  } catch (failure) {
    if (!ctx.current()) return;
    if (failure instanceof ApiError && failure.status === 400 && failure.body.errors) {
      loading.remove();
      showErrors(form, failure.body.errors, {
        status: { id: "filter-status", label: "Status" },
        priority: { id: "filter-priority", label: "Priority" },
        overdue: { id: "filter-overdue", label: "Only overdue" },
      });
      return;
    }
    throw failure;
  }
  if (!ctx.current()) return;

  const body = h("tbody", { class: "table__body" });
  const caption = h("caption", { class: "table__caption" });
  const table = h(
    "table",
    { class: "table", id: "queue" },
    caption,
    h(
      "thead",
      { class: "table__head" },
      h(
        "tr",
        null,
        ["Reference", "Priority", "Status", "Report", "Risk flags", "Due"].map((text) =>
          h("th", { class: "table__header", scope: "col" }, text),
        ),
        screener ? h("th", { class: "table__header", scope: "col" }, "Advisor") : null,
      ),
    ),
    body,
  );
  const more = h("div", { class: "button-group" });
  let shown = 0;
  let cursor = null;

  const describe = () => {
    caption.textContent = `${shown} ${shown === 1 ? "case" : "cases"}${filtered ? " matching the filters" : ""}${cursor ? " shown; more below" : ""}`;
  };
  const add = (rows) => {
    for (const row of rows) body.append(queueRow(row, screener));
    shown += rows.length;
  };
  const showMoreButton = () => {
    more.replaceChildren();
    if (!cursor) return;
    const moreButton = button("More cases", {
      type: "button",
      variant: "secondary",
      onclick: async () => {
        moreButton.disabled = true;
        moreButton.textContent = "Loading more cases…";
        try {
          const next = await staff.queue({ ...filters, cursor });
          const firstNew = shown;
          cursor = next.next_cursor;
          add(next.cases);
          describe();
          showMoreButton();
          const link = body.querySelectorAll("tr")[firstNew]?.querySelector("a");
          if (link) link.focus();
          else ctx.announce("There are no more cases.", { kind: "info" });
        } catch (failure) {
          if (failure instanceof ApiError) {
            ctx.announce(failure.sentence, { kind: "error" });
            moreButton.disabled = false;
            moreButton.textContent = "More cases";
          } else throw failure;
        }
      },
    });
    more.append(moreButton);
  };

  cursor = page.next_cursor;
  add(page.cases);
  describe();
  showMoreButton();

  const empty =
    shown === 0
      ? h(
          "p",
          { class: "body inset", id: "queue-empty" },
          filtered
            ? "No open cases match these filters."
            : screener
              ? "There are no open cases in your team's queue."
              : "No open cases are assigned to you.",
        )
      : null;
  const find = h(
    "section",
    { class: "section", "aria-labelledby": "find-heading" },
    h("h2", { class: "heading-m", id: "find-heading" }, "Find a case by reference"),
    findForm(ctx),
  );
  fill(
    ctx.view,
    heading,
    lead,
    form,
    empty || h("div", { class: "table-wrapper" }, table),
    more,
    find,
  );
}
