// A case page: its summary and the reporter's answers, then whatever the signed-in role
// may do with it — reveal contact details, assign, work the timeline, move it through the
// workflow, change priority, escalate, set flags, read the audit trail. What a role may
// not do is not shown (the API refuses it anyway).
//
// Personal data opened here (contact details, the account, timeline notes) is held only in
// this module's memory for the case on screen, and dropped on leaving the case or signing
// out.
//
// An admin who asks for a case that was deleted under the retention schedule is shown the
// signed record of its deletion (its tombstone) instead, and whether the signature checks.

import { ApiError, SignedOut, reportForm, staff } from "../api.js";
import { h, replace, focusOn, jumpLink, formValues, snapshotInputs, restoreInputs } from "../dom.js";
import {
  ACTION,
  AUDIT_ACTION,
  CONTACT_METHOD,
  CONTACT_RESULT,
  DISCLOSURES,
  ENTRY_TYPE,
  FLAG,
  LANGUAGE,
  MODE,
  NEED,
  OUTCOME,
  PRIORITY,
  RISK_FLAG,
  RISK_LEVEL,
  SPECIALISM,
  STATUS,
  TEAM,
  dateOnly,
  dateTime,
  label,
  listOf,
  retentionRule,
} from "../format.js";
import { button, choices, clearErrors, showErrors, textField, whileBusy } from "../forms.js";
import { priorityTag, statusTag } from "./home.js";

// The words of each status move. Which moves are offered, and in which order, is the
// case answer's `allowed_transitions` (the server's policy): none is decided here.
const MOVES = {
  contacted: {
    title: "Mark as contacted",
    button: "Mark as contacted",
    hint: "Logging a contact that reached the reporter does this for you.",
    done: "Case marked as contacted.",
  },
  in_support: {
    title: "Move to in support",
    button: "Move to in support",
    hint: "A support plan is agreed with the reporter.",
    done: "Case moved to in support.",
  },
  filed: {
    title: "File for analysis",
    button: "File case",
    hint: "Nothing more to act on: the report is kept for anonymised statistics. Record any action taken first (for example, informing Campus Security).",
    done: "Case filed for analysis.",
  },
  reopened: {
    title: "Reopen the case",
    button: "Reopen case",
    hint: "The case goes back into the team's queue.",
    done: "Case reopened.",
  },
  closed: {
    title: "Close the case",
    button: "Close case",
    hint: "Record how the case ended.",
    done: "Case closed.",
  },
};

const REASON_HINT = "Recorded in the case's audit trail. At least 3 characters.";
const FILING_AFTER_REQUEST =
  "The reporter asked to talk to someone. Filing means no one will contact them: assign an advisor instead, or record why not.";

let state = null;

/** Drop everything held for the case on screen (leaving it, signing out). */
export function forgetCase() {
  state = null;
}

function words(text) {
  if (!text) return "";
  if (typeof text === "string") return text;
  return text.en || Object.values(text)[0] || "";
}

/**
 * What the page offers: exactly the case answer's `allowed_actions` and
 * `allowed_transitions`, which the server computes for the signed-in member from its policy
 * table (chalicelib/cases/policy.py). No rule about roles, teams or states lives here.
 */
function abilities(detail) {
  const allowed = new Set(detail.allowed_actions || []);
  return {
    // Whoever may choose the advisor routes cases: their page puts routing first.
    routes: allowed.has("list_advisors"),
    // Nothing sealed is left to open on a redacted case.
    reveal: allowed.has("reveal") && detail.sealed_fields.length > 0,
    timeline: allowed.has("read_timeline"),
    addToTimeline: allowed.has("add_to_timeline"),
    assign: allowed.has("assign"),
    moves: detail.allowed_transitions || [],
    priority: allowed.has("set_priority"),
    escalate: allowed.has("escalate"),
    legalHold: allowed.has("set_legal_hold"),
    malicious: allowed.has("flag_malicious"),
    audit: allowed.has("read_audit"),
  };
}

// --- loading ----------------------------------------------------------------------------

export async function renderCase(ctx, reference) {
  if (!state || state.reference !== reference) {
    state = {
      reference,
      detail: null,
      form: null,
      revealed: null,
      timeline: null,
      advisors: null,
      advisorsProblem: null,
      audit: null,
      // Other reports naming the same person: only the case view carries them (screeners
      // only), so they are kept here when a change answers with the case alone.
      linked: [],
    };
  }
  document.title = `Case ${reference} — Staff portal — Report + Support`;
  const heading = h("h1", { class: "heading-l" }, `Case ${reference}`);
  replace(ctx.view, backLink(ctx), heading, h("p", { class: "body", "aria-busy": "true" }, "Loading the case…"));

  let detail;
  let form;
  try {
    [detail, form] = await Promise.all([staff.case(reference), reportForm()]);
  } catch (failure) {
    if (!ctx.current() || failure instanceof SignedOut) throw failure;
    if (failure instanceof ApiError && failure.status === 403) {
      state = null;
      document.title = "No case access — Staff portal — Report + Support";
      replace(
        ctx.view,
        h("h1", { class: "heading-l" }, "No case access"),
        h("p", { class: "body" }, "Your role does not give you access to cases."),
      );
      return;
    }
    if (failure instanceof ApiError && failure.status === 404) {
      state = null;
      // An admin may be looking for a case retention deleted: its tombstone says so.
      if (ctx.me.roles.includes("admin") && (await showTombstone(ctx, reference))) return;
      if (!ctx.current()) return;
      document.title = `Case not found — Staff portal — Report + Support`;
      replace(
        ctx.view,
        backLink(ctx),
        h("h1", { class: "heading-l" }, "Case not found"),
        h(
          "p",
          { class: "body" },
          ctx.me.roles.includes("admin")
            ? `There is no case ${reference}, and no record that one was deleted. A report still waiting for triage cannot be opened yet.`
            : `There is no case ${reference}, or it is not one you can see. Screeners see their team's cases; advisors see the cases assigned to them.`,
        ),
      );
      return;
    }
    throw failure;
  }
  if (!ctx.current()) return;
  state.detail = detail;
  state.form = form;
  state.linked = detail.linked_reports || [];
  await loadAdvisors(ctx);
  if (!ctx.current()) return;
  draw(ctx);
}

/**
 * Draw the tombstone of a deleted case, if there is one (admins only). True if drawn;
 * false if nothing is held, so the caller says "not found".
 */
