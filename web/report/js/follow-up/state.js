// What the follow-up page holds while it is open, in one place. Only the receipt code of an
// open report is also kept, in this tab's sessionStorage (session.js); everything else here
// is in the page's memory and goes with it.

export const page = {
  /** `GET /form`, for the chrome and the institution's time zone (null if it failed). */
  form: null,
  /** What is drawn: "loading", "code" (enter the code), "retry" (a kept code could not be
   * opened just now), or "report". */
  view: "loading",
  /** The code of the open report (normalised). */
  code: null,
  /** The report as `POST /reports/follow-up` answered it. */
  copy: null,
  /** What is typed in the code field, kept across a redraw (a language switch). */
  typed: "",
  /** The problem with the code typed: a STRINGS key, or null. */
  codeError: null,
  /** What is typed in the message field, kept across a redraw. */
  message: "",
  /** The problem with the message: {code, vars}, or null. */
  messageError: null,
  /** A calm message at the top: {title, lines: [[key, vars]]}, or null. */
  notice: null,
  /** Whether the reporter has just signed out (said on the code form). */
  signedOut: false,
  /** Whether a request is on its way (a double click sends once). */
  busy: false,
};

/** The institution's time zone (GET /form), or the device's if the form data did not load. */
export function timeZone() {
  return page.form && typeof page.form.time_zone === "string" ? page.form.time_zone : undefined;
}
