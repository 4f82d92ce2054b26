// The staff directory, for admins (the `manage_directory` staff action):
//
//   #/directory               every team and its members, forms to add a team and a member,
//                             and the recent changes (read from the administration trail on
//                             request: reading it is itself recorded)
//   #/directory/<member id>   one member: change their team, contact details, roles,
//                             specialisms, languages, capacity and shared gender; deactivate
//                             a leaver (the open cases they held are listed after, for the
//                             team's screeners to reassign) or reactivate a returner
//
// Every change carries a reason, recorded in the administration trail. What may be done is
// the server's: this page is reached only when `GET /staff/me` allows `manage_directory`,
// and the API refuses anyone else. Errors from the server are shown beside the field they
// name.

import { ApiError, staff } from "../api.js";
import { focusOn, h, fill } from "../../../shared/dom.js";
import { dateTime, label, listOf, LANGUAGE, ROLE, SPECIALISM, STATUS, TEAM } from "../format.js";
import { button, choices, clearErrors, textField, whileBusy } from "../../../shared/forms.js";
import { reasonField, showFailure, summaryList, tag } from "./parts.js";

const ROLES = ["screener", "advisor", "analyst", "admin"];
const GENDER = { woman: "Woman", man: "Man", non_binary: "Non-binary" };
const CHANGE = {
  team_added: "Team added",
  member_added: "Member added",
  member_changed: "Member changed",
  member_deactivated: "Member deactivated",
  member_reactivated: "Member reactivated",
};
const REASON_HINT = "Recorded, sealed, in the administration trail.";
const REASON_BOX = { hint: REASON_HINT, rows: 3, required: false };

// A sentence for the next page drawn: the router clears the status region on navigation.
let pending = null;

function list(values, table) {
  return values.length
    ? listOf(values.map((value) => label(table, value)))
    : h("span", { class: "secondary-text" }, "None");
}

// Refusals of any status may name fields: each as the form names it (a list's items as the list).
const REFUSAL = { statuses: null, drop: /\.\d+$/ };

/** "a, b c" → ["a", "b", "c"]; blanks left out. */
function listed(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

function select({ id, name, text, hint, options, value }) {
  const hintId = hint ? `${id}-hint` : null;
  const control = h(
    "select",
    { class: "select", id, name, "aria-describedby": hintId },
    options.map(([optionValue, optionText]) =>
      h("option", { value: optionValue, selected: optionValue === value }, optionText),
    ),
  );
  return h(
    "div",
    { class: "form-group", dataset: { control: id } },
    h("label", { class: "label", for: id }, text),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "error-message", id: `${id}-error`, hidden: true }),
    control,
  );
}

function teamOptions(teams) {
  return teams.map((team) => [team.team_id, team.name]);
}

/** The fields a member's form has, keyed by the API's names. */
function memberFields(prefix) {
  return {
    member_id: { id: `${prefix}-member-id`, label: "Member id" },
    team_id: { id: `${prefix}-team`, label: "Team" },
    name: { id: `${prefix}-name`, label: "Name", missing: "Enter their name" },
    email: { id: `${prefix}-email`, label: "Email address", missing: "Enter their email address" },
    roles: { id: `${prefix}-roles`, label: "Roles", missing: "Choose at least one role" },
    specialisms: { id: `${prefix}-specialisms`, label: "Specialisms" },
    languages: { id: `${prefix}-languages`, label: "Languages" },
    capacity: { id: `${prefix}-capacity`, label: "Capacity" },
    gender: { id: `${prefix}-gender`, label: "Shared gender" },
    reason: {
      id: `${prefix}-reason`,
      label: "Reason",
      missing: "Say why you are making this change",
    },
    body: { id: `${prefix}-reason`, label: "This change" },
  };
}