async function showTombstone(ctx, reference) {
  let record;
  try {
    record = await staff.record(reference);
  } catch (failure) {
    if (failure instanceof SignedOut) throw failure;
    if (failure instanceof ApiError && failure.status === 404) return false;
    throw failure;
  }
  if (!ctx.current()) return true;
  if (record.held !== "tombstone" || !record.tombstone) return false;
  const stone = record.tombstone;
  document.title = `Case ${reference} was deleted — Staff portal — Report + Support`;
  const verification = stone.signature_verified
    ? h(
        "div",
        { class: "verification verification--intact", "data-testid": "tombstone-verification" },
        h("p", { class: "verification__title" }, "Verified: this record of deletion is signed with the audit key"),
        h("p", { class: "body" }, "It was written by the retention schedule when the case was deleted, and has not been changed since."),
      )
    : h(
        "div",
        { class: "verification verification--broken", "data-testid": "tombstone-verification" },
        h("p", { class: "verification__title" }, "Not verified: this record of deletion does not match its signature"),
        h(
          "p",
          { class: "body" },
          "It has been changed since it was written, or it was not written by the service. Do not rely on it, and tell the data protection team.",
        ),
      );
  replace(
    ctx.view,
    backLink(ctx),
    h("p", { class: "caption" }, `${label(MODE, stone.mode) || "Unknown"} report`),
    h("h1", { class: "heading-l" }, `Case ${reference} was deleted`),
    h(
      "section",
      { class: "section", id: "tombstone", "aria-labelledby": "tombstone-heading", dataset: { verified: String(stone.signature_verified) } },
      h("h2", { class: "heading-m", id: "tombstone-heading" }, "Record of deletion"),
      h(
        "p",
        { class: "body" },
        "Everything held about this case — its answers, timeline, audit trail and notifications — was deleted under the retention schedule. Only this record of the deletion is kept. It holds nothing about the people involved.",
      ),
      verification,
      summaryList([
        ["Deleted", when(stone.deleted_at)],
        ["Was due", when(stone.due_at)],
        ["Rule applied", retentionRule(stone.rule)],
        ["Deleted by", stone.actor === "system:retention" ? "The retention schedule (system:retention)" : stone.actor],
        ["Audit entries before deletion", stone.audit_seq === null ? "" : String(stone.audit_seq)],
        [
          "Last audit entry's hash",
          stone.audit_hash ? h("code", { class: "break-word", "data-testid": "tombstone-audit-hash" }, stone.audit_hash) : "",
        ],
      ]),
    ),
  );
  return true;
}

async function loadAdvisors(ctx) {
  if (!abilities(state.detail).assign) return;
  try {
    state.advisors = await staff.advisors(state.reference);
    state.advisorsProblem = null;
  } catch (failure) {
    if (failure instanceof SignedOut) throw failure;
    if (!(failure instanceof ApiError)) throw failure;
    state.advisors = null;
    state.advisorsProblem = failure.sentence;
  }
}

function backLink(ctx) {
  const roles = new Set(ctx.me.roles);
  const text = roles.has("screener") ? "Back to the queue" : roles.has("advisor") ? "Back to your cases" : "Find another case";
  return h("a", { class: "back-link", href: "#/" }, text);
}

// --- drawing ----------------------------------------------------------------------------

function draw(ctx, { preserve = false } = {}) {
  const saved = preserve ? snapshotInputs(ctx.view) : null;
  const detail = state.detail;
  const can = abilities(detail);
  const section = (id, title, content) => ({ id, title, content });
  const info = [
    section("summary", "Case summary", summarySection(ctx, detail)),
    section("answers", "What the reporter told us", answersSection(detail)),
    can.reveal ? section("reveal", revealTitle(detail), revealSection(ctx, detail)) : null,
    can.timeline ? section("timeline", "Timeline", readTimeline(ctx, detail)) : null,
  ].filter(Boolean);
  // The audit trail is a wide table: it gets the full width, under both columns.
  const audit = can.audit ? section("audit", "Audit trail", auditSection(ctx)) : null;
  const assignment = can.assign
    ? section("assignment", detail.advisor_id ? "Reassign" : "Assign an advisor", assignmentSection(ctx, detail))
    : null;
  const workflow = can.moves.length ? section("workflow", "Status", workflowSection(ctx, detail, can)) : null;
  const adding = can.addToTimeline ? section("add-to-timeline", "Add to the timeline", timelineForms(ctx, detail)) : null;
  const urgency =
    can.priority || can.escalate
      ? section("urgency", can.priority ? "Priority and escalation" : "Escalation", urgencySection(ctx, detail, can))
      : null;
  const flags = can.legalHold || can.malicious ? section("flags", "Flags", flagsSection(ctx, detail, can)) : null;
  // An advisor's daily work is the timeline; a screener's is routing.
  const work = (can.routes
    ? [assignment, workflow, adding, urgency, flags]
    : [adding, workflow, urgency, flags, assignment]
  ).filter(Boolean);
  const sections = [...info, ...work, audit].filter(Boolean);

  const contents = h(
    "nav",
    { class: "contents", "aria-labelledby": "contents-heading" },
    h("h2", { class: "contents__title", id: "contents-heading" }, "On this page"),
    h(
      "ul",
      { class: "contents__list" },
      sections.map(({ id, title }) => h("li", null, jumpLink(title, `${id}-heading`))),
    ),
  );
  const caption = h("p", { class: "caption" }, `${label(MODE, detail.mode)} report`);
  const heading = h("h1", { class: "heading-l" }, `Case ${detail.reference}`);
  const tags = h(
    "p",
    { class: "case-tags" },
    statusTag(detail.status),
    " ",
    priorityTag(detail.priority),
    detail.overdue
      ? [" ", h("strong", { class: "tag tag--red" }, detail.first_contact_due ? "First contact overdue" : "Screening overdue")]
      : null,
    detail.legal_hold ? [" ", h("strong", { class: "tag tag--black" }, "Legal hold")] : null,
  );
  const retention = retentionNotice(detail);
  const nothingToDo = work.length
    ? null
    : h("p", { class: "inset" }, "You can read this case, but your role cannot change it.");

  replace(
    ctx.view,
    backLink(ctx),
    caption,
    heading,
    tags,
    retention,
    nothingToDo,
    contents,
    h(
      "div",
      { class: `case-layout ${work.length ? "" : "case-layout--single"}`.trim() },
      h("div", { class: "case-layout__info" }, info.map(drawSection)),
      work.length ? h("div", { class: "case-layout__work" }, work.map(drawSection)) : null,
    ),
    audit ? drawSection(audit) : null,
  );
  if (saved) restoreInputs(ctx.view, saved);
}

function drawSection({ id, title, content }) {
  return h(
    "section",
    { class: "section", id, "aria-labelledby": `${id}-heading` },
    h("h2", { class: "heading-m", id: `${id}-heading` }, title),
    content,
  );
}

function summaryList(rows) {
  return h(
    "dl",
    { class: "summary-list" },
    rows
      .filter(Boolean)
      .map(([key, value, attrs]) =>
        h(
          "div",
          { class: "summary-list__row", ...(attrs || {}) },
          h("dt", { class: "summary-list__key" }, key),
          h("dd", { class: "summary-list__value" }, value === "" || value === null || value === undefined ? h("span", { class: "secondary-text" }, "—") : value),
        ),
      ),
  );
}

