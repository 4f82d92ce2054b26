// The case's timeline read on request: the contact log, notes, needs and risk assessments
// and actions. Notes are sealed, so reading it needs a purpose (recorded in the audit trail
// by the API); what was read is held for the case on screen only (state.js).

import { staff } from "../../api.js";
import { focusOn, h } from "../../../../shared/dom.js";
import { button, clearErrors, textField, whileBusy } from "../../../../shared/forms.js";
import {
  ACTION,
  CONTACT_METHOD,
  CONTACT_RESULT,
  ENTRY_TYPE,
  NEED,
  RISK_LEVEL,
  dateTime,
  label,
  listOf,
} from "../../format.js";
import { staffName } from "./advisors.js";
import { handleFailure } from "./changes.js";
import { summaryList, when } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The timeline once read (with why and when), or the form that reads it, with a purpose. */
export function readTimeline(ctx, detail) {
  const state = caseOnScreen();
  if (state.timeline) {
    const { entries, purpose, openedAt } = state.timeline;
    return [
      h(
        "p",
        { class: "inset" },
        `Opened at ${dateTime(openedAt)} for: “${purpose}”. Entries you add are shown here as you add them.`,
      ),
      h(
        "div",
        { "data-testid": "timeline" },
        entries.length
          ? h(
              "ol",
              { class: "timeline" },
              entries.map((entry) => timelineEntry(ctx, entry)),
            )
          : h(
              "p",
              { class: "body", "data-testid": "timeline-empty" },
              "Nothing has been logged yet.",
            ),
      ),
      h(
        "div",
        { class: "button-group" },
        button("Hide timeline", {
          type: "button",
          variant: "secondary",
          onclick: () => {
            caseOnScreen().timeline = null;
            ctx.redraw();
            focusOn(document.getElementById("timeline-heading"));
          },
        }),
      ),
    ];
  }
  const fields = {
    purpose: {
      id: "timeline-purpose",
      label: "Purpose",
      missing: "Say why you need to read the timeline",
    },
  };
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
      const onScreen = caseOnScreen();
      if (!ctx.current() || !onScreen) return;
      onScreen.timeline = {
        entries: timeline.entries,
        purpose,
        openedAt: new Date().toISOString(),
      };
      ctx.redraw();
      focusOn(document.getElementById("timeline-heading"));
      ctx.announce(
        `Timeline opened: ${timeline.entries.length} ${timeline.entries.length === 1 ? "entry" : "entries"}.`,
        { focus: false },
      );
    } catch (failure) {
      handleFailure(ctx, form, fields, failure);
    }
  });
  return form;
}

function timelineEntry(ctx, entry) {
  const facts = [];
  if (entry.type === "contact_attempt") {
    facts.push(
      ["Method", label(CONTACT_METHOD, entry.method)],
      ["Result", label(CONTACT_RESULT, entry.result)],
    );
  } else if (entry.type === "assessment") {
    facts.push(
      ["Risk level", label(RISK_LEVEL, entry.risk_level)],
      [
        "Needs",
        (entry.needs || []).length
          ? listOf(entry.needs.map((n) => label(NEED, n)))
          : "None identified",
      ],
    );
  } else if (entry.type === "action") {
    facts.push(["Action", label(ACTION, entry.action)]);
  }
  const textName = { note: "Note", action: "Justification" }[entry.type] || "Note";
  if (entry.text) facts.push([textName, h("span", { class: "pre-wrap" }, entry.text)]);
  else if (entry.text === null && entry.type === "note")
    facts.push(["Note", h("span", { class: "secondary-text" }, "This note cannot be opened.")]);
  return h(
    "li",
    { class: "timeline__entry", dataset: { type: entry.type } },
    h("h3", { class: "timeline__title" }, label(ENTRY_TYPE, entry.type)),
    h("p", { class: "timeline__meta" }, when(entry.at), " by ", staffName(ctx, entry.actor)),
    facts.length ? summaryList(facts) : null,
  );
}
