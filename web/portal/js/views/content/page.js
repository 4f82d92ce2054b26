// The content page, for admins (`manage_content`):
//
//   #/content   the versions of the institution's content (the published one marked, the one
//               "restore" would bring back), an editor for a new draft starting from the
//               published document, and, for a saved draft, its preview and "Publish"
//
// Content is what reporters read and choose from without a deploy: support services,
// policies, the formal complaint, next steps, the privacy notice, and the answers offered
// to each choice question (`web/portal/js/views/content/editor.js`). Saving makes a draft,
// which reporters do not see; publishing (with a reason, for the administration trail)
// makes it what `GET /form` serves. Publishing and restoring send the version this page
// saw published, so a publish by someone else in the meantime is refused (409), not undone.

import { ApiError, reportForm, staff } from "../../api.js";
import { fill, focusOn, h } from "../../../../shared/dom.js";
import { button, clearErrors, showErrors, whileBusy } from "../../../../shared/forms.js";
import { fieldProblems, reasonField, tag, when } from "../parts.js";
import { contentEditor, controlFor, nameOf, reveal } from "./editor.js";
import { contentPreview } from "./preview.js";

const STATUS = {
  draft: ["Draft", "grey"],
  published: ["Published", "green"],
  retired: ["Replaced", "blue"],
};

const WHEN_SEEN =
  "Reporters see it within a few minutes: pages already open keep what they loaded until they are reloaded.";

const REASON_HINT = "Recorded in the administration trail. Say what changed and why.";

const REASON_FIELDS = (id) => ({
  reason: {
    id,
    label: "Reason",
    missing: "Enter the reason: it is recorded in the administration trail",
  },
});

/** Problems from a refused call: 400s name fields (`body.` dropped), the rest is one sentence. */
function problemsOf(failure) {
  const named = fieldProblems(failure, { statuses: [400], drop: /^body\./ });
  if (named) {
    return named.map((problem) => ({
      field: problem.field,
      message: String(problem.message || "is not valid").replace(/^Value error, /, ""),
    }));
  }
  if (failure.status === 404) return [{ text: "That version no longer exists. Reload the page." }];
  return [{ text: failure.sentence }];
}

export async function renderContent(ctx) {
  document.title = "Content — Staff portal — Report + Support";
  const heading = h("h1", { class: "heading-l" }, "Content");
  fill(ctx.view, heading, h("p", { class: "body", "aria-busy": "true" }, "Loading the content…"));
  const [content, form] = await Promise.all([staff.content(), reportForm()]);
  if (!ctx.current()) return;
  drawPage(ctx, content, form);
}

/** Draw the page again from the server (after a publish, a restore, or a refusal). */
async function reload(ctx, notice) {
  await renderContent(ctx);
  if (ctx.current() && notice) ctx.announce(notice.text, notice.options);
}

function questionLabels(form) {
  const labels = {};
  for (const question of (form && form.form && form.form.questions) || []) {
    labels[question.id] = (question.label && question.label.en) || question.id;
  }
  return labels;
}

function drawPage(ctx, content, form) {
  // The version the editor starts from and publishing checks against: the one seen now.
  const seen = content.published ?? null;
  const editor = contentEditor(content.document, { questionLabels: questionLabels(form) });
  const versions = h("section", { class: "section", "aria-labelledby": "versions-heading" });
  const draft = h("section", {
    class: "section",
    id: "content-draft",
    "aria-labelledby": "draft-heading",
    hidden: true,
  });
  const state = { ctx, content, seen, versions, draft };
  const showDraft = (version) => drawDraft(state, version);
  drawVersions(state, showDraft);

  fill(
    ctx.view,
    h("h1", { class: "heading-l" }, "Content"),
    h(
      "p",
      { class: "body lead" },
      "What reporters read and choose from: support services, policies, next steps, the privacy notice and the answers offered to each question. Edit a new draft, save it, preview it, then publish it.",
    ),
    versions,
    h(
      "section",
      { class: "section", "aria-labelledby": "editor-heading" },
      h("h2", { class: "heading-m", id: "editor-heading" }, "Edit a new draft"),
      h(
        "p",
        { class: "body" },
        seen === null
          ? "The draft starts from the content deployed with the service, which reporters see now."
          : `The draft starts from version ${seen}, which reporters see now.`,
        " Saving it changes nothing reporters see.",
      ),
      editorForm(state, editor, showDraft),
    ),
    draft,
  );
}

