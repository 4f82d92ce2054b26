// The pieces the follow-up page's views share: the heading that takes focus, the calm
// notice, and the GOV.UK error summary and inline message in the page's language.

import { h } from "../../../shared/dom.js";
import { errorMessage, errorSummary } from "../../../shared/forms.js";
import { t } from "../../site.js";
import { page } from "./state.js";

export function pageHeading(text) {
  return h("h1", { tabindex: "-1", "data-heading": true, text });
}

/** The notice (a wait, or a failure), focused when it appears. */
export function noticeBox() {
  if (!page.notice) return null;
  return h(
    "div",
    {
      class: "notice",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": "notice-title",
      "data-notice": true,
    },
    h("h2", { id: "notice-title", text: t(page.notice.title) }),
    page.notice.lines.map(([key, vars]) => h("p", { text: t(key, vars) })),
  );
}

/** An error summary with one problem, linking to its field. */
export function problemSummary(text, fieldId) {
  return errorSummary({
    titleId: `${fieldId}-summary-title`,
    title: t("errorSummaryTitle"),
    items: [
      h("a", {
        href: `#${fieldId}`,
        text,
        onclick: (event) => {
          event.preventDefault();
          document.getElementById(fieldId)?.focus();
        },
      }),
    ],
  });
}

export function inlineError(id, text) {
  return errorMessage(id, text, { prefix: t("errorHidden") });
}
