// The reporter form: one question per step, built from `GET /form`.
//
// Steps, in order: start · every question the answers so far ask (show_if) · narrative ·
// demographics · mode (anonymous or named) · contact (named only) · review · confirmation.
// The draft lives only in this tab's sessionStorage and is cleared once the report is sent
// (or by quick exit). Its submission_id is made once, so a retry or a double click can
// never create a second report. Each step is an entry of the tab's history (Back and Forward
// move between steps); an entry's state is only a random id and a number, never an answer.
//
// This file starts the form; the form itself is in js/, a module per concern: state.js (what
// the page holds), draft.js (the draft and its storage), steps.js (which steps are asked),
// text.js (lengths as the API counts them), validation.js (problems, and the API's 400),
// collect.js (reading the page into the draft), navigation.js (steps as history entries),
// submit.js (sending), fields.js (the pieces of a step), views/ (one module per step) and
// render.js (drawing the current step).

import { collect, onFieldChange } from "./js/collect.js";
import { isObject, newDraft, restoreDraft, sanitize, save } from "./js/draft.js";
import { adoptEntry, onPopState, placeOf } from "./js/navigation.js";
import { main, render, showLoadFailure } from "./js/render.js";
import { state } from "./js/state.js";
import { canShow } from "./js/steps.js";
import { KEYS, loadForm, onLanguageChange, startChrome, store, useFormData } from "./site.js";

async function start() {
  startChrome();
  main.addEventListener("input", onFieldChange);
  main.addEventListener("change", onFieldChange);
  // Each step draws itself (focus on its heading); the browser must not scroll it too.
  window.history.scrollRestoration = "manual";
  try {
    state.form = await loadForm();
  } catch {
    showLoadFailure();
    onLanguageChange(showLoadFailure);
    return;
  }
  useFormData(state.form);
  state.draft = restoreDraft();
  state.receipt = store.get(KEYS.receipt);
  if (state.draft) {
    sanitize();
  } else {
    state.draft = newDraft();
    if (isObject(state.receipt) && typeof state.receipt.reference === "string")
      state.draft.step = "confirmation";
  }
  const at = placeOf(window.history.state);
  if (at >= 0 && state.draft.step !== "confirmation" && canShow(state.draft.trail[at])) {
    // Reloaded, or back on an entry of this draft: show that entry's step.
    state.draft.at = at;
    state.draft.step = state.draft.trail[at];
  } else {
    adoptEntry();
  }
  if (state.draft.step !== "confirmation") save();
  window.addEventListener("popstate", onPopState);
  render();
  onLanguageChange(() => {
    if (state.draft.step !== "confirmation") collect();
    render();
  });
  document.documentElement.dataset.ready = "true";
}

start();
