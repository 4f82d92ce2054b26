// Building pages with DOM calls only, shared by the reporter form (web/report/) and the staff
// portal (web/portal/): no HTML strings, no inline styles, nothing a strict
// Content-Security-Policy would refuse. Text always goes in as text, so values from the API
// can never become markup.

let counter = 0;

/** A document-unique id with a readable prefix. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Create an element: h("p", {class: "body"}, "text", child, [more]).
 * Attributes: `class`, `dataset` (object), `on<event>` (function), `text` (textContent);
 * `true` sets a boolean attribute, `false`/`null`/`undefined` leaves it out.
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

/** Append children (nodes, strings, nested arrays; null, undefined and false are skipped). */
export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace every child of `element` with these children. */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Move focus to an element that is not normally focusable (headings, banners). */
export function focusOn(element) {
  if (!element) return;
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus({ preventScroll: false });
}

/** The ids for `aria-describedby` (blanks left out), or null for none. */
export function describedBy(...ids) {
  const list = ids.filter(Boolean);
  return list.length ? list.join(" ") : null;
}

/**
 * A link that moves focus to an element on the page without touching the location hash
 * (the portal's router reads the hash; the reporter form keeps its URL).
 */
export function jumpLink(text, target, attrs = {}) {
  return h(
    "a",
    {
      ...attrs,
      href: `#${typeof target === "string" ? target : target.id}`,
      onclick: (event) => {
        event.preventDefault();
        const element = typeof target === "string" ? document.getElementById(target) : target;
        if (element) {
          element.scrollIntoView({ block: "center" });
          element.focus();
        }
      },
    },
    text,
  );
}
