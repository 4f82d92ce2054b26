// What the case page offers the signed-in member, read from the case answer alone.

/**
 * What the page offers: exactly the case answer's `allowed_actions` and
 * `allowed_transitions`, which the server computes for the signed-in member from its policy
 * table (chalicelib/cases/policy.py). No rule about roles, teams or states lives here.
 */
export function abilities(detail) {
  const allowed = new Set(detail.allowed_actions || []);
  return {
    // Whoever may choose the advisor routes cases: their page puts routing first.
    routes: allowed.has("list_advisors"),
    // Nothing sealed is left to open on a redacted case.
    reveal: allowed.has("reveal") && detail.sealed_fields.length > 0,
    timeline: allowed.has("read_timeline"),
    addToTimeline: allowed.has("add_to_timeline"),
    // The message thread with a reporter who kept a receipt code.
    thread: allowed.has("read_thread"),
    reply: allowed.has("reply_to_reporter"),
    assign: allowed.has("assign"),
    moves: detail.allowed_transitions || [],
    priority: allowed.has("set_priority"),
    escalate: allowed.has("escalate"),
    legalHold: allowed.has("set_legal_hold"),
    malicious: allowed.has("flag_malicious"),
    audit: allowed.has("read_audit"),
    // Removing words from the reporter's free text, once it is revealed.
    redactText: allowed.has("redact_text"),
  };
}
