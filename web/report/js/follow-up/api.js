// The follow-up page's two calls, with the code in the body (never in a URL), and each
// answer sorted into what it means for the page:
//   {kind: "ok", data} · {kind: "invalid", fields: {field: message}} (400) ·
//   {kind: "not_found"} (404) · {kind: "wait", seconds} (429, from Retry-After) ·
//   {kind: "failed"} (anything else: a 503, a timeout, no network).

import { apiUrl } from "../../site.js";

const TIMEOUT_MS = 20000;
/** When a 429 gives no usable Retry-After: the failure budget's window (10 minutes). */
const DEFAULT_WAIT_SECONDS = 600;

async function post(path, body) {
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(await apiUrl(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: controller.signal,
    });
    const data = await response.json().catch(() => null);
    return sorted(response, data);
  } catch {
    return { kind: "failed" };
  } finally {
    window.clearTimeout(timer);
  }
}

function sorted(response, data) {
  if (response.ok && data) return { kind: "ok", data };
  if (response.status === 400 && data && Array.isArray(data.errors)) {
    const fields = {};
    for (const { field, message } of data.errors) fields[String(field)] = String(message || "");
    return { kind: "invalid", fields };
  }
  if (response.status === 404 && data && data.error === "receipt_not_found") {
    return { kind: "not_found" };
  }
  if (response.status === 429) {
    const seconds = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    return { kind: "wait", seconds: seconds > 0 ? seconds : DEFAULT_WAIT_SECONDS };
  }
  return { kind: "failed" };
}

/** `POST /reports/follow-up`: the reporter's copy of their report. */
export function openReport(code) {
  return post("/reports/follow-up", { receipt_code: code });
}

/** `POST /reports/follow-up/messages`: a message from the reporter to the staff. */
export function sendMessage(code, text) {
  return post("/reports/follow-up/messages", { receipt_code: code, text });
}
