// A case page: its summary and the reporter's answers, then whatever the signed-in member
// may do with it — reveal contact details, assign, work the timeline, move it through the
// workflow, change priority, escalate, set flags, read the audit trail. What is offered is
// exactly the case answer's `allowed_actions` and `allowed_transitions` (abilities.js);
// what is not allowed is not shown (the API refuses it anyway).
//
// This module loads the case and lays the page out; each section is drawn by its own module
// in this folder. Personal data opened here is held only for the case on screen (state.js),
// and dropped on leaving the case or signing out (`forgetCase`, re-exported for the router).
//
// A member who may read the records (`read_records`, the admin) and asks for a case that was
// deleted under the retention schedule is shown the signed record of its deletion (its
// tombstone) instead, and whether the signature checks.

import { may } from "../../access.js";
import { ApiError, SignedOut, reportForm, staff } from "../../api.js";
import { fill, h, jumpLink } from "../../../../shared/dom.js";
import { restoreInputs, snapshotInputs } from "../../../../shared/forms.js";
import { MODE, label } from "../../format.js";
import { priorityTag, statusTag } from "../home.js";
import { abilities } from "./abilities.js";
import { loadAdvisors } from "./advisors.js";
import { answersSection } from "./answers.js";
import { assignmentSection } from "./assign.js";
import { auditSection } from "./audit.js";
import { backLink } from "./pieces.js";
import { revealSection, revealTitle } from "./reveal.js";
import { caseOnScreen, forgetCase, holdCase } from "./state.js";
import { retentionNotice, summarySection } from "./summary.js";
import { readTimeline } from "./timeline.js";
import { timelineForms } from "./timeline-forms.js";
import { threadSection } from "./thread.js";
import { showTombstone } from "./tombstone.js";
import { flagsSection, urgencySection, workflowSection } from "./workflow.js";

export { forgetCase };

/**
 * Load the case `reference` and draw it into `ctx.view` (the router's context). What is
 * already held for it (opened contact details, the timeline) is kept when the same case is
 * drawn again.
 */
export async function renderCase(routerCtx, reference) {
  // Every part of the page draws the whole page again after a change (`ctx.redraw`).
  const ctx = { ...routerCtx, redraw: (options) => draw(ctx, options) };
  holdCase(reference);
  document.title = `Case ${reference} — Staff portal — Report + Support`;
  const heading = h("h1", { class: "heading-l" }, `Case ${reference}`);
  fill(
    ctx.view,
    backLink(ctx),
    heading,
    h("p", { class: "body", "aria-busy": "true" }, "Loading the case…"),
  );

  let detail;
  let form;
  try {
    [detail, form] = await Promise.all([staff.case(reference), reportForm()]);
  } catch (failure) {
    if (!ctx.current() || failure instanceof SignedOut) throw failure;
    if (failure instanceof ApiError && failure.status === 403) {
      forgetCase();
      document.title = "No case access — Staff portal — Report + Support";
      fill(
        ctx.view,
        h("h1", { class: "heading-l" }, "No case access"),
        h("p", { class: "body" }, "Your role does not give you access to cases."),
      );
      return;
    }
    if (failure instanceof ApiError && failure.status === 404) {
      forgetCase();
      // Whoever may read what is held may be looking for a case retention deleted: its
      // tombstone says so. With no case there is no allowed_actions: `GET /staff/me` says
      // whether the member may read the records (and the API refuses them to anyone else).
      const records = may(ctx.me, "read_records");
      if (records && (await showTombstone(ctx, reference))) return;
      if (!ctx.current()) return;
      document.title = `Case not found — Staff portal — Report + Support`;
      fill(
        ctx.view,
        backLink(ctx),
        h("h1", { class: "heading-l" }, "Case not found"),
        h(
          "p",
          { class: "body" },
          records
            ? `There is no case ${reference}, and no record that one was deleted. A report still waiting for triage cannot be opened yet.`
            : `There is no case ${reference}, or it is not one you can see. Screeners see their team's cases; advisors see the cases assigned to them.`,
        ),
      );
      return;
    }
    throw failure;
  }
  const state = caseOnScreen();
  if (!ctx.current() || !state) return;
  state.detail = detail;
  state.form = form;
  state.linked = detail.linked_reports || [];
  await loadAdvisors(ctx);
  if (!ctx.current()) return;
  draw(ctx);
}