/** The controls of a member (empty for a new one). */
function memberControls(fields, teams, member = null) {
  return [
    select({
      id: fields.team_id.id,
      name: "team_id",
      text: "Team",
      options: teamOptions(teams),
      value: member ? member.team_id : undefined,
    }),
    textField({
      id: fields.name.id,
      name: "name",
      label: "Name",
      autocomplete: "off",
      spellcheck: false,
      value: member ? member.name : undefined,
      widthClass: "input--width-20",
    }),
    textField({
      id: fields.email.id,
      name: "email",
      label: "Email address",
      hint: member
        ? "Their sign-in's address changes too."
        : "Their invitation, with a temporary password, is sent here.",
      type: "email",
      autocomplete: "off",
      spellcheck: false,
      value: member ? member.email : undefined,
      widthClass: "input--width-20",
    }),
    choices({
      id: fields.roles.id,
      name: "roles",
      type: "checkbox",
      legend: "Roles",
      legendClass: "fieldset__legend--s",
      small: true,
      options: ROLES.map((role) => ({ value: role, label: label(ROLE, role) })),
      value: member ? member.roles : [],
    }),
    textField({
      id: fields.specialisms.id,
      name: "specialisms",
      label: "Specialisms",
      hint: "Separated by commas, for example: sexual_violence, hate_incidents",
      autocomplete: "off",
      spellcheck: false,
      value: member ? member.specialisms.join(", ") : undefined,
    }),
    textField({
      id: fields.languages.id,
      name: "languages",
      label: "Languages",
      hint: "Language codes separated by commas, for example: en, cy",
      autocomplete: "off",
      spellcheck: false,
      value: member ? member.languages.join(", ") : "en",
      widthClass: "input--width-10",
    }),
    textField({
      id: fields.capacity.id,
      name: "capacity",
      label: "Capacity",
      hint: "How many open cases they can hold at once.",
      type: "number",
      value: member ? String(member.capacity) : "10",
      widthClass: "input--width-10",
    }),
    choices({
      id: fields.gender.id,
      name: "gender",
      legend: "Gender they share for reporters' preferences",
      legendClass: "fieldset__legend--s",
      hint: "Only if they choose to share it.",
      small: true,
      options: [
        { value: "", label: "Not shared" },
        ...Object.entries(GENDER).map(([value, text]) => ({ value, label: text })),
      ],
      value: member ? member.shared_gender || "" : "",
    }),
  ];
}

/** What the member's controls say, in the API's shape. */
function memberValues(form) {
  const elements = form.elements;
  const capacity = elements.capacity.value.trim();
  return {
    team_id: elements.team_id.value,
    name: elements.name.value.trim(),
    email: elements.email.value.trim(),
    roles: [...form.querySelectorAll('input[name="roles"]:checked')].map((box) => box.value),
    specialisms: listed(elements.specialisms.value),
    languages: listed(elements.languages.value),
    capacity: /^\d+$/.test(capacity) ? Number(capacity) : capacity,
    gender: form.querySelector('input[name="gender"]:checked')?.value || null,
    reason: elements.reason.value.trim(),
  };
}

// --- the directory ---------------------------------------------------------------------------

export async function renderDirectory(ctx) {
  document.title = "Staff directory — Staff portal — Report + Support";
  const heading = h("h1", { class: "heading-l" }, "Staff directory");
  const lead = h(
    "p",
    { class: "body lead" },
    "Teams and their members. Every change you make here is recorded with your reason.",
  );
  fill(ctx.view, heading, lead, h("p", { class: "body", "aria-busy": "true" }, "Loading…"));
  const directory = await staff.directory();
  if (!ctx.current()) return;
  const teams = directory.teams || [];
  fill(
    ctx.view,
    heading,
    lead,
    h(
      "nav",
      { class: "contents", "aria-label": "On this page" },
      h(
        "ul",
        { class: "contents__list" },
        [
          ["#add-member-heading", "Add a member"],
          ["#add-team-heading", "Add a team"],
          ["#changes-heading", "Recent changes"],
        ].map(([target, text]) =>
          h(
            "li",
            null,
            h(
              "a",
              {
                class: "link",
                href: target,
                onclick: (event) => {
                  event.preventDefault();
                  focusOn(document.querySelector(target));
                },
              },
              text,
            ),
          ),
        ),
      ),
    ),
    teams.map((team) => teamSection(team)),
    h(
      "section",
      { class: "section", "aria-labelledby": "add-member-heading" },
      h("h2", { class: "heading-m", id: "add-member-heading" }, "Add a member"),
      h(
        "p",
        { class: "body" },
        "They get an email invitation with a temporary password, and choose their own at first sign-in.",
      ),
      addMemberForm(ctx, teams),
    ),
    h(
      "section",
      { class: "section", "aria-labelledby": "add-team-heading" },
      h("h2", { class: "heading-m", id: "add-team-heading" }, "Add a team"),
      addTeamForm(ctx),
    ),
    recentChanges(),
  );
  if (pending) {
    const notice = pending;
    pending = null;
    ctx.announce(notice, { focus: false });
  }
}

