// The reporter's copy of their report: reference and date, the status in plain words (what
// it means for them), their answers and account as they gave them, the thread with staff
// (thread.js), and Sign out.

import { h } from "../../../shared/dom.js";
import { localText, t } from "../../site.js";
import { formatMoment } from "../dates.js";
import { noticeBox, pageHeading } from "./pieces.js";
import { page, timeZone } from "./state.js";
import { threadView } from "./thread.js";

/** The API's plain status keys, and the page's words for each: a name and what it means. */
const STATUS_WORDS = {
  received: ["statusReceived", "statusReceivedText"],
  being_handled: ["statusBeingHandled", "statusBeingHandledText"],
  recorded: ["statusRecorded", "statusRecordedText"],
  closed: ["statusClosed", "statusClosedText"],
};

/** A text the API gives either in both languages ({en, cy}) or as the reporter wrote it. */
function textOf(tag, value) {
  if (value && typeof value === "object") return localText(h(tag), value);
  return h(tag, { text: typeof value === "string" ? value : "" });
}

function row(key, value, attrs = {}) {
  return h(
    "div",
    { class: "summary__row", ...attrs },
    h("dt", { class: "summary__key" }, key),
    h("dd", { class: "summary__value" }, value),
  );
}

function statusSection(status) {
  const words = STATUS_WORDS[status];
  if (!words) return null;
  return [
    h("h2", { text: t("fuStatus") }),
    h(
      "div",
      { class: "status", "data-status": status },
      h("p", { class: "status__name" }, h("strong", { text: t(words[0]) })),
      h("p", { text: t(words[1]) }),
    ),
  ];
}

function signOutBar({ onSignOut }) {
  return h(
    "div",
    { class: "sign-out" },
    h("p", { class: "hint", text: t("fuKept") }),
    h("button", {
      type: "button",
      class: "button button--secondary",
      "data-sign-out": true,
      onclick: onSignOut,
      text: t("signOut"),
    }),
  );
}

export function reportView(handlers) {
  const copy = page.copy;
  const answers = Array.isArray(copy.answers) ? copy.answers : [];
  return h(
    "div",
    { class: "step", "data-view": "report" },
    noticeBox(),
    pageHeading(t("fuReportHeading")),
    copy.reply_expected
      ? h(
          "p",
          { class: "inset", "data-reply-expected": true },
          h("strong", { text: t("replyExpected") }),
        )
      : null,
    h(
      "dl",
      { class: "summary" },
      row(
        t("fuReference"),
        h("strong", {
          class: "reference--inline",
          "data-testid": "reference",
          text: copy.reference,
        }),
      ),
      row(
        t("fuSent"),
        h("time", {
          datetime: copy.submitted_at,
          text: formatMoment(copy.submitted_at, timeZone()),
        }),
      ),
    ),
    statusSection(copy.status),
    signOutBar(handlers),
    h("h2", { text: t("fuAnswersHeading") }),
    answers.length
      ? h(
          "dl",
          { class: "summary", "data-answers": true },
          answers.map((item) => row(textOf("span", item.question), textOf("span", item.answer))),
        )
      : null,
    h("h2", { text: t("reviewAccount") }),
    h("p", {
      class: "account",
      "data-narrative": true,
      text: copy.narrative ? copy.narrative : t("notAnswered"),
    }),
    threadView(handlers),
  );
}
