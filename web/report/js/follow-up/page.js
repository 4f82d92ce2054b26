// The follow-up page's flow: open a report with its code, keep it open across a reload (the
// code in this tab's sessionStorage), send a message, sign out; and draw the current view
// into <main>, moving focus and announcing as the form does.

import { isExiting, setTitle, t } from "../../site.js";
import { textLength, trimText, updateCount } from "../text.js";
import { isWellFormed, normaliseCode } from "./code.js";
import { CODE_FIELD, codeView, retryView } from "./code-form.js";
import { openReport, sendMessage } from "./api.js";
import { reportView } from "./report.js";
import { forgetCode, heldCode, holdCode } from "./session.js";
import { page } from "./state.js";
import { MESSAGE_FIELD, MESSAGE_MAX } from "./thread.js";

const main = document.querySelector("main");
const announcer = document.querySelector("[data-announcer]");

const handlers = {
  onOpen,
  onRetry,
  onSignOut,
  onSend,
};

function announce(text) {
  if (!announcer || !text) return;
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 100);
}

function view() {
  if (page.view === "report" && page.copy) return reportView(handlers);
  if (page.view === "retry") return retryView(handlers);
  return codeView(handlers);
}

/** Keep what is typed before the page is drawn again (a language switch redraws it). */
export function keepTyped() {
  const code = document.getElementById(CODE_FIELD);
  if (code) page.typed = code.value;
  const message = document.getElementById(MESSAGE_FIELD);
  if (message) page.message = message.value;
}

/** Draw the current view. `focus`: "heading", "summary", "notice", a field id, or null. */
export function render({ focus = null, say = null } = {}) {
  main.replaceChildren(view());
  const heading = main.querySelector("[data-heading]");
  const hasError = Boolean(main.querySelector("[data-error-summary]"));
  setTitle(heading ? heading.textContent : t("fuHeading"), { error: hasError });
  if (say) announce(say);
  const target =
    focus === "summary"
      ? main.querySelector("[data-error-summary]")
      : focus === "notice"
        ? main.querySelector("[data-notice]")
        : focus === "heading"
          ? heading
          : focus
            ? document.getElementById(focus)
            : null;
  if (target) {
    target.focus({ preventScroll: true });
    if (focus === "heading") window.scrollTo(0, 0);
    else target.scrollIntoView({ block: "start" });
  }
}

function showStatus(selector, text) {
  const status = main.querySelector(selector);
  if (status) status.textContent = text;
}

function waitNotice(seconds) {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return {
    title: "fuWaitTitle",
    lines: [["fuWait"], minutes === 1 ? ["fuWaitMinute"] : ["fuWaitMinutes", { n: minutes }]],
  };
}

const FAILED = { title: "fuFailedTitle", lines: [["fuFailed"]] };

/** Open the report a code belongs to; `kept`: the code came from this tab's storage. */
async function open(code, { kept = false } = {}) {
  page.busy = true;
  showStatus("[data-open-status]", t("fuOpening"));
  const result = await openReport(code);
  page.busy = false;
  if (isExiting()) return; // quick exit while waiting: change nothing
  page.signedOut = false;
  if (result.kind === "ok") {
    holdCode(code);
    Object.assign(page, {
      view: "report",
      code,
      copy: result.data,
      typed: "",
      codeError: null,
      notice: null,
      message: "",
      messageError: null,
    });
    render({ focus: "heading", say: t("fuReportHeading") });
  } else if (result.kind === "not_found" || result.kind === "invalid") {
    // A code that opens nothing is forgotten (a report deleted since it was kept too).
    forgetCode();
    Object.assign(page, { view: "code", code: null, copy: null, notice: null });
    page.codeError = result.kind === "not_found" ? "errCodeNotFound" : "errCodeMalformed";
    render({ focus: "summary" });
  } else {
    page.notice = result.kind === "wait" ? waitNotice(result.seconds) : FAILED;
    page.view = kept ? "retry" : "code";
    page.codeError = null;
    render({ focus: "notice" });
  }
}

function onOpen(event) {
  event.preventDefault();
  if (page.busy) return;
  keepTyped();
  const code = normaliseCode(page.typed);
  page.notice = null;
  page.codeError = !code ? "errCodeMissing" : isWellFormed(code) ? null : "errCodeMalformed";
  if (page.codeError) {
    render({ focus: "summary" });
    return;
  }
  open(code);
}

function onRetry() {
  const code = heldCode();
  if (!code) {
    onSignOut();
    return;
  }
  if (!page.busy) open(code, { kept: true });
}

/** Forget the code (storage and memory) and show the code form. */
function onSignOut() {
  forgetCode();
  Object.assign(page, {
    view: "code",
    code: null,
    copy: null,
    typed: "",
    codeError: null,
    message: "",
    messageError: null,
    notice: null,
    signedOut: true,
  });
  render({ focus: "heading", say: t("signedOut") });
}

function messageProblem(text) {
  if (!trimText(text)) return { code: "errMessageMissing", vars: {} };
  if (textLength(text) > MESSAGE_MAX) return { code: "errTooLong", vars: { max: MESSAGE_MAX } };
  return null;
}

async function onSend(event) {
  event.preventDefault();
  if (page.busy) return;
  keepTyped();
  page.notice = null;
  page.messageError = messageProblem(page.message);
  if (page.messageError) {
    render({ focus: "summary" });
    return;
  }
  page.busy = true;
  showStatus("[data-send-status]", t("fuSending"));
  const text = trimText(page.message);
  const result = await sendMessage(page.code, text);
  page.busy = false;
  if (isExiting()) return;
  if (result.kind === "ok" && result.data.message_id) {
    page.copy.messages = [
      ...(page.copy.messages || []),
      { message_id: result.data.message_id, from: "reporter", at: result.data.at, text },
    ];
    page.copy.reply_expected = false;
    page.message = "";
    render({ focus: MESSAGE_FIELD, say: t("fuMessageSent") });
    showStatus("[data-send-status]", t("fuMessageSent"));
  } else if (result.kind === "invalid" && result.fields.text !== undefined) {
    const long = /at most (\d+)/.exec(result.fields.text);
    page.messageError = long
      ? { code: "errTooLong", vars: { max: Number(long[1]) } }
      : { code: "errMessageMissing", vars: {} };
    render({ focus: "summary" });
  } else if (result.kind === "not_found") {
    // The report has gone (deleted) since it was opened: nothing more to show.
    forgetCode();
    Object.assign(page, { view: "code", code: null, copy: null, message: "" });
    page.codeError = "errCodeNotFound";
    render({ focus: "summary" });
  } else {
    page.notice =
      result.kind === "wait"
        ? waitNotice(result.seconds)
        : { title: "fuSendFailedTitle", lines: [["fuSendFailed"]] };
    render({ focus: "notice" });
  }
}

/** Start the page: the code kept in this tab opens its report again; otherwise the form. */
export async function startPage() {
  main.addEventListener("input", (event) => {
    if (event.target.dataset?.maxLength) updateCount(event.target);
  });
  const code = heldCode();
  if (code) {
    await open(code, { kept: true });
  } else {
    page.view = "code";
    render();
  }
}
