// Adding to the timeline: logging a contact attempt, a note, a needs and risk assessment,
// or an action taken. An entry added while the timeline is open is shown in it at once.

import { staff } from "../../api.js";
import { h } from "../../../../shared/dom.js";
import { button, choices, formValues, textField } from "../../../../shared/forms.js";
import {
  ACTION,
  CONTACT_METHOD,
  CONTACT_RESULT,
  DISCLOSURES,
  NEED,
  RISK_LEVEL,
  label,
} from "../../format.js";
import { change } from "./changes.js";
import { fold } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The four forms that add to the timeline: a contact attempt, a note, an assessment, an action. */
export function timelineForms(ctx, detail) {
  const add = (form, fields, entry, done) =>
    change(ctx, form, fields, () => staff.addToTimeline(detail.reference, entry), {
      done,
      status: 201,
      after: () => {
        const state = caseOnScreen();
        if (state.timeline) {
          const text = entry.text ?? entry.note ?? entry.justification ?? null;
          const shown = {
            ...entry,
            text,
            entry_id: `new-${Date.now()}`,
            at: new Date().toISOString(),
            actor: ctx.me.member_id,
          };
          delete shown.note;
          delete shown.justification;
          state.timeline.entries.push(shown);
        }
      },
    });

  // Log contact.
  const contactFields = {
    "entry.method": {
      id: "contact-method",
      label: "How you tried to contact them",
      missing: "Choose how you tried to contact them",
    },
    "entry.result": {
      id: "contact-result",
      label: "What happened",
      missing: "Choose what happened",
    },
    "entry.note": { id: "contact-note", label: "Note" },
  };
  const contactForm = h(
    "form",
    {
      id: "contact-form",
      class: "form action-form",
      novalidate: true,
      "aria-labelledby": "contact-form-title",
    },
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
    textField({
      id: "contact-note",
      name: "note",
      label: "Note (optional)",
      hint: "Sealed; at least 3 characters if given.",
      multiline: true,
      rows: 2,
    }),
    button("Log contact"),
  );
  contactForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(contactForm);
    const entry = { type: "contact_attempt" };
    if (values.method) entry.method = values.method;
    if (values.result) entry.result = values.result;
    if (values.note.trim()) entry.note = values.note.trim();
    add(
      contactForm,
      contactFields,
      entry,
      values.result === "reached"
        ? "Contact logged: the reporter was reached."
        : "Contact attempt logged.",
    );
  });

  // Add note.
  const noteFields = {
    "entry.text": { id: "note-text", label: "Note", missing: "Write the note" },
  };
  const noteForm = h(
    "form",
    {
      id: "note-form",
      class: "form action-form",
      novalidate: true,
      "aria-labelledby": "note-form-title",
    },
    h("h3", { class: "heading-s", id: "note-form-title" }, "Add a note"),
    textField({
      id: "note-text",
      name: "text",
      label: "Note",
      hint: "Notes are sealed; every reading is recorded.",
      multiline: true,
      rows: 4,
      required: true,
    }),
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
    "entry.risk_level": {
      id: "assessment-risk",
      label: "Risk level",
      missing: "Choose a risk level",
    },
    "entry.needs": { id: "assessment-needs", label: "Needs" },
    "entry.note": { id: "assessment-note", label: "Note" },
  };
  const assessmentForm = h(
    "form",
    {
      id: "assessment-form",
      class: "form action-form",
      novalidate: true,
      "aria-labelledby": "assessment-form-title",
    },
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
    textField({
      id: "assessment-note",
      name: "note",
      label: "Note (optional)",
      hint: "Sealed; at least 3 characters if given.",
      multiline: true,
      rows: 2,
    }),
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
    "entry.justification": {
      id: "action-justification",
      label: "Justification",
      missing: "Justify the disclosure",
    },
  };
  const actionForm = h(
    "form",
    {
      id: "action-form",
      class: "form action-form",
      novalidate: true,
      "aria-labelledby": "action-form-title",
    },
    h("h3", { class: "heading-s", id: "action-form-title" }, "Record an action"),
    choices({
      id: "action-kind",
      name: "action",
      legend: "What was done?",
      options: Object.entries(ACTION).map(([value, text]) => ({
        value,
        label: text,
        hint: DISCLOSURES.has(value)
          ? "A disclosure outside the support team: needs a justification."
          : null,
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
