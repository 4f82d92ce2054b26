// The receipt code of the report open on the follow-up page: kept in this tab's
// sessionStorage only (`report:follow-up`), so a reload keeps the report open; Sign out and
// quick exit forget it. Never in a URL, nor anywhere that outlives the tab.

import { KEYS, store } from "../../site.js";
import { isWellFormed, normaliseCode } from "./code.js";

/** The code this tab holds, or null (nothing kept, or something that is not a code). */
export function heldCode() {
  const kept = store.get(KEYS.followUp);
  const code = typeof kept === "string" ? normaliseCode(kept) : "";
  return isWellFormed(code) ? code : null;
}

/** Keep the code of the report just opened. */
export function holdCode(code) {
  store.set(KEYS.followUp, normaliseCode(code));
}

/** Forget the code (Sign out, or a code that no longer opens anything). */
export function forgetCode() {
  store.remove(KEYS.followUp);
}
