// A case deleted under the retention schedule, as an admin finds it: the signed record of
// its deletion (its tombstone) from `GET /staff/records/{reference}`, and whether the
// signature checks. It holds nothing about the people involved.

import { ApiError, SignedOut, staff } from "../../api.js";
import { fill, h } from "../../../../shared/dom.js";
import { MODE, label, retentionRule } from "../../format.js";
import { backLink, summaryList, when } from "./pieces.js";

/**
 * Draw the tombstone of a deleted case, if there is one (admins only). True if drawn;
 * false if nothing is held, so the caller says "not found".
 */
export async function showTombstone(ctx, reference) {
  let record;
  try {
    record = await staff.record(reference);
  } catch (failure) {
    if (failure instanceof SignedOut) throw failure;
    if (failure instanceof ApiError && failure.status === 404) return false;
    throw failure;
  }
  if (!ctx.current()) return true;
  if (record.held !== "tombstone" || !record.tombstone) return false;
  const stone = record.tombstone;
  document.title = `Case ${reference} was deleted — Staff portal — Report + Support`;
  const verification = stone.signature_verified
    ? h(
        "div",
        { class: "verification verification--intact", "data-testid": "tombstone-verification" },
        h(
          "p",
          { class: "verification__title" },
          "Verified: this record of deletion is signed with the audit key",
        ),
        h(
          "p",
          { class: "body" },
          "It was written by the retention schedule when the case was deleted, and has not been changed since.",
        ),
      )
    : h(
        "div",
        { class: "verification verification--broken", "data-testid": "tombstone-verification" },
        h(
          "p",
          { class: "verification__title" },
          "Not verified: this record of deletion does not match its signature",
        ),
        h(
          "p",
          { class: "body" },
          "It has been changed since it was written, or it was not written by the service. Do not rely on it, and tell the data protection team.",
        ),
      );
  fill(
    ctx.view,
    backLink(ctx),
    h("p", { class: "caption" }, `${label(MODE, stone.mode) || "Unknown"} report`),
    h("h1", { class: "heading-l" }, `Case ${reference} was deleted`),
    h(
      "section",
      {
        class: "section",
        id: "tombstone",
        "aria-labelledby": "tombstone-heading",
        dataset: { verified: String(stone.signature_verified) },
      },
      h("h2", { class: "heading-m", id: "tombstone-heading" }, "Record of deletion"),
      h(
        "p",
        { class: "body" },
        "Everything held about this case — its answers, timeline, audit trail and notifications — was deleted under the retention schedule. Only this record of the deletion is kept. It holds nothing about the people involved.",
      ),
      verification,
      summaryList([
        ["Deleted", when(stone.deleted_at)],
        ["Was due", when(stone.due_at)],
        ["Rule applied", retentionRule(stone.rule)],
        [
          "Deleted by",
          stone.actor === "system:retention"
            ? "The retention schedule (system:retention)"
            : stone.actor,
        ],
        ["Audit entries before deletion", stone.audit_seq === null ? "" : String(stone.audit_seq)],
        [
          "Last audit entry's hash",
          stone.audit_hash
            ? h(
                "code",
                { class: "break-word", "data-testid": "tombstone-audit-hash" },
                stone.audit_hash,
              )
            : "",
        ],
      ]),
    ),
  );
  return true;
}
