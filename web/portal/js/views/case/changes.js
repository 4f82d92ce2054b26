// Sending a change to the case and what its answer means: on success the case is redrawn
// and the result announced; a 400 is shown beside the fields, a refused move names the moves
// allowed now, and a stale version reloads the case keeping what was typed.

import { ApiError, SignedOut, staff } from "../../api.js";
import { clearErrors, showErrors, whileBusy } from "../../../../shared/forms.js";
import { STATUS, label, listOf } from "../../format.js";
import { fieldProblems } from "../parts.js";
import { loadAdvisors } from "./advisors.js";
import { MOVES } from "./moves.js";
import { caseOnScreen } from "./state.js";

/** Send a change; on success redraw and announce; on failure say why, next to the fields. */
export async function change(ctx, form, fields, send, { done, after } = {}) {
  clearErrors(form);
  let updated;
  try {
    updated = await whileBusy(form, send);
  } catch (failure) {
    await handleFailure(ctx, form, fields, failure);
    return;
  }
  let onScreen = caseOnScreen();
  if (!ctx.current() || !onScreen || onScreen.reference !== updated.reference) return;
  onScreen.detail = updated;
  if (after) {
    try {
      await after(updated);
    } catch (failure) {
      if (failure instanceof SignedOut) return;
    }
  }
  onScreen = caseOnScreen();
  if (!ctx.current() || !onScreen) return;
  onScreen.audit = null; // it has a new entry; load it again on request
  ctx.redraw();
  ctx.announce(done || "Saved.");
}

/** Say why a change or an opening failed: next to the fields, or by reloading a stale case. */
export async function handleFailure(ctx, form, fields, failure) {
  if (failure instanceof SignedOut || !ctx.current()) return;
  if (!(failure instanceof ApiError)) throw failure;
  const named = fieldProblems(failure);
  if (named) {
    showErrors(form, named, fields);
    return;
  }
  if (failure.code === "stale_version") {
    await reloadAfterConflict(ctx);
    return;
  }
  if (failure.code === "transition_refused") {
    const status = caseOnScreen().detail.status;
    const allowed = (failure.body.allowed || []).map(
      (move) => MOVES[move]?.title || label(STATUS, move),
    );
    showErrors(form, [
      {
        text: allowed.length
          ? `The case cannot do that from its current status (${label(STATUS, status).toLowerCase()}). The moves allowed now are: ${listOf(allowed)}.`
          : `The case cannot do that from its current status (${label(STATUS, status).toLowerCase()}).`,
      },
    ]);
    const summary = form.querySelector("[data-error-summary]");
    if (summary) summary.dataset.testid = "transition-refused";
    return;
  }
  showErrors(form, [{ text: failure.sentence }]);
}

/** The case changed under the member: show its latest version, keeping what they typed. */
async function reloadAfterConflict(ctx) {
  const reference = caseOnScreen().reference;
  let fresh;
  try {
    fresh = await staff.case(reference);
  } catch (failure) {
    if (failure instanceof SignedOut) return;
    ctx.announce(
      "This case changed while you had it open, and it could not be reloaded. Reload the page.",
      {
        kind: "error",
        title: "This case changed — reload",
      },
    );
    return;
  }
  const onScreen = caseOnScreen();
  if (!ctx.current() || !onScreen || onScreen.reference !== reference) return;
  onScreen.detail = fresh;
  onScreen.audit = null;
  await loadAdvisors(ctx);
  ctx.redraw({ preserve: true });
  ctx.announce(
    "Someone else changed this case while you had it open, so nothing was saved. The page now shows the latest version: check it, then try again. What you typed is still there.",
    { kind: "warning", title: "This case changed — reloaded" },
  );
}
