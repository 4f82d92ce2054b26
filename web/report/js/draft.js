// The draft: what the reporter has answered, kept in this tab's sessionStorage only
// (`report:draft`), checked when restored and cleaned against the form it is answering.

import { KEYS, store } from "../site.js";
import { state } from "./state.js";
import { demographicQuestions, stepIds } from "./steps.js";
import { trimText } from "./text.js";

export const CONTACT_FIELDS = [
  "name",
  "email",
  "phone",
  "preferred_contact_method",
  "safe_times",
  "advisor_preferences",
];

export const NO_PREFERENCE = "no_preference";

// A `people` question: one entry per person, a name or "I don't know their name". The API's
// limits (chalicelib/reports/people.py).
export const MAX_PEOPLE = 10;

export function uuid() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newDraft() {
  return {
    submission_id: uuid(),
    step: "start",
    answers: {},
    narrative: "",
    demographics: {},
    mode: null,
    // Anonymous only: "yes" asks for a receipt code (a way back in), "no" does not.
    follow_up: null,
    contact: {},
    returnTo: null,
    visited: [],
    // History: `tab` names this draft's entries, `trail` holds the step of each entry in
    // order, and `at` is the current entry's place in it (see "history" below).
    tab: uuid(),
    trail: [],
    at: -1,
  };
}

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function restoreDraft() {
  const kept = store.get(KEYS.draft);
  if (
    !isObject(kept) ||
    typeof kept.submission_id !== "string" ||
    !/^[0-9a-f-]{36}$/i.test(kept.submission_id)
  ) {
    return null;
  }
  return {
    ...newDraft(),
    ...kept,
    answers: isObject(kept.answers) ? kept.answers : {},
    demographics: isObject(kept.demographics) ? kept.demographics : {},
    contact: isObject(kept.contact) ? kept.contact : {},
    visited: Array.isArray(kept.visited) ? kept.visited.filter((id) => typeof id === "string") : [],
    tab: typeof kept.tab === "string" && /^[0-9a-f-]{36}$/i.test(kept.tab) ? kept.tab : uuid(),
    trail: Array.isArray(kept.trail) ? kept.trail.filter((id) => typeof id === "string") : [],
    at: Number.isInteger(kept.at) ? kept.at : -1,
  };
}

export function save() {
  store.set(KEYS.draft, state.draft);
}

// --- history: a step is an entry ---------------------------------------------------------------
//
// The entries' state is `{form: draft.tab, at: n}`: which draft, and where in `draft.trail`
// (kept in sessionStorage). Quick exit removes the draft, so any entry it leaves behind
// points at nothing, and the form opens afresh on it. The URL stays `/report/`.

/** Drop anything the (possibly changed) form no longer asks for. */
export function sanitize() {
  const questions = new Map(state.form.form.questions.map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(state.draft.answers)) {
    const question = questions.get(id);
    const cleaned = question ? cleanAnswer(question, value) : undefined;
    if (cleaned === undefined) delete state.draft.answers[id];
    else state.draft.answers[id] = cleaned;
  }
  const demographic = new Map(demographicQuestions().map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(state.draft.demographics)) {
    const question = demographic.get(id);
    if (!question || cleanAnswer(question, value) === undefined)
      delete state.draft.demographics[id];
  }
  if (!["anonymous", "named"].includes(state.draft.mode)) state.draft.mode = null;
  if (!["yes", "no"].includes(state.draft.follow_up)) state.draft.follow_up = null;
  const contact = {};
  for (const field of CONTACT_FIELDS) {
    if (typeof state.draft.contact[field] === "string") contact[field] = state.draft.contact[field];
  }
  state.draft.contact = contact;
  if (typeof state.draft.narrative !== "string") state.draft.narrative = "";
  if (state.draft.step !== "start" && !stepIds().includes(state.draft.step))
    state.draft.step = "start";
  if (state.draft.returnTo !== "review") state.draft.returnTo = null;
}

export function cleanAnswer(question, value) {
  if (question.kind === "text") return typeof value === "string" ? value : undefined;
  if (question.kind === "people") return cleanPeople(value);
  const ids = question.options.map((o) => o.id);
  if (question.kind === "multi") {
    const kept = Array.isArray(value) ? ids.filter((id) => value.includes(id)) : [];
    return kept.length ? kept : undefined;
  }
  return ids.includes(value) ? value : undefined;
}

/** A `people` answer as the draft keeps it: `[{name, name_unknown}]`, or undefined if none. */
export function cleanPeople(value) {
  // A draft of the form before people were asked one by one held one text: one person.
  if (typeof value === "string") {
    return trimText(value) ? [{ name: value, name_unknown: false }] : undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const people = value
    .filter(isObject)
    .slice(0, MAX_PEOPLE)
    .map((person) => ({
      name: typeof person.name === "string" ? person.name : "",
      name_unknown: person.name_unknown === true,
    }));
  return people.length ? people : undefined;
}

/** The people a step shows: those in the draft, or one empty entry to start with. */
export function peopleOf(questionId) {
  return cleanPeople(state.draft.answers[questionId]) || [{ name: "", name_unknown: false }];
}

/** The entries that say something: a name, or "I don't know their name". */
export function peopleGiven(people) {
  return people.filter((person) => person.name_unknown || trimText(person.name));
}

/** The advisor preferences a draft holds (a draft kept from before several could be chosen
 * holds one, `advisor_preference`). */
export function advisorPreferences(contact) {
  if (Array.isArray(contact.advisor_preferences)) {
    return contact.advisor_preferences.filter((id) => typeof id === "string");
  }
  return typeof contact.advisor_preference === "string" ? [contact.advisor_preference] : [];
}

/** The preferences to send and show: none ticked is no preference. */
export function advisorPreferencesOrNone(contact) {
  const chosen = advisorPreferences(contact);
  return chosen.length ? chosen : [NO_PREFERENCE];
}
