// Building the page with DOM calls only: no HTML strings, no inline styles, nothing a
// strict Content-Security-Policy would refuse. Text always goes in as text, so values from
// the API can never become markup.

let counter = 0;

/** A document-unique id with a readable prefix. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Create an element: h("p", {class: "body"}, "text", child, [more]).
 * Attributes: `class`, `dataset` (object), `on<event>` (function), `text`; `true` sets a
 * boolean attribute, `false`/`null`/`undefined` leaves it out.
 */
export function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Append children (nodes, strings, nested arrays; null and false are skipped). */
export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace every child of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Move focus to an element that is not normally focusable (headings, banners). */
export function focusOn(element) {
  if (!element) return;
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus({ preventScroll: false });
}

/**
 * A link or button that moves focus to an element on the page without touching the
 * location hash (the hash is the portal's router).
 */
export function jumpLink(text, target, attrs = {}) {
  return h(
    "a",
    {
      ...attrs,
      href: `#${typeof target === "string" ? target : target.id}`,
      onclick: (event) => {
        event.preventDefault();
        const element =
          typeof target === "string" ? document.getElementById(target) : target;
        if (element) {
          element.scrollIntoView({ block: "center" });
          element.focus();
        }
      },
    },
    text,
  );
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
