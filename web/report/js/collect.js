// Reading the page into the draft: the current step's fields are copied on every change.

import { isExiting } from "../site.js";
import { NO_PREFERENCE, save } from "./draft.js";
import { main } from "./render.js";
import { state } from "./state.js";
import { demographicQuestions, questionById } from "./steps.js";
import { updateCount } from "./text.js";

function checkedValues(name) {
  return Array.from(
    main.querySelectorAll(`input[name="${CSS.escape(name)}"]:checked`),
    (i) => i.value,
  );
}

function fieldValue(id) {
  const element = document.getElementById(id);
  return element ? element.value : undefined;
}

/**
 * Copy what the current step's fields hold into the draft (on every change), and keep it in
 * storage unless `keep` is false: a caller that saves the draft itself later in the same task
 * (a step change) need not write it twice.
 */
export function collect({ keep = true } = {}) {
  const step = state.draft.step;
  if (step === "narrative") {
    state.draft.narrative = fieldValue("narrative") ?? state.draft.narrative;
  } else if (step === "demographics") {
    for (const question of demographicQuestions()) {
      const [value] = checkedValues(question.id);
      if (value) state.draft.demographics[question.id] = value;
      else delete state.draft.demographics[question.id];
    }
  } else if (step === "mode") {
    state.draft.mode = checkedValues("mode")[0] || null;
  } else if (step === "follow_up") {
    state.draft.follow_up = checkedValues("follow_up")[0] || null;
  } else if (step === "contact") {
    for (const field of ["name", "email", "phone", "safe_times"]) {
      const value = fieldValue(`contact-${field}`);
      if (value !== undefined) state.draft.contact[field] = value;
    }
    const [method] = checkedValues("preferred_contact_method");
    if (method) state.draft.contact.preferred_contact_method = method;
    else delete state.draft.contact.preferred_contact_method;
    state.draft.contact.advisor_preferences = checkedValues("advisor_preferences");
    delete state.draft.contact.advisor_preference; // a draft kept from before several could be chosen
  } else {
    const question = questionById(step);
    if (!question) return;
    if (question.kind === "people") {
      const rows = main.querySelectorAll("[data-person]");
      if (rows.length) {
        state.draft.answers[question.id] = Array.from(rows, (row) => ({
          name: row.querySelector("input[type=text]").value,
          name_unknown: row.querySelector("input[type=checkbox]").checked,
        }));
      }
    } else if (question.kind === "text") {
      state.draft.answers[question.id] = fieldValue(question.id) ?? "";
    } else if (question.kind === "multi") {
      state.draft.answers[question.id] = checkedValues(question.id);
    } else {
      const [value] = checkedValues(question.id);
      if (value) state.draft.answers[question.id] = value;
      else delete state.draft.answers[question.id];
    }
  }
  if (keep) save();
}

export function onFieldChange(event) {
  // Quick exit empties the page, and a field removed while focused fires `change`: collect
  // nothing then (the store refuses too), or the draft it has just removed would come back.
  if (isExiting()) return;
  if (event.type === "input" && event.target.dataset?.maxLength) updateCount(event.target);
  if (event.type === "change") keepNoPreferenceAlone(event.target);
  if (event.target.closest("[data-form]") && state.draft && state.draft.step !== "confirmation")
    collect();
}

/** "No preference" stands alone: ticking it clears the others, ticking another clears it
 * (the `change` that follows collects the boxes as they are left). */
function keepNoPreferenceAlone(target) {
  if (target.name !== "advisor_preferences" || target.type !== "checkbox" || !target.checked)
    return;
  const none = target.value === NO_PREFERENCE;
  for (const box of main.querySelectorAll('input[name="advisor_preferences"]:checked')) {
    if (box !== target && none !== (box.value === NO_PREFERENCE)) box.checked = false;
  }
}