function when(iso) {
  return iso ? h("time", { datetime: iso }, dateTime(iso)) : "";
}

function staffName(ctx, memberId) {
  if (!memberId) return "";
  if (memberId === ctx.me.member_id) return `You (${memberId})`;
  const advisor = state.advisors?.advisors.find((a) => a.member_id === memberId);
  return advisor ? `${advisor.name} (${memberId})` : memberId;
}

// The case's advisor by name (the API gives it from the staff directory), so a screener
// need not know member ids; the id only for a leaver the directory no longer lists.
function advisorName(ctx, detail) {
  if (detail.advisor_id === ctx.me.member_id) return "You";
  return detail.advisor_name || staffName(ctx, detail.advisor_id);
}

function summarySection(ctx, detail) {
  let firstContact;
  if (detail.first_contact_at) {
    firstContact = [
      when(detail.first_contact_at),
      detail.first_contact_met === true ? " — in time" : detail.first_contact_met === false ? " — late" : "",
    ];
  } else if (detail.first_contact_due) {
    firstContact = [
      detail.overdue ? [h("strong", { class: "tag tag--red" }, "Overdue"), " "] : null,
      "Due ",
      when(detail.first_contact_due),
    ];
  } else if (detail.screening_due && detail.status === "awaiting_screening") {
    firstContact = [
      detail.overdue ? [h("strong", { class: "tag tag--red" }, "Overdue"), " "] : null,
      "Due ",
      when(detail.screening_due),
    ];
  } else {
    firstContact = h("span", { class: "secondary-text" }, "No deadline (anonymous report)");
  }
  return summaryList([
    ["Status", label(STATUS, detail.status)],
    ["Priority", label(PRIORITY, detail.priority)],
    ["Report", label(MODE, detail.mode)],
    ["Team", label(TEAM, detail.team_id)],
    ["Advisor", detail.advisor_id ? advisorName(ctx, detail) : "Not assigned"],
    [
      "Risk flags",
      detail.risk_flags.length ? listOf(detail.risk_flags.map((flag) => label(RISK_FLAG, flag))) : "None",
    ],
    state.linked.length ? ["Reports naming the same person", linkedReports(state.linked)] : null,
    ["Submitted", when(detail.submitted_at)],
    [detail.screening_due && detail.status === "awaiting_screening" ? "Screening" : "First contact", firstContact],
    detail.acknowledge_due ? ["Acknowledgement due", when(detail.acknowledge_due)] : null,
    detail.feedback_due ? ["Feedback due", when(detail.feedback_due)] : null,
    detail.assigned_at ? ["Assigned", when(detail.assigned_at)] : null,
    detail.closed_at ? ["Closed", when(detail.closed_at)] : null,
    detail.outcome ? ["Outcome", label(OUTCOME, detail.outcome)] : null,
    detail.redacted_at ? ["Redacted", when(detail.redacted_at)] : null,
    detail.retention_action ? ["Retention", retentionSentence(detail)] : null,
    ["Legal hold", detail.legal_hold ? "On: nothing is redacted or deleted" : "Off"],
    ["Malicious or vexatious", detail.malicious_or_vexatious ? "Flagged" : "No"],
  ]);
}

/** "Personal data will be redacted on …" / "This record will be deleted on …", or "". */
function retentionSentence(detail) {
  const due = dateOnly(detail.retention_due_at);
  let sentence = "";
  if (detail.retention_action === "redact") sentence = `Personal data will be redacted on ${due}`;
  else if (detail.retention_action === "delete") sentence = `This record will be deleted on ${due}`;
  if (!sentence) return "";
  // Under a legal hold the action stays scheduled but the sweep leaves the case alone.
  return detail.legal_hold ? `${sentence} (paused while the legal hold is on).` : `${sentence}.`;
}

/** What retention did and will do to the case, under its tags (nothing if nothing). */
function retentionNotice(detail) {
  const lines = [];
  if (detail.redacted_at) {
    lines.push(
      h(
        "p",
        { class: "body", "data-testid": "redacted-on" },
        h("strong", null, `Redacted on ${dateOnly(detail.redacted_at)}. `),
        "Its personal data were removed; the multiple-choice answers are kept as an anonymised record, and nothing can be added to it.",
      ),
    );
  }
  const sentence = retentionSentence(detail);
  if (sentence) lines.push(h("p", { class: "body", "data-testid": "retention-due" }, sentence));
  return lines.length ? h("div", { class: "inset", "data-testid": "retention" }, lines) : null;
}

function linkedReports(linked) {
  // A linked case of another team is listed but answers "not found" when opened.
  return h(
    "ul",
    { class: "list" },
    linked.map((link) =>
      h(
        "li",
        null,
        h("a", { class: "link link--reference", href: `#/cases/${link.reference}` }, link.reference),
        ` — ${link.team_id ? label(TEAM, link.team_id) : "not yet routed"}, submitted `,
        when(link.submitted_at),
      ),
    ),
  );
}

function answersSection(detail) {
  const form = state.form?.form;
  const questions = form?.questions || [];
  const known = new Set(questions.map((q) => q.id));
  const optionLabel = (question, value) => {
    const option = question?.options?.find((o) => o.id === value);
    return option ? words(option.label) : label(null, value);
  };
  const rows = [];
  for (const question of questions.map((q) => asAsked(q, detail.answers))) {
    if (!(question.id in detail.answers)) continue;
    rows.push([words(question.label), answerValue(question, detail.answers[question.id], optionLabel)]);
  }
  for (const [id, value] of Object.entries(detail.answers)) {
    if (!known.has(id)) rows.push([label(null, id), answerValue(null, value, optionLabel)]);
  }
  const contact = form?.contact || {};
  const preference = (list, id) => {
    const option = (list || []).find((o) => o.id === id);
    return option ? words(option.label) : label(null, id);
  };
  const preferences = [];
  if (detail.preferences.preferred_contact_method) {
    preferences.push([
      "Preferred contact method",
      preference(contact.contact_methods, detail.preferences.preferred_contact_method),
    ]);
  }
  // `advisor_preference` (one id) is how cases sent before several could be chosen hold it.
  const advisorPreferences = [].concat(
    detail.preferences.advisor_preferences ?? detail.preferences.advisor_preference ?? [],
  );
  if (advisorPreferences.length) {
    preferences.push([
      advisorPreferences.length > 1 ? "Advisor preferences" : "Advisor preference",
      listOf(advisorPreferences.map((id) => preference(contact.advisor_preferences, id))),
    ]);
  }
  for (const [id, value] of Object.entries(detail.preferences)) {
    if (!["preferred_contact_method", "advisor_preference", "advisor_preferences"].includes(id)) {
      preferences.push([label(null, id), [].concat(value).map((v) => label(null, v)).join(", ")]);
    }
  }
  return [
    rows.length ? summaryList(rows) : h("p", { class: "body" }, "No answers are held (they may have been redacted)."),
    preferences.length ? [h("h3", { class: "heading-s" }, "How they would like to be supported"), summaryList(preferences)] : null,
    detail.sealed_fields.length
      ? h(
          "p",
          { class: "body secondary-text" },
          `Sealed until revealed: ${listOf(sealedOrder(detail.sealed_fields).map(sealedName))}.`,
        )
      : null,
  ];
}

