// The reporter form: one question per step, built from `GET /form`.
//
// Steps, in order: start · every question the answers so far ask (show_if) · narrative ·
// demographics · mode (anonymous or named) · contact (named only) · review · confirmation.
// The draft lives only in this tab's sessionStorage and is cleared once the report is sent
// (or by quick exit). Its submission_id is made once, so a retry or a double click can
// never create a second report. Each step is an entry of the tab's history (Back and Forward
// move between steps); an entry's state is only a random id and a number, never an answer.

import {
  KEYS,
  apiUrl,
  h,
  isExiting,
  loadForm,
  local,
  localParagraph,
  localText,
  onLanguageChange,
  resourceBlock,
  setTitle,
  startChrome,
  store,
  t,
  useFormData,
} from "./site.js";

const main = document.querySelector("main");
const announcer = document.querySelector("[data-announcer]");
const FIXED_STEPS = [
  "start",
  "narrative",
  "demographics",
  "mode",
  "contact",
  "review",
  "confirmation",
];
const CONTACT_FIELDS = [
  "name",
  "email",
  "phone",
  "preferred_contact_method",
  "safe_times",
  "advisor_preferences",
];
const NO_PREFERENCE = "no_preference";
const LIMITS = { name: 200, email: 254, phone: 32, safe_times: 500 };
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,22}[0-9]$/;
const SEND_TIMEOUT_MS = 30000;
// How long a text is, as the API counts it (chalicelib/reports/lengths.py): the Unicode
// White_Space characters trimmed from both ends (not String.prototype.trim's set, which
// differs at U+0085 and U+FEFF), then code points counted (an emoji is one, not two).
const WHITE_SPACE =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, "g");
// The count appears from this share of a limit on (GOV.UK's character count: 75 %), and a
// screen reader hears it once typing pauses, not at every key.
const COUNT_FROM = 0.75;
const COUNT_ANNOUNCE_MS = 1000;
// A `people` question: one entry per person, a name or "I don't know their name". The API's
// limits (chalicelib/reports/people.py).
const MAX_PEOPLE = 10;
const PERSON_NAME_MAX = 200;

let form = null; // GET /form
let draft = null; // what the reporter has answered; mirrored to sessionStorage
let receipt = null; // the accepted report, for the confirmation
let shownErrors = []; // problems shown on the current step: {key, step, href, code, vars, raw, label}
const serverErrors = new Map(); // key -> problem, from the API's 400 answer
let notice = null; // a calm message on the review page: {title, code}
let sending = false;

// --- the draft ------------------------------------------------------------------------------

