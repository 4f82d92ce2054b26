// The content editor: a working copy of the institution's editable document (support
// services, policies, formal complaint, next steps, privacy notice, the options of each
// choice question) drawn as labelled fields in folded sections, English and Welsh side by
// side. Each field writes straight into the copy; anything the page does not draw is kept
// as it came, so a save never drops a setting the server knows and this page does not.
//
// Every control's id is made from its path in the document (`support_resources.0.url` →
// `content-support_resources-0-url`), so the API's errors, which name paths
// (`document.support_resources.0.url`), are shown beside the field they name.
//
// Options of questions are never deleted (old reports and the statistics keep their label):
// an option the form already has can only be retired; only an option added here, not yet
// saved, can be removed again.

import { h, fill, focusOn } from "../../../../shared/dom.js";
import { button, errorMessage, textField } from "../../../../shared/forms.js";

const LANGUAGES = [
  ["en", "English"],
  ["cy", "Welsh"],
];

/** The id of the control (or group) for a path in the document (no `document.` prefix). */
export function idFor(path) {
  return `content-${String(path).replace(/[^A-Za-z0-9_]/g, "-")}`;
}

/** Set or clear one language of a text; an optional text left with no language is removed. */
function setLocal(owner, key, lang, value, optional) {
  const text = { ...(owner[key] || {}) };
  if (value === "") delete text[lang];
  else text[lang] = value;
  if (optional && Object.keys(text).length === 0) delete owner[key];
  else owner[key] = text;
}

/** The English and Welsh fields of one text (`owner[key]`, `{en, cy}`). */
function localFields(owner, key, path, name, options = {}) {
  const { multiline = false, optional = false, hint = null, rows = 3 } = options;
  const text = owner[key] || {};
  return h(
    "div",
    { class: "content-pair" },
    LANGUAGES.map(([lang, language]) => {
      const id = idFor(`${path}.${key}.${lang}`);
      const group = textField({
        id,
        name: id,
        label: `${name} (${language})`,
        hint:
          lang === "en" ? (hint ?? (optional ? "Optional." : null)) : optional ? "Optional." : null,
        multiline,
        rows,
        value: text[lang] ?? "",
        required: lang === "en" && !optional,
      });
      const control = group.querySelector("input, textarea");
      if (lang === "cy") control.setAttribute("lang", "cy");
      control.addEventListener("input", () => setLocal(owner, key, lang, control.value, optional));
      return group;
    }),
  );
}

/** One plain text field (`owner[key]`); an optional one left empty is removed. */
function plainField(owner, key, path, label, options = {}) {
  const { hint = null, type = "text", optional = true, widthClass = null } = options;
  const id = idFor(`${path}.${key}`);
  const group = textField({
    id,
    name: id,
    label,
    hint,
    type,
    value: owner[key] ?? "",
    widthClass,
    spellcheck: false,
    required: !optional,
  });
  const control = group.querySelector("input");
  control.addEventListener("input", () => {
    if (control.value === "" && optional) delete owner[key];
    else owner[key] = control.value;
  });
  return group;
}

/** A single checkbox for a yes/no setting (`owner[key]`). */
function checkField(owner, key, path, label, hint) {
  const id = idFor(`${path}.${key}`);
  const hintId = `${id}-hint`;
  const input = h("input", {
    class: "checkboxes__input",
    id,
    name: id,
    type: "checkbox",
    "aria-describedby": hint ? hintId : null,
  });
  input.checked = Boolean(owner[key]);
  input.addEventListener("change", () => {
    owner[key] = input.checked;
  });
  return h(
    "div",
    { class: "form-group", dataset: { control: id } },
    errorMessage(`${id}-error`),
    h(
      "div",
      { class: "checkboxes checkboxes--small" },
      h(
        "div",
        { class: "checkboxes__item" },
        input,
        h("label", { class: "label checkboxes__label", for: id }, label),
        hint ? h("div", { class: "hint checkboxes__hint", id: hintId }, hint) : null,
      ),
    ),
  );
}

/**
 * A group the API may name as a whole (an entry of a list, a question's options): a
 * fieldset with its own error message, focusable so the error summary can link to it.
 */
function group(path, legend, children, { legendClass = "fieldset__legend--s", hint } = {}) {
  const id = idFor(path);
  return h(
    "div",
    { class: "content-group", dataset: { control: id } },
    h(
      "fieldset",
      { class: "fieldset content-entry", id, tabindex: "-1" },
      h("legend", { class: `fieldset__legend ${legendClass}` }, legend),
      hint ? h("p", { class: "hint" }, hint) : null,
      errorMessage(`${id}-error`),
      children,
    ),
  );
}

