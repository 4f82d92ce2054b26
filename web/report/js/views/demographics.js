// The optional demographic questions, for the reporters they are asked of.

import { h } from "../../../shared/dom.js";
import { localText } from "../../site.js";
import {
  choiceGroup,
  continueButton,
  pageHeading,
  stepForm,
  stepShell,
  textIn,
} from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";
import { demographicQuestions, demographicsWording, worded } from "../steps.js";

export function demographicsView() {
  const wording = demographicsWording();
  return stepShell(
    "demographics",
    stepForm(
      onContinue,
      pageHeading(textIn("span", wording.heading)),
      textIn("p", wording.intro),
      demographicQuestions()
        .map(worded)
        .map((question) =>
          choiceGroup({
            key: `demographics.${question.id}`,
            name: question.id,
            idPrefix: `demographics-${question.id}`,
            legend: localText(h("span"), question.label),
            hint: question.hint ? localText(h("span"), question.hint) : null,
            type: "radio",
            options: question.options,
            selected: state.draft.demographics[question.id]
              ? [state.draft.demographics[question.id]]
              : [],
          }),
        ),
      continueButton(),
    ),
  );
}
