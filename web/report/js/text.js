// Text as the API measures it (chalicelib/reports/lengths.py), and the character count shown
// under a field with a limit.

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