/** A folded section of the editor, with a summary naming it. */
function section(key, title, hint, children) {
  return h(
    "details",
    { class: "details content-section", id: `${idFor(key)}-section` },
    h(
      "summary",
      { class: "details__summary" },
      h("span", { class: "details__summary-text" }, title),
    ),
    h(
      "div",
      { class: "details__text" },
      hint ? h("p", { class: "hint" }, hint) : null,
      group(key, title, children, { legendClass: "visually-hidden" }),
    ),
  );
}

/**
 * A list whose entries can be added and removed: `items` (the array in the document) is
 * changed in place and the list drawn again; focus goes to the new entry, or after a removal
 * to the "Add" button, so keyboard users are never left on nothing.
 */
function listEditor({ items, path, entry, blank, addText, removable = () => true, removeText }) {
  const list = h("div", { class: "content-list" });
  const add = button(addText, { type: "button", variant: "secondary" });
  const draw = () => {
    fill(
      list,
      items.map((item, index) => {
        const itemPath = `${path}.${index}`;
        const { legend, fields } = entry(item, index, itemPath);
        const remove = removable(item)
          ? button(removeText(item, index), {
              type: "button",
              variant: "warning",
              onclick: () => {
                items.splice(index, 1);
                draw();
                focusOn(add);
              },
            })
          : null;
        return group(itemPath, legend, [fields, remove]);
      }),
    );
  };
  add.addEventListener("click", () => {
    items.push(blank());
    draw();
    const last = list.lastElementChild;
    focusOn(last && last.querySelector("input, textarea"));
  });
  draw();
  return [list, h("div", { class: "button-group" }, add)];
}

function idField(owner, path, saved, noun) {
  if (saved) {
    return h("p", { class: "hint" }, `Id: ${owner.id} (fixed once saved)`);
  }
  return plainField(owner, "id", path, `Id of the ${noun}`, {
    hint: "Lower-case letters, digits and underscores, starting with a letter or digit; it cannot change later.",
    optional: false,
    widthClass: "input--width-20",
  });
}

function supportServices(document_) {
  const items = (document_.support_resources = document_.support_resources || []);
  const saved = new Set(items);
  return section(
    "support_resources",
    "Support services",
    "Shown on every reporter page. Emergency contacts are shown first and in the “Get help now” panel.",
    listEditor({
      items,
      path: "support_resources",
      blank: () => ({ id: "", name: {}, description: {}, emergency: false }),
      addText: "Add a support service",
      removeText: (item, index) => `Remove support service ${index + 1}`,
      entry: (item, index, path) => ({
        legend: `Support service ${index + 1}${item.name && item.name.en ? `: ${item.name.en}` : ""}`,
        fields: [
          idField(item, path, saved.has(item), "support service"),
          localFields(item, "name", path, "Name"),
          localFields(item, "description", path, "Description", { multiline: true, rows: 2 }),
          plainField(item, "phone", path, "Phone number", {
            hint: "As reporters should dial it, for example 01234 567 100. Optional.",
            type: "tel",
            widthClass: "input--width-20",
          }),
          plainField(item, "url", path, "Web address", {
            hint: "An https:// address, or tel: and the number. Optional.",
          }),
          localFields(item, "hours", path, "Opening hours", { optional: true }),
          checkField(
            item,
            "emergency",
            path,
            "Emergency contact",
            "Listed first, under “In an emergency”, and in the help panel on every page.",
          ),
        ],
      }),
    }),
  );
}

function policies(document_) {
  const items = (document_.policies = document_.policies || []);
  const saved = new Set(items);
  return section(
    "policies",
    "Policies and procedures",
    "Linked from every reporter page.",
    listEditor({
      items,
      path: "policies",
      blank: () => ({ id: "", title: {}, description: {}, url: "" }),
      addText: "Add a policy",
      removeText: (item, index) => `Remove policy ${index + 1}`,
      entry: (item, index, path) => ({
        legend: `Policy ${index + 1}${item.title && item.title.en ? `: ${item.title.en}` : ""}`,
        fields: [
          idField(item, path, saved.has(item), "policy"),
          localFields(item, "title", path, "Title"),
          localFields(item, "description", path, "Description", { multiline: true, rows: 2 }),
          plainField(item, "url", path, "Web address", {
            hint: "An https:// address, or a page of this site starting with /.",
            optional: false,
          }),
        ],
      }),
    }),
  );
}

