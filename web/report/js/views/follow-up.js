// Anonymous reports only: whether to keep a way back in (a receipt code), explained before
// the choice. Nothing is chosen for the reporter, and the question is optional: left
// unanswered, no code is asked for (a code is only ever sent for a "yes").

import { h } from "../../../shared/dom.js";
import { t } from "../../site.js";
import { choiceGroup, continueButton, stepForm, stepShell } from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";

/** What the code gives, what it cannot do, and the one thing it asks of the reporter. */
function explanation() {
  return h(
    "div",
    { class: "inset inset--plain", "data-follow-up-explained": true },
    h("p", { text: t("followUpIntro") }),
    h(
      "ul",
      { class: "list" },
      h("li", { text: t("followUpSee") }),
      h("li", { text: t("followUpAnswer") }),
    ),
    h("p", { text: t("followUpNobody") }),
    h("p", {}, h("strong", { text: t("followUpLose") })),
  );
}

export function followUpView() {
  return stepShell(
    "follow_up",
    stepForm(
      onContinue,
      choiceGroup({
        key: "follow_up",
        name: "follow_up",
        idPrefix: "follow_up",
        legend: t("followUpHeading"),
        asPage: true,
        hint: explanation(),
        optional: true,
        type: "radio",
        options: [
          { id: "yes", text: t("followUpYes") },
          { id: "no", text: t("followUpNo") },
        ],
        selected: state.draft.follow_up ? [state.draft.follow_up] : [],
      }),
      continueButton(),
    ),
  );
}