/**
 * A question as the reporter was asked it: its wording for their answer to reporting_for
 * ("Is the person it happened to under 18?" for a witness), so the screener reads whose
 * answer it is. Option ids are the same; only their words may differ.
 */
function asAsked(question, answers) {
  const asker = state.form?.form?.reporting_for_question;
  const wording = asker ? (question.wording || {})[answers[asker]] : null;
  if (!wording) return question;
  const labels = wording.options || {};
  return {
    ...question,
    label: wording.label,
    options: (question.options || []).map((o) => (labels[o.id] ? { ...o, label: labels[o.id] } : o)),
  };
}

function answerValue(question, value, optionLabel) {
  if (Array.isArray(value)) {
    if (value.length <= 1) return value.map((v) => optionLabel(question, v)).join("");
    return h("ul", { class: "list list--bullet" }, value.map((v) => h("li", null, optionLabel(question, v))));
  }
  return optionLabel(question, value);
}

function sealedOrder(fields) {
  const rank = (field) => (field === "contact" ? 0 : field === "narrative" ? 1 : 2);
  return [...fields].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function sealedName(field) {
  if (field === "contact") return "contact details";
  if (field === "narrative") return "the reporter's account";
  if (field.startsWith("answer.")) {
    const question = state.form?.form?.questions.find((q) => q.id === field.slice(7));
    return question ? `their answer to “${words(question.label)}”` : label(null, field.slice(7));
  }
  return label(null, field);
}

// --- reveal ---------------------------------------------------------------------------

function revealTitle(detail) {
  return detail.sealed_fields.includes("contact") ? "Contact details and account" : "The reporter's account";
}

function revealSection(ctx, detail) {
  const named = detail.sealed_fields.includes("contact");
  const buttonText = named ? "Reveal contact details" : "Reveal the account";
  if (state.revealed) {
    const revealed = state.revealed;
    const contact = revealed.contact;
    const questions = state.form?.form?.questions || [];
    const extra = Object.entries(revealed.answers || {}).map(([id, value]) => {
      const question = questions.find((q) => q.id === id);
      return [question ? words(question.label) : label(null, id), sealedAnswer(value)];
    });
    return [
      h(
        "p",
        { class: "inset" },
        `Opened at ${dateTime(revealed.openedAt)} for: “${revealed.purpose}”. This is recorded in the case's audit trail. Do not copy these details out of the portal.`,
      ),
      contact
        ? summaryList([
            ["Name", contact.name],
            ["Email", h("span", { "data-testid": "contact-email", class: "break-word" }, contact.email)],
            ["Phone", contact.phone ? h("span", { "data-testid": "contact-phone" }, contact.phone) : ""],
            ["Safe times to contact", contact.safe_times || ""],
          ])
        : h("p", { class: "body" }, "Anonymous report: there are no contact details."),
      h("h3", { class: "heading-s" }, "Their account"),
      revealed.narrative
        ? h("p", { class: "body pre-wrap account", "data-testid": "narrative" }, revealed.narrative)
        : h("p", { class: "body secondary-text" }, "They did not write an account."),
      extra.length ? summaryList(extra) : null,
      h(
        "div",
        { class: "button-group" },
        button(named ? "Hide contact details" : "Hide the account", {
          type: "button",
          variant: "secondary",
          onclick: () => {
            state.revealed = null;
            draw(ctx);
            focusOn(document.getElementById("reveal-heading"));
            ctx.announce("Contact details hidden.", { kind: "info", focus: false });
          },
        }),
      ),
    ];
  }
  const fields = { purpose: { id: "reveal-purpose", label: "Purpose", missing: "Say why you need to see them" } };
  const form = h(
    "form",
    { id: "reveal-form", class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      named
        ? "The reporter's name, email, phone, safe times and their own account are sealed. Opening them is recorded in the case's audit trail with your purpose, before anything is shown."
        : "The reporter's own account is sealed. Opening it is recorded in the case's audit trail with your purpose, before anything is shown.",
    ),
    textField({
      id: fields.purpose.id,
      name: "purpose",
      label: "Why do you need to see them?",
      hint: "For example: to make first contact.",
      required: true,
    }),
    button(buttonText),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const purpose = form.elements.purpose.value.trim();
    try {
      const revealed = await whileBusy(form, () => staff.reveal(detail.reference, purpose));
      if (!ctx.current() || !state) return;
      state.revealed = { ...revealed, purpose, openedAt: new Date().toISOString() };
      draw(ctx);
      ctx.announce(named ? "Contact details revealed. Your purpose is recorded in the audit trail." : "Account revealed. Your purpose is recorded in the audit trail.", { focus: false });
      focusOn(document.getElementById("reveal-heading"));
    } catch (failure) {
      handleFailure(ctx, form, fields, failure);
    }
  });
  return form;
}

/** An opened answer: text as written, or the people involved as a list (one per entry). */
function sealedAnswer(value) {
  if (!Array.isArray(value)) return h("span", { class: "pre-wrap" }, String(value ?? ""));
  const names = value.map((person) =>
    person && person.name_unknown
      ? h("li", { class: "secondary-text" }, "Name not known")
      : h("li", null, String(person?.name ?? "")),
  );
  return h("ul", { class: "list list--bullet", "data-testid": "people" }, names);
}

// --- assignment -------------------------------------------------------------------------

