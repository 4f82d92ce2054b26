// What the reporter told us: their answers, each question worded as they were asked it,
// their support preferences, and the names of the fields still sealed.

import { h } from "../../../../shared/dom.js";
import { label, listOf } from "../../format.js";
import { summaryList, words } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The reporter's multiple-choice answers and support preferences, and what stays sealed. */
export function answersSection(detail) {
  const form = caseOnScreen().form?.form;
  const questions = form?.questions || [];
  const known = new Set(questions.map((q) => q.id));
  const optionLabel = (question, value) => {
    const option = question?.options?.find((o) => o.id === value);
    return option ? words(option.label) : label(null, value);
  };
  const rows = [];
  for (const question of questions.map((q) => asAsked(q, detail.answers))) {
    if (!(question.id in detail.answers)) continue;
    rows.push([
      words(question.label),
      answerValue(question, detail.answers[question.id], optionLabel),
    ]);
  }
  for (const [id, value] of Object.entries(detail.answers)) {
    if (!known.has(id)) rows.push([label(null, id), answerValue(null, value, optionLabel)]);
  }
  const contact = form?.contact || {};
  const preference = (list, id) => {
    const option = (list || []).find((o) => o.id === id);
    return option ? words(option.label) : label(null, id);
  };
  const preferences = [];
  if (detail.preferences.preferred_contact_method) {
    preferences.push([
      "Preferred contact method",
      preference(contact.contact_methods, detail.preferences.preferred_contact_method),
    ]);
  }
  // `advisor_preference` (one id) is how cases sent before several could be chosen hold it.
  const advisorPreferences = [].concat(
    detail.preferences.advisor_preferences ?? detail.preferences.advisor_preference ?? [],
  );
  if (advisorPreferences.length) {
    preferences.push([
      advisorPreferences.length > 1 ? "Advisor preferences" : "Advisor preference",
      listOf(advisorPreferences.map((id) => preference(contact.advisor_preferences, id))),
    ]);
  }
  for (const [id, value] of Object.entries(detail.preferences)) {
    if (!["preferred_contact_method", "advisor_preference", "advisor_preferences"].includes(id)) {
      preferences.push([
        label(null, id),
        []
          .concat(value)
          .map((v) => label(null, v))
          .join(", "),
      ]);
    }
  }
  return [
    rows.length
      ? summaryList(rows)
      : h("p", { class: "body" }, "No answers are held (they may have been redacted)."),
    preferences.length
      ? [
          h("h3", { class: "heading-s" }, "How they would like to be supported"),
          summaryList(preferences),
        ]
      : null,
    detail.sealed_fields.length
      ? h(
          "p",
          { class: "body secondary-text" },
          `Sealed until revealed: ${listOf(sealedOrder(detail.sealed_fields).map(sealedName))}.`,
        )
      : null,
  ];
}

/**
 * A question as the reporter was asked it: its wording for their answer to reporting_for
 * ("Is the person it happened to under 18?" for a witness), so the screener reads whose
 * answer it is. Option ids are the same; only their words may differ.
 */
function asAsked(question, answers) {
  const asker = caseOnScreen().form?.form?.reporting_for_question;
  const wording = asker ? (question.wording || {})[answers[asker]] : null;
  if (!wording) return question;
  const labels = wording.options || {};
  return {
    ...question,
    label: wording.label,
    options: (question.options || []).map((o) =>
      labels[o.id] ? { ...o, label: labels[o.id] } : o,
    ),
  };
}

function answerValue(question, value, optionLabel) {
  if (Array.isArray(value)) {
    if (value.length <= 1) return value.map((v) => optionLabel(question, v)).join("");
    return h(
      "ul",
      { class: "list list--bullet" },
      value.map((v) => h("li", null, optionLabel(question, v))),
    );
  }
  return optionLabel(question, value);
}

/** Sealed fields in reading order: contact details, the account, then answers. */
export function sealedOrder(fields) {
  const rank = (field) => (field === "contact" ? 0 : field === "narrative" ? 1 : 2);
  return [...fields].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A sealed field in words ("contact details", "their answer to …"). */
export function sealedName(field) {
  if (field === "contact") return "contact details";
  if (field === "narrative") return "the reporter's account";
  if (field.startsWith("answer.")) {
    const question = caseOnScreen().form?.form?.questions.find((q) => q.id === field.slice(7));
    return question ? `their answer to “${words(question.label)}”` : label(null, field.slice(7));
  }
  return label(null, field);
}
