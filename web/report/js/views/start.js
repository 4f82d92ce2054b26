// The start page: what the form is, safety (quick exit), privacy; Start.

import { h } from "../../../shared/dom.js";
import { localParagraph, t } from "../../site.js";
import { continueButton, pageHeading, safeLink, stepForm } from "../fields.js";
import { goTo } from "../navigation.js";
import { state } from "../state.js";
import { stepIds } from "../steps.js";
import { FOLLOW_UP_PATH } from "./receipt-code.js";

export function startView() {
  const privacyUrl = safeLink(state.form.privacy_notice.url) || "/report/privacy.html";
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
    localParagraph(state.form.privacy_notice.summary),
    h("p", {}, h("a", { href: privacyUrl, text: t("privacyLink") })),
    stepForm(
      (event) => {
        event.preventDefault();
        state.draft.returnTo = null;
        goTo(stepIds()[0]);
      },
      continueButton(t("start")),
    ),
    h("p", {}, h("a", { href: FOLLOW_UP_PATH, "data-follow-up": true, text: t("footerFollowUp") })),
  );
}
