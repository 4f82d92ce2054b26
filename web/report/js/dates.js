// Dates and times as the reporter reads them: in the page's language, and in the
// institution's time zone (GET /form's `time_zone`), whatever the device's clock is set to.

import { currentLanguage } from "../site.js";

/** The locale a language's dates are written in. */
function locale() {
  return currentLanguage() === "cy" ? "cy-GB" : "en-GB";
}

/**
 * A calendar date the API gives as `YYYY-MM-DD` (a day already in the institution's
 * calendar, like `look_again_on`), written out: "Thursday 3 December 2026". It is formatted
 * at noon UTC in UTC, so no time zone can move it to the day before or after.
 */
export function formatDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day));
  if (!match) return String(day);
  const noon = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12));
  return new Intl.DateTimeFormat(locale(), {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(noon);
}

/** An instant the API gives in ISO 8601 (UTC), as a date and time in the institution's zone. */
export function formatMoment(iso, timeZone) {
  const when = new Date(String(iso));
  if (Number.isNaN(when.getTime())) return String(iso);
  const options = {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone }).format(when);
  } catch {
    // An unknown zone (the API validates it, so only a browser without its data): UTC.
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(when);
  }
}
