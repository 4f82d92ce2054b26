// Pieces every part of the case page draws with: the back link, a summary list and a date
// (the portal's own, from ../parts.js), the "Reason" box with the case's hint, a folded
// form, and the words of the institution's texts.

import { h } from "../../../../shared/dom.js";
import { may } from "../../access.js";
import { reasonField as reasonBox } from "../parts.js";

export { summaryList, when } from "../parts.js";

export const REASON_HINT = "Recorded in the case's audit trail. At least 3 characters.";

/** The "Reason" box every change of a case asks for (it goes into the audit trail). */
export function reasonField(id) {
  return reasonBox(id, { hint: REASON_HINT });
}

/** An institution's text (a string, or one per language) in English. */
export function words(text) {
  if (!text) return "";
  if (typeof text === "string") return text;
  return text.en || Object.values(text)[0] || "";
}

/** The way back from a case: to the member's own list (its words only; the router decides). */
export function backLink(ctx) {
  // The queue's name only (a screener's is their team's): whether there is one is the API's.
  const text = !may(ctx.me, "work_queue")
    ? "Find another case"
    : ctx.me.roles.includes("screener")
      ? "Back to the queue"
      : "Back to your cases";
  return h("a", { class: "back-link", href: "#/" }, text);
}

/**
 * Fold a less frequent form into a <details> disclosure named `summary` (its own heading
 * gives way to the summary, which names the form for assistive technology).
 */
export function fold(form, summary) {
  const title = form.querySelector("h3");
  if (title) title.remove();
  const summaryId = `${form.id}-summary`;
  form.setAttribute("aria-labelledby", summaryId);
  return h(
    "details",
    { class: "details", id: `${form.id}-details` },
    h(
      "summary",
      { class: "details__summary" },
      h("span", { class: "details__summary-text", id: summaryId }, summary),
    ),
    h("div", { class: "details__text" }, form),
  );
}