function assignmentSection(ctx, detail) {
  if (!state.advisors) {
    return h("p", { class: "body" }, state.advisorsProblem || "The advisors could not be loaded.");
  }
  const { advisors, advisor_preferences: wanted } = state.advisors;
  const preferenceLabel = (id) => {
    const option = (state.form?.form?.contact?.advisor_preferences || []).find((o) => o.id === id);
    return option ? words(option.label) : label(null, id);
  };
  const labels = (ids) => listOf(ids.map(preferenceLabel));
  const fields = {
    advisor_id: { id: "assign-advisor", label: "Advisor", missing: "Choose an advisor" },
    reason: { id: "assign-reason", label: "Reason", missing: "Give a reason for the assignment" },
  };
  const form = h("form", { id: "assign-form", class: "form", novalidate: true });
  const preference = h(
    "p",
    { class: "inset", "data-testid": "advisor-preference" },
    wanted.length
      ? [
          "The reporter asked for: ",
          h("strong", null, labels(wanted)),
          ". Advisors who meet the most are listed first.",
        ]
      : "The reporter has no preference about their advisor.",
  );
  if (!advisors.length) {
    return [preference, h("p", { class: "body" }, "Your team has no advisors in the staff directory.")];
  }
  const options = advisors.map((advisor) => {
    const facts = [
      advisor.specialisms.length
        ? `Specialisms: ${listOf(advisor.specialisms.map((s) => label(SPECIALISM, s)))}`
        : "No listed specialisms",
      `Languages: ${listOf(advisor.languages.map((l) => label(LANGUAGE, l))) || "not listed"}`,
      advisor.shared_gender ? `Gender they share: ${label(null, advisor.shared_gender)}` : null,
      `Open cases: ${advisor.open_cases} of ${advisor.capacity}`,
    ].filter(Boolean);
    const notes = [];
    // The server decided who meets what (`preferences_met`); this only says it in words.
    if (wanted.length) {
      const met = advisor.preferences_met;
      const missed = advisor.preferences_missed;
      notes.push(
        `Meets ${met.length} of ${wanted.length}` +
          (met.length ? `: ${labels(met)}` : "") +
          (missed.length && met.length ? `. Not: ${labels(missed)}` : ""),
      );
    }
    if (advisor.open_cases >= advisor.capacity) notes.push("At capacity");
    if (advisor.member_id === detail.advisor_id) notes.push("Assigned now");
    return {
      value: advisor.member_id,
      label: advisor.name,
      hint: [
        facts.join(". ") + ".",
        notes.length ? [" ", h("strong", { class: "hint__note" }, notes.join(". ") + ".")] : null,
      ],
    };
  });
  form.append(
    choices({
      id: fields.advisor_id.id,
      name: "advisor_id",
      legend: detail.advisor_id ? "Reassign to" : "Advisor",
      legendClass: "fieldset__legend--s",
      options,
      required: true,
    }),
    textField({ id: fields.reason.id, name: "reason", label: "Reason", hint: REASON_HINT, multiline: true, rows: 2, required: true }),
    button("Assign"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(form);
    const body = { reason: values.reason.trim(), version: state.detail.version };
    if (values.advisor_id) body.advisor_id = values.advisor_id;
    const chosen = advisors.find((a) => a.member_id === values.advisor_id);
    change(ctx, form, fields, () => staff.assign(detail.reference, body), {
      done: `Case assigned to ${chosen ? chosen.name : values.advisor_id}.`,
      after: () => loadAdvisors(ctx),
    });
  });
  return [preference, form];
}

// --- timeline ---------------------------------------------------------------------------

