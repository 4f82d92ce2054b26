// Assigning the case to an advisor (or reassigning it): the team's advisors with their
// specialisms, languages and caseload, and how each meets what the reporter asked of their
// advisor (as the API worked it out).

import { staff } from "../../api.js";
import { h } from "../../../../shared/dom.js";
import { button, choices, formValues } from "../../../../shared/forms.js";
import { LANGUAGE, SPECIALISM, label, listOf } from "../../format.js";
import { loadAdvisors } from "./advisors.js";
import { change } from "./changes.js";
import { reasonField, words } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The advisors to choose from, with what the reporter asked for, and the form to assign. */
export function assignmentSection(ctx, detail) {
  const state = caseOnScreen();
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
    return [
      preference,
      h("p", { class: "body" }, "Your team has no advisors in the staff directory."),
    ];
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
    reasonField(fields.reason.id),
    button("Assign"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formValues(form);
    const body = { reason: values.reason.trim(), version: caseOnScreen().detail.version };
    if (values.advisor_id) body.advisor_id = values.advisor_id;
    const chosen = advisors.find((a) => a.member_id === values.advisor_id);
    change(ctx, form, fields, () => staff.assign(detail.reference, body), {
      done: `Case assigned to ${chosen ? chosen.name : values.advisor_id}.`,
      after: () => loadAdvisors(ctx),
    });
  });
  return [preference, form];
}
