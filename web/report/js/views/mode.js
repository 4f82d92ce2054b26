// Anonymous or named, with the limits of confidentiality before the choice.

import { h } from "../../../shared/dom.js";
import { localParagraph, t } from "../../site.js";
import { choiceGroup, continueButton, safeLink, stepForm, stepShell } from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";

/**
 * The limits of confidentiality, shown where the reporter chooses anonymous or named, before
 * the choices (and read with them: it is the group's description), with a link to the notice.
 */
function confidentialityLimits() {
  const privacyUrl = safeLink(state.form.privacy_notice.url) || "/report/privacy.html";
  return h(
    "div",
    { class: "inset inset--plain", "data-confidentiality": true },
    h("p", {}, h("strong", { text: t("modeConfidentialityHeading") })),
    localParagraph(state.form.privacy_notice.confidentiality.summary),
    h("p", {}, h("a", { href: `${privacyUrl}#confidentiality`, text: t("confidentialityLink") })),
  );
}

export function modeView() {
  return stepShell(
    "mode",
    stepForm(
      onContinue,
      choiceGroup({
        key: "mode",
        name: "mode",
        idPrefix: "mode",
        legend: t("modeHeading"),
        asPage: true,
        hint: confidentialityLimits(),
        type: "radio",
        options: [
          { id: "anonymous", text: t("modeAnonymous"), hint: t("modeAnonymousHint") },
          { id: "named", text: t("modeNamed"), hint: t("modeNamedHint") },
        ],
        selected: state.draft.mode ? [state.draft.mode] : [],
      }),
      continueButton(),
    ),
  );
}
