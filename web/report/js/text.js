// Text as the API measures it (chalicelib/reports/lengths.py), and the character count shown
// under a field with a limit.

import { h } from "../../shared/dom.js";
import { t } from "../site.js";

// How long a text is, as the API counts it (chalicelib/reports/lengths.py): the Unicode
// White_Space characters trimmed from both ends (not String.prototype.trim's set, which
// differs at U+0085 and U+FEFF), then code points counted (an emoji is one, not two).
const WHITE_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, "g");

/** `text` without white space at either end (the API's rule). */
export function trimText(text) {
  return typeof text === "string" ? text.replace(TRIM, "") : "";
}

/** How many characters `text` counts against a limit: code points of the trimmed text. */
export function textLength(text) {
  let count = 0;
  for (const _ of trimText(text)) count += 1;
  return count;
}

// The count appears from this share of a limit on (GOV.UK's character count: 75 %), and a
// screen reader hears it once typing pauses, not at every key.
export const COUNT_FROM = 0.75;

export const COUNT_ANNOUNCE_MS = 1000;

export function countMessage(value, max) {
  const left = max - textLength(value);
  if (left < 0) {
    return { over: true, text: t(left === -1 ? "charsOverOne" : "charsOver", { n: -left }) };
  }
  if (max - left < max * COUNT_FROM) return { over: false, text: t("maxChars", { max }) };
  return { over: false, text: t(left === 1 ? "charsLeftOne" : "charsLeft", { n: left }) };
}

/**
 * Under a field with a limit: "You can enter up to N characters" until the text reaches
 * COUNT_FROM of it, then how many remain or how many are too many. The field's description
 * points here; a screen reader is told the count by a polite live region once typing pauses.
 */
export function characterCount(countId, value, max) {
  const count = h("p", { class: "hint character-count", id: countId, "data-count": true });
  showCount(count, value, max);
  return [
    count,
    h("p", {
      class: "visually-hidden",
      "aria-live": "polite",
      "data-count-status": true,
    }),
  ];
}

function showCount(element, value, max) {
  const { over, text } = countMessage(value, max);
  element.textContent = text;
  element.classList.toggle("character-count--over", over);
}

let countTimer = 0;

/** Keep a field's count up to date as the reporter types (see `characterCount`). */
export function updateCount(field) {
  const max = Number(field.dataset.maxLength);
  const group = field.closest(".form-group");
  const count = group?.querySelector("[data-count]");
  const status = group?.querySelector("[data-count-status]");
  if (!max || !count) return;
  showCount(count, field.value, max);
  window.clearTimeout(countTimer);
  countTimer = window.setTimeout(() => {
    if (!status || !status.isConnected) return;
    const { text } = countMessage(field.value, max);
    // Below the threshold there is nothing new to say; the field's hint already says it.
    status.textContent = textLength(field.value) >= max * COUNT_FROM ? text : "";
  }, COUNT_ANNOUNCE_MS);
}
