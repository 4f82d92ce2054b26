// The sealed part of the case opened on request: the reporter's contact details and their
// own account (and any sealed answers, such as the people involved). Opening them needs a
// purpose, which the API records in the audit trail before answering; what was opened is
// held for the case on screen only (state.js) until hidden or the case is left.

import { staff } from "../../api.js";
import { focusOn, h } from "../../../../shared/dom.js";
import { button, clearErrors, textField, whileBusy } from "../../../../shared/forms.js";
import { dateTime, label } from "../../format.js";
import { abilities } from "./abilities.js";
import { handleFailure } from "./changes.js";
import { summaryList, words } from "./pieces.js";
import { redactableFields, redactionForm } from "./redact.js";
import { caseOnScreen } from "./state.js";

/** The section's heading: the contact details too, on a named report. */
export function revealTitle(detail) {
  return detail.sealed_fields.includes("contact")
    ? "Contact details and account"
    : "The reporter's account";
}

/** What was opened, with why and when; or the form that opens it, with a purpose. */
export function revealSection(ctx, detail) {
  const state = caseOnScreen();
  const named = detail.sealed_fields.includes("contact");
  const buttonText = named ? "Reveal contact details" : "Reveal the account";
  if (state.revealed) {
    const revealed = state.revealed;
    const contact = revealed.contact;
    const questions = state.form?.form?.questions || [];
    const titleOf = (id) => {
      const question = questions.find((q) => q.id === id);
      return question ? words(question.label) : label(null, id);
    };
    const extra = Object.entries(revealed.answers || {}).map(([id, value]) => [
      titleOf(id),
      sealedAnswer(value, `answer.${id}`),
    ]);
    const redactable = abilities(detail).redactText ? redactableFields(revealed, titleOf) : [];
    return [
      h(
        "p",
        { class: "inset" },
        `Opened at ${dateTime(revealed.openedAt)} for: “${revealed.purpose}”. This is recorded in the case's audit trail. Do not copy these details out of the portal.`,
      ),
      contact
        ? summaryList([
            ["Name", contact.name],
            [
              "Email",
              h("span", { "data-testid": "contact-email", class: "break-word" }, contact.email),
            ],
            [
              "Phone",
              contact.phone ? h("span", { "data-testid": "contact-phone" }, contact.phone) : "",
            ],
            ["Safe times to contact", contact.safe_times || ""],
          ])
        : h("p", { class: "body" }, "Anonymous report: there are no contact details."),
      h("h3", { class: "heading-s" }, "Their account"),
      revealed.narrative
        ? h(
            "p",
            {
              class: "body pre-wrap account",
              "data-testid": "narrative",
              "data-redactable": "narrative",
            },
            revealed.narrative,
          )
        : h("p", { class: "body secondary-text" }, "They did not write an account."),
      extra.length ? summaryList(extra) : null,
      redactable.length ? redactionForm(ctx, detail, redactable) : null,
      h(
        "div",
        { class: "button-group" },
        button(named ? "Hide contact details" : "Hide the account", {
          type: "button",
          variant: "secondary",
          onclick: () => {
            caseOnScreen().revealed = null;
            ctx.redraw();
            focusOn(document.getElementById("reveal-heading"));
            ctx.announce("Contact details hidden.", { kind: "info", focus: false });
          },
        }),
      ),
    ];
  }
  const fields = {
    purpose: { id: "reveal-purpose", label: "Purpose", missing: "Say why you need to see them" },
  };
  const form = h(
    "form",
    { id: "reveal-form", class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      named
        ? "The reporter's name, email, phone, safe times and their own account are sealed. Opening them is recorded in the case's audit trail with your purpose, before anything is shown."
        : "The reporter's own account is sealed. Opening it is recorded in the case's audit trail with your purpose, before anything is shown.",
    ),
    textField({
      id: fields.purpose.id,
      name: "purpose",
      label: "Why do you need to see them?",
      hint: "For example: to make first contact.",
      required: true,
    }),
    button(buttonText),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const purpose = form.elements.purpose.value.trim();
    try {
      const revealed = await whileBusy(form, () => staff.reveal(detail.reference, purpose));
      const onScreen = caseOnScreen();
      if (!ctx.current() || !onScreen) return;
      onScreen.revealed = { ...revealed, purpose, openedAt: new Date().toISOString() };
      ctx.redraw();
      ctx.announce(
        named
          ? "Contact details revealed. Your purpose is recorded in the audit trail."
          : "Account revealed. Your purpose is recorded in the audit trail.",
        { focus: false },
      );
      focusOn(document.getElementById("reveal-heading"));
    } catch (failure) {
      handleFailure(ctx, form, fields, failure);
    }
  });
  return form;
}

/** An opened answer: text as written, or the people involved as a list (one per entry). */
function sealedAnswer(value, field) {
  if (!Array.isArray(value)) {
    return h("span", { class: "pre-wrap", "data-redactable": field }, String(value ?? ""));
  }
  const names = value.map((person) =>
    person && person.name_unknown
      ? h("li", { class: "secondary-text" }, "Name not known")
      : h("li", null, String(person?.name ?? "")),
  );
  return h("ul", { class: "list list--bullet", "data-testid": "people" }, names);
}
