// The thread with staff, oldest first (who said it, and when, in the institution's time
// zone), and the form to send a message: a textarea with the form's live character count
// and the API's limit and counting rule.

import { describedBy, h } from "../../../shared/dom.js";
import { t } from "../../site.js";
import { formatMoment } from "../dates.js";
import { characterCount } from "../text.js";
import { inlineError, problemSummary } from "./pieces.js";
import { page, timeZone } from "./state.js";

export const MESSAGE_FIELD = "message";
/** A message's limit, as the API counts it (chalicelib/reports/lengths.py). */
export const MESSAGE_MAX = 5000;

/** The messages, oldest first (ISO 8601 UTC times sort as text). */
function ordered(messages) {
  return [...(Array.isArray(messages) ? messages : [])].sort((a, b) =>
    String(a.at).localeCompare(String(b.at)),
  );
}

function messageItem(message) {
  const mine = message.from === "reporter";
  return h(
    "li",
    {
      class: `thread__message thread__message--${mine ? "reporter" : "staff"}`,
      "data-message": true,
    },
    h(
      "p",
      { class: "thread__meta" },
      h("strong", { text: t(mine ? "fromYou" : "fromStaff") }),
      ", ",
      h("time", { datetime: message.at, text: formatMoment(message.at, timeZone()) }),
    ),
    h("p", { class: "thread__text", text: String(message.text ?? "") }),
  );
}

function messageForm({ onSend }) {
  const error = page.messageError ? t(page.messageError.code, page.messageError.vars) : null;
  const hintId = `${MESSAGE_FIELD}-hint`;
  const countId = `${MESSAGE_FIELD}-count`;
  const errorId = error ? `${MESSAGE_FIELD}-error` : null;
  const field = h("textarea", {
    id: MESSAGE_FIELD,
    name: "text",
    rows: 6,
    class: `textarea${error ? " textarea--error" : ""}`,
    "aria-describedby": describedBy(hintId, countId, errorId),
    "aria-invalid": error ? "true" : null,
  });
  field.value = page.message;
  // No maxlength (it would cut a paste short without a word): the count says, Send refuses.
  field.dataset.maxLength = String(MESSAGE_MAX);
  return h(
    "form",
    { novalidate: true, onsubmit: onSend, "data-message-form": true },
    error ? problemSummary(error, MESSAGE_FIELD) : null,
    h(
      "div",
      { class: `form-group${error ? " form-group--error" : ""}` },
      h("label", { for: MESSAGE_FIELD, class: "label", text: t("fuMessageLabel") }),
      h("div", { class: "hint", id: hintId, text: t("fuMessageHint") }),
      error ? inlineError(errorId, error) : null,
      field,
      characterCount(countId, page.message, MESSAGE_MAX),
    ),
    h(
      "div",
      { class: "button-group" },
      h("button", {
        type: "submit",
        class: "button",
        "data-send-message": true,
        text: t("fuSend"),
      }),
      h("p", { class: "hint", role: "status", "data-send-status": true }),
    ),
  );
}

export function threadView(handlers) {
  const messages = ordered(page.copy.messages);
  return h(
    "section",
    { class: "thread", "aria-labelledby": "messages-heading" },
    h("h2", { id: "messages-heading", text: t("fuMessagesHeading") }),
    messages.length
      ? h("ol", { class: "thread__list", "data-thread": true }, messages.map(messageItem))
      : h("p", { "data-thread-empty": true, text: t("fuNoMessages") }),
    messageForm(handlers),
  );
}
