// Removing words from the reporter's own text (their account, or a free-text answer) once it
// is revealed: for a member the case answer allows `redact_text` (the team's screener). The
// words are chosen by selecting them in the text shown, or by typing them exactly as written;
// when they stand in more than one place, the member says which. After a reason and a
// confirmation the API replaces the field's sealed text with the words cut out and
// "[removed by screener]" in their place, and the page shows the text so.
//
// The span is sent as the words and which place they stand at (1 for the first), counted
// as the server counts (chalicelib/cases/span_redaction.py): every place the words begin,
// overlapping places included. JavaScript counts UTF-16 code units and Python code points,
// but both find the same places for the same words, so the count agrees whatever the
// characters (emoji, accents written either way).

import { staff } from "../../api.js";
import { focusOn, h } from "../../../../shared/dom.js";
import {
  button,
  choices,
  clearErrors,
  showErrors,
  textField,
  whileBusy,
} from "../../../../shared/forms.js";
import { askInstead, fieldProblems } from "../parts.js";
import { handleFailure } from "./changes.js";
import { fold, reasonField } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** What stands where words were removed: the server's `span_redaction.MARKER`. */
export const MARKER = "[removed by screener]";
const CONTEXT = 24;

/** Every index where `words` begin in `text`, overlapping places included. */
export function placesOf(text, words) {
  const places = [];
  if (!words) return places;
  let at = text.indexOf(words);
  while (at !== -1) {
    places.push(at);
    at = text.indexOf(words, at + 1);
  }
  return places;
}

/** The free-text fields of what was revealed: [{field, title, text}]. */
export function redactableFields(revealed, titleOf) {
  const fields = [];
  if (typeof revealed.narrative === "string") {
    fields.push({ field: "narrative", title: "Their account", text: revealed.narrative });
  }
  for (const [id, value] of Object.entries(revealed.answers || {})) {
    if (typeof value === "string") {
      fields.push({ field: `answer.${id}`, title: titleOf(id), text: value });
    }
  }
  return fields;
}

/** The words around a place, the words themselves marked, for choosing and confirming. */
function inContext(text, at, words) {
  let start = Math.max(0, at - CONTEXT);
  let end = Math.min(text.length, at + words.length + CONTEXT);
  // Never half an emoji at either edge (a surrogate pair is two code units).
  if (/[\uDC00-\uDFFF]/.test(text.charAt(start))) start -= 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end += 1;
  return h(
    "span",
    { class: "pre-wrap" },
    start > 0 ? "…" : "",
    text.slice(start, at),
    h("mark", null, text.slice(at, at + words.length)),
    text.slice(at + words.length, end),
    end < text.length ? "…" : "",
  );
}

/**
 * The words selected inside one of the shown texts (`[data-redactable]`): {field, words,
 * occurrence}, or null. Spaces at either end of the selection are left out.
 */
function selectedWords() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  const shown = [...document.querySelectorAll("[data-redactable]")].find(
    (element) => element.contains(range.startContainer) && element.contains(range.endContainer),
  );
  if (!shown) return null;
  const before = document.createRange();
  before.selectNodeContents(shown);
  before.setEnd(range.startContainer, range.startOffset);
  const raw = range.toString();
  const words = raw.trim();
  if (!words) return null;
  const start = before.toString().length + (raw.length - raw.trimStart().length);
  const occurrence = placesOf(shown.textContent, words).indexOf(start) + 1;
  return occurrence ? { field: shown.dataset.redactable, words, occurrence } : null;
}

