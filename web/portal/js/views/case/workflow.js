// Moving the case through its workflow: the status moves the case answer allows, its
// priority and escalation, and its flags (legal hold, malicious or vexatious). Every change
// needs a reason and sends the case version the page shows.

import { staff } from "../../api.js";
import { h } from "../../../../shared/dom.js";
import { button, choices, formValues, textField } from "../../../../shared/forms.js";
import { FLAG, OUTCOME, PRIORITY, STATUS, label } from "../../format.js";
import { change } from "./changes.js";
import { MOVES } from "./moves.js";
import { REASON_HINT, fold, reasonField } from "./pieces.js";
import { caseOnScreen } from "./state.js";

const FILING_AFTER_REQUEST =
  "The reporter asked to talk to someone. Filing means no one will contact them: assign an advisor instead, or record why not.";

// --- status moves -----------------------------------------------------------------------

/** A form for each status move the case answer allows (`can.moves`), in its order. */
export function workflowSection(ctx, detail, can) {
  const intro = h(
    "p",
    { class: "body" },
    `The case is ${label(STATUS, detail.status).toLowerCase()}. Every change needs a reason.`,
  );
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
      {
        id: `move-${to}`,
        class: "form action-form",
        novalidate: true,
        "aria-labelledby": `move-${to}-title`,
      },
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
      reasonField(fields.reason.id),
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
      const body = { to, reason: values.reason.trim(), version: caseOnScreen().detail.version };
      if (to === "closed") body.outcome = values.outcome || null;
      // Left out when blank, so the API's answer says why it is needed.
      const why = (values.override_reason || "").trim();
      if (override && why) body.override_reason = why;
      change(ctx, form, fields, () => staff.transition(detail.reference, body), {
        done: move.done,
      });
    });
    return form;
  });
  return [intro, h("div", { class: "action-forms" }, forms)];
}

// --- priority and escalation --------------------------------------------------------------

/** Changing the priority and escalating, as far as the member may. */
export function urgencySection(ctx, detail, can) {
  const parts = [];
  if (can.priority) {
    const fields = {
      priority: { id: "priority-value", label: "Priority", missing: "Choose a priority" },
      reason: { id: "priority-reason", label: "Reason", missing: "Give a reason" },
    };
    const form = h(
      "form",
      {
        id: "priority-form",
        class: "form action-form",
        novalidate: true,
        "aria-labelledby": "priority-form-title",
      },
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
      reasonField(fields.reason.id),
      button("Change priority", { variant: "secondary" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = formValues(form);
      const body = {
        priority: values.priority,
        reason: values.reason.trim(),
        version: caseOnScreen().detail.version,
      };
      change(ctx, form, fields, () => staff.priority(detail.reference, body), {
        done: `Priority changed to ${label(PRIORITY, values.priority).toLowerCase()}.`,
      });
    });
    parts.push(fold(form, "Priority"));
  }
  if (can.escalate) {
    const fields = {
      reason: { id: "escalate-reason", label: "Reason", missing: "Give a reason for escalating" },
    };
    const form = h(
      "form",
      {
        id: "escalate-form",
        class: "form action-form",
        novalidate: true,
        "aria-labelledby": "escalate-form-title",
      },
      h("h3", { class: "heading-s", id: "escalate-form-title" }, "Escalate the case"),
      h(
        "p",
        { class: "hint" },
        "The case becomes urgent, and the team's screeners and the fallback team are alerted at once.",
      ),
      reasonField(fields.reason.id),
      button("Escalate case"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {
        reason: form.elements.reason.value.trim(),
        version: caseOnScreen().detail.version,
      };
      change(ctx, form, fields, () => staff.escalate(detail.reference, body), {
        done: "Case escalated: it is urgent and the screeners have been alerted.",
      });
    });
    parts.push(can.priority ? fold(form, "Escalation") : form);
  }
  return h("div", { class: "action-forms" }, parts);
}

// --- flags ------------------------------------------------------------------------------

/** Placing or lifting the legal hold and the malicious-or-vexatious flag, as far as allowed. */
export function flagsSection(ctx, detail, can) {
  const flagForm = (flag, on, text) => {
    const id = `flag-${flag.replace(/_/g, "-")}`;
    const fields = { reason: { id: `${id}-reason`, label: "Reason", missing: "Give a reason" } };
    const form = h(
      "form",
      { id, class: "form action-form", novalidate: true, "aria-labelledby": `${id}-title` },
      h("h3", { class: "heading-s", id: `${id}-title` }, label(FLAG, flag)),
      h("p", { class: "body" }, on ? text.on : text.off),
      reasonField(fields.reason.id),
      button(on ? text.lift : text.set, { variant: "secondary" }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {
        flag,
        value: !on,
        reason: form.elements.reason.value.trim(),
        version: caseOnScreen().detail.version,
      };
      change(ctx, form, fields, () => staff.flag(detail.reference, body), {
        done: on ? text.lifted : text.placed,
      });
    });
    return form;
  };
  return h(
    "div",
    { class: "action-forms" },
    can.legalHold
      ? fold(
          flagForm("legal_hold", detail.legal_hold, {
            on: "Legal hold is on: nothing in this case is redacted or deleted until it is lifted.",
            off: "No legal hold. A legal hold stops redaction and deletion until it is lifted.",
            set: "Place legal hold",
            lift: "Lift legal hold",
            placed: "Legal hold placed.",
            lifted: "Legal hold lifted.",
          }),
          detail.legal_hold ? "Legal hold (on)" : "Legal hold (off)",
        )
      : null,
    can.malicious
      ? fold(
          flagForm("malicious_or_vexatious", detail.malicious_or_vexatious, {
            on: "This case is flagged as malicious or vexatious.",
            off: "Not flagged as malicious or vexatious.",
            set: "Flag as malicious or vexatious",
            lift: "Remove malicious or vexatious flag",
            placed: "Case flagged as malicious or vexatious.",
            lifted: "Malicious or vexatious flag removed.",
          }),
          detail.malicious_or_vexatious
            ? "Malicious or vexatious (flagged)"
            : "Malicious or vexatious (not flagged)",
        )
      : null,
  );
}