function drawVersions(state, showDraft) {
  const { content, versions } = state;
  const list = content.versions || [];
  fill(
    versions,
    h("h2", { class: "heading-m", id: "versions-heading" }, "Versions"),
    h(
      "p",
      {
        class: "body",
        id: "content-published",
        dataset: { published: String(content.published ?? "") },
      },
      content.published === null || content.published === undefined
        ? "Reporters see the content deployed with the service."
        : `Reporters see version ${content.published}.`,
    ),
    list.length
      ? h(
          "div",
          // On a phone the table scrolls sideways: a region keyboard users can scroll too.
          {
            class: "table-wrapper",
            role: "region",
            "aria-labelledby": "content-versions-caption",
            tabindex: "0",
          },
          h(
            "table",
            { class: "table", id: "content-versions" },
            h(
              "caption",
              { class: "table__caption", id: "content-versions-caption" },
              "Versions, newest first",
            ),
            h(
              "thead",
              { class: "table__head" },
              h(
                "tr",
                null,
                ["Version", "Status", "Saved", "By", "Published", "Based on", "Action"].map(
                  (text) => h("th", { class: "table__header", scope: "col" }, text),
                ),
              ),
            ),
            h(
              "tbody",
              { class: "table__body" },
              list.map((summary) => versionRow(state, summary, showDraft)),
            ),
          ),
        )
      : h(
          "p",
          { class: "body inset", id: "content-no-versions" },
          "No version has been saved yet.",
        ),
    content.restorable ? restoreForm(state) : null,
  );
}

function versionRow(state, summary, showDraft) {
  const [statusText, colour] = STATUS[summary.status] || [summary.status, "grey"];
  const previous = summary.version === state.content.previous;
  return h(
    "tr",
    { class: "table__row", dataset: { version: String(summary.version), status: summary.status } },
    h(
      "th",
      { class: "table__header table__header--row", scope: "row" },
      `Version ${summary.version}`,
    ),
    h(
      "td",
      { class: "table__cell" },
      tag(statusText, colour),
      previous ? [" ", tag("Previous", "yellow")] : null,
    ),
    h("td", { class: "table__cell" }, when(summary.created_at, "—")),
    h("td", { class: "table__cell" }, summary.created_by || ""),
    h("td", { class: "table__cell" }, when(summary.published_at, "—")),
    h(
      "td",
      { class: "table__cell" },
      summary.based_on === null || summary.based_on === undefined
        ? "Deployed content"
        : `Version ${summary.based_on}`,
    ),
    h(
      "td",
      { class: "table__cell" },
      summary.status === "draft"
        ? button(`Review version ${summary.version}`, {
            type: "button",
            variant: "secondary",
            onclick: () => showDraft(summary.version),
          })
        : "",
    ),
  );
}

function editorForm(state, editor, showDraft) {
  const form = h(
    "form",
    { id: "content-form", class: "form", novalidate: true },
    editor.element,
    h("div", { class: "button-group" }, button("Save draft", { testid: "save-draft" })),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await whileBusy(form, async () => {
      let saved;
      try {
        saved = await staff.saveContent({ document: editor.value(), based_on: state.seen });
      } catch (failure) {
        if (!(failure instanceof ApiError)) throw failure;
        showSaveErrors(form, failure);
        return;
      }
      if (!state.ctx.current()) return;
      state.ctx.announce(
        `Draft version ${saved.version} saved. Reporters do not see it until it is published: preview it, then publish it.`,
        { focus: false },
      );
      await refreshVersions(state, showDraft);
      showDraft(saved.version);
    });
  });
  return form;
}

/** Show the API's refusal of a draft: each problem beside its field, all in the summary. */
function showSaveErrors(form, failure) {
  const problems = problemsOf(failure);
  const fields = {};
  for (const problem of problems) {
    if (!problem.field) continue;
    const control = controlFor(form, problem.field);
    if (!control) continue;
    reveal(control);
    fields[problem.field] = { id: control.id, label: nameOf(control) };
  }
  showErrors(form, problems, fields);
}

async function refreshVersions(state, showDraft) {
  try {
    state.content = { ...state.content, ...(await staff.content()) };
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    return; // the list stays as it was; the draft is saved all the same
  }
  if (state.ctx.current()) drawVersions(state, showDraft);
}

