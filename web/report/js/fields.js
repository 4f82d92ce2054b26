// The pieces a step is made of: its shell (back link, notice, error summary, progress), the
// reporter's fields (fieldsets of choices, text fields with a character count) and their
// inline errors. The DOM helpers and the GOV.UK error summary are the shared library's.

import { describedBy, h } from "../../shared/dom.js";
import { errorMessage, errorSummary } from "../../shared/forms.js";
import { localText, t } from "../site.js";
import { focusField, goTo, onBack } from "./navigation.js";
import { state } from "./state.js";
import { progress } from "./steps.js";
import { characterCount } from "./text.js";
import { problemText } from "./validation.js";

export function errorFor(key) {
  return state.shownErrors.find((error) => error.key === key);
}

/** The message beside a field (GOV.UK pattern: "Error:", visually hidden, then the text). */
export function inlineError(id, error) {
  return errorMessage(id, problemText(error), { prefix: t("errorHidden") });
}

/**
 * The error summary: each problem a link that focuses its field, or, for a problem of
 * another step (on the review page), goes to that step and then back to review.
 */
function problemSummary(errors) {
  return errorSummary({
    titleId: "error-summary-title",
    title: t("errorSummaryTitle"),
    items: errors.map((error) => {
      const away = error.step !== state.draft.step;
      const text =
        away && error.label ? `${error.label}: ${problemText(error)}` : problemText(error);
      if (!error.href) return text;
      return h("a", {
        href: `#${error.href}`,
        text,
        onclick: (event) => {
          event.preventDefault();
          if (away) {
            state.draft.returnTo = "review";
            goTo(error.step, { focus: error.href });
          } else {
            focusField(error.href);
          }
        },
      });
    }),
  });
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
    h("h2", { id: "notice-title", text: t(state.notice.title) }),
    h("p", { text: t(state.notice.code) }),
  );
}

function backButton() {
  return h("button", { type: "button", class: "back-link", onclick: onBack, text: t("back") });
}

export function pageHeading(content) {
  const heading = h("h1", { tabindex: "-1", "data-heading": true });
  if (typeof content === "string") heading.textContent = content;
  else heading.append(content);
  return heading;
}

export function continueButton(label = t("continue")) {
  return h(
    "div",
    { class: "button-group" },
    h("button", { type: "submit", class: "button", text: label }),
  );
}

/**
 * A group of radios or checkboxes: fieldset, legend, hint, inline error, choices.
 * `legend` is a node; `asPage` makes it the page's h1.
 */
export function choiceGroup({
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
      error ? inlineError(errorId, error) : null,
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
export function textField({
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
    error ? inlineError(errorId, error) : null,
    control,
    maxLength ? characterCount(countId, value, maxLength) : null,
  );
}

export function stepShell(step, children, { back = true } = {}) {
  const caption = progress();
  return h(
    "div",
    { class: "step", "data-step": step },
    back ? backButton() : null,
    state.notice ? noticeBox() : null,
    state.shownErrors.length ? problemSummary(state.shownErrors) : null,
    caption ? h("p", { class: "caption", "data-progress": true, text: caption }) : null,
    children,
  );
}

export function stepForm(onsubmit, ...children) {
  return h("form", { novalidate: true, onsubmit, "data-form": true }, ...children);
}

/** An element holding a page string or an institution text (marked if in a fallback language). */
export function textIn(tag, text) {
  return typeof text === "string" ? h(tag, { text }) : localText(h(tag), text);
}

export function safeLink(url) {
  return typeof url === "string" && (/^\/(?!\/)/.test(url) || /^https:\/\//i.test(url))
    ? url
    : null;
}
