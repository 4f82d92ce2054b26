// Form building blocks in the GOV.UK Design System's manner, shared by the reporter form
// (web/report/) and the staff portal (web/portal/): the error summary (a summary at the top
// linking to each bad field, the message repeated next to the field), inline error messages,
// labelled text fields, fieldsets of radios or checkboxes with legends and hints, buttons,
// and reading a form's values.

import { describedBy, focusOn, h, jumpLink } from "./dom.js";

/**
 * The error summary: a titled list of the problems, each (usually) a link that focuses its
 * field. `items` are the list items' contents (links or text). It is an alert; focus it once
 * drawn, so it is read first.
 */
export function errorSummary({ titleId, title, items }) {
  return h(
    "div",
    {
      class: "error-summary",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": titleId,
      "data-error-summary": true,
    },
    h("h2", { class: "error-summary__title", id: titleId }, title),
    h(
      "ul",
      { class: "error-summary__list" },
      items.map((item) => h("li", null, item)),
    ),
  );
}

/**
 * The message beside a field: "Error:" (visually hidden, in the page's language: `prefix`),
 * then the text. Without a text it is drawn hidden, to be filled by `showErrorMessage`.
 */
export function errorMessage(id, text = null, { prefix = "Error:" } = {}) {
  const message = h("p", { class: "error-message", id, hidden: text === null });
  if (text !== null) showErrorMessage(message, text, { prefix });
  return message;
}

/** Put a text into an inline error message and show it. */
export function showErrorMessage(message, text, { prefix = "Error:" } = {}) {
  message.replaceChildren(h("span", { class: "visually-hidden" }, `${prefix} `), text);
  message.hidden = false;
}

