// The case on screen: what was loaded for it (the case, the form it was asked with, the
// team's advisors, the audit trail) and the personal data opened on it (contact details, the
// account, timeline notes, messages with the reporter).
//
// It is held only in this module's memory, for one case at a time, and dropped on leaving
// the case or signing out (`forgetCase`, called by the router).

let held = null;

/** The case on screen, or null when there is none. */
export function caseOnScreen() {
  return held;
}

/** Hold `reference` as the case on screen; what is held for it already is kept. */
export function holdCase(reference) {
  if (!held || held.reference !== reference) {
    held = {
      reference,
      detail: null,
      form: null,
      revealed: null,
      timeline: null,
      // The message thread with the reporter, once read (its texts are sealed).
      thread: null,
      advisors: null,
      advisorsProblem: null,
      audit: null,
      // Other reports naming the same person: only the case view carries them (screeners
      // only), so they are kept here when a change answers with the case alone.
      linked: [],
    };
  }
  return held;
}

/** Drop everything held for the case on screen (leaving it, signing out). */
export function forgetCase() {
  held = null;
}
