// The message thread with an anonymous reporter who kept a receipt code: the reply owed,
// the messages read on request, and a reply. The reporter has no account and no email
// address here: they read replies on the report's follow-up page with their code, and
// nothing is sent to them.
//
// Message texts are sealed: each read is recorded in the case's audit trail by the API (as a
// timeline read is), so they are loaded only when the member asks, and held for the case on
// screen only (state.js) until hidden or the case is left.

import { SignedOut, staff } from "../../api.js";
import { focusOn, h } from "../../../../shared/dom.js";
import { button, textField, whileBusy } from "../../../../shared/forms.js";
import { dateTime } from "../../format.js";
import { staffName } from "./advisors.js";
import { change, handleFailure } from "./changes.js";
import { when } from "./pieces.js";
import { caseOnScreen } from "./state.js";

/** The longest message, in characters (the API's `MESSAGE_MAX_LENGTH`, chalicelib/cases/models.py). */
export const MESSAGE_MAX = 5000;

/** The section: what the thread is, the reply owed, then the messages or the button that reads them. */
export function threadSection(ctx, detail, can) {
  const state = caseOnScreen();
  return [
    h(
      "p",
      { class: "body" },
      "The reporter is anonymous. They read your replies on the report's follow-up page with their receipt code: nothing is emailed to them, so do not ask for contact details they chose not to give.",
    ),
    replyOwed(detail),
    state.thread ? openedThread(ctx, detail, can) : showButton(ctx, detail, can),
  ];
}

/** "Reply by …" while a reply is owed; marked overdue once that time has passed. */
function replyOwed(detail) {
  if (!detail.reply_due) return null;
  const overdue = new Date(detail.reply_due).getTime() < Date.now();
  return h(
    "p",
    { class: "inset", "data-testid": "reply-due" },
    overdue ? [h("strong", { class: "tag tag--red" }, "Reply overdue"), " "] : null,
    "Reply by ",
    when(detail.reply_due),
  );
}

/** The button that reads the thread (recorded in the audit trail). */
function showButton(ctx, detail, can) {
  const form = h(
    "form",
    { id: "thread-read-form", class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      can.reply
        ? "The messages are sealed: reading them is recorded in the case's audit trail. Show them to reply."
        : "The messages are sealed: reading them is recorded in the case's audit trail.",
    ),
    button("Show messages", { variant: "secondary" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const thread = await whileBusy(form, () => staff.readThread(detail.reference));
      const onScreen = caseOnScreen();
      if (!ctx.current() || !onScreen || onScreen.reference !== detail.reference) return;
      onScreen.thread = { messages: thread.messages, openedAt: new Date().toISOString() };
      // The thread's own answer is the freshest word on the reply owed.
      onScreen.detail = { ...onScreen.detail, reply_due: thread.reply_due };
      ctx.redraw({ preserve: true });
      focusOn(document.getElementById("messages-heading"));
      const count = thread.messages.length;
      ctx.announce(
        `Messages shown: ${count} ${count === 1 ? "message" : "messages"}. Reading them is recorded in the audit trail.`,
        { focus: false },
      );
    } catch (failure) {
      handleFailure(ctx, form, {}, failure);
    }
  });
  return form;
}

/** The thread as read, oldest first, with the reply form if the member may reply. */
function openedThread(ctx, detail, can) {
  const { messages, openedAt } = caseOnScreen().thread;
  const ordered = [...messages].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return [
    h(
      "p",
      { class: "inset" },
      `Opened at ${dateTime(openedAt)}. This is recorded in the case's audit trail. Replies you send are shown here as you send them.`,
    ),
    h(
      "div",
      { "data-testid": "thread" },
      ordered.length
        ? h(
            "ol",
            { class: "timeline thread" },
            ordered.map((message) => messageItem(ctx, message)),
          )
        : h("p", { class: "body", "data-testid": "thread-empty" }, "There are no messages yet."),
    ),
    can.reply ? replyForm(ctx, detail) : null,
    h(
      "div",
      { class: "button-group" },
      button("Hide messages", {
        type: "button",
        variant: "secondary",
        onclick: () => {
          caseOnScreen().thread = null;
          ctx.redraw({ preserve: true });
          focusOn(document.getElementById("messages-heading"));
        },
      }),
    ),
  ];
}

/** One message: who wrote it, when, and its text as written (line breaks kept, never markup). */
function messageItem(ctx, message) {
  const fromReporter = message.from === "reporter";
  const who = fromReporter
    ? "Reporter"
    : message.author_id
      ? `Staff: ${staffName(ctx, message.author_id)}`
      : "Staff";
  return h(
    "li",
    { class: "timeline__entry", dataset: { from: message.from } },
    h("h3", { class: "timeline__title" }, who),
    h("p", { class: "timeline__meta" }, when(message.at)),
    message.text === null || message.text === undefined
      ? h("p", { class: "body secondary-text" }, "This message cannot be opened.")
      : h("p", { class: "body pre-wrap break-word", "data-testid": "message-text" }, message.text),
  );
}

/** The reply: sent through the thread (the reporter reads it with their code); clears the reply owed. */
function replyForm(ctx, detail) {
  const fields = {
    text: { id: "reply-text", label: "Your reply", missing: "Write your reply" },
  };
  const form = h(
    "form",
    {
      id: "reply-form",
      class: "form action-form",
      novalidate: true,
      "aria-labelledby": "reply-form-title",
    },
    h("h3", { class: "heading-s", id: "reply-form-title" }, "Reply to the reporter"),
    textField({
      id: fields.text.id,
      name: "text",
      label: "Your reply",
      hint: `Up to ${MESSAGE_MAX.toLocaleString("en-GB")} characters. The reporter may be in distress: write plainly and kindly. Sealed; every reading is recorded.`,
      multiline: true,
      rows: 5,
      required: true,
    }),
    button("Send reply"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = form.elements.text.value.trim();
    let posted = null;
    change(
      ctx,
      form,
      fields,
      async () => {
        posted = await staff.replyToReporter(detail.reference, text);
        // The answer is the message alone: the case (its reply owed, its version) is read
        // again, so the page shows what the reply changed. The reply is sent either way: if
        // that read fails, it must not look unsent (and be sent twice).
        try {
          return await staff.case(detail.reference);
        } catch (failure) {
          if (failure instanceof SignedOut) throw failure;
          return { ...caseOnScreen().detail, reply_due: null };
        }
      },
      {
        done: "Reply sent. The reporter will see it when they next open their report.",
        after: () => {
          const thread = caseOnScreen()?.thread;
          if (thread && posted) {
            thread.messages.push({
              message_id: posted.message_id,
              from: "staff",
              at: posted.at,
              text,
              author_id: ctx.me.member_id,
            });
          }
        },
      },
    );
  });
  return form;
}
