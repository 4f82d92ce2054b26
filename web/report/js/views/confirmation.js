// The confirmation: the reference, the receipt code if one was asked for (receipt-code.js),
// what happens next, and support services.

import { h } from "../../../shared/dom.js";
import { localParagraph, resourceBlock, t } from "../../site.js";
import { pageHeading } from "../fields.js";
import { state } from "../state.js";
import { startNewReport } from "../submit.js";
import { receiptCodeView } from "./receipt-code.js";

export function confirmationView() {
  const mode = state.receipt.mode === "named" ? "named" : "anonymous";
  const nextSteps = state.form.next_steps && state.form.next_steps[mode];
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
        h("strong", {
          class: "reference",
          "data-testid": "reference",
          text: state.receipt.reference,
        }),
      ),
    ),
    h("p", { text: t("referenceHint") }),
    receiptCodeView(),
    h("h2", { text: t("nextHeading") }),
    nextSteps
      ? localParagraph(nextSteps)
      : h("p", { lang: "en", text: state.receipt.next_steps || "" }),
    h("h2", { text: t("supportHeading") }),
    h("p", { class: "warning", text: t("emergencyLine") }),
    h("p", { text: t("supportText") }),
    h(
      "ul",
      { class: "resource-list" },
      state.form.support_resources.map((resource) => resourceBlock(resource)),
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
