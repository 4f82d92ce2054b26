// The case's audit trail, on request: who did what to the case, when and why, each entry's
// details in words, and whether the hash chain verifies.

import { ApiError, SignedOut, staff } from "../../api.js";
import { focusOn, h } from "../../../../shared/dom.js";
import { button } from "../../../../shared/forms.js";
import {
  ACTION,
  AUDIT_ACTION,
  CONTACT_METHOD,
  CONTACT_RESULT,
  ENTRY_TYPE,
  FLAG,
  NEED,
  OUTCOME,
  PRIORITY,
  RISK_FLAG,
  RISK_LEVEL,
  STATUS,
  TEAM,
  label,
  listOf,
} from "../../format.js";
import { staffName } from "./advisors.js";
import { sealedName, sealedOrder } from "./answers.js";
import { when } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The audit trail loaded on request, with whether its hash chain verifies. */
export function auditSection(ctx) {
  const load = async (trigger) => {
    trigger.disabled = true;
    let onScreen;
    try {
      const trail = await staff.audit(caseOnScreen().reference);
      onScreen = caseOnScreen();
      if (!ctx.current() || !onScreen) return;
      onScreen.audit = trail;
    } catch (failure) {
      trigger.disabled = false;
      if (failure instanceof SignedOut) return;
      if (!(failure instanceof ApiError)) throw failure;
      ctx.announce(failure.sentence, { kind: "error" });
      return;
    }
    ctx.redraw();
    focusOn(document.getElementById("audit-heading"));
    const v = onScreen.audit.verification;
    ctx.announce(
      v.intact
        ? `Audit trail loaded: ${v.entries} entries, and the chain verifies.`
        : "Audit trail loaded: the chain does NOT verify.",
      { kind: v.intact ? "info" : "error", focus: false },
    );
  };
  const state = caseOnScreen();
  if (!state.audit) {
    return [
      h(
        "p",
        { class: "body" },
        "Who did what to this case, when and why, and whether the record is intact.",
      ),
      h(
        "div",
        { class: "button-group" },
        button("Show audit trail", {
          type: "button",
          variant: "secondary",
          onclick: (event) => load(event.currentTarget),
        }),
      ),
    ];
  }
  const { verification, entries } = state.audit;
  const result = verification.intact
    ? h(
        "div",
        { class: "verification verification--intact", "data-testid": "audit-verification" },
        h("p", { class: "verification__title" }, "Verified: the audit trail is intact"),
        h(
          "p",
          { class: "body" },
          `All ${verification.entries} entries recompute and follow one another.`,
        ),
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
      h(
        "tr",
        null,
        ["#", "When", "Who", "What", "Details", "Reason"].map((text) =>
          h("th", { class: "table__header", scope: "col" }, text),
        ),
      ),
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
    h(
      "div",
      { class: "button-group" },
      button("Refresh audit trail", {
        type: "button",
        variant: "secondary",
        onclick: (event) => load(event.currentTarget),
      }),
    ),
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
        ? listOf(
            value.map((v) =>
              label(
                key === "needs"
                  ? NEED
                  : key === "risk_flags"
                    ? RISK_FLAG
                    : key === "fields"
                      ? null
                      : table,
                v,
              ),
            ),
          )
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
