// Words for the API's identifiers, and dates in the institution's time zone.

export const STATUS = {
  awaiting_triage: "Awaiting triage",
  awaiting_screening: "Awaiting screening",
  assigned: "Assigned",
  contacted: "Contacted",
  in_support: "In support",
  closed: "Closed",
  filed: "Filed for analysis",
  reopened: "Reopened",
  redacted: "Redacted",
};

export const PRIORITY = { urgent: "Urgent", high: "High", normal: "Normal" };

export const MODE = { named: "Named", anonymous: "Anonymous" };

// The institution's own identifiers — its teams and risk flags — are named by the API
// (GET /staff/labels, from its configuration and staff directory), never copied here.
export const RISK_FLAG = {};

export const TEAM = {};

/** Take the institution's labels (the answer of GET /staff/labels) for every page. */
export function setLabels(labels) {
  Object.assign(TEAM, (labels && labels.teams) || {});
  Object.assign(RISK_FLAG, (labels && labels.risk_flags) || {});
}

export const OUTCOME = {
  informal_resolution: "Informal resolution",
  formal_complaint: "Formal complaint made",
  no_further_action: "No further action",
  referred_elsewhere: "Referred elsewhere",
  reporter_withdrew: "Reporter withdrew",
  unable_to_contact: "Unable to contact the reporter",
};

export const CONTACT_METHOD = {
  email: "Email",
  phone: "Phone",
  in_person: "In person",
  video_call: "Video call",
  letter: "Letter",
};

export const CONTACT_RESULT = {
  reached: "Reached the reporter",
  no_answer: "No answer",
  left_message: "Left a message",
  wrong_details: "Contact details were wrong",
  declined: "Reporter declined support",
};

export const NEED = {
  safety_planning: "Safety planning",
  no_contact_measures: "No-contact measures",
  academic_adjustments: "Academic adjustments",
  workplace_adjustments: "Workplace adjustments",
  accommodation_move: "Accommodation move",
  counselling: "Counselling",
  medical: "Medical care",
  reporting_options: "Information on reporting options",
  other: "Something else",
};

export const RISK_LEVEL = { low: "Low", medium: "Medium", high: "High", critical: "Critical" };

export const ACTION = {
  informed_security: "Informed Campus Security",
  informed_building_manager: "Informed the building manager",
  informed_department: "Informed the department",
  informed_students_union: "Informed the students' union",
  legal_advice: "Took legal advice",
  signposted_counselling: "Signposted to counselling",
  signposted_external_services: "Signposted to external services",
  safeguarding_referral: "Safeguarding referral",
  police_disclosure: "Disclosure to the police",
};

/** Actions that disclose outside the support team: each needs a written justification. */
export const DISCLOSURES = new Set(["safeguarding_referral", "police_disclosure"]);

export const ENTRY_TYPE = {
  contact_attempt: "Contact attempt",
  note: "Note",
  assessment: "Needs and risk assessment",
  action: "Action",
};

export const AUDIT_ACTION = {
  triage: "Triaged",
  reveal: "Opened contact details",
  read_timeline: "Read the timeline",
  assign: "Assigned",
  transition: "Changed status",
  set_priority: "Changed priority",
  escalate: "Escalated",
  set_flag: "Changed a flag",
  add_contact_attempt: "Logged a contact attempt",
  add_note: "Added a note",
  add_assessment: "Added an assessment",
  add_action: "Recorded an action",
  redact: "Redacted personal data",
  erase: "Erased personal data (data-subject request)",
  retention_deferred: "Deletion deferred (report still open)",
  subject_access_export: "Exported for a subject access request",
  rectification: "Corrected contact details (data-subject request)",
  erasure_refused: "Erasure refused: legal hold",
  follow_up_opened: "The reporter opened their report with the receipt code",
  reporter_message: "The reporter wrote a message",
  thread_read: "Read the messages with the reporter",
  staff_message: "Replied to the reporter",
};

export const FLAG = {
  legal_hold: "Legal hold",
  malicious_or_vexatious: "Malicious or vexatious",
};

export const SPECIALISM = {
  sexual_violence: "Sexual violence",
  faith_based_harassment: "Faith-based harassment",
  hate_incidents: "Hate incidents",
  discrimination: "Discrimination",
  workplace_bullying: "Workplace bullying",
};

export const LANGUAGE = { en: "English", cy: "Welsh", ur: "Urdu", ga: "Irish", gd: "Gaelic" };

export const ROLE = {
  screener: "screener",
  advisor: "advisor",
  analyst: "analyst",
  admin: "data protection admin",
};

/** A readable label for an identifier: from the table, else the id in words. */
export function label(table, id) {
  if (id === null || id === undefined || id === "") return "";
  if (table && Object.prototype.hasOwnProperty.call(table, id)) return table[id];
  const words = String(id).replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

let timeZone = "Europe/London";

/** The institution's time zone (from GET /form), used for every date shown. */
export function setTimeZone(zone) {
  if (zone) timeZone = zone;
}

const formatters = new Map();
function formatter(kind) {
  const key = `${kind}|${timeZone}`;
  if (!formatters.has(key)) {
    const options =
      kind === "date"
        ? { weekday: "short", day: "numeric", month: "short", year: "numeric" }
        : {
            weekday: "short",
            day: "numeric",
            month: "short",
            year: "numeric",
            hour: "2-digit",
            minute: "2-digit",
          };
    formatters.set(key, new Intl.DateTimeFormat("en-GB", { ...options, timeZone }));
  }
  return formatters.get(key);
}

/** "Wed 25 Nov 2026, 09:00" in the institution's zone; "" for no date. */
export function dateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : formatter("dateTime").format(date);
}

/** "Wed 25 Nov 2026"; "" for no date. */
export function dateOnly(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : formatter("date").format(date);
}

/**
 * A retention rule as the API names it ("redact_named_after_months=6") in words; the rule
 * itself if it is not one the portal knows.
 */
export function retentionRule(rule) {
  const [name, value] = String(rule || "").split("=");
  if (name === "redact_named_after_months" && value) {
    return `Named cases are redacted ${value} months after they are closed`;
  }
  if (name === "delete_anonymised_after_years" && value) {
    return `Anonymised records are deleted ${value} years after submission`;
  }
  return String(rule || "");
}

/** A list of labels joined for reading: "A, B and C". */
export function listOf(labels) {
  const items = labels.filter(Boolean);
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