/** Draw the case on screen: the sections the case answer allows, in the member's order. */
function draw(ctx, { preserve = false } = {}) {
  const saved = preserve ? snapshotInputs(ctx.view) : null;
  const detail = caseOnScreen().detail;
  const can = abilities(detail);
  const section = (id, title, content) => ({ id, title, content });
  const info = [
    section("summary", "Case summary", summarySection(ctx, detail)),
    section("answers", "What the reporter told us", answersSection(detail)),
    can.reveal ? section("reveal", revealTitle(detail), revealSection(ctx, detail)) : null,
    can.timeline ? section("timeline", "Timeline", readTimeline(ctx, detail)) : null,
    can.thread
      ? section("messages", "Messages with the reporter", threadSection(ctx, detail, can))
      : null,
  ].filter(Boolean);
  // The audit trail is a wide table: it gets the full width, under both columns.
  const audit = can.audit ? section("audit", "Audit trail", auditSection(ctx)) : null;
  const assignment = can.assign
    ? section(
        "assignment",
        detail.advisor_id ? "Reassign" : "Assign an advisor",
        assignmentSection(ctx, detail),
      )
    : null;
  const workflow = can.moves.length
    ? section("workflow", "Status", workflowSection(ctx, detail, can))
    : null;
  const adding = can.addToTimeline
    ? section("add-to-timeline", "Add to the timeline", timelineForms(ctx, detail))
    : null;
  const urgency =
    can.priority || can.escalate
      ? section(
          "urgency",
          can.priority ? "Priority and escalation" : "Escalation",
          urgencySection(ctx, detail, can),
        )
      : null;
  const flags =
    can.legalHold || can.malicious
      ? section("flags", "Flags", flagsSection(ctx, detail, can))
      : null;
  // An advisor's daily work is the timeline; a screener's is routing.
  const work = (
    can.routes
      ? [assignment, workflow, adding, urgency, flags]
      : [adding, workflow, urgency, flags, assignment]
  ).filter(Boolean);
  const sections = [...info, ...work, audit].filter(Boolean);

  const contents = h(
    "nav",
    { class: "contents", "aria-labelledby": "contents-heading" },
    h("h2", { class: "contents__title", id: "contents-heading" }, "On this page"),
    h(
      "ul",
      { class: "contents__list" },
      sections.map(({ id, title }) => h("li", null, jumpLink(title, `${id}-heading`))),
    ),
  );
  const caption = h("p", { class: "caption" }, `${label(MODE, detail.mode)} report`);
  const heading = h("h1", { class: "heading-l" }, `Case ${detail.reference}`);
  const tags = h(
    "p",
    { class: "case-tags" },
    statusTag(detail.status),
    " ",
    priorityTag(detail.priority),
    detail.overdue
      ? [
          " ",
          h(
            "strong",
            { class: "tag tag--red" },
            detail.first_contact_due ? "First contact overdue" : "Screening overdue",
          ),
        ]
      : null,
    detail.legal_hold ? [" ", h("strong", { class: "tag tag--black" }, "Legal hold")] : null,
  );
  const retention = retentionNotice(detail);
  const nothingToDo = work.length
    ? null
    : h("p", { class: "inset" }, "You can read this case, but your role cannot change it.");

  fill(
    ctx.view,
    backLink(ctx),
    caption,
    heading,
    tags,
    retention,
    nothingToDo,
    contents,
    h(
      "div",
      { class: `case-layout ${work.length ? "" : "case-layout--single"}`.trim() },
      h("div", { class: "case-layout__info" }, info.map(drawSection)),
      work.length ? h("div", { class: "case-layout__work" }, work.map(drawSection)) : null,
    ),
    audit ? drawSection(audit) : null,
  );
  if (saved) restoreInputs(ctx.view, saved);
}

function drawSection({ id, title, content }) {
  return h(
    "section",
    { class: "section", id, "aria-labelledby": `${id}-heading` },
    h("h2", { class: "heading-m", id: `${id}-heading` }, title),
    content,
  );
}
