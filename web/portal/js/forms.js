// Form building blocks in the GOV.UK Design System's manner: labels and hints, fieldsets
// with legends, and the error summary pattern (a summary at the top linking to each bad
// field, the message repeated next to the field).

import { h, focusOn, jumpLink } from "./dom.js";

function describedBy(...ids) {
  const list = ids.filter(Boolean).join(" ");
  return list || null;
}

function errorMessage(id) {
  return h("p", { class: "error-message", id: `${id}-error`, hidden: true });
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
    errorMessage(id),
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
    errorMessage(id),
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
      links.push(h("li", null, jumpLink(text, config.id)));
    } else if (target) {
      links.push(h("li", null, jumpLink(text, config.id)));
    } else {
      links.push(h("li", null, text));
    }
  }
  const titleId = `${form.id || "form"}-error-title`;
  const summary = h(
    "div",
    {
      class: "error-summary",
      role: "alert",
      tabindex: "-1",
      "aria-labelledby": titleId,
      "data-error-summary": "",
    },
    h("h2", { class: "error-summary__title", id: titleId }, "There is a problem"),
    h("ul", { class: "error-summary__list" }, links),
  );
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
  if (message) {
    message.replaceChildren(h("span", { class: "visually-hidden" }, "Error: "), text);
    message.hidden = false;
  }
  const fieldset = group.querySelector("fieldset");
  const describedElement = fieldset || group.querySelector("input, textarea, select");
  if (describedElement && message) {
    const ids = (describedElement.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
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
