// A named reporter's contact details and preferences.

import { h } from "../../../shared/dom.js";
import { t } from "../../site.js";
import { advisorPreferences } from "../draft.js";
import {
  choiceGroup,
  continueButton,
  pageHeading,
  stepForm,
  stepShell,
  textField,
} from "../fields.js";
import { onContinue } from "../navigation.js";
import { state } from "../state.js";
import { LIMITS } from "../validation.js";

export function contactView() {
  const c = state.draft.contact;
  const spec = state.form.form.contact;
  return stepShell(
    "contact",
    stepForm(
      onContinue,
      pageHeading(t("contactHeading")),
      h("p", { text: t("contactIntro") }),
      textField({
        key: "contact.name",
        id: "contact-name",
        name: "name",
        label: t("contactName"),
        value: c.name,
        autocomplete: "name",
        spellcheck: false,
        maxLength: LIMITS.name,
      }),
      textField({
        key: "contact.email",
        id: "contact-email",
        name: "email",
        label: t("contactEmail"),
        hint: t("contactEmailHint"),
        value: c.email,
        type: "email",
        autocomplete: "email",
        spellcheck: false,
      }),
      textField({
        key: "contact.phone",
        id: "contact-phone",
        name: "phone",
        label: t("contactPhone"),
        hint: t("contactPhoneHint"),
        value: c.phone,
        type: "tel",
        autocomplete: "tel",
        width: "medium",
      }),
      choiceGroup({
        key: "contact.preferred_contact_method",
        name: "preferred_contact_method",
        idPrefix: "contact-preferred_contact_method",
        legend: t("contactMethod"),
        type: "radio",
        options: spec.contact_methods,
        selected: c.preferred_contact_method ? [c.preferred_contact_method] : [],
      }),
      textField({
        key: "contact.safe_times",
        id: "contact-safe_times",
        name: "safe_times",
        label: t("safeTimes"),
        hint: t("safeTimesHint"),
        value: c.safe_times,
        multiline: true,
        maxLength: LIMITS.safe_times,
      }),
      choiceGroup({
        key: "contact.advisor_preferences",
        name: "advisor_preferences",
        idPrefix: "contact-advisor_preferences",
        legend: t("advisorPreference"),
        hint: t("advisorPreferenceHint"),
        type: "checkbox",
        options: spec.advisor_preferences,
        selected: advisorPreferences(c),
      }),
      continueButton(),
    ),
  );
}
