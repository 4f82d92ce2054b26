// Which steps the reporter goes through, given the answers so far: the questions asked
// (show_if), worded for the person the report is about, and the fixed steps around them.

import { t } from "../site.js";
import { state } from "./state.js";

const FIXED_STEPS = [
  "start",
  "narrative",
  "demographics",
  "mode",
  "follow_up",
  "contact",
  "review",
  "confirmation",
];

export function questions() {
  return state.form.form.questions.filter((q) => !FIXED_STEPS.includes(q.id));
}

export function demographicQuestions() {
  return state.form.form.demographic_questions || [];
}

/** The reporter's answer to whom the report is for (`myself`, `witness`...), if given. */
function reportingFor() {
  const id = state.form.form.reporting_for_question;
  const given = id ? state.draft.answers[id] : undefined;
  return typeof given === "string" ? given : null;
}

/**
 * A question as it is put to this reporter: its wording for their answer to reporting_for
 * (a witness is asked about "the person it happened to"), else its own label and hint.
 * Option ids stay; only what they are called may change.
 */
export function worded(question) {
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
export function demographicsAsked() {
  if (!demographicQuestions().length) return false;
  const askedFor = (state.form.form.demographics || {}).asked_for;
  return !askedFor || askedFor.includes(reportingFor());
}

/**
 * The demographics step's heading, intro and review heading for this reporter: the
 * institution's wording for their answer to reporting_for (texts per language), else the
 * page's own words ("About you").
 */
export function demographicsWording() {
  const wording = ((state.form.form.demographics || {}).wording || {})[reportingFor()];
  if (wording) {
    return { heading: wording.heading, intro: wording.intro, review: wording.review_heading };
  }
  return {
    heading: t("demographicsHeading"),
    intro: t("demographicsIntro"),
    review: t("reviewAboutYou"),
  };
}

export function questionById(id) {
  return questions().find((q) => q.id === id);
}

/** Whether a question is asked, given the answers so far (show_if, through its parents). */
export function isAsked(question) {
  const condition = question.show_if;
  if (!condition) return true;
  const parent = questionById(condition.question);
  if (!parent || !isAsked(parent)) return false;
  const given = state.draft.answers[parent.id];
  const chosen = Array.isArray(given) ? given : given ? [given] : [];
  return chosen.some((id) => condition.any_of.includes(id));
}

/** The steps the reporter goes through now (start and confirmation are not counted). */
export function stepIds() {
  const ids = questions()
    .filter(isAsked)
    .map((q) => q.id);
  ids.push("narrative");
  if (demographicsAsked()) ids.push("demographics");
  ids.push("mode");
  if (state.draft.mode === "anonymous") ids.push("follow_up");
  if (state.draft.mode === "named") ids.push("contact");
  ids.push("review");
  return ids;
}

/** Answers to questions that are no longer asked are dropped, not kept out of sight. */
export function pruneAnswers() {
  for (const question of questions()) {
    if (!isAsked(question)) {
      delete state.draft.answers[question.id];
      state.draft.visited = state.draft.visited.filter((id) => id !== question.id);
    }
  }
  // Demographics describe the person affected: a reporter no longer asked them (now a
  // witness) must not send answers given about someone else.
  if (!demographicsAsked()) {
    state.draft.demographics = {};
    state.draft.visited = state.draft.visited.filter((id) => id !== "demographics");
  }
}

/** A step the draft can show now. */
export function canShow(step) {
  return step === "start" || stepIds().includes(step);
}

export function progress() {
  const ids = stepIds();
  const index = ids.indexOf(state.draft.step);
  return index < 0 ? null : t("progress", { n: index + 1, total: ids.length });
}
