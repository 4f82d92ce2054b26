// The optional account, in the reporter's own words.

import { t } from "../../site.js";
import { continueButton, stepForm, stepShell, textField } from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";

export function narrativeView() {
  return stepShell(
    "narrative",
    stepForm(
      onContinue,
      textField({
        key: "narrative",
        id: "narrative",
        name: "narrative",
        label: t("narrativeHeading"),
        asPage: true,
        hint: t("narrativeHint"),
        value: state.draft.narrative,
        multiline: true,
        maxLength: state.form.form.narrative_max_length,
      }),
      continueButton(),
    ),
  );
}