function formalComplaint(document_) {
  const complaint = (document_.formal_complaint = document_.formal_complaint || {});
  const path = "formal_complaint";
  return section(
    path,
    "Formal complaint",
    "On the policies page: a report made here is not a formal complaint, and how to make one.",
    [
      localFields(complaint, "text", path, "Text", { multiline: true }),
      localFields(complaint, "link_text", path, "Link text"),
      plainField(complaint, "url", path, "Web address of the procedure", {
        hint: "An https:// address, or a page of this site starting with /.",
        optional: false,
      }),
    ],
  );
}

function nextSteps(document_) {
  const steps = (document_.next_steps = document_.next_steps || {});
  const path = "next_steps";
  return section(path, "Next steps", "Shown to reporters once their report is sent.", [
    localFields(steps, "named", path, "After a named report", { multiline: true }),
    localFields(steps, "anonymous", path, "After an anonymous report", { multiline: true }),
  ]);
}

function textList(items, path, noun) {
  return listEditor({
    items,
    path,
    blank: () => ({}),
    addText: `Add a ${noun}`,
    removeText: (item, index) => `Remove ${noun} ${index + 1}`,
    entry: (item, index, itemPath) => {
      // A list entry is itself a text ({en, cy}): edit it through a holder.
      const holder = {
        get text() {
          return items[index];
        },
        set text(value) {
          items[index] = value;
        },
      };
      return {
        legend: `${capitalise(noun)} ${index + 1}`,
        fields: localFieldsAt(holder, "text", itemPath, capitalise(noun)),
      };
    },
  });
}

/** Like `localFields`, for a text that is itself the entry at `path`. */
function localFieldsAt(holder, key, path, name) {
  return h(
    "div",
    { class: "content-pair" },
    LANGUAGES.map(([lang, language]) => {
      const id = idFor(`${path}.${lang}`);
      const field = textField({
        id,
        name: id,
        label: `${name} (${language})`,
        multiline: true,
        rows: 2,
        value: (holder[key] || {})[lang] ?? "",
        required: lang === "en",
      });
      const control = field.querySelector("textarea");
      if (lang === "cy") control.setAttribute("lang", "cy");
      control.addEventListener("input", () => setLocal(holder, key, lang, control.value, false));
      return field;
    }),
  );
}

function privacyNotice(document_) {
  const notice = (document_.privacy_notice = document_.privacy_notice || {});
  const path = "privacy_notice";
  const dpo = (notice.data_protection_officer = notice.data_protection_officer || {});
  const confidentiality = (notice.confidentiality = notice.confidentiality || {});
  notice.lawful_bases = notice.lawful_bases || [];
  confidentiality.circumstances = confidentiality.circumstances || [];
  const dpoPath = `${path}.data_protection_officer`;
  const confidentialityPath = `${path}.confidentiality`;
  return section(
    path,
    "Privacy notice",
    "Saving gives the notice a new version; each report records the version its reporter saw.",
    [
      localFields(notice, "summary", path, "Summary", {
        multiline: true,
        hint: "Shown before a reporter sends their report. It may name the retention periods only as {redact_named_after_months} and {delete_anonymised_after_years}: they are filled in from the settings.",
      }),
      plainField(notice, "url", path, "Web address of the full notice", {
        hint: "An https:// address, or a page of this site starting with /.",
        optional: false,
      }),
      localFields(notice, "controller", path, "Data controller", { multiline: true, rows: 2 }),
      group(dpoPath, "Data protection officer", [
        plainField(dpo, "email", dpoPath, "Email address", {
          type: "email",
          optional: false,
          widthClass: "input--width-20",
        }),
        plainField(dpo, "phone", dpoPath, "Phone number", {
          type: "tel",
          hint: "Optional.",
          widthClass: "input--width-20",
        }),
        localFields(dpo, "postal_address", dpoPath, "Postal address", {
          optional: true,
          multiline: true,
          rows: 2,
        }),
      ]),
      group(
        `${path}.lawful_bases`,
        "Lawful bases",
        textList(notice.lawful_bases, `${path}.lawful_bases`, "lawful basis"),
        {
          hint: "One entry per purpose and its lawful basis.",
        },
      ),
      group(confidentialityPath, "Confidentiality", [
        localFields(confidentiality, "summary", confidentialityPath, "Summary", {
          multiline: true,
          hint: "Shown where a reporter chooses to be anonymous or named, before they choose.",
        }),
        group(
          `${confidentialityPath}.circumstances`,
          "When we may pass on what a reporter says",
          textList(
            confidentiality.circumstances,
            `${confidentialityPath}.circumstances`,
            "circumstance",
          ),
        ),
      ]),
      localFields(notice, "supervisory_authority", path, "Where to complain about data handling", {
        multiline: true,
        rows: 2,
      }),
    ],
  );
}

