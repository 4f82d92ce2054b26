// What the reporter form holds while it is open, in one place: the modules of the form read
// and change it here rather than each keeping its own copy.

export const state = {
  /** `GET /form`: the questions, support resources, privacy notice and next steps. */
  form: null,
  /** What the reporter has answered; mirrored to sessionStorage (draft.js). */
  draft: null,
  /**
   * The accepted report, for the confirmation. Its `follow_up` is the receipt code and the
   * day to look again ({receipt_code, look_again_on}) in this page's memory only, `true`
   * when restored from storage (the code is shown once), or null/false.
   */
  receipt: null,
  /** Problems shown on the current step: {key, step, href, code, vars, raw, label}. */
  shownErrors: [],
  /** A calm message on the review page: {title, code}. */
  notice: null,
  /** Whether a report is being sent (a double click sends once). */
  sending: false,
};

/** The API's 400 answer, by key (`answers.when` → `when`, ...): shown on the step it names. */
export const serverErrors = new Map();