/** The panel for one draft: its preview, and publishing it. */
function drawDraft(state, version) {
  const { draft } = state;
  const preview = h("div", { id: "content-preview", "aria-live": "off" });
  const previewButton = button(`Preview version ${version}`, {
    type: "button",
    variant: "secondary",
    testid: "preview",
  });
  previewButton.addEventListener("click", async () => {
    previewButton.disabled = true;
    fill(preview, h("p", { class: "body", "aria-busy": "true" }, "Loading the preview…"));
    try {
      const [form, stored] = await Promise.all([
        staff.previewContent(version),
        staff.contentVersion(version),
      ]);
      if (!state.ctx.current()) return;
      const options = (stored.document && stored.document.question_options) || {};
      fill(preview, contentPreview(form, version, options));
      focusOn(preview.querySelector("h3"));
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      fill(preview, h("p", { class: "body" }, problemsOf(failure)[0].text || failure.sentence));
    } finally {
      previewButton.disabled = false;
    }
  });
  fill(
    draft,
    h("h2", { class: "heading-m", id: "draft-heading" }, `Draft version ${version}`),
    h("div", { class: "button-group" }, previewButton),
    preview,
    publishForm(state, version),
  );
  draft.hidden = false;
}

function publishForm(state, version) {
  const reasonId = "publish-reason";
  const form = h(
    "form",
    { id: "publish-form", class: "form", novalidate: true, "aria-labelledby": "publish-heading" },
    h("h3", { class: "heading-s", id: "publish-heading" }, `Publish version ${version}`),
    h(
      "p",
      { class: "body" },
      `Reporters will see version ${version} in place of what they see now. ${WHEN_SEEN}`,
    ),
    reasonField(reasonId, { hint: REASON_HINT }),
    button(`Publish version ${version}`, { testid: "publish" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendWithReason(state, form, reasonId, (reason) =>
      staff
        .publishContent(version, { reason, published: state.seen })
        .then((summary) => `Version ${summary.version} published. ${WHEN_SEEN}`),
    );
  });
  return form;
}

/** What a restore publishes again: a version, or (previous null) the deployed content. */
function restoredName(previous) {
  return previous === null || previous === undefined
    ? "the content deployed with the service"
    : `version ${previous}`;
}

function restoreForm(state) {
  const what = restoredName(state.content.previous);
  const reasonId = "restore-reason";
  const form = h(
    "form",
    { id: "restore-form", class: "form", novalidate: true },
    h(
      "p",
      { class: "body" },
      `Publishes ${what} again, in one action, in place of what reporters see now.`,
    ),
    reasonField(reasonId, { hint: REASON_HINT }),
    button(`Restore ${what}`, { variant: "warning", testid: "restore" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendWithReason(state, form, reasonId, (reason) =>
      staff
        .restoreContent({ reason, published: state.seen })
        .then((restored) =>
          restored.published === null
            ? `The content deployed with the service is restored. ${WHEN_SEEN}`
            : `Version ${restored.published} restored. ${WHEN_SEEN}`,
        ),
    );
  });
  const summaryId = "restore-form-summary";
  form.setAttribute("aria-labelledby", summaryId);
  return h(
    "details",
    { class: "details", id: "restore-details" },
    h(
      "summary",
      { class: "details__summary" },
      h(
        "span",
        { class: "details__summary-text", id: summaryId },
        state.content.previous === null || state.content.previous === undefined
          ? "Restore the content deployed with the service"
          : "Restore the previous version",
      ),
    ),
    h("div", { class: "details__text" }, form),
  );
}

/**
 * Publish or restore: a reason is needed; on success, or when someone else published in the
 * meantime (409), the page is drawn again from the server and says what happened.
 */
async function sendWithReason(state, form, reasonId, send) {
  clearErrors(form);
  const reason = form.querySelector(`#${reasonId}`).value.trim();
  if (!reason) {
    showErrors(form, [{ field: "reason", message: "is required" }], REASON_FIELDS(reasonId));
    return;
  }
  await whileBusy(form, async () => {
    let done;
    try {
      done = await send(reason);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      if (failure.status === 409) {
        await reload(state.ctx, {
          text: "Someone else published a version since this page was loaded.",
          options: {
            kind: "warning",
            title: "Nothing was changed",
            detail:
              "The page has been loaded again and shows the content as it is now. Check it, then try again.",
          },
        });
        return;
      }
      showErrors(form, problemsOf(failure), REASON_FIELDS(reasonId));
      return;
    }
    await reload(state.ctx, { text: done, options: {} });
  });
}