/** The "Remove words" form for the free-text fields shown (`[data-redactable]`). */
export function redactionForm(ctx, detail, fieldsShown) {
  const ids = {
    field: "redact-field",
    text: "redact-text",
    occurrence: "redact-occurrence",
    reason: "redact-reason",
  };
  const fields = {
    field: { id: ids.field, label: "Text", missing: "Choose the text to remove words from" },
    text: { id: ids.text, label: "Words to remove", missing: "Enter the words to remove" },
    occurrence: { id: ids.occurrence, label: "Which place", missing: "Choose which place" },
    reason: { id: ids.reason, label: "Reason", missing: "Give a reason" },
  };
  const only = fieldsShown.length === 1 ? fieldsShown[0] : null;
  // The place a selection pointed at, kept while the words typed are still those selected.
  let selected = null;
  const which = h("div", { id: "redact-which" });
  const form = h(
    "form",
    { id: "redact-form", class: "form", novalidate: true },
    h("h3", { class: "heading-s" }, "Remove words"),
    h(
      "p",
      { class: "hint" },
      `Select the words in the text above, or type them exactly as they are written. They are replaced by “${MARKER}” in the stored record, and the original cannot be recovered. The reason goes into the audit trail: do not repeat the words in it.`,
    ),
    only
      ? null
      : choices({
          id: ids.field,
          name: "field",
          legend: "Which text",
          options: fieldsShown.map((shown) => ({ value: shown.field, label: shown.title })),
          small: true,
        }),
    textField({ id: ids.text, name: "text", label: "Words to remove", spellcheck: false }),
    which,
    reasonField(ids.reason),
    button("Remove these words", { variant: "warning" }),
  );
  const confirmation = h("div", { class: "confirm", id: "redact-confirmation", hidden: true });

  const chosenField = () =>
    only || fieldsShown.find((shown) => shown.field === form.elements.field?.value) || null;

  // Draw "Which place?" when the words stand in more than one place of the chosen text.
  const drawPlaces = () => {
    const shown = chosenField();
    const words = form.elements.text.value;
    const places = shown ? placesOf(shown.text, words) : [];
    which.replaceChildren();
    if (places.length < 2) return;
    const preset =
      selected && selected.field === shown.field && selected.words === words
        ? String(selected.occurrence)
        : undefined;
    which.append(
      choices({
        id: ids.occurrence,
        name: "occurrence",
        legend: `These words appear ${places.length} times. Which place?`,
        options: places.map((at, index) => ({
          value: String(index + 1),
          label: inContext(shown.text, at, words),
        })),
        value: preset,
        small: true,
      }),
    );
  };

  // Listening on the document (the texts are drawn beside the form); a page redrawn without
  // this form stops listening.
  const useSelection = () => {
    if (!form.isConnected) {
      document.removeEventListener("mouseup", useSelection);
      document.removeEventListener("keyup", useSelection);
      return;
    }
    const picked = selectedWords();
    if (!picked || form.hidden) return;
    selected = picked;
    if (!only) {
      for (const radio of form.querySelectorAll(`input[name="field"]`)) {
        radio.checked = radio.value === picked.field;
      }
    }
    form.elements.text.value = picked.words;
    drawPlaces();
  };
  document.addEventListener("mouseup", useSelection);
  document.addEventListener("keyup", useSelection);
  form.addEventListener("input", (event) => {
    if (event.target.name === "text" || event.target.name === "field") drawPlaces();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "field") drawPlaces();
  });

  const askToConfirm = (shown, body, at) => {
    const after = shown.text.slice(0, at) + MARKER + shown.text.slice(at + body.text.length);
    askInstead({
      form,
      confirmation,
      id: "redact",
      paragraphs: [
        [
          `From “${shown.title}” these words are removed for good: `,
          inContext(shown.text, at, body.text),
        ],
        [`The stored text then reads: `, inContext(after, at, MARKER)],
      ],
      yes: "Yes, remove these words",
      onYes: () => send(shown, body, at),
      returnTo: form.elements.text,
    });
  };

  const send = (shown, body, at) =>
    whileBusy(confirmation, async () => {
      let updated;
      try {
        updated = await staff.redact(detail.reference, body);
      } catch (failure) {
        confirmation.hidden = true;
        form.hidden = false;
        const named = fieldProblems(failure, { statuses: [422] });
        if (named) {
          showErrors(form, named, fields);
          return;
        }
        await handleFailure(ctx, form, fields, failure);
        return;
      }
      const onScreen = caseOnScreen();
      if (!ctx.current() || !onScreen || onScreen.reference !== updated.reference) return;
      onScreen.detail = updated;
      onScreen.audit = null; // it has a new entry; load it again on request
      // The stored text is now the shown one with the words replaced, as the server did it.
      const redacted = shown.text.slice(0, at) + MARKER + shown.text.slice(at + body.text.length);
      const revealed = onScreen.revealed;
      if (revealed && shown.field === "narrative") revealed.narrative = redacted;
      else if (revealed) {
        revealed.answers = { ...revealed.answers, [shown.field.slice(7)]: redacted };
      }
      ctx.redraw();
      ctx.announce(
        `Words removed from “${shown.title}”. The stored text now reads “${MARKER}” in their place; this is recorded in the audit trail.`,
        { focus: false },
      );
      focusOn(document.querySelector(`[data-redactable="${CSS.escape(shown.field)}"]`));
    });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const shown = chosenField();
    const words = form.elements.text.value.trim();
    const reason = form.elements.reason.value.trim();
    const problems = [];
    if (!shown) problems.push({ field: "field", message: "is required" });
    const places = shown && words ? placesOf(shown.text, words) : [];
    if (!words) problems.push({ field: "text", message: "is required" });
    else if (shown && !places.length) {
      problems.push({ field: "text", message: "are not in the text as it is shown" });
    }
    let occurrence = places.length === 1 ? 1 : Number(form.elements.occurrence?.value || 0);
    if (places.length > 1 && !occurrence) {
      problems.push({ field: "occurrence", message: "is required" });
    }
    if (reason.length < 3) {
      problems.push({
        field: "reason",
        message: reason ? "must be at least 3 characters" : "is required",
      });
    }
    if (problems.length) {
      showErrors(form, problems, fields);
      return;
    }
    occurrence = occurrence || 1;
    const body = {
      field: shown.field,
      text: words,
      occurrence,
      reason,
      version: caseOnScreen().detail.version,
    };
    askToConfirm(shown, body, places[occurrence - 1]);
  });

  return h("div", { class: "redaction" }, fold(form, "Remove words from this text"), confirmation);
}
