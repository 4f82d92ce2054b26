// Moving between steps. A step is an entry of the tab's history: the entries' state is
// `{form: draft.tab, at: n}` — which draft, and where in `draft.trail` (kept in
// sessionStorage). Quick exit removes the draft, so any entry it leaves behind points at
// nothing, and the form opens afresh on it. The URL stays `/report/`.

import { isExiting } from "../site.js";
import { collect } from "./collect.js";
import { isObject, save } from "./draft.js";
import { render } from "./render.js";
import { serverErrors, state } from "./state.js";
import { canShow, pruneAnswers, stepIds } from "./steps.js";
import { serverErrorsFor, validate } from "./validation.js";

function entryState() {
  return { form: state.draft.tab, at: state.draft.at };
}

/** The place in the trail an entry's state points at, or -1 (another draft's, or none). */
export function placeOf(entry) {
  if (!isObject(entry) || entry.form !== state.draft.tab || !Number.isInteger(entry.at)) return -1;
  return entry.at >= 0 && entry.at < state.draft.trail.length ? entry.at : -1;
}

/** A new entry for the current step; forward entries are dropped, as the browser drops them. */
export function pushEntry() {
  state.draft.trail = state.draft.trail.slice(0, Math.max(state.draft.at + 1, 0));
  state.draft.trail.push(state.draft.step);
  state.draft.at = state.draft.trail.length - 1;
  window.history.pushState(entryState(), "");
}

/** Make the current entry (loaded, or one of another draft) point at the current step. */
export function adoptEntry() {
  state.draft.trail.push(state.draft.step);
  state.draft.at = state.draft.trail.length - 1;
  window.history.replaceState(entryState(), "");
}

export function onPopState(event) {
  if (isExiting() || !state.form || !state.draft) return;
  const at = placeOf(event.state);
  if (at < 0 || state.draft.step === "confirmation" || !canShow(state.draft.trail[at])) {
    // An entry of a draft sent or left (or a step no longer asked): stay on this step.
    adoptEntry();
    save();
    return;
  }
  collect();
  state.draft.at = at;
  const step = state.draft.trail[at];
  if (step === "review") state.draft.returnTo = null;
  state.draft.step = step;
  if (!state.draft.visited.includes(step)) state.draft.visited.push(step);
  state.shownErrors = serverErrorsFor(step);
  if (step !== "review") state.notice = null;
  save();
  render({ focus: "heading", announce: true });
}

export function goTo(step, { focus = "heading" } = {}) {
  state.draft.step = step;
  if (!state.draft.visited.includes(step)) state.draft.visited.push(step);
  state.shownErrors = serverErrorsFor(step);
  if (step !== "review") state.notice = null;
  render({ focus, announce: true });
  // In the same task, once the step is drawn: `pushState` brings the page's style up to
  // date, which before drawing meant computing the style of the step being left, for nothing.
  pushEntry();
  save();
}

function nextStep() {
  const ids = stepIds();
  const index = ids.indexOf(state.draft.step);
  if (state.draft.returnTo === "review") {
    // Changing one answer may ask a new question (or need contact details): go there first.
    for (const id of ids.slice(index + 1)) {
      if (id === "review") break;
      if (!state.draft.visited.includes(id) || validate(id).length) return id;
    }
    state.draft.returnTo = null;
    return "review";
  }
  return ids[index + 1] || "review";
}

export function onContinue(event) {
  event.preventDefault();
  collect({ keep: false });
  const problems = validate(state.draft.step);
  if (problems.length) {
    save();
    state.shownErrors = problems;
    render({ focus: "summary" });
    return;
  }
  for (const [key, error] of serverErrors) {
    if (error.step === state.draft.step) serverErrors.delete(key);
  }
  pruneAnswers();
  goTo(nextStep());
}

export function onBack() {
  collect();
  const ids = stepIds();
  const index = ids.indexOf(state.draft.step);
  const target =
    state.draft.returnTo === "review" ? "review" : index > 0 ? ids[index - 1] : "start";
  if (state.draft.at > 0 && state.draft.trail[state.draft.at - 1] === target) {
    // The page's Back does what the browser's does, so the two histories never disagree.
    save();
    window.history.back();
    return;
  }
  state.draft.returnTo = null;
  goTo(target);
}

/** A "Change" link or an error link to another step: go there, then come back to review. */
export function changeTo(step) {
  return (event) => {
    event.preventDefault();
    state.draft.returnTo = "review";
    goTo(step);
  };
}

export function focusField(id) {
  const element = document.getElementById(id);
  if (!element) return false;
  const holder =
    element.closest("fieldset")?.querySelector("legend") ||
    document.querySelector(`label[for="${CSS.escape(id)}"]`);
  element.focus({ preventScroll: true });
  (holder || element).scrollIntoView({ block: "start" });
  return true;
}