function uuid() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function newDraft() {
  return {
    submission_id: uuid(),
    step: "start",
    answers: {},
    narrative: "",
    demographics: {},
    mode: null,
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

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function restoreDraft() {
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

function save() {
  store.set(KEYS.draft, draft);
}

// --- history: a step is an entry ---------------------------------------------------------------
//
// The entries' state is `{form: draft.tab, at: n}`: which draft, and where in `draft.trail`
// (kept in sessionStorage). Quick exit removes the draft, so any entry it leaves behind
// points at nothing, and the form opens afresh on it. The URL stays `/report/`.

function entryState() {
  return { form: draft.tab, at: draft.at };
}

/** The place in the trail an entry's state points at, or -1 (another draft's, or none). */
function placeOf(state) {
  if (!isObject(state) || state.form !== draft.tab || !Number.isInteger(state.at)) return -1;
  return state.at >= 0 && state.at < draft.trail.length ? state.at : -1;
}

/** A new entry for the current step; forward entries are dropped, as the browser drops them. */
function pushEntry() {
  draft.trail = draft.trail.slice(0, Math.max(draft.at + 1, 0));
  draft.trail.push(draft.step);
  draft.at = draft.trail.length - 1;
  window.history.pushState(entryState(), "");
}

/** Make the current entry (loaded, or one of another draft) point at the current step. */
function adoptEntry() {
  draft.trail.push(draft.step);
  draft.at = draft.trail.length - 1;
  window.history.replaceState(entryState(), "");
}

/** A step the draft can show now. */
function canShow(step) {
  return step === "start" || stepIds().includes(step);
}

function onPopState(event) {
  if (isExiting() || !form || !draft) return;
  const at = placeOf(event.state);
  if (at < 0 || draft.step === "confirmation" || !canShow(draft.trail[at])) {
    // An entry of a draft sent or left (or a step no longer asked): stay on this step.
    adoptEntry();
    save();
    return;
  }
  collect();
  draft.at = at;
  const step = draft.trail[at];
  if (step === "review") draft.returnTo = null;
  draft.step = step;
  if (!draft.visited.includes(step)) draft.visited.push(step);
  shownErrors = serverErrorsFor(step);
  if (step !== "review") notice = null;
  save();
  render({ focus: "heading", announce: true });
}

/** Drop anything the (possibly changed) form no longer asks for. */
function sanitize() {
  const questions = new Map(form.form.questions.map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(draft.answers)) {
    const question = questions.get(id);
    const cleaned = question ? cleanAnswer(question, value) : undefined;
    if (cleaned === undefined) delete draft.answers[id];
    else draft.answers[id] = cleaned;
  }
  const demographic = new Map(demographicQuestions().map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(draft.demographics)) {
    const question = demographic.get(id);
    if (!question || cleanAnswer(question, value) === undefined) delete draft.demographics[id];
  }
  if (!["anonymous", "named"].includes(draft.mode)) draft.mode = null;
  const contact = {};
  for (const field of CONTACT_FIELDS) {
    if (typeof draft.contact[field] === "string") contact[field] = draft.contact[field];
  }
  draft.contact = contact;
  if (typeof draft.narrative !== "string") draft.narrative = "";
  if (draft.step !== "start" && !stepIds().includes(draft.step)) draft.step = "start";
  if (draft.returnTo !== "review") draft.returnTo = null;
}

function cleanAnswer(question, value) {
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
function cleanPeople(value) {
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
function peopleOf(questionId) {
  return cleanPeople(draft.answers[questionId]) || [{ name: "", name_unknown: false }];
}

/** The entries that say something: a name, or "I don't know their name". */
function peopleGiven(people) {
  return people.filter((person) => person.name_unknown || trimText(person.name));
}

// --- the steps ------------------------------------------------------------------------------

function questions() {
  return form.form.questions.filter((q) => !FIXED_STEPS.includes(q.id));
}

function demographicQuestions() {
  return form.form.demographic_questions || [];
}

/** The reporter's answer to whom the report is for (`myself`, `witness`...), if given. */
function reportingFor() {
  const id = form.form.reporting_for_question;
  const given = id ? draft.answers[id] : undefined;
  return typeof given === "string" ? given : null;
}

/**
 * A question as it is put to this reporter: its wording for their answer to reporting_for
 * (a witness is asked about "the person it happened to"), else its own label and hint.
 * Option ids stay; only what they are called may change.
 */
function worded(question) {
  const wording = (question.wording || {})[reportingFor()];
  if (!wording) return question;
  const labels = wording.options || {};
  return {
    ...question,
    label: wording.label,
    hint: wording.hint,
    options: question.options.map((o) => (labels[o.id] ? { ...o, label: labels[o.id] } : o)),
  };
}

/** Whether this reporter is asked the demographic questions (the institution's asked_for). */
function demographicsAsked() {
  if (!demographicQuestions().length) return false;
  const askedFor = (form.form.demographics || {}).asked_for;
  return !askedFor || askedFor.includes(reportingFor());
}

/**
 * The demographics step's heading, intro and review heading for this reporter: the
 * institution's wording for their answer to reporting_for (texts per language), else the
 * page's own words ("About you").
 */
function demographicsWording() {
  const wording = ((form.form.demographics || {}).wording || {})[reportingFor()];
  if (wording) {
    return { heading: wording.heading, intro: wording.intro, review: wording.review_heading };
  }
  return {
    heading: t("demographicsHeading"),
    intro: t("demographicsIntro"),
    review: t("reviewAboutYou"),
  };
}

/** An element holding a page string or an institution text (marked if in a fallback language). */
function textIn(tag, text) {
  return typeof text === "string" ? h(tag, { text }) : localText(h(tag), text);
}

function questionById(id) {
  return questions().find((q) => q.id === id);
}

/** Whether a question is asked, given the answers so far (show_if, through its parents). */
function isAsked(question) {
  const condition = question.show_if;
  if (!condition) return true;
  const parent = questionById(condition.question);
  if (!parent || !isAsked(parent)) return false;
  const given = draft.answers[parent.id];
  const chosen = Array.isArray(given) ? given : given ? [given] : [];
  return chosen.some((id) => condition.any_of.includes(id));
}

/** The steps the reporter goes through now (start and confirmation are not counted). */
function stepIds() {
  const ids = questions()
    .filter(isAsked)
    .map((q) => q.id);
  ids.push("narrative");
  if (demographicsAsked()) ids.push("demographics");
  ids.push("mode");
  if (draft.mode === "named") ids.push("contact");
  ids.push("review");
  return ids;
}

/** Answers to questions that are no longer asked are dropped, not kept out of sight. */
function pruneAnswers() {
  for (const question of questions()) {
    if (!isAsked(question)) {
      delete draft.answers[question.id];
      draft.visited = draft.visited.filter((id) => id !== question.id);
    }
  }
  // Demographics describe the person affected: a reporter no longer asked them (now a
  // witness) must not send answers given about someone else.
  if (!demographicsAsked()) {
    draft.demographics = {};
    draft.visited = draft.visited.filter((id) => id !== "demographics");
  }
}

// --- validation -----------------------------------------------------------------------------

function problem(key, step, code, vars = {}) {
  return { key, step, href: fieldId(key), code, vars };
}

function errorMessage(error) {
  return error.code ? t(error.code, error.vars) : error.raw;
}

/** The id of the element an error summary link focuses. */
function fieldId(key) {
  if (key === "narrative") return "narrative";
  if (key === "mode") return "mode-anonymous";
  if (key.startsWith("contact.")) {
    const field = key.slice("contact.".length);
    if (field === "preferred_contact_method")
      return `contact-${field}-${form.form.contact.contact_methods[0].id}`;
    if (field === "advisor_preferences")
      return `contact-${field}-${form.form.contact.advisor_preferences[0].id}`;
    return `contact-${field}`;
  }
  if (key.startsWith("demographics.")) {
    const question = demographicQuestions().find((q) => q.id === key.slice("demographics.".length));
    return question ? `demographics-${question.id}-${question.options[0].id}` : null;
  }
  const person = personKey(key);
  if (person) return `${person.question.id}-${person.index}-name`;
  const question = questionById(key);
  if (!question) return null;
  if (question.kind === "people") return `${question.id}-0-name`;
  return question.kind === "text" ? question.id : `${question.id}-${question.options[0].id}`;
}

/** `text` without white space at either end (the API's rule). */
function trimText(text) {
  return typeof text === "string" ? text.replace(TRIM, "") : "";
}

/** How many characters `text` counts against a limit: code points of the trimmed text. */
function textLength(text) {
  let count = 0;
  for (const _ of trimText(text)) count += 1;
  return count;
}

/** `<question>.<n>.name`, the key of one person's name: its question and place, or null. */
function personKey(key) {
  const match = /^([a-z0-9_]+)\.(\d+)\.name$/.exec(key);
  const question = match && questionById(match[1]);
  return question && question.kind === "people" ? { question, index: Number(match[2]) } : null;
}

function tooLong(value, max) {
  return typeof value === "string" && textLength(value) > max;
}

/** The problems a step's answers have, in the order its fields appear. */
function validate(step) {
  const found = [];
  if (step === "narrative") {
    if (tooLong(draft.narrative, form.form.narrative_max_length)) {
      found.push(problem("narrative", step, "errTooLong", { max: form.form.narrative_max_length }));
    }
  } else if (step === "mode") {
    if (!draft.mode) found.push(problem("mode", step, "errMode"));
  } else if (step === "contact") {
    const c = draft.contact;
    const value = (field) => trimText(c[field]);
    if (!value("name")) found.push(problem("contact.name", step, "errName"));
    else if (tooLong(c.name, LIMITS.name))
      found.push(problem("contact.name", step, "errTooLong", { max: LIMITS.name }));
    if (!value("email")) found.push(problem("contact.email", step, "errEmailMissing"));
    else if (!EMAIL.test(value("email")) || tooLong(c.email, LIMITS.email)) {
      found.push(problem("contact.email", step, "errEmail"));
    }
    if (value("phone")) {
      const digits = value("phone").replace(/\D/g, "").length;
      if (!PHONE.test(value("phone")) || digits < 7 || digits > 15) {
        found.push(problem("contact.phone", step, "errPhone"));
      }
    } else if (c.preferred_contact_method === "phone") {
      found.push(problem("contact.phone", step, "errPhoneRequired"));
    }
    if (!c.preferred_contact_method) {
      found.push(problem("contact.preferred_contact_method", step, "errContactMethod"));
    }
    if (tooLong(c.safe_times, LIMITS.safe_times)) {
      found.push(problem("contact.safe_times", step, "errTooLong", { max: LIMITS.safe_times }));
    }
    const preferences = advisorPreferences(c);
    if (preferences.includes(NO_PREFERENCE) && preferences.length > 1) {
      found.push(problem("contact.advisor_preferences", step, "errPreferenceAlone"));
    }
  } else {
    const question = questionById(step);
    if (question && isAsked(question)) {
      const value = draft.answers[question.id];
      if (question.kind === "people") {
        const people = peopleOf(question.id);
        people.forEach((person, index) => {
          if (!person.name_unknown && tooLong(person.name, PERSON_NAME_MAX)) {
            const key = `${question.id}.${index}.name`;
            found.push(problem(key, step, "errTooLong", { max: PERSON_NAME_MAX }));
          }
        });
        if (question.required && !peopleGiven(people).length) {
          found.push(problem(step, step, "errPeople"));
        }
      } else if (question.kind === "text") {
        if (question.required && !trimText(value)) found.push(problem(step, step, "errText"));
        else if (tooLong(value, question.max_length)) {
          found.push(problem(step, step, "errTooLong", { max: question.max_length }));
        }
      } else if (question.required && (!value || (Array.isArray(value) && !value.length))) {
        found.push(
          problem(step, step, question.kind === "multi" ? "errChooseMany" : "errChooseOne"),
        );
      }
    }
  }
  return found;
}

/** Every step's problems, for the review page before sending. */
function validateAll() {
  return stepIds()
    .filter((step) => step !== "review")
    .flatMap((step) => validate(step))
    .map((error) => ({ ...error, label: fieldLabel(error.key) }));
}

/** What a field is called, for errors listed away from their step. */
function fieldLabel(key) {
  if (key === "narrative") return t("reviewAccountKey");
  if (key === "mode") return t("reviewMode");
  if (key.startsWith("contact.")) {
    const names = {
      name: "contactName",
      email: "contactEmail",
      phone: "contactPhone",
      preferred_contact_method: "contactMethod",
      safe_times: "safeTimes",
      advisor_preferences: "advisorPreference",
    };
    return t(names[key.slice("contact.".length)] || "contactHeading");
  }
  if (key.startsWith("demographics.")) {
    const question = demographicQuestions().find((q) => q.id === key.slice("demographics.".length));
    if (question) return local(worded(question).label).text;
    const heading = demographicsWording().heading;
    return typeof heading === "string" ? heading : local(heading).text;
  }
  const person = personKey(key);
  if (person) {
    const which = t("personN", { n: person.index + 1 });
    return `${local(person.question.label).text} (${which})`;
  }
  const question = questionById(key);
  return question ? local(worded(question).label).text : "";
}

// --- the API's answer to a bad submission ----------------------------------------------------

/** Where an API error (`answers.when`, `contact.email`, ...) belongs, in our words. */
function fromServer(field, message) {
  const [head, ...rest] = String(field).split(".");
  const sub = rest.join(".");
  const required = /required|blank/.test(message);
  const long = /at most (\d+) characters/.exec(message);
  const withCode = (key, step, code, vars = {}) => ({
    ...problem(key, step, code, vars),
    raw: message,
  });
  const tooLongOr = (key, step, code) =>
    long ? withCode(key, step, "errTooLong", { max: Number(long[1]) }) : withCode(key, step, code);

  const people = head === "answers" && questionById(rest[0]);
  if (people && people.kind === "people" && rest.length > 1) {
    // One person's entry (`answers.<id>.<n>.name`): shown at that person's name.
    const key = personKey(rest.slice(0, 3).join(".")) ? rest.slice(0, 3).join(".") : people.id;
    return tooLongOr(key, people.id, "errPeople");
  }
  if (head === "answers" && sub && questionById(sub)) {
    const question = questionById(sub);
    if (required) {
      const code =
        question.kind === "text"
          ? "errText"
          : question.kind === "people"
            ? "errPeople"
            : question.kind === "multi"
              ? "errChooseMany"
              : "errChooseOne";
      return withCode(sub, sub, code);
    }
    return tooLongOr(sub, sub, question.kind === "people" ? "errPeople" : "errOption");
  }
  if (head === "narrative") return tooLongOr("narrative", "narrative", null);
  if (head === "demographics" && sub && demographicQuestions().some((q) => q.id === sub)) {
    return withCode(`demographics.${sub}`, "demographics", "errOption");
  }
  if (head === "mode") return withCode("mode", "mode", "errMode");
  if (head === "contact" && CONTACT_FIELDS.includes(sub)) {
    const key = `contact.${sub}`;
    const codes = {
      name: required ? "errName" : null,
      email: required ? "errEmailMissing" : "errEmail",
      phone: required ? "errPhoneRequired" : "errPhone",
      preferred_contact_method: required ? "errContactMethod" : "errOption",
      safe_times: null,
      advisor_preferences: /combined/.test(message) ? "errPreferenceAlone" : "errOption",
    };
    return tooLongOr(key, "contact", codes[sub]);
  }
  if (head === "form_version" || head === "privacy_notice_version") return "form changed";
  if (head === "contact" && !sub)
    return { key: "contact", step: "contact", href: null, raw: message };
  return { key: field, step: "review", href: null, raw: `${field}: ${message}` };
}

function serverErrorsFor(step) {
  return [...serverErrors.values()].filter((error) => error.step === step);
}

// --- reading the page into the draft ---------------------------------------------------------

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

/** Copy what the current step's fields hold into the draft (on every change). */
function collect() {
  const step = draft.step;
  if (step === "narrative") {
    draft.narrative = fieldValue("narrative") ?? draft.narrative;
  } else if (step === "demographics") {
    for (const question of demographicQuestions()) {
      const [value] = checkedValues(question.id);
      if (value) draft.demographics[question.id] = value;
      else delete draft.demographics[question.id];
    }
  } else if (step === "mode") {
    draft.mode = checkedValues("mode")[0] || null;
  } else if (step === "contact") {
    for (const field of ["name", "email", "phone", "safe_times"]) {
      const value = fieldValue(`contact-${field}`);
      if (value !== undefined) draft.contact[field] = value;
    }
    const [method] = checkedValues("preferred_contact_method");
    if (method) draft.contact.preferred_contact_method = method;
    else delete draft.contact.preferred_contact_method;
    draft.contact.advisor_preferences = checkedValues("advisor_preferences");
    delete draft.contact.advisor_preference; // a draft kept from before several could be chosen
  } else {
    const question = questionById(step);
    if (!question) return;
    if (question.kind === "people") {
      const rows = main.querySelectorAll("[data-person]");
      if (rows.length) {
        draft.answers[question.id] = Array.from(rows, (row) => ({
          name: row.querySelector("input[type=text]").value,
          name_unknown: row.querySelector("input[type=checkbox]").checked,
        }));
      }
    } else if (question.kind === "text") {
      draft.answers[question.id] = fieldValue(question.id) ?? "";
    } else if (question.kind === "multi") {
      draft.answers[question.id] = checkedValues(question.id);
    } else {
      const [value] = checkedValues(question.id);
      if (value) draft.answers[question.id] = value;
      else delete draft.answers[question.id];
    }
  }
  save();
}

// --- navigation ------------------------------------------------------------------------------

function goTo(step, { focus = "heading" } = {}) {
  draft.step = step;
  if (!draft.visited.includes(step)) draft.visited.push(step);
  shownErrors = serverErrorsFor(step);
  if (step !== "review") notice = null;
  pushEntry();
  save();
  render({ focus, announce: true });
}

function nextStep() {
  const ids = stepIds();
  const index = ids.indexOf(draft.step);
  if (draft.returnTo === "review") {
    // Changing one answer may ask a new question (or need contact details): go there first.
    for (const id of ids.slice(index + 1)) {
      if (id === "review") break;
      if (!draft.visited.includes(id) || validate(id).length) return id;
    }
    draft.returnTo = null;
    return "review";
  }
  return ids[index + 1] || "review";
}

function onContinue(event) {
  event.preventDefault();
  collect();
  const problems = validate(draft.step);
  if (problems.length) {
    shownErrors = problems;
    render({ focus: "summary" });
    return;
  }
  for (const [key, error] of serverErrors) {
    if (error.step === draft.step) serverErrors.delete(key);
  }
  pruneAnswers();
  goTo(nextStep());
}

function onBack() {
  collect();
  const ids = stepIds();
  const index = ids.indexOf(draft.step);
  const target = draft.returnTo === "review" ? "review" : index > 0 ? ids[index - 1] : "start";
  if (draft.at > 0 && draft.trail[draft.at - 1] === target) {
    // The page's Back does what the browser's does, so the two histories never disagree.
    save();
    window.history.back();
    return;
  }
  draft.returnTo = null;
  goTo(target);
}

/** A "Change" link or an error link to another step: go there, then come back to review. */
function changeTo(step) {
  return (event) => {
    event.preventDefault();
    draft.returnTo = "review";
    goTo(step);
  };
}

function focusField(id) {
  const element = document.getElementById(id);
  if (!element) return false;
  const holder =
    element.closest("fieldset")?.querySelector("legend") ||
    document.querySelector(`label[for="${CSS.escape(id)}"]`);
  element.focus({ preventScroll: true });
  (holder || element).scrollIntoView({ block: "start" });
  return true;
}

// --- sending -----------------------------------------------------------------------------------

function submission() {
  const answers = {};
  for (const question of questions()) {
    if (!isAsked(question)) continue;
    const value = draft.answers[question.id];
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
    submission_id: draft.submission_id,
    form_version: form.form.version,
    privacy_notice_version: form.privacy_notice.version,
    mode: draft.mode,
    answers,
  };
  const narrative = trimText(draft.narrative);
  if (narrative) body.narrative = narrative;
  const demographics = {};
  for (const question of demographicsAsked() ? demographicQuestions() : []) {
    if (draft.demographics[question.id])
      demographics[question.id] = draft.demographics[question.id];
  }
  if (Object.keys(demographics).length) body.demographics = demographics;
  if (draft.mode === "named") {
    const c = draft.contact;
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

async function onSend(event) {
  event.preventDefault();
  if (sending) return; // a double click sends once (and the id makes a retry harmless)
  const problems = validateAll();
  if (problems.length) {
    shownErrors = problems;
    notice = null;
    render({ focus: "summary" });
    return;
  }
  sending = true;
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
    sending = false;
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
    draft.submission_id = uuid();
    save();
    showNotice("conflict");
  } else {
    showNotice("sendFailed"); // 503, a timeout or no network: keep everything, try again
  }
}

function showSending(on) {
  const button = main.querySelector("[data-send]");
  const status = main.querySelector("[data-send-status]");
  if (button) button.setAttribute("aria-disabled", on ? "true" : "false");
  if (status) status.textContent = on ? t("sending") : "";
}

function showNotice(code) {
  notice = { title: "sendFailedTitle", code };
  shownErrors = [];
  render({ focus: "notice" });
}

function accepted(data) {
  receipt = { reference: data.reference, mode: data.mode, next_steps: data.next_steps };
  store.set(KEYS.receipt, receipt);
  store.remove(KEYS.draft);
  serverErrors.clear();
  notice = null;
  draft = newDraft();
  draft.step = "confirmation";
  pushEntry();
  shownErrors = [];
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
      form = await loadForm({ fresh: true });
      useFormData(form);
      sanitize();
      save();
    } catch {
      // keep the form we have; the notice still asks the reporter to check and resend
    }
  }
  shownErrors = [...serverErrors.values()];
  notice = formChanged ? { title: "sendFailedTitle", code: "formChanged" } : null;
  render({ focus: shownErrors.length ? "summary" : "notice" });
}

function startNewReport() {
  store.remove(KEYS.receipt);
  receipt = null;
  draft = newDraft();
  goTo("start");
}

// --- pieces of a step --------------------------------------------------------------------------

function errorFor(key) {
  return shownErrors.find((error) => error.key === key);
}

function errorText(id, error) {
  return h(
    "p",
    { class: "error-message", id },
    h("span", { class: "visually-hidden", text: `${t("errorHidden")} ` }),
    errorMessage(error),
  );
}

function errorSummary(errors) {
  return h(
    "div",
    {
      class: "error-summary",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": "error-summary-title",
      "data-error-summary": true,
    },
    h("h2", { id: "error-summary-title", text: t("errorSummaryTitle") }),
    h(
      "ul",
      {},
      errors.map((error) => {
        const away = error.step !== draft.step;
        const text =
          away && error.label ? `${error.label}: ${errorMessage(error)}` : errorMessage(error);
        if (!error.href) return h("li", { text });
        return h(
          "li",
          {},
          h("a", {
            href: `#${error.href}`,
            text,
            onclick: (event) => {
              event.preventDefault();
              if (away) {
                draft.returnTo = "review";
                goTo(error.step, { focus: error.href });
              } else {
                focusField(error.href);
              }
            },
          }),
        );
      }),
    ),
  );
}

function noticeBox() {
  return h(
    "div",
    {
      class: "notice",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": "notice-title",
      "data-notice": true,
    },
    h("h2", { id: "notice-title", text: t(notice.title) }),
    h("p", { text: t(notice.code) }),
  );
}

function backButton() {
  return h("button", { type: "button", class: "back-link", onclick: onBack, text: t("back") });
}

function pageHeading(content) {
  const heading = h("h1", { tabindex: "-1", "data-heading": true });
  if (typeof content === "string") heading.textContent = content;
  else heading.append(content);
  return heading;
}

function progress() {
  const ids = stepIds();
  const index = ids.indexOf(draft.step);
  return index < 0 ? null : t("progress", { n: index + 1, total: ids.length });
}

function continueButton(label = t("continue")) {
  return h(
    "div",
    { class: "button-group" },
    h("button", { type: "submit", class: "button", text: label }),
  );
}

function describedBy(...ids) {
  const list = ids.filter(Boolean);
  return list.length ? list.join(" ") : null;
}

/**
 * A group of radios or checkboxes: fieldset, legend, hint, inline error, choices.
 * `legend` is a node; `asPage` makes it the page's h1.
 */
function choiceGroup({
  key,
  name,
  idPrefix,
  legend,
  asPage,
  hint,
  optional,
  type,
  options,
  selected,
}) {
  const error = errorFor(key);
  const hintId = hint ? `${idPrefix}-hint` : null;
  const optionalId = optional ? `${idPrefix}-optional` : null;
  const errorId = error ? `${idPrefix}-error` : null;
  return h(
    "div",
    { class: `form-group${error ? " form-group--error" : ""}` },
    h(
      "fieldset",
      { "aria-describedby": describedBy(hintId, optionalId, errorId) },
      h(
        "legend",
        { class: asPage ? "legend--page" : "legend--question" },
        asPage ? pageHeading(legend) : legend,
      ),
      hint ? h("div", { class: "hint", id: hintId }, hint) : null,
      optional ? h("p", { class: "hint", id: optionalId, text: t("optionalQuestion") }) : null,
      error ? errorText(errorId, error) : null,
      h(
        "div",
        { class: "choices" },
        options.map((option) => {
          const id = `${idPrefix}-${option.id}`;
          const optionHintId = option.hint ? `${id}-hint` : null;
          return h(
            "div",
            { class: "choice" },
            h("input", {
              type,
              id,
              name,
              value: option.id,
              checked: selected.includes(option.id),
              "aria-describedby": optionHintId,
            }),
            h(
              "label",
              { for: id },
              option.text !== undefined
                ? h("span", { class: "choice__text", text: option.text })
                : localText(h("span", { class: "choice__text" }), option.label),
              option.hint
                ? h("span", { class: "choice__hint", id: optionHintId, text: option.hint })
                : null,
            ),
          );
        }),
      ),
    ),
  );
}

/** A text input or textarea with its label, hint and inline error. */
function textField({
  key,
  id,
  name,
  label,
  asPage,
  hint,
  value,
  multiline,
  type = "text",
  autocomplete,
  spellcheck,
  maxLength,
  width,
}) {
  const error = errorFor(key);
  const hintId = hint ? `${id}-hint` : null;
  const countId = maxLength ? `${id}-count` : null;
  const errorId = error ? `${id}-error` : null;
  const labelElement = h("label", { for: id, class: asPage ? "label--page" : "label" }, label);
  const attrs = {
    id,
    name,
    class: multiline
      ? `textarea${error ? " textarea--error" : ""}`
      : `input${width ? ` input--${width}` : ""}${error ? " input--error" : ""}`,
    "aria-describedby": describedBy(hintId, countId, errorId),
    "aria-invalid": error ? "true" : null,
    autocomplete: autocomplete || null,
    spellcheck: spellcheck === false ? "false" : null,
  };
  const control = multiline ? h("textarea", { ...attrs, rows: 6 }) : h("input", { ...attrs, type });
  control.value = value || "";
  // No maxlength attribute: it would cut a paste short without a word (and counts UTF-16
  // units). The reporter may type past the limit, sees the count, and Continue says why.
  if (maxLength) control.dataset.maxLength = String(maxLength);
  return h(
    "div",
    { class: `form-group${error ? " form-group--error" : ""}` },
    asPage ? pageHeading(labelElement) : labelElement,
    hint ? h("div", { class: "hint", id: hintId }, hint) : null,
    error ? errorText(errorId, error) : null,
    control,
    maxLength ? characterCount(countId, value, maxLength) : null,
  );
}

/**
 * Under a field with a limit: "You can enter up to N characters" until the text reaches
 * COUNT_FROM of it, then how many remain or how many are too many. The field's description
 * points here; a screen reader is told the count by a polite live region once typing pauses.
 */
function characterCount(countId, value, max) {
  const count = h("p", { class: "hint character-count", id: countId, "data-count": true });
  showCount(count, value, max);
  return [
    count,
    h("p", {
      class: "visually-hidden",
      "aria-live": "polite",
      "data-count-status": true,
    }),
  ];
}

function countMessage(value, max) {
  const left = max - textLength(value);
  if (left < 0) {
    return { over: true, text: t(left === -1 ? "charsOverOne" : "charsOver", { n: -left }) };
  }
  if (max - left < max * COUNT_FROM) return { over: false, text: t("maxChars", { max }) };
  return { over: false, text: t(left === 1 ? "charsLeftOne" : "charsLeft", { n: left }) };
}

function showCount(element, value, max) {
  const { over, text } = countMessage(value, max);
  element.textContent = text;
  element.classList.toggle("character-count--over", over);
}

let countTimer = 0;

/** Keep a field's count up to date as the reporter types (see `characterCount`). */
function updateCount(field) {
  const max = Number(field.dataset.maxLength);
  const group = field.closest(".form-group");
  const count = group?.querySelector("[data-count]");
  const status = group?.querySelector("[data-count-status]");
  if (!max || !count) return;
  showCount(count, field.value, max);
  window.clearTimeout(countTimer);
  countTimer = window.setTimeout(() => {
    if (!status || !status.isConnected) return;
    const { text } = countMessage(field.value, max);
    // Below the threshold there is nothing new to say; the field's hint already says it.
    status.textContent = textLength(field.value) >= max * COUNT_FROM ? text : "";
  }, COUNT_ANNOUNCE_MS);
}

function stepShell(step, children, { back = true } = {}) {
  const caption = progress();
  return h(
    "div",
    { class: "step", "data-step": step },
    back ? backButton() : null,
    notice ? noticeBox() : null,
    shownErrors.length ? errorSummary(shownErrors) : null,
    caption ? h("p", { class: "caption", "data-progress": true, text: caption }) : null,
    children,
  );
}

function stepForm(onsubmit, ...children) {
  return h("form", { novalidate: true, onsubmit, "data-form": true }, ...children);
}

// --- the steps ----------------------------------------------------------------------------------

function startView() {
  const privacyUrl = safeLink(form.privacy_notice.url) || "/report/privacy.html";
  return h(
    "div",
    { class: "step", "data-step": "start" },
    pageHeading(t("startHeading")),
    h("p", { class: "lead", text: t("startIntro") }),
    h("p", { text: t("startSteps") }),
    h("p", { text: t("startChoice") }),
    h("p", { class: "warning", text: t("emergencyLine") }),
    h("h2", { text: t("startSafetyHeading") }),
    // Escape is mentioned only where there is a keyboard (report.css shows one of the two).
    h("p", { class: "without-keyboard", text: t("startSafety") }),
    h("p", { class: "with-keyboard", text: t("startSafetyKeys") }),
    h("h2", { text: t("startPrivacyHeading") }),
    localParagraph(form.privacy_notice.summary),
    h("p", {}, h("a", { href: privacyUrl, text: t("privacyLink") })),
    stepForm(
      (event) => {
        event.preventDefault();
        draft.returnTo = null;
        goTo(stepIds()[0]);
      },
      continueButton(t("start")),
    ),
  );
}

/** A `people` question: a fieldset per person (name, "I don't know their name", remove). */
function peopleView(question) {
  const people = peopleOf(question.id);
  const error = errorFor(question.id);
  const hintId = question.hint ? `${question.id}-hint` : null;
  const optionalId = question.required ? null : `${question.id}-optional`;
  const errorId = error ? `${question.id}-error` : null;
  return stepShell(
    question.id,
    stepForm(
      onContinue,
      h(
        "div",
        { class: `form-group${error ? " form-group--error" : ""}` },
        h(
          "fieldset",
          { "aria-describedby": describedBy(hintId, optionalId, errorId) },
          h(
            "legend",
            { class: "legend--page" },
            pageHeading(localText(h("span"), question.label)),
          ),
          hintId ? localText(h("div", { class: "hint", id: hintId }), question.hint) : null,
          optionalId
            ? h("p", { class: "hint", id: optionalId, text: t("optionalQuestion") })
            : null,
          error ? errorText(errorId, error) : null,
          h(
            "div",
            { class: "people" },
            people.map((person, index) => personEntry(question, person, index, people.length)),
          ),
          people.length < MAX_PEOPLE
            ? h("button", {
                type: "button",
                class: "button button--secondary",
                "data-add-person": true,
                onclick: () => addPerson(question),
                text: t("addPerson"),
              })
            : h("p", { class: "hint", text: t("peopleMax", { max: MAX_PEOPLE }) }),
        ),
      ),
      continueButton(),
    ),
  );
}

function personEntry(question, person, index, count) {
  const id = `${question.id}-${index}`;
  const error = errorFor(`${question.id}.${index}.name`);
  const errorId = error ? `${id}-name-error` : null;
  const name = h("input", {
    type: "text",
    id: `${id}-name`,
    name: `${id}-name`,
    class: `input${error ? " input--error" : ""}`,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": errorId,
    "aria-invalid": error ? "true" : null,
    disabled: person.name_unknown,
  });
  name.value = person.name;
  return h(
    "fieldset",
    { class: `person${error ? " form-group--error" : ""}`, "data-person": index },
    h("legend", { class: "legend--question", text: t("personN", { n: index + 1 }) }),
    h("label", { for: `${id}-name`, class: "label", text: t("personName") }),
    error ? errorText(errorId, error) : null,
    name,
    h(
      "div",
      { class: "choice person__unknown" },
      h("input", {
        type: "checkbox",
        id: `${id}-unknown`,
        name: `${id}-unknown`,
        checked: person.name_unknown,
        // A name and "not known" at once would say two things: the name waits, greyed.
        onchange: (event) => {
          name.disabled = event.target.checked;
        },
      }),
      h("label", { for: `${id}-unknown`, text: t("nameUnknown") }),
    ),
    count > 1
      ? h("button", {
          type: "button",
          class: "button button--secondary person__remove",
          "data-remove-person": index,
          onclick: () => removePerson(question, index),
          text: t("removePerson", { n: index + 1 }),
        })
      : null,
  );
}

/** Where focus goes to reach one person: their name, or their checkbox if it is not known. */
function personFocus(question, index) {
  const name = document.getElementById(`${question.id}-${index}-name`);
  return name && name.disabled ? `${question.id}-${index}-unknown` : `${question.id}-${index}-name`;
}

function addPerson(question) {
  collect();
  const people = peopleOf(question.id);
  if (people.length >= MAX_PEOPLE) return;
  people.push({ name: "", name_unknown: false });
  draft.answers[question.id] = people;
  save();
  render({ focus: `${question.id}-${people.length - 1}-name` });
  announce(t("personAdded", { n: people.length }));
}

function removePerson(question, index) {
  collect();
  const people = peopleOf(question.id);
  people.splice(index, 1);
  draft.answers[question.id] = people.length ? people : [{ name: "", name_unknown: false }];
  // The places after the one removed move up: an error shown for one would point elsewhere.
  shownErrors = shownErrors.filter((error) => !error.key.startsWith(`${question.id}.`));
  save();
  render();
  const next = Math.min(index, peopleOf(question.id).length - 1);
  focusField(personFocus(question, next));
  announce(t("personRemoved", { n: index + 1 }));
}

function questionView(asked) {
  const question = worded(asked);
  const value = draft.answers[question.id];
  const hint = question.hint ? localText(h("span"), question.hint) : null;
  if (question.kind === "people") return peopleView(question);
  if (question.kind === "text") {
    return stepShell(
      question.id,
      stepForm(
        onContinue,
        textField({
          key: question.id,
          id: question.id,
          name: question.id,
          label: localText(h("span"), question.label),
          asPage: true,
          hint: hint
            ? h("span", {}, hint, question.required ? null : [" ", t("optionalQuestion")])
            : null,
          value,
          multiline: true,
          maxLength: question.max_length,
        }),
        continueButton(),
      ),
    );
  }
  return stepShell(
    question.id,
    stepForm(
      onContinue,
      choiceGroup({
        key: question.id,
        name: question.id,
        idPrefix: question.id,
        legend: localText(h("span"), question.label),
        asPage: true,
        hint,
        optional: !question.required,
        type: question.kind === "multi" ? "checkbox" : "radio",
        options: question.options,
        selected: Array.isArray(value) ? value : value ? [value] : [],
      }),
      continueButton(),
    ),
  );
}

function narrativeView() {
  return stepShell(
    "narrative",
    stepForm(
      onContinue,
      textField({
        key: "narrative",
        id: "narrative",
        name: "narrative",
        label: t("narrativeHeading"),
        asPage: true,
        hint: t("narrativeHint"),
        value: draft.narrative,
        multiline: true,
        maxLength: form.form.narrative_max_length,
      }),
      continueButton(),
    ),
  );
}

function demographicsView() {
  const wording = demographicsWording();
  return stepShell(
    "demographics",
    stepForm(
      onContinue,
      pageHeading(textIn("span", wording.heading)),
      textIn("p", wording.intro),
      demographicQuestions().map(worded).map((question) =>
        choiceGroup({
          key: `demographics.${question.id}`,
          name: question.id,
          idPrefix: `demographics-${question.id}`,
          legend: localText(h("span"), question.label),
          hint: question.hint ? localText(h("span"), question.hint) : null,
          type: "radio",
          options: question.options,
          selected: draft.demographics[question.id] ? [draft.demographics[question.id]] : [],
        }),
      ),
      continueButton(),
    ),
  );
}

/**
 * The limits of confidentiality, shown where the reporter chooses anonymous or named, before
 * the choices (and read with them: it is the group's description), with a link to the notice.
 */
function confidentialityLimits() {
  const privacyUrl = safeLink(form.privacy_notice.url) || "/report/privacy.html";
  return h(
    "div",
    { class: "inset inset--plain", "data-confidentiality": true },
    h("p", {}, h("strong", { text: t("modeConfidentialityHeading") })),
    localParagraph(form.privacy_notice.confidentiality.summary),
    h(
      "p",
      {},
      h("a", { href: `${privacyUrl}#confidentiality`, text: t("confidentialityLink") }),
    ),
  );
}

function modeView() {
  return stepShell(
    "mode",
    stepForm(
      onContinue,
      choiceGroup({
        key: "mode",
        name: "mode",
        idPrefix: "mode",
        legend: t("modeHeading"),
        asPage: true,
        hint: confidentialityLimits(),
        type: "radio",
        options: [
          { id: "anonymous", text: t("modeAnonymous"), hint: t("modeAnonymousHint") },
          { id: "named", text: t("modeNamed"), hint: t("modeNamedHint") },
        ],
        selected: draft.mode ? [draft.mode] : [],
      }),
      continueButton(),
    ),
  );
}

function contactView() {
  const c = draft.contact;
  const spec = form.form.contact;
  return stepShell(
    "contact",
    stepForm(
      onContinue,
      pageHeading(t("contactHeading")),
      h("p", { text: t("contactIntro") }),
      textField({
        key: "contact.name",
        id: "contact-name",
        name: "name",
        label: t("contactName"),
        value: c.name,
        autocomplete: "name",
        spellcheck: false,
        maxLength: LIMITS.name,
      }),
      textField({
        key: "contact.email",
        id: "contact-email",
        name: "email",
        label: t("contactEmail"),
        hint: t("contactEmailHint"),
        value: c.email,
        type: "email",
        autocomplete: "email",
        spellcheck: false,
      }),
      textField({
        key: "contact.phone",
        id: "contact-phone",
        name: "phone",
        label: t("contactPhone"),
        hint: t("contactPhoneHint"),
        value: c.phone,
        type: "tel",
        autocomplete: "tel",
        width: "medium",
      }),
      choiceGroup({
        key: "contact.preferred_contact_method",
        name: "preferred_contact_method",
        idPrefix: "contact-preferred_contact_method",
        legend: t("contactMethod"),
        type: "radio",
        options: spec.contact_methods,
        selected: c.preferred_contact_method ? [c.preferred_contact_method] : [],
      }),
      textField({
        key: "contact.safe_times",
        id: "contact-safe_times",
        name: "safe_times",
        label: t("safeTimes"),
        hint: t("safeTimesHint"),
        value: c.safe_times,
        multiline: true,
        maxLength: LIMITS.safe_times,
      }),
      choiceGroup({
        key: "contact.advisor_preferences",
        name: "advisor_preferences",
        idPrefix: "contact-advisor_preferences",
        legend: t("advisorPreference"),
        hint: t("advisorPreferenceHint"),
        type: "checkbox",
        options: spec.advisor_preferences,
        selected: advisorPreferences(c),
      }),
      continueButton(),
    ),
  );
}

function optionLabels(question, value) {
  const chosen = Array.isArray(value) ? value : value ? [value] : [];
  return question.options.filter((o) => chosen.includes(o.id)).map((o) => o.label);
}

function answerNode(labels) {
  if (!labels.length) return h("span", { text: t("notAnswered") });
  if (labels.length === 1)
    return typeof labels[0] === "string"
      ? h("span", { text: labels[0] })
      : localText(h("span"), labels[0]);
  return h(
    "ul",
    {},
    labels.map((label) =>
      typeof label === "string" ? h("li", { text: label }) : localText(h("li"), label),
    ),
  );
}

function summaryRow(key, value, step, focusId) {
  const keyText = key instanceof Node ? key : h("span", { text: key });
  const labelText = keyText.textContent;
  return h(
    "div",
    { class: "summary__row" },
    h("dt", { class: "summary__key" }, keyText),
    h("dd", { class: "summary__value" }, value),
    h(
      "dd",
      { class: "summary__actions" },
      h(
        "a",
        { href: `#${focusId || step}`, "data-change": step, onclick: changeTo(step) },
        t("change"),
        h("span", { class: "visually-hidden", text: t("changeHidden", { label: labelText }) }),
      ),
    ),
  );
}

function reviewView() {
  const asked = questions().filter(isAsked).map(worded);
  const c = draft.contact;
  const spec = form.form.contact;
  const optionText = (options, id) => {
    const option = options.find((o) => o.id === id);
    return option ? [option.label] : [];
  };
  const plain = (value) => (trimText(value) ? [trimText(value)] : []);
  const privacyUrl = safeLink(form.privacy_notice.url) || "/report/privacy.html";
  return stepShell("review", [
    pageHeading(t("reviewHeading")),
    h("h2", { text: t("reviewAbout") }),
    h(
      "dl",
      { class: "summary" },
      asked.map((question) =>
        summaryRow(
          localText(h("span"), question.label),
          answerNode(
            question.kind === "text"
              ? plain(draft.answers[question.id])
              : question.kind === "people"
                ? peopleGiven(peopleOf(question.id)).map((person) =>
                    person.name_unknown ? t("nameNotKnown") : trimText(person.name),
                  )
                : optionLabels(question, draft.answers[question.id]),
          ),
          question.id,
        ),
      ),
    ),
    h("h2", { text: t("reviewAccount") }),
    h(
      "dl",
      { class: "summary" },
      summaryRow(t("reviewAccountKey"), answerNode(plain(draft.narrative)), "narrative"),
    ),
    demographicsAsked() ? textIn("h2", demographicsWording().review) : null,
    demographicsAsked()
      ? h(
          "dl",
          { class: "summary" },
          demographicQuestions().map(worded).map((question) =>
            summaryRow(
              localText(h("span"), question.label),
              answerNode(optionLabels(question, draft.demographics[question.id])),
              "demographics",
            ),
          ),
        )
      : null,
    h("h2", { text: t("reviewHow") }),
    h(
      "dl",
      { class: "summary" },
      summaryRow(
        t("reviewMode"),
        answerNode(draft.mode ? [t(draft.mode === "named" ? "modeNamed" : "modeAnonymous")] : []),
        "mode",
      ),
      draft.mode === "named"
        ? [
            summaryRow(t("contactName"), answerNode(plain(c.name)), "contact"),
            summaryRow(t("contactEmail"), answerNode(plain(c.email)), "contact"),
            summaryRow(t("contactPhone"), answerNode(plain(c.phone)), "contact"),
            summaryRow(
              t("contactMethod"),
              answerNode(optionText(spec.contact_methods, c.preferred_contact_method)),
              "contact",
            ),
            summaryRow(t("safeTimes"), answerNode(plain(c.safe_times)), "contact"),
            summaryRow(
              t("advisorPreference"),
              answerNode(
                spec.advisor_preferences
                  .filter((o) => advisorPreferencesOrNone(c).includes(o.id))
                  .map((o) => o.label),
              ),
              "contact",
            ),
          ]
        : null,
    ),
    h("h2", { text: t("privacyHeading") }),
    localParagraph(form.privacy_notice.summary),
    h("p", {}, h("a", { href: privacyUrl, text: t("privacyLink") })),
    stepForm(
      onSend,
      h(
        "div",
        { class: "button-group" },
        h("button", { type: "submit", class: "button", "data-send": true, text: t("send") }),
        h("p", { class: "hint", role: "status", "data-send-status": true }),
      ),
    ),
  ]);
}

function confirmationView() {
  const mode = receipt.mode === "named" ? "named" : "anonymous";
  const nextSteps = form.next_steps && form.next_steps[mode];
  return h(
    "div",
    { class: "step", "data-step": "confirmation" },
    h(
      "div",
      { class: "panel" },
      pageHeading(t("confirmationHeading")),
      h(
        "p",
        { class: "panel__body" },
        t("yourReference"),
        h("strong", { class: "reference", "data-testid": "reference", text: receipt.reference }),
      ),
    ),
    h("p", { text: t("referenceHint") }),
    h("h2", { text: t("nextHeading") }),
    nextSteps ? localParagraph(nextSteps) : h("p", { lang: "en", text: receipt.next_steps || "" }),
    h("h2", { text: t("supportHeading") }),
    h("p", { class: "warning", text: t("emergencyLine") }),
    h("p", { text: t("supportText") }),
    h(
      "ul",
      { class: "resource-list" },
      form.support_resources.map((resource) => resourceBlock(resource)),
    ),
    h(
      "div",
      { class: "button-group" },
      h("button", {
        type: "button",
        class: "button button--secondary",
        onclick: startNewReport,
        text: t("newReport"),
      }),
    ),
  );
}

function safeLink(url) {
  return typeof url === "string" && (/^\/(?!\/)/.test(url) || /^https:\/\//i.test(url))
    ? url
    : null;
}

// --- rendering ----------------------------------------------------------------------------------

function view() {
  switch (draft.step) {
    case "start":
      return startView();
    case "narrative":
      return narrativeView();
    case "demographics":
      return demographicsView();
    case "mode":
      return modeView();
    case "contact":
      return contactView();
    case "review":
      return reviewView();
    case "confirmation":
      return confirmationView();
    default: {
      const question = questionById(draft.step);
      return question ? questionView(question) : startView();
    }
  }
}

function announce(text) {
  if (!announcer || !text) return;
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 100);
}

/**
 * Draw the current step. `focus`: "heading", "summary", "notice", a field id, or null (leave
 * focus where it is, e.g. on the language switch).
 */
function render({ focus = null, announce: say = false } = {}) {
  main.replaceChildren(view());
  const heading = main.querySelector("[data-heading]");
  setTitle(heading ? heading.textContent : t("serviceName"), { error: shownErrors.length > 0 });
  if (focus === "summary") main.querySelector("[data-error-summary]")?.focus();
  else if (focus === "notice") main.querySelector("[data-notice]")?.focus();
  else if (focus === "heading") {
    heading?.focus();
    window.scrollTo(0, 0);
  } else if (focus) {
    if (!focusField(focus)) heading?.focus();
  }
  if (say) announce(progress() || (heading ? heading.textContent : ""));
}

function onFieldChange(event) {
  // Quick exit empties the page, and a field removed while focused fires `change`: collect
  // nothing then (the store refuses too), or the draft it has just removed would come back.
  if (isExiting()) return;
  if (event.type === "input" && event.target.dataset?.maxLength) updateCount(event.target);
  if (event.type === "change") keepNoPreferenceAlone(event.target);
  if (event.target.closest("[data-form]") && draft && draft.step !== "confirmation") collect();
}

/** The advisor preferences a draft holds (a draft kept from before several could be chosen
 * holds one, `advisor_preference`). */
function advisorPreferences(contact) {
  if (Array.isArray(contact.advisor_preferences)) {
    return contact.advisor_preferences.filter((id) => typeof id === "string");
  }
  return typeof contact.advisor_preference === "string" ? [contact.advisor_preference] : [];
}

/** The preferences to send and show: none ticked is no preference. */
function advisorPreferencesOrNone(contact) {
  const chosen = advisorPreferences(contact);
  return chosen.length ? chosen : [NO_PREFERENCE];
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

function showLoadFailure() {
  setTitle(t("loadFailedTitle"));
  main.replaceChildren(
    h("h1", { text: t("loadFailedTitle") }),
    h("p", { text: t("loadFailed") }),
    h(
      "div",
      { class: "button-group" },
      h("button", {
        type: "button",
        class: "button",
        onclick: () => window.location.reload(),
        text: t("tryAgain"),
      }),
    ),
  );
}

async function start() {
  startChrome();
  main.addEventListener("input", onFieldChange);
  main.addEventListener("change", onFieldChange);
  // Each step draws itself (focus on its heading); the browser must not scroll it too.
  window.history.scrollRestoration = "manual";
  try {
    form = await loadForm();
  } catch {
    showLoadFailure();
    onLanguageChange(showLoadFailure);
    return;
  }
  useFormData(form);
  draft = restoreDraft();
  receipt = store.get(KEYS.receipt);
  if (draft) {
    sanitize();
  } else {
    draft = newDraft();
    if (isObject(receipt) && typeof receipt.reference === "string") draft.step = "confirmation";
  }
  const at = placeOf(window.history.state);
  if (at >= 0 && draft.step !== "confirmation" && canShow(draft.trail[at])) {
    // Reloaded, or back on an entry of this draft: show that entry's step.
    draft.at = at;
    draft.step = draft.trail[at];
  } else {
    adoptEntry();
  }
  if (draft.step !== "confirmation") save();
  window.addEventListener("popstate", onPopState);
  render();
  onLanguageChange(() => {
    if (draft.step !== "confirmation") collect();
    render();
  });
  document.documentElement.dataset.ready = "true";
}

start();
