// A `people` question ("who was involved"): a fieldset per person — a name or "I don't know
// their name" — with add and remove.

import { describedBy, h } from "../../../shared/dom.js";
import { localText, t } from "../../site.js";
import { collect } from "../collect.js";
import { MAX_PEOPLE, peopleOf, save } from "../draft.js";
import {
  continueButton,
  errorFor,
  inlineError,
  pageHeading,
  stepForm,
  stepShell,
} from "../fields.js";
import { focusField, onContinue } from "../navigation.js";
import { announce, render } from "../render.js";
import { state } from "../state.js";

/** A `people` question: a fieldset per person (name, "I don't know their name", remove). */
export function peopleView(question) {
  const people = peopleOf(question.id);
  const error = errorFor(question.id);
  const hintId = question.hint ? `${question.id}-hint` : null;
  const optionalId = question.required ? null : `${question.id}-optional`;
  const errorId = error ? `${question.id}-error` : null;
  return stepShell(
    question.id,
    stepForm(
      onContinue,
      h(
        "div",
        { class: `form-group${error ? " form-group--error" : ""}` },
        h(
          "fieldset",
          { "aria-describedby": describedBy(hintId, optionalId, errorId) },
          h("legend", { class: "legend--page" }, pageHeading(localText(h("span"), question.label))),
          hintId ? localText(h("div", { class: "hint", id: hintId }), question.hint) : null,
          optionalId
            ? h("p", { class: "hint", id: optionalId, text: t("optionalQuestion") })
            : null,
          error ? inlineError(errorId, error) : null,
          h(
            "div",
            { class: "people" },
            people.map((person, index) => personEntry(question, person, index, people.length)),
          ),
          people.length < MAX_PEOPLE
            ? h("button", {
                type: "button",
                class: "button button--secondary",
                "data-add-person": true,
                onclick: () => addPerson(question),
                text: t("addPerson"),
              })
            : h("p", { class: "hint", text: t("peopleMax", { max: MAX_PEOPLE }) }),
        ),
      ),
      continueButton(),
    ),
  );
}

function personEntry(question, person, index, count) {
  const id = `${question.id}-${index}`;
  const error = errorFor(`${question.id}.${index}.name`);
  const errorId = error ? `${id}-name-error` : null;
  const name = h("input", {
    type: "text",
    id: `${id}-name`,
    name: `${id}-name`,
    class: `input${error ? " input--error" : ""}`,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": errorId,
    "aria-invalid": error ? "true" : null,
    disabled: person.name_unknown,
  });
  name.value = person.name;
  return h(
    "fieldset",
    { class: `person${error ? " form-group--error" : ""}`, "data-person": index },
    h("legend", { class: "legend--question", text: t("personN", { n: index + 1 }) }),
    h("label", { for: `${id}-name`, class: "label", text: t("personName") }),
    error ? inlineError(errorId, error) : null,
    name,
    h(
      "div",
      { class: "choice person__unknown" },
      h("input", {
        type: "checkbox",
        id: `${id}-unknown`,
        name: `${id}-unknown`,
        checked: person.name_unknown,
        // A name and "not known" at once would say two things: the name waits, greyed.
        onchange: (event) => {
          name.disabled = event.target.checked;
        },
      }),
      h("label", { for: `${id}-unknown`, text: t("nameUnknown") }),
    ),
    count > 1
      ? h("button", {
          type: "button",
          class: "button button--secondary person__remove",
          "data-remove-person": index,
          onclick: () => removePerson(question, index),
          text: t("removePerson", { n: index + 1 }),
        })
      : null,
  );
}

/** Where focus goes to reach one person: their name, or their checkbox if it is not known. */
function personFocus(question, index) {
  const name = document.getElementById(`${question.id}-${index}-name`);
  return name && name.disabled ? `${question.id}-${index}-unknown` : `${question.id}-${index}-name`;
}

function addPerson(question) {
  collect();
  const people = peopleOf(question.id);
  if (people.length >= MAX_PEOPLE) return;
  people.push({ name: "", name_unknown: false });
  state.draft.answers[question.id] = people;
  save();
  render({ focus: `${question.id}-${people.length - 1}-name` });
  announce(t("personAdded", { n: people.length }));
}

function removePerson(question, index) {
  collect();
  const people = peopleOf(question.id);
  people.splice(index, 1);
  state.draft.answers[question.id] = people.length ? people : [{ name: "", name_unknown: false }];
  // The places after the one removed move up: an error shown for one would point elsewhere.
  state.shownErrors = state.shownErrors.filter((error) => !error.key.startsWith(`${question.id}.`));
  save();
  render();
  const next = Math.min(index, peopleOf(question.id).length - 1);
  focusField(personFocus(question, next));
  announce(t("personRemoved", { n: index + 1 }));
}