function questionOptions(document_, questionLabels) {
  const all = (document_.question_options = document_.question_options || {});
  const path = "question_options";
  return section(
    path,
    "Answers to the form's questions",
    "An answer cannot be deleted: reports that chose it, and the statistics, keep its label. Retire it instead, and reporters are no longer offered it. A new answer needs an id of its own.",
    Object.entries(all).map(([questionId, options]) => {
      // The answers the form has now, by identity: an answer added here is not one of them.
      const saved = new Set(options);
      const questionPath = `${path}.${questionId}`;
      const title = questionLabels[questionId] || questionId;
      return group(
        questionPath,
        title,
        listEditor({
          items: options,
          path: questionPath,
          blank: () => ({ id: "", label: {}, retired: false }),
          addText: `Add an answer to “${title}”`,
          removable: (option) => !saved.has(option),
          removeText: (option, index) => `Remove new answer ${index + 1}`,
          entry: (option, index, optionPath) => {
            const existing = saved.has(option);
            const name = option.label && option.label.en ? option.label.en : `Answer ${index + 1}`;
            return {
              legend: existing
                ? `${name}${option.retired ? " (retired)" : ""}`
                : `New answer ${index + 1}`,
              fields: [
                idField(option, optionPath, existing, "answer"),
                localFields(option, "label", optionPath, "Label"),
                existing
                  ? checkField(
                      option,
                      "retired",
                      optionPath,
                      "Retired",
                      "Not offered to reporters. Reports that chose it keep it.",
                    )
                  : h(
                      "p",
                      { class: "hint" },
                      "A new answer can be removed until the draft is saved; after that it can only be retired.",
                    ),
              ],
            };
          },
        }),
        { legendClass: "fieldset__legend--m", hint: `Question id: ${questionId}` },
      );
    }),
  );
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Draw the editor for `published` (the published document, never changed: the editor works
 * on a copy). `questionLabels`: question id → its English label, for the options' headings.
 * Returns the fields and `value()`, the document as edited.
 */
export function contentEditor(published, { questionLabels = {} } = {}) {
  const working = structuredClone(published || {});
  const element = h(
    "div",
    { class: "content-editor" },
    supportServices(working),
    policies(working),
    formalComplaint(working),
    nextSteps(working),
    privacyNotice(working),
    questionOptions(working, questionLabels),
  );
  return { element, value: () => structuredClone(working) };
}

/**
 * Where on the page an error at `field` (an API path, `document.…`) belongs: the control with
 * that path, the English field of a text, or the nearest group that holds it. Null if none.
 */
export function controlFor(root, field) {
  const path = String(field || "").replace(/^(body\.)?document\.?/, "");
  if (!path) return null;
  const parts = path.split(".");
  const find = (id) => root.querySelector(`#${CSS.escape(id)}`);
  const exact = find(idFor(path)) || find(idFor(`${path}.en`));
  if (exact) return exact;
  for (let end = parts.length - 1; end > 0; end -= 1) {
    const found = find(idFor(parts.slice(0, end).join(".")));
    if (found) return found;
  }
  return null;
}

/** The words for a control in an error summary: its label, or its group's legend. */
export function nameOf(control) {
  if (!control) return null;
  const label = control.labels && control.labels[0];
  const entry = control.closest("fieldset.content-entry");
  const legend = entry && entry !== control ? entry.querySelector("legend") : null;
  const own = label
    ? label.textContent
    : control.querySelector("legend")
      ? control.querySelector("legend").textContent
      : "";
  return legend ? `${legend.textContent}, ${own.charAt(0).toLowerCase()}${own.slice(1)}` : own;
}

/** Open the folded sections holding `element`, so it can be seen and focused. */
export function reveal(element) {
  for (let at = element; at; at = at.parentElement) {
    if (at.tagName === "DETAILS") at.open = true;
  }
}
