// Data-subject rights requests, for the data protection officer (role admin):
//
//   #/rights          open requests by due date (overdue marked) and a form to log one
//   #/rights/<id>     one request: the reports found for the person's email address, and
//                     what the request asks for — the subject access export (a JSON file),
//                     rectification of contact details, or erasure (confirmed first; a
//                     legal hold refuses it, and the page says which cases hold it)
//
// The person's email address is typed once, when the request is logged; the API seals it
// and the portal never shows it again. The export is saved straight to a file and is not
// drawn on the page.

import { ApiError, saveBlob, staff } from "../api.js";
import { focusOn, h, fill } from "../../../shared/dom.js";
import { dateOnly, dateTime, label, listOf } from "../format.js";
import {
  button,
  choices,
  clearErrors,
  showErrors,
  textField,
  whileBusy,
} from "../../../shared/forms.js";
import { askInstead, reasonField, showFailure, tag } from "./parts.js";

export const REQUEST_KIND = {
  access: "Subject access",
  rectification: "Rectification",
  erasure: "Erasure",
};

const REQUEST_STATUS = { open: "Open", completed: "Completed", refused: "Refused" };

const OUTCOME = {
  erased: "Personal data erased",
  legal_hold: "Refused: a case is under legal hold",
  refused: "Refused",
  exported: "Subject access export sent",
  rectified: "Contact details corrected",
};

const EVENT = {
  logged: "Request logged",
  export: "Subject access export downloaded",
  rectification: "Contact details corrected",
  completed: "Request completed",
  refused: "Request refused",
};

const KIND_HINT = {
  access: "A copy of the personal data held about them.",
  rectification: "Correct their contact details.",
  erasure: "Erase their personal data from their named reports.",
};

const REASON_HINT = "Recorded in the audit trail of each case it touches. At least 3 characters.";
const REASON_BOX = { hint: REASON_HINT, rows: 3, required: false };

// Refusals name fields only when they are 400s, each as `body.<field>`.
const REFUSAL = { statuses: [400], drop: /^body\./ };

// A sentence for the next page drawn (the router clears the status region on navigation).
let pendingNotice = null;

function showPendingNotice(ctx) {
  if (!pendingNotice) return;
  const notice = pendingNotice;
  pendingNotice = null;
  ctx.announce(notice.text, notice.options);
}

function dueCell(request) {
  const due = request.due_at || request.due_on;
  return [
    request.overdue ? [tag("Overdue", "red"), " "] : null,
    due ? h("time", { datetime: due }, dateOnly(due)) : "",
  ];
}

// --- the list and the form to log a request ----------------------------------------------

export async function renderRightsList(ctx) {
  document.title = "Rights requests — Staff portal — Report + Support";
  const heading = h("h1", { class: "heading-l" }, "Rights requests");
  const lead = h(
    "p",
    { class: "body lead" },
    "Requests from people to see, correct or erase the personal data held about them. Each is due one calendar month after it was received.",
  );
  const loading = h("p", { class: "body", "aria-busy": "true" }, "Loading requests…");
  fill(ctx.view, heading, lead, loading);

  const answer = await staff.rightsRequests();
  if (!ctx.current()) return;
  const requests = answer.requests || [];

  const list = requests.length
    ? h(
        "div",
        { class: "table-wrapper" },
        h(
          "table",
          { class: "table", id: "rights-requests" },
          h(
            "caption",
            { class: "table__caption" },
            `${requests.length} open ${requests.length === 1 ? "request" : "requests"}, soonest due first`,
          ),
          h(
            "thead",
            { class: "table__head" },
            h(
              "tr",
              null,
              ["Request", "Kind", "Received", "Due"].map((text) =>
                h("th", { class: "table__header", scope: "col" }, text),
              ),
            ),
          ),
          h(
            "tbody",
            { class: "table__body" },
            requests.map((request) =>
              h(
                "tr",
                {
                  class: `table__row ${request.overdue ? "table__row--overdue" : ""}`.trim(),
                  dataset: {
                    requestId: request.request_id,
                    overdue: String(Boolean(request.overdue)),
                  },
                },
                h(
                  "th",
                  { class: "table__header table__header--row", scope: "row" },
                  h(
                    "a",
                    {
                      class: "link link--reference",
                      href: `#/rights/${encodeURIComponent(request.request_id)}`,
                    },
                    shortId(request.request_id),
                  ),
                ),
                h("td", { class: "table__cell" }, label(REQUEST_KIND, request.kind)),
                h("td", { class: "table__cell" }, dateOnly(request.received_on)),
                h("td", { class: "table__cell" }, dueCell(request)),
              ),
            ),
          ),
        ),
      )
    : h("p", { class: "body inset", id: "rights-empty" }, "There are no open requests.");

  fill(
    ctx.view,
    heading,
    lead,
    list,
    h(
      "section",
      { class: "section", "aria-labelledby": "log-request-heading" },
      h("h2", { class: "heading-m", id: "log-request-heading" }, "Log a new request"),
      logRequestForm(ctx),
    ),
  );
  showPendingNotice(ctx);
}