function teamSection(team) {
  const members = team.members || [];
  const headingId = `team-${team.team_id}`;
  return h(
    "section",
    { class: "section", "aria-labelledby": headingId, dataset: { team: team.team_id } },
    h("h2", { class: "heading-m", id: headingId }, team.name),
    members.length
      ? h(
          "div",
          { class: "table-wrapper" },
          h(
            "table",
            { class: "table table--small" },
            h(
              "caption",
              { class: "visually-hidden" },
              `Members of ${team.name}: ${members.length}`,
            ),
            h(
              "thead",
              { class: "table__head" },
              h(
                "tr",
                null,
                [
                  "Name",
                  "Roles",
                  "Specialisms",
                  "Languages",
                  "Capacity",
                  "Shared gender",
                  "Open cases",
                ].map((text) => h("th", { class: "table__header", scope: "col" }, text)),
              ),
            ),
            h(
              "tbody",
              { class: "table__body" },
              members.map((member) => memberRow(member)),
            ),
          ),
        )
      : h("p", { class: "body inset" }, "No members yet."),
  );
}

function memberRow(member) {
  return h(
    "tr",
    { class: "table__row", dataset: { member: member.member_id, active: String(member.active) } },
    h(
      "th",
      { class: "table__header table__header--row", scope: "row" },
      h(
        "a",
        { class: "link", href: `#/directory/${encodeURIComponent(member.member_id)}` },
        member.name,
      ),
      h("br"),
      h("span", { class: "secondary-text break-word" }, member.member_id),
      member.active ? null : [h("br"), tag("Deactivated", "grey")],
    ),
    h("td", { class: "table__cell" }, list(member.roles, ROLE)),
    h("td", { class: "table__cell" }, list(member.specialisms, SPECIALISM)),
    h("td", { class: "table__cell" }, list(member.languages, LANGUAGE)),
    h("td", { class: "table__cell table__cell--numeric" }, String(member.capacity)),
    h(
      "td",
      { class: "table__cell" },
      member.shared_gender
        ? label(GENDER, member.shared_gender)
        : h("span", { class: "secondary-text" }, "Not shared"),
    ),
    h("td", { class: "table__cell table__cell--numeric" }, String(member.open_cases)),
  );
}

