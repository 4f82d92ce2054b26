// The staff API: JSON over fetch with the access token. A 401 (or an expired token)
// forgets the session and hands over to `onSignedOut`, which shows the sign-in page.

import { currentSession, forgetSession } from "./auth.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `the API answered ${status}`);
    this.status = status;
    this.body = body || {};
  }

  /** The API's error code: invalid_input, stale_version, transition_refused, ... */
  get code() {
    return this.body.error || null;
  }

  /** A sentence for people, for errors no form field owns. */
  get sentence() {
    if (this.status === 0)
      return "The portal could not reach the server. Check your connection and try again.";
    if (this.status === 403) return "Your role does not allow this.";
    if (this.status === 404) return "This case does not exist, or it is not one you can see.";
    if (this.status === 503) return "This could not be saved just now. Try again in a few seconds.";
    if (this.status >= 500)
      return "Something went wrong on our side. Try again, and tell the service team if it keeps happening.";
    return this.body.message ? capitalise(this.body.message) : "That did not work. Try again.";
  }
}

export class SignedOut extends Error {}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

let settings = { apiUrl: "", onSignedOut: () => {} };

/** Where the API is, and what to do when the session ends. */
export function configureApi(apiUrl, onSignedOut) {
  settings = { apiUrl, onSignedOut };
}

/**
 * Send one signed request; resolves to the Response, or to null when there is no session or
 * the API answers 401 (the callers then sign out). No network: rejects with ApiError(0).
 */
async function send(method, path, accept, body) {
  const session = currentSession();
  if (!session) return null;
  const headers = { Accept: accept, Authorization: `Bearer ${session.accessToken}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(settings.apiUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  return response.status === 401 ? null : response;
}

/** Call the API; resolves to the JSON body, rejects with ApiError (or SignedOut). */
export async function call(method, path, body) {
  const response = await send(method, path, "application/json", body);
  if (!response) return signedOut();
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

/**
 * Call the API for a file (CSV, a JSON document to keep): resolves to a Blob. The token is a
 * bearer header, so a plain link cannot fetch it; the caller saves the Blob (`saveBlob`).
 */
export async function download(method, path, { accept = "*/*", body } = {}) {
  const response = await send(method, path, accept, body);
  if (!response) return signedOut();
  if (!response.ok) {
    throw new ApiError(response.status, await response.json().catch(() => null));
  }
  return response.blob();
}

/** Offer a Blob to the browser as a download named `filename`, then let it go. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts; revoke on the next turn, not at once.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function signedOut() {
  forgetSession();
  settings.onSignedOut();
  throw new SignedOut("signed out");
}

/**
 * The reporter form's questions (public), for readable answer labels: with the options no
 * longer offered (`options=all`), which older reports may still hold.
 */
let formPromise = null;
export function reportForm() {
  if (!formPromise) {
    formPromise = fetch(`${settings.apiUrl}/form?options=all`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null)
      .then((body) => {
        if (!body) formPromise = null; // try again next time
        return body;
      });
  }
  return formPromise;
}

const encode = encodeURIComponent;

export const staff = {
  me: () => call("GET", "/staff/me"),
  labels: () => call("GET", "/staff/labels"),
  queue: (filters = {}) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) {
      if (value) query.set(name, value);
    }
    const text = query.toString();
    return call("GET", `/staff/queue${text ? `?${text}` : ""}`);
  },
  case: (reference) => call("GET", `/staff/cases/${encode(reference)}`),
  reveal: (reference, purpose) =>
    call("POST", `/staff/cases/${encode(reference)}/reveal`, { purpose }),
  readTimeline: (reference, purpose) =>
    call("POST", `/staff/cases/${encode(reference)}/timeline/read`, { purpose }),
  addToTimeline: (reference, entry) =>
    call("POST", `/staff/cases/${encode(reference)}/timeline`, { entry }),
  readThread: (reference) => call("GET", `/staff/cases/${encode(reference)}/messages`),
  replyToReporter: (reference, text) =>
    call("POST", `/staff/cases/${encode(reference)}/messages`, { text }),
  advisors: (reference) => call("GET", `/staff/cases/${encode(reference)}/advisors`),
  assign: (reference, body) => call("POST", `/staff/cases/${encode(reference)}/assignment`, body),
  transition: (reference, body) =>
    call("POST", `/staff/cases/${encode(reference)}/transitions`, body),
  priority: (reference, body) => call("POST", `/staff/cases/${encode(reference)}/priority`, body),
  escalate: (reference, body) => call("POST", `/staff/cases/${encode(reference)}/escalation`, body),
  flag: (reference, body) => call("POST", `/staff/cases/${encode(reference)}/flags`, body),
  redact: (reference, body) => call("POST", `/staff/cases/${encode(reference)}/redactions`, body),
  audit: (reference) => call("GET", `/staff/cases/${encode(reference)}/audit`),
  record: (reference) => call("GET", `/staff/records/${encode(reference)}`),
  retentionLog: ({ month, cursor } = {}) => {
    const query = new URLSearchParams();
    if (month) query.set("month", month);
    if (cursor) query.set("cursor", cursor);
    const text = query.toString();
    return call("GET", `/staff/records${text ? `?${text}` : ""}`);
  },
  insights: (period) => call("GET", `/staff/insights${periodQuery(period)}`),
  insightsCsv: (period) =>
    download("GET", `/staff/insights/csv${periodQuery(period)}`, { accept: "text/csv" }),
  rightsRequests: () => call("GET", "/staff/rights/requests"),
  logRightsRequest: (body) => call("POST", "/staff/rights/requests", body),
  rightsRequest: (id) => call("GET", `/staff/rights/requests/${encode(id)}`),
  subjectAccessExport: (id, body) =>
    download("POST", `/staff/rights/requests/${encode(id)}/export`, {
      accept: "application/json",
      body,
    }),
  closeRightsRequest: (id, body) =>
    call("POST", `/staff/rights/requests/${encode(id)}/close`, body),
  rectify: (id, body) => call("POST", `/staff/rights/requests/${encode(id)}/rectification`, body),
  erase: (id, body) => call("POST", `/staff/rights/requests/${encode(id)}/erasure`, body),
  content: () => call("GET", "/staff/admin/content"),
  saveContent: (body) => call("POST", "/staff/admin/content/versions", body),
  contentVersion: (version) => call("GET", `/staff/admin/content/versions/${encode(version)}`),
  previewContent: (version) =>
    call("GET", `/staff/admin/content/versions/${encode(version)}/preview`),
  publishContent: (version, body) =>
    call("POST", `/staff/admin/content/versions/${encode(version)}/publish`, body),
  restoreContent: (body) => call("POST", "/staff/admin/content/restore", body),
  adminTrail: () => call("GET", "/staff/admin/trail"),
  directory: () => call("GET", "/staff/admin/directory"),
  addTeam: (body) => call("POST", "/staff/admin/teams", body),
  addMember: (body) => call("POST", "/staff/admin/members", body),
  changeMember: (id, body) => call("POST", `/staff/admin/members/${encode(id)}`, body),
  deactivateMember: (id, body) =>
    call("POST", `/staff/admin/members/${encode(id)}/deactivation`, body),
  reactivateMember: (id, body) =>
    call("POST", `/staff/admin/members/${encode(id)}/reactivation`, body),
};

/** `?from=YYYY-MM&to=YYYY-MM` for the months given (none: the API's default period). */
function periodQuery(period = {}) {
  const query = new URLSearchParams();
  if (period.from) query.set("from", period.from);
  if (period.to) query.set("to", period.to);
  const text = query.toString();
  return text ? `?${text}` : "";
}