/** Request ids are long; the first group is enough to tell them apart on screen. */
function shortId(id) {
  return String(id).split("-")[0].toUpperCase();
}

function logRequestForm(ctx) {
  const fields = {
    kind: { id: "request-kind", label: "Kind of request", missing: "Choose the kind of request" },
    email: {
      id: "request-email",
      label: "Email address",
      missing: "Enter the email address the person used to make their reports",
    },
    received_on: { id: "request-received", label: "Date received" },
  };
  const form = h(
    "form",
    { id: "log-request", class: "form", novalidate: true },
    choices({
      id: fields.kind.id,
      name: "kind",
      legend: "What does the person ask for?",
      legendClass: "fieldset__legend--s",
      options: Object.entries(REQUEST_KIND).map(([value, text]) => ({
        value,
        label: text,
        hint: KIND_HINT[value],
      })),
    }),
    textField({
      id: fields.email.id,
      name: "email",
      label: "Their email address",
      hint: "The address they gave on their named reports. It is stored sealed and used only to find those reports.",
      type: "email",
      autocomplete: "off",
      spellcheck: false,
      widthClass: "input--width-20",
    }),
    textField({
      id: fields.received_on.id,
      name: "received_on",
      label: "Date received",
      hint: "Leave empty for today. The due date is one calendar month after this.",
      type: "date",
      widthClass: "input--width-10",
    }),
    button("Log request"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const kind = form.elements.kind.value;
    const email = form.elements.email.value.trim();
    const receivedOn = form.elements.received_on.value;
    const missing = [];
    if (!kind) missing.push({ field: "kind", message: "is required" });
    if (!email) missing.push({ field: "email", message: "is required" });
    if (missing.length) {
      showErrors(form, missing, fields);
      return;
    }
    await whileBusy(form, async () => {
      try {
        const body = { kind, email };
        if (receivedOn) body.received_on = receivedOn;
        const logged = await staff.logRightsRequest(body);
        form.reset();
        const due = logged.due_at || logged.due_on;
        pendingNotice = {
          text: `${label(REQUEST_KIND, kind)} request logged.${due ? ` It is due by ${dateOnly(due)}.` : ""}`,
          options: { focus: false },
        };
        ctx.navigate(`#/rights/${encodeURIComponent(logged.request_id)}`);
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return form;
}

// --- one request -----------------------------------------------------------------------------

export async function renderRightsRequest(ctx, requestId) {
  let request;
  try {
    request = await staff.rightsRequest(requestId);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) {
      if (!ctx.current()) return;
      document.title = "Request not found — Staff portal — Report + Support";
      fill(
        ctx.view,
        h("a", { class: "back-link", href: "#/rights" }, "Rights requests"),
        h("h1", { class: "heading-l" }, "Request not found"),
        h("p", { class: "body" }, "There is no rights request with this id."),
      );
      return;
    }
    throw failure;
  }
  if (!ctx.current()) return;
  drawRequest(ctx, request);
  showPendingNotice(ctx);
}

function foundReports(request) {
  return (request.reports || []).map((report) =>
    typeof report === "string" ? { reference: report, legal_hold: false } : report,
  );
}

function drawRequest(ctx, request, notice = null) {
  const kindText = label(REQUEST_KIND, request.kind);
  const title = `${kindText} request ${shortId(request.request_id)}`;
  document.title = `${title} — Staff portal — Report + Support`;
  const reports = foundReports(request);
  const found = reports.map((report) => report.reference);
  const open = (request.status || "open") === "open";
  const rows = [
    ["Kind", kindText],
    ["Status", label(REQUEST_STATUS, request.status || "open")],
    ["Received", dateOnly(request.received_on)],
    ["Due by", dueCell(request)],
    request.logged_by ? ["Logged by", request.logged_by] : null,
    request.completed_at ? ["Completed", dateTime(request.completed_at)] : null,
    request.outcome ? ["Outcome", label(OUTCOME, request.outcome)] : null,
    request.reason ? ["Reason", h("span", { class: "pre-wrap" }, request.reason)] : null,
  ].filter(Boolean);

  fill(
    ctx.view,
    h("a", { class: "back-link", href: "#/rights" }, "Rights requests"),
    h("h1", { class: "heading-l" }, title),
    notice,
    h(
      "dl",
      {
        class: "summary-list",
        id: "request-summary",
        dataset: { status: request.status || "open" },
      },
      rows.map(([key, value]) =>
        h(
          "div",
          { class: "summary-list__row" },
          h("dt", { class: "summary-list__key" }, key),
          h("dd", { class: "summary-list__value" }, value),
        ),
      ),
    ),
    h(
      "section",
      { class: "section", "aria-labelledby": "found-heading" },
      h("h2", { class: "heading-m", id: "found-heading" }, "Reports found"),
      found.length
        ? [
            h(
              "p",
              { class: "body" },
              `${found.length} named ${found.length === 1 ? "report was" : "reports were"} found for the email address.`,
            ),
            h(
              "ul",
              { class: "list", "data-testid": "references" },
              reports.map((report) =>
                h(
                  "li",
                  { dataset: { reference: report.reference } },
                  h(
                    "a",
                    { class: "link link--reference", href: `#/cases/${report.reference}` },
                    report.reference,
                  ),
                  report.legal_hold ? [" ", tag("Legal hold", "orange")] : null,
                ),
              ),
            ),
          ]
        : h(
            "p",
            { class: "body", "data-testid": "no-references" },
            "No named reports were found for the email address.",
          ),
      h(
        "p",
        { class: "hint" },
        "Anonymous reports hold no email address, so they cannot be found for a request.",
      ),
    ),
    open ? actionFor(ctx, request, found) : null,
    open && request.kind !== "erasure" ? closeSection(ctx, request) : null,
    historySection(request.history || []),
  );
}

function historySection(history) {
  if (!history.length) return null;
  return h(
    "section",
    { class: "section", "aria-labelledby": "history-heading" },
    h("h2", { class: "heading-m", id: "history-heading" }, "What has been done"),
    h(
      "ol",
      { class: "timeline", "data-testid": "request-history" },
      history.map((event) =>
        h(
          "li",
          { class: "timeline__entry", dataset: { action: event.action } },
          h("h3", { class: "timeline__title heading-s" }, label(EVENT, event.action)),
          h(
            "p",
            { class: "timeline__meta" },
            h("time", { datetime: event.at }, dateTime(event.at)),
            ` by ${event.actor}`,
          ),
          event.references && event.references.length
            ? h("p", { class: "body" }, `Reports: ${listOf(event.references)}`)
            : null,
          event.fields && event.fields.length
            ? h("p", { class: "body" }, `Fields corrected: ${listOf(event.fields)}`)
            : null,
          event.outcome ? h("p", { class: "body" }, label(OUTCOME, event.outcome)) : null,
        ),
      ),
    ),
  );
}

// --- closing a request -----------------------------------------------------------------------

function closeSection(ctx, request) {
  const fields = {
    outcome: { id: "close-outcome", label: "Outcome", missing: "Choose how the request ends" },
    reason: { id: "close-reason", label: "Reason", missing: "Enter a reason" },
  };
  const form = h(
    "form",
    { id: "close-request", class: "form", novalidate: true },
    choices({
      id: fields.outcome.id,
      name: "outcome",
      legend: "How does the request end?",
      legendClass: "fieldset__legend--s",
      options: [
        { value: "completed", label: "Completed", hint: "The answer has been sent to the person." },
        {
          value: "refused",
          label: "Refused",
          hint: "Give the reason; it is recorded on the request.",
        },
      ],
    }),
    reasonField(fields.reason.id, REASON_BOX),
    button("Close request", { variant: "secondary" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const outcome = form.elements.outcome.value;
    const reason = form.elements.reason.value.trim();
    const missing = [];
    if (!outcome) missing.push({ field: "outcome", message: "is required" });
    if (!reason) missing.push({ field: "reason", message: "is required" });
    if (missing.length) {
      showErrors(form, missing, fields);
      return;
    }
    await whileBusy(form, async () => {
      try {
        await staff.closeRightsRequest(request.request_id, { outcome, reason });
        await reload(ctx, request.request_id, {
          text:
            outcome === "completed" ? "Request closed as completed." : "Request closed as refused.",
          options: {},
        });
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return h(
    "section",
    { class: "section", "aria-labelledby": "close-heading" },
    h("h2", { class: "heading-m", id: "close-heading" }, "Close the request"),
    form,
  );
}

function actionFor(ctx, request, found) {
  if (request.kind === "access") return exportSection(ctx, request);
  if (request.kind === "rectification") return rectificationSection(ctx, request, found);
  if (request.kind === "erasure") return erasureSection(ctx, request, found);
  return null;
}

async function reload(ctx, requestId, notice) {
  pendingNotice = notice;
  const request = await staff.rightsRequest(requestId);
  if (!ctx.current()) return;
  drawRequest(ctx, request);
  showPendingNotice(ctx);
}

// --- subject access --------------------------------------------------------------------------

function exportSection(ctx, request) {
  const fields = {
    reason: { id: "export-reason", label: "Reason", missing: "Enter the reason for the export" },
  };
  const form = h(
    "form",
    { id: "export", class: "form", novalidate: true },
    reasonField(fields.reason.id, { ...REASON_BOX, value: "Subject access request" }),
    button("Download subject access export"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showErrors(form, [{ field: "reason", message: "is required" }], fields);
      return;
    }
    await whileBusy(form, async () => {
      try {
        const blob = await staff.subjectAccessExport(request.request_id, { reason });
        saveBlob(blob, `subject-access-${shortId(request.request_id).toLowerCase()}.json`);
        await reload(ctx, request.request_id, {
          text: "The subject access export has been downloaded. Review the items it lists as held back before sending it, then close the request.",
          options: { focus: false },
        });
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return h(
    "section",
    { class: "section", "aria-labelledby": "export-heading" },
    h("h2", { class: "heading-m", id: "export-heading" }, "Subject access export"),
    h(
      "p",
      { class: "body" },
      "A JSON document of the person's own data in the reports found: their answers, contact details and the contact made with them. Other people's personal data (the account, free text, staff notes) and the demographic answers are held back and listed for you to review by hand. Each case's audit trail records the export.",
    ),
    form,
  );
}

// --- rectification ---------------------------------------------------------------------------

function rectificationSection(ctx, request, found) {
  const fields = {
    reference: { id: "rectify-reference", label: "Case", missing: "Choose the case to correct" },
    "contact.name": { id: "rectify-name", label: "Name" },
    "contact.email": { id: "rectify-email", label: "Email address" },
    "contact.phone": { id: "rectify-phone", label: "Phone number" },
    contact: { id: "rectify-name", label: "New contact details" },
    reason: {
      id: "rectify-reason",
      label: "Reason",
      missing: "Enter the reason for the correction",
    },
  };
  const form = h(
    "form",
    { id: "rectification", class: "form", novalidate: true },
    found.length
      ? choices({
          id: fields.reference.id,
          name: "reference",
          legend: "Which case holds the details to correct?",
          legendClass: "fieldset__legend--s",
          options: found.map((reference) => ({ value: reference, label: reference })),
          value: found.length === 1 ? found[0] : undefined,
        })
      : textField({
          id: fields.reference.id,
          name: "reference",
          label: "Case reference",
          widthClass: "input--width-10",
          spellcheck: false,
          autocomplete: "off",
        }),
    h(
      "fieldset",
      { class: "fieldset" },
      h("legend", { class: "fieldset__legend fieldset__legend--s" }, "New contact details"),
      h("p", { class: "hint" }, "Fill in only what changes; what you leave empty stays as it is."),
      textField({
        id: fields["contact.name"].id,
        name: "name",
        label: "Name",
        autocomplete: "off",
      }),
      textField({
        id: fields["contact.email"].id,
        name: "email",
        label: "Email address",
        type: "email",
        autocomplete: "off",
        spellcheck: false,
        widthClass: "input--width-20",
      }),
      textField({
        id: fields["contact.phone"].id,
        name: "phone",
        label: "Phone number",
        type: "tel",
        autocomplete: "off",
        widthClass: "input--width-20",
      }),
    ),
    reasonField(fields.reason.id, REASON_BOX),
    button("Correct contact details"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reference = form.elements.reference.value.trim().toUpperCase();
    const contact = {};
    for (const name of ["name", "email", "phone"]) {
      const value = form.elements[name].value.trim();
      if (value) contact[name] = value;
    }
    const reason = form.elements.reason.value.trim();
    const missing = [];
    if (!reference) missing.push({ field: "reference", message: "is required" });
    if (!Object.keys(contact).length) {
      missing.push({ field: "contact", text: "Enter at least one new contact detail" });
    }
    if (!reason) missing.push({ field: "reason", message: "is required" });
    if (missing.length) {
      showErrors(form, missing, fields);
      return;
    }
    await whileBusy(form, async () => {
      try {
        await staff.rectify(request.request_id, { reference, contact, reason });
        await reload(ctx, request.request_id, {
          text: `Contact details corrected on ${reference}.`,
          options: {},
        });
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return h(
    "section",
    { class: "section", "aria-labelledby": "rectification-heading" },
    h("h2", { class: "heading-m", id: "rectification-heading" }, "Correct contact details"),
    h(
      "p",
      { class: "body" },
      "The new details fill the old ones on the case; a new email address also replaces the old one in the index used to find the person's reports.",
    ),
    form,
  );
}

// --- erasure ---------------------------------------------------------------------------------

function erasureSection(ctx, request, found) {
  const fields = {
    reason: { id: "erasure-reason", label: "Reason", missing: "Enter the reason for the erasure" },
  };
  const form = h(
    "form",
    { id: "erasure", class: "form", novalidate: true },
    reasonField(fields.reason.id, REASON_BOX),
    button("Erase personal data", { variant: "warning" }),
  );
  const confirmation = h("div", { class: "confirm", id: "erasure-confirmation", hidden: true });

  const askToConfirm = (reason) =>
    askInstead({
      form,
      confirmation,
      id: "erasure",
      paragraphs: [
        found.length
          ? `This erases the personal data (contact details, the account and every sealed note) from ${listOf(found)}. The answers to the multiple-choice questions stay, for anonymised statistics. It cannot be undone.`
          : "No reports were found for this address, so there is nothing to erase; the request will be recorded as answered.",
      ],
      yes: "Yes, erase personal data",
      onYes: () => erase(reason),
      returnTo: form.elements.reason,
    });

  const erase = (reason) =>
    whileBusy(confirmation, async () => {
      try {
        const done = await staff.erase(request.request_id, { reason });
        const erased = (done && (done.erased || done.references)) || found;
        await reload(ctx, request.request_id, {
          text: erased.length
            ? `Personal data erased from ${listOf(erased)}.`
            : "There was nothing to erase. The request is recorded as answered.",
          options: {},
        });
      } catch (failure) {
        confirmation.hidden = true;
        form.hidden = false;
        if (failure instanceof ApiError && failure.code === "legal_hold") {
          // The API has closed the request as refused; show it so, with the refusal on top.
          const banner = legalHoldRefusal(failure.body.references || []);
          const refused = await staff.rightsRequest(request.request_id);
          if (!ctx.current()) return;
          drawRequest(ctx, refused, banner);
          focusOn(banner);
        } else {
          showFailure(form, failure, fields, REFUSAL);
        }
      }
    });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = form.elements.reason.value.trim();
    if (reason.length < 3) {
      showErrors(
        form,
        [
          reason
            ? { field: "reason", message: "must be at least 3 characters" }
            : { field: "reason", message: "is required" },
        ],
        fields,
      );
      return;
    }
    askToConfirm(reason);
  });

  return h(
    "section",
    { class: "section", "aria-labelledby": "erasure-heading" },
    h("h2", { class: "heading-m", id: "erasure-heading" }, "Erase personal data"),
    h(
      "p",
      { class: "body" },
      "Erasure is refused as a whole if any of the reports is under legal hold.",
    ),
    form,
    confirmation,
  );
}

function legalHoldRefusal(held) {
  return h(
    "div",
    {
      class: "banner banner--error",
      tabindex: "-1",
      role: "alert",
      "aria-labelledby": "legal-hold-title",
      "data-testid": "legal-hold-refusal",
    },
    h(
      "h2",
      { class: "banner__title", id: "legal-hold-title" },
      "Erasure refused: a legal hold is in place",
    ),
    h(
      "p",
      { class: "banner__text" },
      held.length
        ? `${listOf(held)} ${held.length === 1 ? "is" : "are"} under legal hold, so nothing was erased from any report. The request is closed as refused, with the reason recorded on it.`
        : "A case is under legal hold, so nothing was erased. The request is closed as refused, with the reason recorded on it.",
    ),
    held.length
      ? h(
          "ul",
          { class: "list" },
          held.map((reference) =>
            h(
              "li",
              { dataset: { reference } },
              h("a", { class: "link link--reference", href: `#/cases/${reference}` }, reference),
            ),
          ),
        )
      : null,
  );
}
