// The preview of a content version: what reporters would see if it were published, read-only,
// in English and in Welsh, from `GET /staff/admin/content/versions/{v}/preview` (the answer
// `GET /form` would give). Support services with the emergency ones first, the policies and
// the formal complaint, the next steps, the privacy notice's summary, and every choice
// question with the answers reporters are offered (the retired ones, which reporters are not
// shown, listed apart from the version's document).
//
// The reporter pages' own renderers (web/report/site.js) draw in the one language the
// reporter chose and keep it in the tab's storage; the preview needs both at once, so it
// draws the same content plainly here. Texts go in as text, never as markup.

import { h } from "../../../../shared/dom.js";

const LANGUAGES = [
  ["en", "English"],
  ["cy", "Cymraeg (Welsh)"],
];

const MISSING_WELSH = "No Welsh text: reporters reading in Welsh see the English.";

/** One institution text in `lang`, marked with its language; the English, marked, if missing. */
function text(tag, value, lang, attrs = {}) {
  const own = value && value[lang];
  if (own) return h(tag, { ...attrs, lang }, own);
  const english = value && value.en;
  return h(
    tag,
    { ...attrs, lang: "en" },
    english || "",
    lang !== "en"
      ? h("span", { class: "secondary-text", lang: "en" }, ` (${MISSING_WELSH})`)
      : null,
  );
}

function service(resource, lang) {
  return h(
    "li",
    { class: "content-preview__item", dataset: { resource: resource.id } },
    text("p", resource.name, lang, { class: "body content-preview__name" }),
    text("p", resource.description, lang, { class: "body" }),
    resource.phone
      ? h("p", { class: "body", dataset: { phone: "" } }, `Phone: ${resource.phone}`)
      : null,
    resource.hours ? text("p", resource.hours, lang, { class: "body" }) : null,
    resource.url ? h("p", { class: "body break-word" }, `Link: ${resource.url}`) : null,
  );
}

function services(form, lang) {
  const all = form.support_resources || [];
  const emergency = all.filter((resource) => resource.emergency);
  const others = all.filter((resource) => !resource.emergency);
  return [
    h("h5", { class: "heading-s" }, "Support services"),
    emergency.length
      ? [
          h("p", { class: "section__subheading body" }, h("strong", null, "In an emergency")),
          h(
            "ul",
            { class: "list content-preview__list", dataset: { emergency: "true" } },
            emergency.map((resource) => service(resource, lang)),
          ),
        ]
      : null,
    others.length
      ? [
          h("p", { class: "section__subheading body" }, h("strong", null, "Other support")),
          h(
            "ul",
            { class: "list content-preview__list", dataset: { emergency: "false" } },
            others.map((resource) => service(resource, lang)),
          ),
        ]
      : null,
  ];
}

function policies(form, lang) {
  const complaint = form.formal_complaint;
  return [
    h("h5", { class: "heading-s" }, "Policies and procedures"),
    h(
      "ul",
      { class: "list content-preview__list" },
      (form.policies || []).map((policy) =>
        h(
          "li",
          { class: "content-preview__item" },
          text("p", policy.title, lang, { class: "body" }),
          text("p", policy.description, lang, { class: "hint" }),
          h("p", { class: "hint break-word" }, `Link: ${policy.url}`),
        ),
      ),
    ),
    complaint
      ? [
          h("h5", { class: "heading-s" }, "Formal complaint"),
          text("p", complaint.text, lang, { class: "body" }),
          text("p", complaint.link_text, lang, { class: "body" }),
        ]
      : null,
  ];
}

function nextSteps(form, lang) {
  const steps = form.next_steps || {};
  return [
    h("h5", { class: "heading-s" }, "Next steps"),
    h("p", { class: "body" }, h("strong", null, "Named report: ")),
    text("p", steps.named, lang, { class: "body" }),
    h("p", { class: "body" }, h("strong", null, "Anonymous report: ")),
    text("p", steps.anonymous, lang, { class: "body" }),
  ];
}

function privacy(form, lang) {
  const notice = form.privacy_notice || {};
  return [
    h("h5", { class: "heading-s" }, "Privacy notice"),
    text("p", notice.summary, lang, { class: "body" }),
    notice.version ? h("p", { class: "hint" }, `Version ${notice.version}`) : null,
  ];
}

function questions(form, lang, retiredOptions) {
  const choice = ((form.form && form.form.questions) || []).filter(
    (question) => question.kind === "single" || question.kind === "multi",
  );
  return [
    h("h5", { class: "heading-s" }, "Answers offered on the form"),
    choice.map((question) => {
      // `GET /form` leaves retired answers out; the version's document still names them.
      const offered = (question.options || []).filter((option) => !option.retired);
      const retired = (retiredOptions[question.id] || []).filter((option) => option.retired);
      return h(
        "div",
        { class: "content-preview__question", dataset: { question: question.id } },
        text("p", question.label, lang, { class: "body" }),
        h(
          "ul",
          { class: "list", dataset: { offered: "" } },
          offered.map((option) =>
            text("li", option.label, lang, { dataset: { option: option.id } }),
          ),
        ),
        retired.length
          ? h(
              "p",
              { class: "hint", dataset: { retired: "" } },
              "Retired, not offered: ",
              retired.map((option, index) => [index ? ", " : "", text("span", option.label, lang)]),
            )
          : null,
      );
    }),
  ];
}

/**
 * The preview of `form` (the JSON `GET /form` would answer) for version `version`;
 * `questionOptions` (the version's document's) names the answers it retires.
 */
export function contentPreview(form, version, questionOptions = {}) {
  return h(
    "div",
    { class: "content-preview", dataset: { version: String(version) } },
    h("h3", { class: "heading-m", tabindex: "-1" }, `Preview of version ${version}`),
    h(
      "p",
      { class: "body" },
      `What reporters would see if version ${version} were published. Nothing here can be changed: edit a new draft instead.`,
    ),
    h(
      "div",
      { class: "content-preview__languages" },
      LANGUAGES.map(([lang, language]) =>
        h(
          "section",
          {
            class: "content-preview__language",
            "aria-label": `Preview in ${language}`,
            dataset: { lang },
          },
          h("h4", { class: "heading-m", lang: "en" }, language),
          services(form, lang),
          policies(form, lang),
          nextSteps(form, lang),
          privacy(form, lang),
          questions(form, lang, questionOptions),
        ),
      ),
    ),
  );
}
