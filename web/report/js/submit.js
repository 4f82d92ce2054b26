// Sending the report: the body the API expects, once (a double click sends once and the
// submission_id makes a retry harmless), and what each answer means for the page.

import { apiUrl, isExiting, KEYS, loadForm, store, t, useFormData } from "../site.js";
import {
  advisorPreferencesOrNone,
  cleanAnswer,
  cleanPeople,
  newDraft,
  peopleGiven,
  sanitize,
  save,
  uuid,
} from "./draft.js";
import { goTo, pushEntry } from "./navigation.js";
import { main, render } from "./render.js";
import { serverErrors, state } from "./state.js";
import { demographicQuestions, demographicsAsked, isAsked, questions } from "./steps.js";
import { trimText } from "./text.js";
import { fieldLabel, fromServer, validateAll } from "./validation.js";

const SEND_TIMEOUT_MS = 30000;

function submission() {
  const answers = {};
  for (const question of questions()) {
    if (!isAsked(question)) continue;
    const value = state.draft.answers[question.id];
    if (question.kind === "people") {
      const people = peopleGiven(cleanPeople(value) || []).map((person) =>
        person.name_unknown ? { name_unknown: true } : { name: trimText(person.name) },
      );
      if (people.length) answers[question.id] = people;
    } else if (question.kind === "text") {
      const text = trimText(value);
      if (text) answers[question.id] = text;
    } else if (question.kind === "multi") {
      const chosen = cleanAnswer(question, value);
      if (chosen) answers[question.id] = chosen;
    } else if (value) {
      answers[question.id] = value;
    }
  }
  const body = {
    submission_id: state.draft.submission_id,
    form_version: state.form.form.version,
    privacy_notice_version: state.form.privacy_notice.version,
    mode: state.draft.mode,
    answers,
  };
  const narrative = trimText(state.draft.narrative);
  if (narrative) body.narrative = narrative;
  const demographics = {};
  for (const question of demographicsAsked() ? demographicQuestions() : []) {
    if (state.draft.demographics[question.id])
      demographics[question.id] = state.draft.demographics[question.id];
  }
  if (Object.keys(demographics).length) body.demographics = demographics;
  // Only when asked for, and only ever with an anonymous report (the API refuses it named).
  if (state.draft.mode === "anonymous" && state.draft.follow_up === "yes") body.follow_up = true;
  if (state.draft.mode === "named") {
    const c = state.draft.contact;
    const contact = {
      name: trimText(c.name),
      email: trimText(c.email),
      preferred_contact_method: c.preferred_contact_method,
      advisor_preferences: advisorPreferencesOrNone(c),
    };
    if (trimText(c.phone)) contact.phone = trimText(c.phone);
    if (trimText(c.safe_times)) contact.safe_times = trimText(c.safe_times);
    body.contact = contact;
  }
  return body;
}

export async function onSend(event) {
  event.preventDefault();
  if (state.sending) return; // a double click sends once (and the id makes a retry harmless)
  const problems = validateAll();
  if (problems.length) {
    state.shownErrors = problems;
    state.notice = null;
    render({ focus: "summary" });
    return;
  }
  state.sending = true;
  showSending(true);
  let response = null;
  let data = null;
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    response = await fetch(await apiUrl("/reports"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(submission()),
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: controller.signal,
    });
    data = await response.json().catch(() => null);
  } catch {
    response = null;
  } finally {
    window.clearTimeout(timer);
    state.sending = false;
  }
  // Quick exit while sending: the page is being left; the answer must leave no trace here
  // (the report itself may well have arrived, as it would had the exit come a moment later).
  if (isExiting()) return;
  if (response && response.ok && data && data.reference) {
    accepted(data);
  } else if (response && response.status === 400 && data && Array.isArray(data.errors)) {
    await rejected(data.errors);
  } else if (response && response.status === 409 && data && data.error === "conflict") {
    // This id was used for a report with other answers (sent before a change): a new one.
    state.draft.submission_id = uuid();
    save();
    showNotice("conflict");
  } else {
    showNotice("sendFailed"); // 503, a timeout or no network: keep everything, try again
  }
}

/** The code and the day to look again, if the answer holds them as the contract says. */
function receiptCode(followUp) {
  if (!followUp || typeof followUp.receipt_code !== "string") return null;
  const lookAgainOn =
    typeof followUp.look_again_on === "string" && /^\d{4}-\d{2}-\d{2}$/.test(followUp.look_again_on)
      ? followUp.look_again_on
      : null;
  return { receipt_code: followUp.receipt_code, look_again_on: lookAgainOn };
}

function showSending(on) {
  const button = main.querySelector("[data-send]");
  const status = main.querySelector("[data-send-status]");
  if (button) button.setAttribute("aria-disabled", on ? "true" : "false");
  if (status) status.textContent = on ? t("sending") : "";
}

function showNotice(code) {
  state.notice = { title: "sendFailedTitle", code };
  state.shownErrors = [];
  render({ focus: "notice" });
}

function accepted(data) {
  state.receipt = { reference: data.reference, mode: data.mode, next_steps: data.next_steps };
  // The receipt code is shown once: it is kept only in this page's memory, never stored
  // with the receipt (the tab's storage would give it to the next person at this device).
  store.set(KEYS.receipt, { ...state.receipt, follow_up: Boolean(data.follow_up) });
  state.receipt.follow_up = receiptCode(data.follow_up);
  store.remove(KEYS.draft);
  serverErrors.clear();
  state.notice = null;
  state.draft = newDraft();
  state.draft.step = "confirmation";
  pushEntry();
  state.shownErrors = [];
  render({ focus: "heading", announce: true });
}

async function rejected(errors) {
  serverErrors.clear();
  let formChanged = false;
  for (const { field, message } of errors) {
    const error = fromServer(field, String(message || ""));
    if (error === "form changed") formChanged = true;
    else serverErrors.set(error.key, { ...error, label: fieldLabel(error.key) });
  }
  if (formChanged) {
    try {
      state.form = await loadForm({ fresh: true });
      useFormData(state.form);
      sanitize();
      save();
    } catch {
      // keep the form we have; the notice still asks the reporter to check and resend
    }
  }
  state.shownErrors = [...serverErrors.values()];
  state.notice = formChanged ? { title: "sendFailedTitle", code: "formChanged" } : null;
  render({ focus: state.shownErrors.length ? "summary" : "notice" });
}

export function startNewReport() {
  store.remove(KEYS.receipt);
  state.receipt = null;
  state.draft = newDraft();
  goTo("start");
}
