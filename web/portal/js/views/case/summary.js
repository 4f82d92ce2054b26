// The case summary (its state, people, deadlines and flags), the reports naming the same
// person, and what retention did and will do to the case (under its tags).

import { h } from "../../../../shared/dom.js";
import {
  MODE,
  OUTCOME,
  PRIORITY,
  RISK_FLAG,
  STATUS,
  TEAM,
  dateOnly,
  label,
  listOf,
} from "../../format.js";
import { advisorName } from "./advisors.js";
import { summaryList, when } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The case's facts: status, priority, team, advisor, risk, deadlines, retention and flags. */
export function summarySection(ctx, detail) {
  const state = caseOnScreen();
  let firstContact;
  if (detail.first_contact_at) {
    firstContact = [
      when(detail.first_contact_at),
      detail.first_contact_met === true
        ? " — in time"
        : detail.first_contact_met === false
          ? " — late"
          : "",
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
      detail.risk_flags.length
        ? listOf(detail.risk_flags.map((flag) => label(RISK_FLAG, flag)))
        : "None",
    ],
    state.linked.length ? ["Reports naming the same person", linkedReports(state.linked)] : null,
    ["Submitted", when(detail.submitted_at)],
    [
      detail.screening_due && detail.status === "awaiting_screening"
        ? "Screening"
        : "First contact",
      firstContact,
    ],
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
export function retentionNotice(detail) {
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
        h(
          "a",
          { class: "link link--reference", href: `#/cases/${link.reference}` },
          link.reference,
        ),
        ` — ${link.team_id ? label(TEAM, link.team_id) : "not yet routed"}, submitted `,
        when(link.submitted_at),
      ),
    ),
  );
}