function readTimeline(ctx, detail) {
  if (state.timeline) {
    const { entries, purpose, openedAt } = state.timeline;
    return [
      h("p", { class: "inset" }, `Opened at ${dateTime(openedAt)} for: “${purpose}”. Entries you add are shown here as you add them.`),
      h(
        "div",
        { "data-testid": "timeline" },
        entries.length
          ? h("ol", { class: "timeline" }, entries.map((entry) => timelineEntry(ctx, entry)))
          : h("p", { class: "body", "data-testid": "timeline-empty" }, "Nothing has been logged yet."),
      ),
      h(
        "div",
        { class: "button-group" },
        button("Hide timeline", {
          type: "button",
          variant: "secondary",
          onclick: () => {
            state.timeline = null;
            draw(ctx);
            focusOn(document.getElementById("timeline-heading"));
          },
        }),
      ),
    ];
  }
  const fields = { purpose: { id: "timeline-purpose", label: "Purpose", missing: "Say why you need to read the timeline" } };
  const form = h(
    "form",
    { id: "timeline-form", class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      "The contact log, notes, assessments and actions. Notes are sealed: reading them is recorded in the case's audit trail with your purpose.",
    ),
    textField({
      id: fields.purpose.id,
      name: "purpose",
      label: "Why do you need to read the timeline?",
      hint: "For example: to prepare for a call with the reporter.",
      required: true,
    }),
    button("Show timeline", { variant: "secondary" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const purpose = form.elements.purpose.value.trim();
    try {
      const timeline = await whileBusy(form, () => staff.readTimeline(detail.reference, purpose));
      if (!ctx.current() || !state) return;
      state.timeline = { entries: timeline.entries, purpose, openedAt: new Date().toISOString() };
      draw(ctx);
      focusOn(document.getElementById("timeline-heading"));
      ctx.announce(`Timeline opened: ${timeline.entries.length} ${timeline.entries.length === 1 ? "entry" : "entries"}.`, { focus: false });
    } catch (failure) {
      handleFailure(ctx, form, fields, failure);
    }
  });
  return form;
}

function timelineEntry(ctx, entry) {
  const facts = [];
  if (entry.type === "contact_attempt") {
    facts.push(["Method", label(CONTACT_METHOD, entry.method)], ["Result", label(CONTACT_RESULT, entry.result)]);
  } else if (entry.type === "assessment") {
    facts.push(
      ["Risk level", label(RISK_LEVEL, entry.risk_level)],
      ["Needs", (entry.needs || []).length ? listOf(entry.needs.map((n) => label(NEED, n))) : "None identified"],
    );
  } else if (entry.type === "action") {
    facts.push(["Action", label(ACTION, entry.action)]);
  }
  const textName = { note: "Note", action: "Justification" }[entry.type] || "Note";
  if (entry.text) facts.push([textName, h("span", { class: "pre-wrap" }, entry.text)]);
  else if (entry.text === null && entry.type === "note") facts.push(["Note", h("span", { class: "secondary-text" }, "This note cannot be opened.")]);
  return h(
    "li",
    { class: "timeline__entry", dataset: { type: entry.type } },
    h("h3", { class: "timeline__title" }, label(ENTRY_TYPE, entry.type)),
    h("p", { class: "timeline__meta" }, when(entry.at), " by ", staffName(ctx, entry.actor)),
    facts.length ? summaryList(facts) : null,
  );
}

function timelineForms(ctx, detail) {
  const add = (form, fields, entry, done) =>
    change(ctx, form, fields, () => staff.addToTimeline(detail.reference, entry), {
      done,
      status: 201,
      after: () => {
        if (state.timeline) {
          const text = entry.text ?? entry.note ?? entry.justification ?? null;
          const shown = { ...entry, text, entry_id: `new-${Date.now()}`, at: new Date().toISOString(), actor: ctx.me.member_id };
          delete shown.note;
          delete shown.justification;
          state.timeline.entries.push(shown);
        }
      },
    });

  // Log contact.
  const contactFields = {
    "entry.method": { id: "contact-method", label: "How you tried to contact them", missing: "Choose how you tried to contact them" },
    "entry.result": { id: "contact-result", label: "What happened", missing: "Choose what happened" },
    "entry.note": { id: "contact-note", label: "Note" },
  };
  const contactForm = h(
    "form",
    { id: "contact-form", class: "form action-form", novalidate: true, "aria-labelledby": "contact-form-title" },
    h("h3", { class: "heading-s", id: "contact-form-title" }, "Log a contact attempt"),
    choices({
      id: "contact-method",
      name: "method",
      legend: "How did you try to contact them?",
      options: Object.entries(CONTACT_METHOD).map(([value, text]) => ({ value, label: text })),
      small: true,
      inline: true,
      required: true,
    }),
    choices({
      id: "contact-result",
      name: "result",
      legend: "What happened?",
      hint: "Reaching the reporter the first time stops the first-contact clock and marks the case as contacted.",
      options: Object.entries(CONTACT_RESULT).map(([value, text]) => ({ value, label: text })),
      small: true,
      required: true,
    }),
    textField({ id: "contact-note", name: "note", label: "Note (optional)", hint: "Sealed; at least 3 characters if given.", multiline: true, rows: 2 }),
    button("Log contact"),
  );
  contactForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(contactForm);
    const entry = { type: "contact_attempt" };
    if (values.method) entry.method = values.method;
    if (values.result) entry.result = values.result;
    if (values.note.trim()) entry.note = values.note.trim();
    add(contactForm, contactFields, entry, values.result === "reached" ? "Contact logged: the reporter was reached." : "Contact attempt logged.");
  });

  // Add note.
  const noteFields = { "entry.text": { id: "note-text", label: "Note", missing: "Write the note" } };
  const noteForm = h(
    "form",
    { id: "note-form", class: "form action-form", novalidate: true, "aria-labelledby": "note-form-title" },
    h("h3", { class: "heading-s", id: "note-form-title" }, "Add a note"),
    textField({ id: "note-text", name: "text", label: "Note", hint: "Notes are sealed; every reading is recorded.", multiline: true, rows: 4, required: true }),
    button("Add note"),
  );
  noteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = noteForm.elements.text.value.trim();
    const entry = { type: "note" };
    if (text) entry.text = text;
    add(noteForm, noteFields, entry, "Note added.");
  });

  // Needs and risk assessment.
  const assessmentFields = {
    "entry.risk_level": { id: "assessment-risk", label: "Risk level", missing: "Choose a risk level" },
    "entry.needs": { id: "assessment-needs", label: "Needs" },
    "entry.note": { id: "assessment-note", label: "Note" },
  };
  const assessmentForm = h(
    "form",
    { id: "assessment-form", class: "form action-form", novalidate: true, "aria-labelledby": "assessment-form-title" },
    h("h3", { class: "heading-s", id: "assessment-form-title" }, "Needs and risk assessment"),
    choices({
      id: "assessment-risk",
      name: "risk_level",
      legend: "Risk level",
      options: Object.entries(RISK_LEVEL).map(([value, text]) => ({ value, label: text })),
      small: true,
      inline: true,
      required: true,
    }),
    choices({
      id: "assessment-needs",
      name: "needs",
      type: "checkbox",
      legend: "Needs",
      hint: "Choose all that apply.",
      options: Object.entries(NEED).map(([value, text]) => ({ value, label: text })),
      small: true,
    }),
    textField({ id: "assessment-note", name: "note", label: "Note (optional)", hint: "Sealed; at least 3 characters if given.", multiline: true, rows: 2 }),
    button("Save assessment"),
  );
  assessmentForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(assessmentForm);
    const entry = { type: "assessment", needs: values.needs || [] };
    if (values.risk_level) entry.risk_level = values.risk_level;
    if (values.note.trim()) entry.note = values.note.trim();
    add(assessmentForm, assessmentFields, entry, "Assessment saved.");
  });

  // Actions.
  const actionFields = {
    "entry.action": { id: "action-kind", label: "Action", missing: "Choose the action taken" },
    "entry.justification": { id: "action-justification", label: "Justification", missing: "Justify the disclosure" },
  };
  const actionForm = h(
    "form",
    { id: "action-form", class: "form action-form", novalidate: true, "aria-labelledby": "action-form-title" },
    h("h3", { class: "heading-s", id: "action-form-title" }, "Record an action"),
    choices({
      id: "action-kind",
      name: "action",
      legend: "What was done?",
      options: Object.entries(ACTION).map(([value, text]) => ({
        value,
        label: text,
        hint: DISCLOSURES.has(value) ? "A disclosure outside the support team: needs a justification." : null,
      })),
      small: true,
      required: true,
    }),
    textField({
      id: "action-justification",
      name: "justification",
      label: "Justification",
      hint: "Required for a safeguarding referral or a disclosure to the police. Sealed.",
      multiline: true,
      rows: 3,
    }),
    button("Record action"),
  );
  actionForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(actionForm);
    const entry = { type: "action" };
    if (values.action) entry.action = values.action;
    if (values.justification.trim()) entry.justification = values.justification.trim();
    add(actionForm, actionFields, entry, `Action recorded: ${label(ACTION, values.action)}.`);
  });

  return h(
    "div",
    { class: "action-forms" },
    contactForm,
    noteForm,
    fold(assessmentForm, "Needs and risk assessment"),
    fold(actionForm, "Actions taken for the reporter"),
  );
}

// --- workflow ---------------------------------------------------------------------------