/** A labelled text input or textarea. */
export function textField({
  id,
  name,
  label,
  hint,
  type = "text",
  multiline = false,
  rows = 3,
  autocomplete,
  value,
  widthClass,
  labelClass,
  spellcheck,
  required = false,
}) {
  const hintId = hint ? `${id}-hint` : null;
  const control = multiline
    ? h("textarea", {
        class: "textarea",
        id,
        name,
        rows,
        spellcheck: spellcheck === undefined ? null : String(spellcheck),
        "aria-describedby": describedBy(hintId),
        "aria-required": required ? "true" : null,
      })
    : h("input", {
        class: `input ${widthClass || ""}`.trim(),
        id,
        name,
        type,
        autocomplete: autocomplete || null,
        spellcheck: spellcheck === undefined ? null : String(spellcheck),
        "aria-describedby": describedBy(hintId),
        "aria-required": required ? "true" : null,
      });
  if (value !== undefined && value !== null) control.value = value;
  return h(
    "div",
    { class: "form-group", dataset: { control: id } },
    h("label", { class: `label ${labelClass || ""}`.trim(), for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    errorMessage(`${id}-error`),
    control,
  );
}

/**
 * A fieldset of radios or checkboxes. `options`: [{value, label, hint, detail}], where
 * `detail` is an extra node shown under the option's hint. The first input has `id`, so
 * an error summary can link to it.
 */
export function choices({
  id,
  name,
  legend,
  hint,
  options,
  type = "radio",
  value,
  legendClass,
  small = false,
  inline = false,
}) {
  const hintId = hint ? `${id}-hint` : null;
  const chosen = new Set([value].flat().filter((v) => v !== undefined && v !== null));
  const kind = type === "radio" ? "radios" : "checkboxes";
  const items = options.map((option, index) => {
    const inputId = index === 0 ? id : `${id}-${index + 1}`;
    const optionHintId = option.hint ? `${inputId}-hint` : null;
    const input = h("input", {
      class: `${kind}__input`,
      id: inputId,
      name,
      type,
      value: option.value,
      "aria-describedby": optionHintId,
    });
    input.checked = chosen.has(option.value);
    return h(
      "div",
      { class: `${kind}__item` },
      input,
      h("label", { class: `label ${kind}__label`, for: inputId }, option.label),
      option.hint ? h("div", { class: `hint ${kind}__hint`, id: optionHintId }, option.hint) : null,
    );
  });
  const fieldset = h(
    "fieldset",
    {
      class: "fieldset",
      "aria-describedby": describedBy(hintId),
    },
    h("legend", { class: `fieldset__legend ${legendClass || ""}`.trim() }, legend),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    errorMessage(`${id}-error`),
    h(
      "div",
      {
        class: `${kind} ${small ? `${kind}--small` : ""} ${inline ? `${kind}--inline` : ""}`
          .replace(/\s+/g, " ")
          .trim(),
      },
      items,
    ),
  );
  return h("div", { class: "form-group", dataset: { control: id } }, fieldset);
}

/** A submit button (or, with `type: "button"`, a plain one). */
export function button(text, { type = "submit", variant = "", onclick, name, testid } = {}) {
  return h(
    "button",
    {
      type,
      class: `button ${variant ? `button--${variant}` : ""}`.trim(),
      onclick,
      name: name || null,
      "data-testid": testid || null,
    },
    text,
  );
}

/**
 * Show problems on a form. `problems`: [{field, message}] from the API, or {text} for a
 * sentence no field owns. `fields`: {apiField: {id, label, missing}} — the control to
 * link to, the words for its name, and a friendlier message when it is missing.
 */
export function showErrors(form, problems, fields = {}) {
  clearErrors(form);
  const links = [];
  const seen = new Set();
  for (const problem of problems) {
    const config = problem.field ? fields[problem.field] : null;
    let text = problem.text;
    if (!text) {
      const missing = /^is required$|^must not be blank$/.test(problem.message || "");
      text =
        config && missing && config.missing
          ? config.missing
          : `${config ? config.label : readableField(problem.field)} ${problem.message}`;
    }
    text = text.charAt(0).toUpperCase() + text.slice(1);
    const target = config ? document.getElementById(config.id) : null;
    if (target && !seen.has(config.id)) {
      seen.add(config.id);
      markField(form, config.id, text);
      links.push(jumpLink(text, config.id));
    } else if (target) {
      links.push(jumpLink(text, config.id));
    } else {
      links.push(text);
    }
  }
  const summary = errorSummary({
    titleId: `${form.id || "form"}-error-title`,
    title: "There is a problem",
    items: links,
  });
  form.prepend(summary);
  focusOn(summary);
  return summary;
}

function readableField(field) {
  if (!field) return "This";
  const last = String(field).split(".").pop();
  const words = last.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function markField(form, controlId, text) {
  const group = form.querySelector(`[data-control="${CSS.escape(controlId)}"]`);
  if (!group) return;
  group.classList.add("form-group--error");
  const message = group.querySelector(".error-message");
  if (message) showErrorMessage(message, text);
  const fieldset = group.querySelector("fieldset");
  const describedElement = fieldset || group.querySelector("input, textarea, select");
  if (describedElement && message) {
    const ids = (describedElement.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter(Boolean);
    if (!ids.includes(message.id)) ids.push(message.id);
    describedElement.setAttribute("aria-describedby", ids.join(" "));
  }
  for (const control of group.querySelectorAll("input, textarea, select")) {
    if (!fieldset) control.setAttribute("aria-invalid", "true");
    if (control.classList.contains("input") || control.classList.contains("textarea")) {
      control.classList.add("input--error");
    }
  }
}

/** Remove every error shown on a form. */
export function clearErrors(form) {
  for (const summary of form.querySelectorAll("[data-error-summary]")) summary.remove();
  for (const group of form.querySelectorAll(".form-group--error")) {
    group.classList.remove("form-group--error");
    const message = group.querySelector(".error-message");
    if (message) {
      message.hidden = true;
      message.replaceChildren();
      for (const element of group.querySelectorAll("[aria-describedby]")) {
        const ids = element
          .getAttribute("aria-describedby")
          .split(" ")
          .filter((id) => id && id !== message.id);
        if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
        else element.removeAttribute("aria-describedby");
      }
    }
    for (const control of group.querySelectorAll("[aria-invalid]")) {
      control.removeAttribute("aria-invalid");
    }
    for (const control of group.querySelectorAll(".input--error")) {
      control.classList.remove("input--error");
    }
  }
}

/** Run `work` with the form's buttons disabled, so a double click sends once. */
export async function whileBusy(form, work) {
  const buttons = [...form.querySelectorAll("button")];
  form.setAttribute("aria-busy", "true");
  for (const element of buttons) element.disabled = true;
  try {
    return await work();
  } finally {
    form.removeAttribute("aria-busy");
    for (const element of buttons) element.disabled = false;
  }
}

/** The values of a form's named controls: {name: value | [values] | boolean}. */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name || control.disabled) continue;
    if (control.type === "checkbox") {
      if (control.dataset.single === "true") values[control.name] = control.checked;
      else {
        values[control.name] = values[control.name] || [];
        if (control.checked) values[control.name].push(control.value);
      }
    } else if (control.type === "radio") {
      if (!(control.name in values)) values[control.name] = "";
      if (control.checked) values[control.name] = control.value;
    } else if (control.tagName !== "BUTTON") {
      values[control.name] = control.value;
    }
  }
  return values;
}

/** What has been typed or chosen in the controls under `root` (and which disclosures are open), by id. */
export function snapshotInputs(root) {
  const saved = new Map();
  for (const control of root.querySelectorAll("input, textarea, select")) {
    if (!control.id) continue;
    saved.set(control.id, { value: control.value, checked: control.checked, type: control.type });
  }
  for (const details of root.querySelectorAll("details[id]")) {
    saved.set(details.id, { open: details.open, type: "details" });
  }
  return saved;
}

/** Put back what `snapshotInputs` saved, where the same controls exist again. */
export function restoreInputs(root, saved) {
  for (const [id, state] of saved) {
    const control = root.querySelector(`#${CSS.escape(id)}`);
    if (control && state.type === "details" && control.tagName === "DETAILS") {
      control.open = state.open;
      continue;
    }
    if (!control || control.type !== state.type) continue;
    if (state.type === "checkbox" || state.type === "radio") control.checked = state.checked;
    else control.value = state.value;
    control.dispatchEvent(new Event("change", { bubbles: true }));
  }
}
