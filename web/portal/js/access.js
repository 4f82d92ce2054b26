// What the signed-in member may do without a case, as the server says it.

/**
 * Whether the member may do a staff action without a case — `work_queue`, `find_case`,
 * `handle_rights_requests`, `read_records`, `read_insights` — as `GET /staff/me` names them
 * in `allowed_staff_actions`, computed by the server from its policy table
 * (chalicelib/cases/policy.py). No rule about roles lives here.
 */
export function may(me, action) {
  return Boolean(me && (me.allowed_staff_actions || []).includes(action));
}