function workflowSection(ctx, detail, can) {
  const intro = h("p", { class: "body" }, `The case is ${label(STATUS, detail.status).toLowerCase()}. Every change needs a reason.`);
  const forms = can.moves.map((to) => {
    const move = MOVES[to];
    const fields = {
      reason: { id: `move-${to}-reason`, label: "Reason", missing: "Give a reason" },
      outcome: { id: `move-${to}-outcome`, label: "Outcome", missing: "Choose the outcome" },
      override_reason: {
        id: `move-${to}-override`,
        label: "Why no one will contact the reporter",
        missing: "Say why no one will contact the reporter",
      },
    };
    // A named reporter who asked to talk to someone is not filed away with a reason alone:
    // the API asks why no one will contact them, so the form asks first.
    const override = to === "filed" && detail.asked_to_talk;
    const form = h(
      "form",
      { id: `move-${to}`, class: "form action-form", novalidate: true, "aria-labelledby": `move-${to}-title` },
      h("h3", { class: "heading-s", id: `move-${to}-title` }, move.title),
      h("p", { class: "hint" }, override ? FILING_AFTER_REQUEST : move.hint),
      to === "closed"
        ? choices({
            id: fields.outcome.id,
            name: "outcome",
            legend: "Outcome",
            options: Object.entries(OUTCOME).map(([value, text]) => ({ value, label: text })),
            small: true,
            required: true,
          })
        : null,
      textField({ id: fields.reason.id, name: "reason", label: "Reason", hint: REASON_HINT, multiline: true, rows: 2, required: true }),
      override
        ? textField({
            id: fields.override_reason.id,
            name: "override_reason",
            label: fields.override_reason.label,
            hint: REASON_HINT,
            multiline: true,
            rows: 2,
            required: true,
          })
        : null,
      button(move.button, { variant: to === "closed" ? "warning" : "" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = formValues(form);
      const body = { to, reason: values.reason.trim(), version: state.detail.version };
      if (to === "closed") body.outcome = values.outcome || null;
      // Left out when blank, so the API's answer says why it is needed.
      const why = (values.override_reason || "").trim();
      if (override && why) body.override_reason = why;
      change(ctx, form, fields, () => staff.transition(detail.reference, body), { done: move.done });
    });
    return form;
  });
  return [intro, h("div", { class: "action-forms" }, forms)];
}

// --- priority and escalation --------------------------------------------------------------

function urgencySection(ctx, detail, can) {
  const parts = [];
  if (can.priority) {
    const fields = {
      priority: { id: "priority-value", label: "Priority", missing: "Choose a priority" },
      reason: { id: "priority-reason", label: "Reason", missing: "Give a reason" },
    };
    const form = h(
      "form",
      { id: "priority-form", class: "form action-form", novalidate: true, "aria-labelledby": "priority-form-title" },
      h("h3", { class: "heading-s", id: "priority-form-title" }, "Change priority"),
      choices({
        id: fields.priority.id,
        name: "priority",
        legend: "Priority",
        options: Object.entries(PRIORITY).map(([value, text]) => ({ value, label: text })),
        value: detail.priority,
        small: true,
        inline: true,
      }),
      textField({ id: fields.reason.id, name: "reason", label: "Reason", hint: REASON_HINT, multiline: true, rows: 2, required: true }),
      button("Change priority", { variant: "secondary" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = formValues(form);
      const body = { priority: values.priority, reason: values.reason.trim(), version: state.detail.version };
      change(ctx, form, fields, () => staff.priority(detail.reference, body), {
        done: `Priority changed to ${label(PRIORITY, values.priority).toLowerCase()}.`,
      });
    });
    parts.push(fold(form, "Priority"));
  }
  if (can.escalate) {
    const fields = { reason: { id: "escalate-reason", label: "Reason", missing: "Give a reason for escalating" } };
    const form = h(
      "form",
      { id: "escalate-form", class: "form action-form", novalidate: true, "aria-labelledby": "escalate-form-title" },
      h("h3", { class: "heading-s", id: "escalate-form-title" }, "Escalate the case"),
      h(
        "p",
        { class: "hint" },
        "The case becomes urgent, and the team's screeners and the fallback team are alerted at once.",
      ),
      textField({ id: fields.reason.id, name: "reason", label: "Reason", hint: REASON_HINT, multiline: true, rows: 2, required: true }),
      button("Escalate case"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { reason: form.elements.reason.value.trim(), version: state.detail.version };
      change(ctx, form, fields, () => staff.escalate(detail.reference, body), {
        done: "Case escalated: it is urgent and the screeners have been alerted.",
      });
    });
    parts.push(can.priority ? fold(form, "Escalation") : form);
  }
  return h("div", { class: "action-forms" }, parts);
}

// --- flags ------------------------------------------------------------------------------

function flagsSection(ctx, detail, can) {
  const flagForm = (flag, on, text) => {
    const id = `flag-${flag.replace(/_/g, "-")}`;
    const fields = { reason: { id: `${id}-reason`, label: "Reason", missing: "Give a reason" } };
    const form = h(
      "form",
      { id, class: "form action-form", novalidate: true, "aria-labelledby": `${id}-title` },
      h("h3", { class: "heading-s", id: `${id}-title` }, label(FLAG, flag)),
      h("p", { class: "body" }, on ? text.on : text.off),
      textField({ id: fields.reason.id, name: "reason", label: "Reason", hint: REASON_HINT, multiline: true, rows: 2, required: true }),
      button(on ? text.lift : text.set, { variant: "secondary" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { flag, value: !on, reason: form.elements.reason.value.trim(), version: state.detail.version };
      change(ctx, form, fields, () => staff.flag(detail.reference, body), { done: on ? text.lifted : text.placed });
    });
    return form;
  };
  return h(
    "div",
    { class: "action-forms" },
    can.legalHold
      ? fold(flagForm("legal_hold", detail.legal_hold, {
          on: "Legal hold is on: nothing in this case is redacted or deleted until it is lifted.",
          off: "No legal hold. A legal hold stops redaction and deletion until it is lifted.",
          set: "Place legal hold",
          lift: "Lift legal hold",
          placed: "Legal hold placed.",
          lifted: "Legal hold lifted.",
        }), detail.legal_hold ? "Legal hold (on)" : "Legal hold (off)")
      : null,
    can.malicious
      ? fold(flagForm("malicious_or_vexatious", detail.malicious_or_vexatious, {
          on: "This case is flagged as malicious or vexatious.",
          off: "Not flagged as malicious or vexatious.",
          set: "Flag as malicious or vexatious",
          lift: "Remove malicious or vexatious flag",
          placed: "Case flagged as malicious or vexatious.",
          lifted: "Malicious or vexatious flag removed.",
        }), detail.malicious_or_vexatious ? "Malicious or vexatious (flagged)" : "Malicious or vexatious (not flagged)")
      : null,
  );
}

// --- audit trail ------------------------------------------------------------------------

function auditSection(ctx) {
  const load = async (trigger) => {
    trigger.disabled = true;
    try {
      const trail = await staff.audit(state.reference);
      if (!ctx.current() || !state) return;
      state.audit = trail;
    } catch (failure) {
      trigger.disabled = false;
      if (failure instanceof SignedOut) return;
      if (!(failure instanceof ApiError)) throw failure;
      ctx.announce(failure.sentence, { kind: "error" });
      return;
    }
    draw(ctx);
    focusOn(document.getElementById("audit-heading"));
    const v = state.audit.verification;
    ctx.announce(
      v.intact ? `Audit trail loaded: ${v.entries} entries, and the chain verifies.` : "Audit trail loaded: the chain does NOT verify.",
      { kind: v.intact ? "info" : "error", focus: false },
    );
  };
  if (!state.audit) {
    return [
      h("p", { class: "body" }, "Who did what to this case, when and why, and whether the record is intact."),
      h("div", { class: "button-group" }, button("Show audit trail", { type: "button", variant: "secondary", onclick: (event) => load(event.currentTarget) })),
    ];
  }
  const { verification, entries } = state.audit;
  const result = verification.intact
    ? h(
        "div",
        { class: "verification verification--intact", "data-testid": "audit-verification" },
        h("p", { class: "verification__title" }, "Verified: the audit trail is intact"),
        h("p", { class: "body" }, `All ${verification.entries} entries recompute and follow one another.`),
      )
    : h(
        "div",
        { class: "verification verification--broken", "data-testid": "audit-verification" },
        h("p", { class: "verification__title" }, "Not verified: the audit trail is broken"),
        h(
          "p",
          { class: "body" },
          `First problem at entry ${verification.broken_at ?? "?"}: ${verification.problem || "unknown"}. Tell the data protection team.`,
        ),
      );
  const table = h(
    "table",
    { class: "table table--small", id: "audit-table" },
    h("caption", { class: "table__caption visually-hidden" }, "Audit trail entries, oldest first"),
    h(
      "thead",
      { class: "table__head" },
      h("tr", null, ["#", "When", "Who", "What", "Details", "Reason"].map((text) => h("th", { class: "table__header", scope: "col" }, text))),
    ),
    h(
      "tbody",
      { class: "table__body" },
      entries.map((entry) =>
        h(
          "tr",
          { class: "table__row", dataset: { action: entry.action } },
          h("td", { class: "table__cell" }, String(entry.seq)),
          h("td", { class: "table__cell" }, when(entry.at)),
          h("td", { class: "table__cell" }, staffName(ctx, entry.actor)),
          h("td", { class: "table__cell" }, label(AUDIT_ACTION, entry.action)),
          h("td", { class: "table__cell" }, auditDetails(entry.details)),
          h("td", { class: "table__cell pre-wrap" }, entry.reason || ""),
        ),
      ),
    ),
  );
  return [
    result,
    h("div", { class: "table-wrapper" }, table),
    h("div", { class: "button-group" }, button("Refresh audit trail", { type: "button", variant: "secondary", onclick: (event) => load(event.currentTarget) })),
  ];
}

const DETAIL_KEYS = {
  team_id: "Team",
  risk_flags: "Risk flags",
  advisor_id: "Advisor",
  previous_advisor: "Previous advisor",
  fields: "Opened",
  entries: "Entries read",
  entry: "Entry",
  risk_level: "Risk level",
  rule: "Rule",
  deferred: "Deferred",
};

const DETAIL_VALUES = {
  from: STATUS,
  to: STATUS,
  outcome: OUTCOME,
  flag: FLAG,
  method: CONTACT_METHOD,
  result: CONTACT_RESULT,
  risk_level: RISK_LEVEL,
  action: ACTION,
  entry: ENTRY_TYPE,
  priority: PRIORITY,
  team_id: TEAM,
};

function auditDetails(details) {
  const rows = Object.entries(details || {}).map(([key, value]) => {
    const table = DETAIL_VALUES[key];
    let text;
    if (Array.isArray(value)) {
      text = value.length
        ? listOf(value.map((v) => label(key === "needs" ? NEED : key === "risk_flags" ? RISK_FLAG : key === "fields" ? null : table, v)))
        : "none";
      if (key === "fields") text = listOf(sealedOrder(value).map(sealedName));
    } else if (typeof value === "boolean") {
      text = value ? "yes" : "no";
    } else if (value && typeof value === "object") {
      text = JSON.stringify(value);
    } else {
      text = table ? label(table, value) : String(value);
    }
    return `${label(DETAIL_KEYS, key)}: ${text}`;
  });
  return rows.length ? rows.join("; ") : "";
}

/**
 * Fold a less frequent form into a <details> disclosure named `summary` (its own heading
 * gives way to the summary, which names the form for assistive technology).
 */
function fold(form, summary) {
  const title = form.querySelector("h3");
  if (title) title.remove();
  const summaryId = `${form.id}-summary`;
  form.setAttribute("aria-labelledby", summaryId);
  return h(
    "details",
    { class: "details", id: `${form.id}-details` },
    h("summary", { class: "details__summary" }, h("span", { class: "details__summary-text", id: summaryId }, summary)),
    h("div", { class: "details__text" }, form),
  );
}

// --- changes --------------------------------------------------------------------------------

/** Send a change; on success redraw and announce; on failure say why, next to the fields. */
async function change(ctx, form, fields, send, { done, after } = {}) {
  clearErrors(form);
  let updated;
  try {
    updated = await whileBusy(form, send);
  } catch (failure) {
    await handleFailure(ctx, form, fields, failure);
    return;
  }
  if (!ctx.current() || !state || state.reference !== updated.reference) return;
  state.detail = updated;
  if (after) {
    try {
      await after(updated);
    } catch (failure) {
      if (failure instanceof SignedOut) return;
    }
  }
  if (!ctx.current() || !state) return;
  state.audit = null; // it has a new entry; load it again on request
  draw(ctx);
  ctx.announce(done || "Saved.");
}

async function handleFailure(ctx, form, fields, failure) {
  if (failure instanceof SignedOut || !ctx.current()) return;
  if (!(failure instanceof ApiError)) throw failure;
  if (failure.status === 400 && Array.isArray(failure.body.errors)) {
    showErrors(form, failure.body.errors, fields);
    return;
  }
  if (failure.code === "stale_version") {
    await reloadAfterConflict(ctx);
    return;
  }
  if (failure.code === "transition_refused") {
    const allowed = (failure.body.allowed || []).map((move) => MOVES[move]?.title || label(STATUS, move));
    showErrors(form, [
      {
        text: allowed.length
          ? `The case cannot do that from its current status (${label(STATUS, state.detail.status).toLowerCase()}). The moves allowed now are: ${listOf(allowed)}.`
          : `The case cannot do that from its current status (${label(STATUS, state.detail.status).toLowerCase()}).`,
      },
    ]);
    const summary = form.querySelector("[data-error-summary]");
    if (summary) summary.dataset.testid = "transition-refused";
    return;
  }
  showErrors(form, [{ text: failure.sentence }]);
}

async function reloadAfterConflict(ctx) {
  const reference = state.reference;
  let fresh;
  try {
    fresh = await staff.case(reference);
  } catch (failure) {
    if (failure instanceof SignedOut) return;
    ctx.announce("This case changed while you had it open, and it could not be reloaded. Reload the page.", {
      kind: "error",
      title: "This case changed — reload",
    });
    return;
  }
  if (!ctx.current() || !state || state.reference !== reference) return;
  state.detail = fresh;
  state.audit = null;
  await loadAdvisors(ctx);
  draw(ctx, { preserve: true });
  ctx.announce(
    "Someone else changed this case while you had it open, so nothing was saved. The page now shows the latest version: check it, then try again. What you typed is still there.",
    { kind: "warning", title: "This case changed — reloaded" },
  );
}
