// The team's advisors for the case on screen: loading them (for assignment), and naming
// staff members by them (in the summary, the timeline and the audit trail).

import { ApiError, SignedOut, staff } from "../../api.js";
import { abilities } from "./abilities.js";
import { caseOnScreen } from "./state.js";

/** Load the advisors the case on screen may be assigned to, if the member may assign it. */
export async function loadAdvisors(ctx) {
  const state = caseOnScreen();
  if (!abilities(state.detail).assign) return;
  try {
    state.advisors = await staff.advisors(state.reference);
    state.advisorsProblem = null;
  } catch (failure) {
    if (failure instanceof SignedOut) throw failure;
    if (!(failure instanceof ApiError)) throw failure;
    state.advisors = null;
    state.advisorsProblem = failure.sentence;
  }
}

/** A staff member by name where the advisors are loaded, else by member id. */
export function staffName(ctx, memberId) {
  if (!memberId) return "";
  if (memberId === ctx.me.member_id) return `You (${memberId})`;
  const advisor = caseOnScreen().advisors?.advisors.find((a) => a.member_id === memberId);
  return advisor ? `${advisor.name} (${memberId})` : memberId;
}

// The case's advisor by name (the API gives it from the staff directory), so a screener
// need not know member ids; the id only for a leaver the directory no longer lists.
export function advisorName(ctx, detail) {
  if (detail.advisor_id === ctx.me.member_id) return "You";
  return detail.advisor_name || staffName(ctx, detail.advisor_id);
}