function addMemberForm(ctx, teams) {
  const fields = memberFields("new");
  const form = h(
    "form",
    { id: "add-member", class: "form", novalidate: true },
    textField({
      id: fields.member_id.id,
      name: "member_id",
      label: "Member id",
      hint: "Their sign-in name: lower-case letters, digits, - and _, for example jo-bloggs.",
      autocomplete: "off",
      spellcheck: false,
      widthClass: "input--width-20",
    }),
    memberControls(fields, teams),
    reasonField(fields.reason.id, REASON_BOX),
    button("Add member", { testid: "add-member" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { member_id: form.elements.member_id.value.trim(), ...memberValues(form) };
    await whileBusy(form, async () => {
      try {
        const added = await staff.addMember(body);
        pending = `${added.name} was added to ${label(TEAM, added.team_id)}. Their invitation is on its way.`;
        ctx.navigate("#/directory");
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return form;
}

function addTeamForm(ctx) {
  const fields = {
    team_id: { id: "new-team-id", label: "Team id" },
    name: { id: "new-team-name", label: "Name", missing: "Enter the team's name" },
    reason: { id: "new-team-reason", label: "Reason", missing: "Say why you are adding it" },
  };
  const form = h(
    "form",
    { id: "add-team", class: "form", novalidate: true },
    textField({
      id: fields.team_id.id,
      name: "team_id",
      label: "Team id",
      hint: "Lower-case letters, digits, - and _, for example wellbeing. Routing rules name teams by it.",
      autocomplete: "off",
      spellcheck: false,
      widthClass: "input--width-20",
    }),
    textField({
      id: fields.name.id,
      name: "name",
      label: "Name",
      autocomplete: "off",
      widthClass: "input--width-20",
    }),
    reasonField(fields.reason.id, REASON_BOX),
    button("Add team", { variant: "secondary", testid: "add-team" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {
      team_id: form.elements.team_id.value.trim(),
      name: form.elements.name.value.trim(),
      reason: form.elements.reason.value.trim(),
    };
    await whileBusy(form, async () => {
      try {
        const team = await staff.addTeam(body);
        pending = `The team ${team.name} was added.`;
        ctx.navigate("#/directory");
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return form;
}

/** The recent changes to the directory, read from the administration trail when asked. */
function recentChanges() {
  const region = h("div", { id: "changes", "aria-live": "polite" });
  const show = button("Show recent changes", {
    type: "button",
    variant: "secondary",
    testid: "show-changes",
    onclick: async () => {
      show.disabled = true;
      try {
        const trail = await staff.adminTrail();
        const changes = (trail.entries || [])
          .filter((entry) => Object.prototype.hasOwnProperty.call(CHANGE, entry.action))
          .reverse()
          .slice(0, 20);
        fill(
          region,
          trail.intact
            ? null
            : h(
                "p",
                { class: "banner banner--error" },
                "The administration trail does not verify: tell the service team.",
              ),
          changes.length
            ? h(
                "ul",
                { class: "list", id: "changes-list" },
                changes.map((entry) =>
                  h(
                    "li",
                    null,
                    h("strong", null, label(CHANGE, entry.action)),
                    entry.details.member_id || entry.details.team_id
                      ? ` — ${entry.details.member_id || entry.details.team_id}`
                      : "",
                    h(
                      "span",
                      { class: "secondary-text" },
                      ` by ${entry.actor}, ${dateTime(entry.at)}`,
                    ),
                    entry.reason
                      ? h("span", { class: "pre-wrap" }, `. Reason: ${entry.reason}`)
                      : "",
                  ),
                ),
              )
            : h("p", { class: "body" }, "No changes to the directory yet."),
        );
        show.remove();
      } catch (failure) {
        show.disabled = false;
        fill(
          region,
          h(
            "p",
            { class: "body" },
            failure instanceof ApiError ? failure.sentence : "The changes could not be read.",
          ),
        );
      }
    },
  });
  return h(
    "section",
    { class: "section", "aria-labelledby": "changes-heading" },
    h("h2", { class: "heading-m", id: "changes-heading" }, "Recent changes"),
    h(
      "p",
      { class: "body" },
      "The last 20 changes, newest first, with the reasons given. Reading them is recorded too.",
    ),
    show,
    region,
  );
}

// --- one member ------------------------------------------------------------------------------

export async function renderMember(ctx, memberId) {
  const directory = await staff.directory();
  if (!ctx.current()) return;
  const teams = directory.teams || [];
  const member = teams
    .flatMap((team) => team.members || [])
    .find((candidate) => candidate.member_id === memberId);
  const back = h("a", { class: "back-link", href: "#/directory" }, "Staff directory");
  if (!member) {
    document.title = "Member not found — Staff portal — Report + Support";
    fill(
      ctx.view,
      back,
      h("h1", { class: "heading-l" }, "Member not found"),
      h("p", { class: "body" }, "There is no member with this id in the staff directory."),
    );
    return;
  }
  document.title = `${member.name} — Staff directory — Staff portal — Report + Support`;
  const teamName = (teams.find((team) => team.team_id === member.team_id) || {}).name;
  fill(
    ctx.view,
    back,
    h("h1", { class: "heading-l" }, member.name),
    summaryList([
      ["Member id", member.member_id],
      ["Team", teamName || member.team_id],
      ["Status", member.active ? tag("Active", "green") : tag("Deactivated", "grey")],
      ["Open cases assigned", String(member.open_cases)],
    ]),
    leaverCases(),
    h(
      "section",
      { class: "section", "aria-labelledby": "change-heading" },
      h("h2", { class: "heading-m", id: "change-heading" }, "Change their details"),
      changeForm(ctx, teams, member),
    ),
    h(
      "section",
      { class: "section", "aria-labelledby": "access-heading" },
      h(
        "h2",
        { class: "heading-m", id: "access-heading" },
        member.active ? "Deactivate a leaver" : "Reactivate",
      ),
      accessForm(ctx, member),
    ),
  );
  if (pending) {
    const notice = pending;
    pending = null;
    ctx.announce(notice, { focus: false });
  }
}

// The open cases of the member just deactivated, shown once on their page.
let leaverOpenCases = null;

function leaverCases() {
  if (!leaverOpenCases) return null;
  const cases = leaverOpenCases;
  leaverOpenCases = null;
  return h(
    "section",
    { class: "section", "aria-labelledby": "leaver-cases-heading", id: "leaver-cases" },
    h("h2", { class: "heading-m", id: "leaver-cases-heading" }, "Their open cases"),
    cases.length
      ? [
          h(
            "p",
            { class: "body" },
            "Each is marked “Advisor has left — reassign” in its team's queue, for the team's screeners to reassign.",
          ),
          h(
            "div",
            { class: "table-wrapper" },
            h(
              "table",
              { class: "table table--small" },
              h("caption", { class: "visually-hidden" }, "Open cases to reassign"),
              h(
                "thead",
                { class: "table__head" },
                h(
                  "tr",
                  null,
                  ["Case", "Status", "Team"].map((text) =>
                    h("th", { class: "table__header", scope: "col" }, text),
                  ),
                ),
              ),
              h(
                "tbody",
                { class: "table__body" },
                cases.map((item) =>
                  h(
                    "tr",
                    { class: "table__row", dataset: { reference: item.reference } },
                    h(
                      "th",
                      { class: "table__header table__header--row", scope: "row" },
                      h(
                        "a",
                        {
                          class: "link link--reference",
                          href: `#/cases/${encodeURIComponent(item.reference)}`,
                        },
                        item.reference,
                      ),
                    ),
                    h("td", { class: "table__cell" }, label(STATUS, item.status)),
                    h("td", { class: "table__cell" }, label(TEAM, item.team_id)),
                  ),
                ),
              ),
            ),
          ),
        ]
      : h("p", { class: "body" }, "They held no open cases."),
  );
}

function changeForm(ctx, teams, member) {
  const fields = memberFields("edit");
  const form = h(
    "form",
    { id: "change-member", class: "form", novalidate: true },
    memberControls(fields, teams, member),
    reasonField(fields.reason.id, REASON_BOX),
    button("Save changes", { testid: "save-member" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = memberValues(form);
    // Only what changed is sent: the trail records which fields an admin changed.
    const before = {
      team_id: member.team_id,
      name: member.name,
      email: member.email,
      roles: [...member.roles].sort(),
      specialisms: member.specialisms,
      languages: member.languages,
      capacity: member.capacity,
      gender: member.shared_gender || null,
    };
    const body = { reason: values.reason };
    for (const [name, value] of Object.entries(values)) {
      if (name === "reason") continue;
      const now = name === "roles" ? [...value].sort() : value;
      if (JSON.stringify(now) !== JSON.stringify(before[name])) body[name] = value;
    }
    await whileBusy(form, async () => {
      try {
        await staff.changeMember(member.member_id, body);
        pending = "The changes were saved.";
        ctx.navigate(`#/directory/${encodeURIComponent(member.member_id)}`);
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return form;
}

function accessForm(ctx, member) {
  const id = member.active ? "deactivate" : "reactivate";
  const fields = {
    reason: { id: `${id}-reason`, label: "Reason", missing: "Say why" },
    member_id: { id: `${id}-reason`, label: "This member" },
  };
  const form = h(
    "form",
    { id: `${id}-member`, class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      member.active
        ? "Their access ends at once, on their next request. Their open cases are listed after, for reassignment."
        : "They can sign in again. Sessions from before they were deactivated stay ended.",
    ),
    textField({
      id: fields.reason.id,
      name: "reason",
      label: "Reason",
      hint: REASON_HINT,
      multiline: true,
    }),
    button(member.active ? "Deactivate" : "Reactivate", {
      variant: member.active ? "warning" : "",
      testid: id,
    }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { reason: form.elements.reason.value.trim() };
    await whileBusy(form, async () => {
      try {
        if (member.active) {
          const answer = await staff.deactivateMember(member.member_id, body);
          leaverOpenCases = answer.open_cases || [];
          pending = `${member.name} was deactivated.`;
        } else {
          await staff.reactivateMember(member.member_id, body);
          pending = `${member.name} was reactivated.`;
        }
        ctx.navigate(`#/directory/${encodeURIComponent(member.member_id)}`);
      } catch (failure) {
        showFailure(form, failure, fields, REFUSAL);
      }
    });
  });
  return form;
}
