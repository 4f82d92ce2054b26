// Drawing the current step into `<main>`, moving focus and announcing the step.

import { h } from "../../shared/dom.js";
import { setTitle, t } from "../site.js";
import { focusField } from "./navigation.js";
import { state } from "./state.js";
import { progress, questionById } from "./steps.js";
import { confirmationView } from "./views/confirmation.js";
import { contactView } from "./views/contact.js";
import { demographicsView } from "./views/demographics.js";
import { followUpView } from "./views/follow-up.js";
import { modeView } from "./views/mode.js";
import { narrativeView } from "./views/narrative.js";
import { questionView } from "./views/question.js";
import { reviewView } from "./views/review.js";
import { startView } from "./views/start.js";

export const main = document.querySelector("main");

const announcer = document.querySelector("[data-announcer]");

function view() {
  switch (state.draft.step) {
    case "start":
      return startView();
    case "narrative":
      return narrativeView();
    case "demographics":
      return demographicsView();
    case "mode":
      return modeView();
    case "follow_up":
      return followUpView();
    case "contact":
      return contactView();
    case "review":
      return reviewView();
    case "confirmation":
      return confirmationView();
    default: {
      const question = questionById(state.draft.step);
      return question ? questionView(question) : startView();
    }
  }
}

export function announce(text) {
  if (!announcer || !text) return;
  announcer.textContent = "";
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 100);
}

/**
 * Draw the current step. `focus`: "heading", "summary", "notice", a field id, or null (leave
 * focus where it is, e.g. on the language switch).
 */
export function render({ focus = null, announce: say = false } = {}) {
  main.replaceChildren(view());
  const heading = main.querySelector("[data-heading]");
  setTitle(heading ? heading.textContent : t("serviceName"), {
    error: state.shownErrors.length > 0,
  });
  // The live region is emptied before focus moves, so nothing changes the page after it.
  if (say) announce(progress() || (heading ? heading.textContent : ""));
  if (focus === "summary") main.querySelector("[data-error-summary]")?.focus();
  else if (focus === "notice") main.querySelector("[data-notice]")?.focus();
  else if (focus === "heading") {
    // The page is scrolled to its top anyway: focus without scrolling to the heading first,
    // which would lay out the new step in this task (and scrolling to 0, 0 needs no
    // layout), so the step is laid out once, when the browser draws it.
    heading?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  } else if (focus) {
    if (!focusField(focus)) heading?.focus();
  }
}

export function showLoadFailure() {
  setTitle(t("loadFailedTitle"));
  main.replaceChildren(
    h("h1", { text: t("loadFailedTitle") }),
    h("p", { text: t("loadFailed") }),
    h(
      "div",
      { class: "button-group" },
      h("button", {
        type: "button",
        class: "button",
        onclick: () => window.location.reload(),
        text: t("tryAgain"),
      }),
    ),
  );
}
