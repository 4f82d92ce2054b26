// A question of the institution's form: a text, or a choice of one or several options.

import { h } from "../../../shared/dom.js";
import { localText, t } from "../../site.js";
import { choiceGroup, continueButton, stepForm, stepShell, textField } from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";
import { worded } from "../steps.js";
import { peopleView } from "./people.js";

export function questionView(asked) {
  const question = worded(asked);
  const value = state.draft.answers[question.id];
  const hint = question.hint ? localText(h("span"), question.hint) : null;
  if (question.kind === "people") return peopleView(question);
  if (question.kind === "text") {
    return stepShell(
      question.id,
      stepForm(
        onContinue,
        textField({
          key: question.id,
          id: question.id,
          name: question.id,
          label: localText(h("span"), question.label),
          asPage: true,
          hint: hint
            ? h("span", {}, hint, question.required ? null : [" ", t("optionalQuestion")])
            : null,
          value,
          multiline: true,
          maxLength: question.max_length,
        }),
        continueButton(),
      ),
    );
  }
  return stepShell(
    question.id,
    stepForm(
      onContinue,
      choiceGroup({
        key: question.id,
        name: question.id,
        idPrefix: question.id,
        legend: localText(h("span"), question.label),
        asPage: true,
        hint,
        optional: !question.required,
        type: question.kind === "multi" ? "checkbox" : "radio",
        options: question.options,
        selected: Array.isArray(value) ? value : value ? [value] : [],
      }),
      continueButton(),
    ),
  );
}
