// Small pieces several of the portal's views draw with: a coloured tag, a date, a summary
// list, the "Reason" box a change asks for, the field problems of a refused API call, and
// the "Are you sure?" asked before a change that cannot be undone. Each page keeps its own
// words (hints, which answers name fields); these keep one way of drawing them.

import { ApiError } from "../api.js";
import { focusOn, h } from "../../../shared/dom.js";
import { button, showErrors, textField } from "../../../shared/forms.js";
import { dateTime } from "../format.js";

/** A coloured label ("Overdue", "Published"): `colour` names a `tag--<colour>` style. */
export function tag(text, colour) {
  return h("strong", { class: `tag tag--${colour}` }, text);
}

/** A date and time as a <time> element; without one, `otherwise` in grey ("" draws nothing). */
export function when(iso, otherwise = "") {
  if (iso) return h("time", { datetime: iso }, dateTime(iso));
  return otherwise ? h("span", { class: "secondary-text" }, otherwise) : "";
}

/** A list of [key, value, attributes] rows (a blank value shows as a dash; null rows are skipped). */
export function summaryList(rows) {
  return h(
    "dl",
    { class: "summary-list" },
    rows
      .filter(Boolean)
      .map(([key, value, rowAttrs]) =>
        h(
          "div",
          { class: "summary-list__row", ...(rowAttrs || {}) },
          h("dt", { class: "summary-list__key" }, key),
          h(
            "dd",
            { class: "summary-list__value" },
            value === "" || value === null || value === undefined
              ? h("span", { class: "secondary-text" }, "—")
              : value,
          ),
        ),
      ),
  );
}

/**
 * The "Reason" box a change asks for. `hint` says where the reason is recorded; `rows`,
 * `required` (announced to assistive technology) and a starting `value` as the page wants.
 */
export function reasonField(id, { hint, rows = 2, required = true, value } = {}) {
  return textField({
    id,
    name: "reason",
    label: "Reason",
    hint,
    multiline: true,
    rows,
    required,
    value,
  });
}

/**
 * The problems a refused call names, for `showErrors` ([{field, message}]), or null when it
 * names none: only answers with one of `statuses` (null: any) listing errors count, and each
 * field path loses what `drop` matches (`/^body\./`, a list item's `/\.\d+$/`), so it is
 * named as the form names it.
 */
export function fieldProblems(failure, { statuses = [400], drop = null } = {}) {
  if (!(failure instanceof ApiError)) return null;
  if (statuses && !statuses.includes(failure.status)) return null;
  const errors = failure.body.errors;
  if (!Array.isArray(errors) || !errors.length) return null;
  return errors.map((problem) => ({
    ...problem,
    field: drop ? String(problem.field || "").replace(drop, "") : problem.field,
  }));
}

/**
 * Show a refused call on its form: each field it names beside the field (as
 * `fieldProblems` reads them, with `options`), anything else as one sentence. Anything
 * but an API refusal is thrown again.
 */
export function showFailure(form, failure, fields, options = {}) {
  if (!(failure instanceof ApiError)) throw failure;
  showErrors(form, fieldProblems(failure, options) || [{ text: failure.sentence }], fields);
}

/**
 * Ask "Are you sure?" in `confirmation` in place of `form`: a warning banner (its heading
 * `<id>-confirm-heading`) with `paragraphs` (each a paragraph's text or children), the button `yes`
 * (which runs `onYes`) and "Cancel" (which puts the form back and focuses `returnTo`).
 */
export function askInstead({ form, confirmation, id, paragraphs, yes, onYes, returnTo }) {
  const headingId = `${id}-confirm-heading`;
  const heading = h("h3", { class: "heading-s", id: headingId }, "Are you sure?");
  confirmation.replaceChildren(
    h(
      "div",
      { class: "banner banner--warning", role: "group", "aria-labelledby": headingId },
      heading,
      paragraphs.map((children) => h("p", { class: "banner__text" }, children)),
      h(
        "div",
        { class: "button-group" },
        button(yes, { type: "button", variant: "warning", onclick: onYes }),
        button("Cancel", {
          type: "button",
          variant: "secondary",
          onclick: () => {
            confirmation.hidden = true;
            form.hidden = false;
            focusOn(returnTo);
          },
        }),
      ),
    ),
  );
  form.hidden = true;
  confirmation.hidden = false;
  focusOn(heading);
}
