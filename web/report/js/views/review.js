// The review page: every answer with a "Change" link, the privacy summary, and Send.

import { h } from "../../../shared/dom.js";
import { localParagraph, localText, t } from "../../site.js";
import { advisorPreferencesOrNone, peopleGiven, peopleOf } from "../draft.js";
import { pageHeading, safeLink, stepForm, stepShell, textIn } from "../fields.js";
import { changeTo } from "../navigation.js";
import { state } from "../state.js";
import {
  demographicQuestions,
  demographicsAsked,
  demographicsWording,
  isAsked,
  questions,
  worded,
} from "../steps.js";
import { onSend } from "../submit.js";
import { trimText } from "../text.js";

function optionLabels(question, value) {
  const chosen = Array.isArray(value) ? value : value ? [value] : [];
  return question.options.filter((o) => chosen.includes(o.id)).map((o) => o.label);
}

function answerNode(labels) {
  if (!labels.length) return h("span", { text: t("notAnswered") });
  if (labels.length === 1)
    return typeof labels[0] === "string"
      ? h("span", { text: labels[0] })
      : localText(h("span"), labels[0]);
  return h(
    "ul",
    {},
    labels.map((label) =>
      typeof label === "string" ? h("li", { text: label }) : localText(h("li"), label),
    ),
  );
}

function summaryRow(key, value, step, focusId) {
  const keyText = key instanceof Node ? key : h("span", { text: key });
  const labelText = keyText.textContent;
  return h(
    "div",
    { class: "summary__row" },
    h("dt", { class: "summary__key" }, keyText),
    h("dd", { class: "summary__value" }, value),
    h(
      "dd",
      { class: "summary__actions" },
      h(
        "a",
        { href: `#${focusId || step}`, "data-change": step, onclick: changeTo(step) },
        t("change"),
        h("span", { class: "visually-hidden", text: t("changeHidden", { label: labelText }) }),
      ),
    ),
  );
}

export function reviewView() {
  const asked = questions().filter(isAsked).map(worded);
  const c = state.draft.contact;
  const spec = state.form.form.contact;
  const optionText = (options, id) => {
    const option = options.find((o) => o.id === id);
    return option ? [option.label] : [];
  };
  const plain = (value) => (trimText(value) ? [trimText(value)] : []);
  const privacyUrl = safeLink(state.form.privacy_notice.url) || "/report/privacy.html";
  return stepShell("review", [
    pageHeading(t("reviewHeading")),
    h("h2", { text: t("reviewAbout") }),
    h(
      "dl",
      { class: "summary" },
      asked.map((question) =>
        summaryRow(
          localText(h("span"), question.label),
          answerNode(
            question.kind === "text"
              ? plain(state.draft.answers[question.id])
              : question.kind === "people"
                ? peopleGiven(peopleOf(question.id)).map((person) =>
                    person.name_unknown ? t("nameNotKnown") : trimText(person.name),
                  )
                : optionLabels(question, state.draft.answers[question.id]),
          ),
          question.id,
        ),
      ),
    ),
    h("h2", { text: t("reviewAccount") }),
    h(
      "dl",
      { class: "summary" },
      summaryRow(t("reviewAccountKey"), answerNode(plain(state.draft.narrative)), "narrative"),
    ),
    demographicsAsked() ? textIn("h2", demographicsWording().review) : null,
    demographicsAsked()
      ? h(
          "dl",
          { class: "summary" },
          demographicQuestions()
            .map(worded)
            .map((question) =>
              summaryRow(
                localText(h("span"), question.label),
                answerNode(optionLabels(question, state.draft.demographics[question.id])),
                "demographics",
              ),
            ),
        )
      : null,
    h("h2", { text: t("reviewHow") }),
    h(
      "dl",
      { class: "summary" },
      summaryRow(
        t("reviewMode"),
        answerNode(
          state.draft.mode ? [t(state.draft.mode === "named" ? "modeNamed" : "modeAnonymous")] : [],
        ),
        "mode",
      ),
      state.draft.mode === "anonymous"
        ? summaryRow(
            t("reviewFollowUp"),
            answerNode(
              state.draft.follow_up
                ? [t(state.draft.follow_up === "yes" ? "followUpYes" : "followUpNo")]
                : [t("followUpNotChosen")],
            ),
            "follow_up",
          )
        : null,
      state.draft.mode === "named"
        ? [
            summaryRow(t("contactName"), answerNode(plain(c.name)), "contact"),
            summaryRow(t("contactEmail"), answerNode(plain(c.email)), "contact"),
            summaryRow(t("contactPhone"), answerNode(plain(c.phone)), "contact"),
            summaryRow(
              t("contactMethod"),
              answerNode(optionText(spec.contact_methods, c.preferred_contact_method)),
              "contact",
            ),
            summaryRow(t("safeTimes"), answerNode(plain(c.safe_times)), "contact"),
            summaryRow(
              t("advisorPreference"),
              answerNode(
                spec.advisor_preferences
                  .filter((o) => advisorPreferencesOrNone(c).includes(o.id))
                  .map((o) => o.label),
              ),
              "contact",
            ),
          ]
        : null,
    ),
    h("h2", { text: t("privacyHeading") }),
    localParagraph(state.form.privacy_notice.summary),
    h("p", {}, h("a", { href: privacyUrl, text: t("privacyLink") })),
    stepForm(
      onSend,
      h(
        "div",
        { class: "button-group" },
        h("button", { type: "submit", class: "button", "data-send": true, text: t("send") }),
        h("p", { class: "hint", role: "status", "data-send-status": true }),
      ),
    ),
  ]);
}
