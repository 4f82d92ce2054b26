// The follow-up page's first view: one field for the receipt code (spaces and dashes
// allowed), with the errors for a code that cannot be one and for one that opens nothing.

import { describedBy, h } from "../../../shared/dom.js";
import { t } from "../../site.js";
import { inlineError, noticeBox, pageHeading, problemSummary } from "./pieces.js";
import { page } from "./state.js";

export const CODE_FIELD = "receipt-code";

export function codeView({ onOpen }) {
  const error = page.codeError ? t(page.codeError) : null;
  const errorId = error ? `${CODE_FIELD}-error` : null;
  const hintId = `${CODE_FIELD}-hint`;
  const field = h("input", {
    id: CODE_FIELD,
    name: "receipt_code",
    type: "text",
    class: `input input--code${error ? " input--error" : ""}`,
    // Never remembered by the browser, never corrected or capitalised by a phone.
    autocomplete: "off",
    autocapitalize: "characters",
    autocorrect: "off",
    spellcheck: "false",
    "aria-describedby": describedBy(hintId, errorId),
    "aria-invalid": error ? "true" : null,
  });
  field.value = page.typed;
  return h(
    "div",
    { class: "step", "data-view": "code" },
    noticeBox(),
    error ? problemSummary(error, CODE_FIELD) : null,
    pageHeading(t("fuHeading")),
    page.signedOut
      ? h("p", { class: "inset", role: "status", "data-signed-out": true, text: t("signedOut") })
      : null,
    h("p", { class: "lead", text: t("fuIntro") }),
    h(
      "form",
      { novalidate: true, onsubmit: onOpen, "data-code-form": true },
      h(
        "div",
        { class: `form-group${error ? " form-group--error" : ""}` },
        h("label", { for: CODE_FIELD, class: "label", text: t("fuCodeLabel") }),
        h("div", { class: "hint", id: hintId, text: t("fuCodeHint") }),
        error ? inlineError(errorId, error) : null,
        field,
      ),
      h(
        "div",
        { class: "button-group" },
        h("button", { type: "submit", class: "button", "data-open": true, text: t("fuOpen") }),
        h("p", { class: "hint", role: "status", "data-open-status": true }),
      ),
    ),
    h("p", { text: t("fuKept") }),
  );
}

/** A code kept in this tab could not be opened just now (a wait, or a failure). */
export function retryView({ onRetry, onSignOut }) {
  return h(
    "div",
    { class: "step", "data-view": "retry" },
    noticeBox(),
    pageHeading(t("fuHeading")),
    h(
      "div",
      { class: "button-group" },
      h("button", { type: "button", class: "button", onclick: onRetry, text: t("tryAgain") }),
      h("button", {
        type: "button",
        class: "button button--secondary",
        "data-sign-out": true,
        onclick: onSignOut,
        text: t("signOut"),
      }),
    ),
  );
}
