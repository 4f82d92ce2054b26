// On the confirmation of an anonymous report that asked for a way back in: the receipt
// code, shown this once (it lives only in the page's memory: reloading, leaving or quick
// exit forgets it), a Copy button, how to keep it safe, when to look again, and the way in.

import { h } from "../../../shared/dom.js";
import { t } from "../../site.js";
import { formatDay } from "../dates.js";
import { codeGroups } from "../follow-up/code.js";
import { announce } from "../render.js";
import { state } from "../state.js";

export const FOLLOW_UP_PATH = "/report/follow-up.html";

/** Copy the code with the Clipboard API; say so politely, or say how to copy it by hand. */
function copier(code) {
  return async (event) => {
    const status = event.currentTarget.closest("[data-receipt]")?.querySelector("[data-copied]");
    let copied = false;
    try {
      await navigator.clipboard.writeText(code);
      copied = true;
    } catch {
      copied = false; // no clipboard (permission refused, an old browser): copy by hand
    }
    const text = t(copied ? "copied" : "copyFailed");
    if (status) status.textContent = text;
    announce(text);
  };
}

/** The code in large monospace, in its groups of four (read and copied with the dashes). */
function codeBlock(code) {
  const groups = codeGroups(code);
  return h(
    "p",
    { class: "receipt-code", "data-testid": "receipt-code" },
    groups.map((group, index) => [
      index ? h("span", { class: "receipt-code__dash", text: "-" }) : null,
      h("span", { class: "receipt-code__group", text: group }),
    ]),
  );
}

/** The block for a code just issued (null without one). */
export function receiptCodeView() {
  const followUp = state.receipt.follow_up;
  if (followUp === true) {
    // Restored from the tab's storage, which never holds the code.
    return h(
      "div",
      { class: "inset", "data-receipt": "shown-before" },
      h("p", { text: t("codeNotShownAgain") }),
      h("p", {}, h("a", { href: FOLLOW_UP_PATH, text: t("followUpLink") })),
    );
  }
  if (!followUp || typeof followUp.receipt_code !== "string") return null;
  const code = codeGroups(followUp.receipt_code).join("-");
  return h(
    "section",
    { class: "receipt", "aria-labelledby": "receipt-heading", "data-receipt": "shown" },
    h("h2", { id: "receipt-heading", text: t("codeHeading") }),
    h("p", {}, h("strong", { text: t("codeOnce") })),
    codeBlock(code),
    h(
      "div",
      { class: "button-group receipt__copy" },
      h("button", {
        type: "button",
        class: "button button--secondary",
        "data-copy": true,
        onclick: copier(code),
        text: t("copyCode"),
      }),
      // Seen beside the button; the page's polite live region says it to a screen reader.
      h("p", { class: "receipt__copied", "data-copied": true }),
    ),
    h("h3", { text: t("codeSafeHeading") }),
    h(
      "ul",
      { class: "list" },
      h("li", { text: t("codeSafeWrite") }),
      h("li", { text: t("codeSafeDevice") }),
      h("li", { text: t("codeSafeAnyone") }),
      h("li", { text: t("codeSafeLose") }),
    ),
    followUp.look_again_on
      ? h("p", {
          "data-look-again": true,
          text: t("lookAgain", { date: formatDay(followUp.look_again_on) }),
        })
      : null,
    h("p", {}, h("a", { href: FOLLOW_UP_PATH, text: t("followUpLink") })),
  );
}
