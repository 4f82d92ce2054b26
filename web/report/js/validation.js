// The problems a step's answers have (checked as the API checks them), where each is shown,
// and the API's 400 answer mapped back to the step and field it belongs to.

import { local, t } from "../site.js";
import {
  advisorPreferences,
  CONTACT_FIELDS,
  NO_PREFERENCE,
  peopleGiven,
  peopleOf,
} from "./draft.js";
import { serverErrors, state } from "./state.js";
import {
  demographicQuestions,
  demographicsWording,
  isAsked,
  questionById,
  stepIds,
  worded,
} from "./steps.js";
import { textLength, trimText } from "./text.js";

export const LIMITS = { name: 200, email: 254, phone: 32, safe_times: 500 };

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const PHONE = /^\+?[0-9][0-9 ()-]{5,22}[0-9]$/;

const PERSON_NAME_MAX = 200;

function problem(key, step, code, vars = {}) {
  return { key, step, href: fieldId(key), code, vars };
}

export function problemText(error) {
  return error.code ? t(error.code, error.vars) : error.raw;
}

/** The id of the element an error summary link focuses. */
function fieldId(key) {
  if (key === "narrative") return "narrative";
  if (key === "mode") return "mode-anonymous";
  if (key === "follow_up") return "follow_up-yes";
  if (key.startsWith("contact.")) {
    const field = key.slice("contact.".length);
    if (field === "preferred_contact_method")
      return `contact-${field}-${state.form.form.contact.contact_methods[0].id}`;
    if (field === "advisor_preferences")
      return `contact-${field}-${state.form.form.contact.advisor_preferences[0].id}`;
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
export function validate(step) {
  const found = [];
  if (step === "narrative") {
    if (tooLong(state.draft.narrative, state.form.form.narrative_max_length)) {
      found.push(
        problem("narrative", step, "errTooLong", { max: state.form.form.narrative_max_length }),
      );
    }
  } else if (step === "mode") {
    if (!state.draft.mode) found.push(problem("mode", step, "errMode"));
  } else if (step === "contact") {
    const c = state.draft.contact;
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
      const value = state.draft.answers[question.id];
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
export function validateAll() {
  return stepIds()
    .filter((step) => step !== "review")
    .flatMap((step) => validate(step))
    .map((error) => ({ ...error, label: fieldLabel(error.key) }));
}

/** What a field is called, for errors listed away from their step. */
export function fieldLabel(key) {
  if (key === "narrative") return t("reviewAccountKey");
  if (key === "mode") return t("reviewMode");
  if (key === "follow_up") return t("reviewFollowUp");
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

/** Where an API error (`answers.when`, `contact.email`, ...) belongs, in our words. */
export function fromServer(field, message) {
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
  if (head === "follow_up") return withCode("follow_up", "follow_up", "errFollowUp");
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

export function serverErrorsFor(step) {
  return [...serverErrors.values()].filter((error) => error.step === step);
}
