// The staff portal: configuration, sign-in, and a small hash router.
//
//   #/                      the queue (screeners, advisors), find a case (admins); analysts
//                           with no case role go on to #/insights
//   #/?status=&priority=&overdue=true   the queue, filtered
//   #/cases/RS-XXXX-XXXX    a case
//   #/insights?from=YYYY-MM&to=YYYY-MM  the anonymised dashboard (analysts only)
//   #/rights                rights requests: open ones and logging one (admins only)
//   #/rights/<request id>   one rights request (admins only)
//   #/records?month=YYYY-MM what retention redacted and deleted in a month (admins only)
//   #/content               the content reporters see: versions, a draft, publishing (admins)
//   #/directory             the staff directory: teams, members, recent changes (admins only)
//   #/directory/<member id> one member: change them, deactivate or reactivate (admins only)
//
// A page a role may not use shows "No access to this page" and asks the API for nothing.
// Which pages a member may use is what `GET /staff/me` allows (`allowed_staff_actions`).
//
// Hashes that do not start with "#/" are in-page jumps and leave the page alone.

import { may } from "./access.js";
import { configureApi, SignedOut, staff, ApiError, reportForm } from "./api.js";
import { completeHostedSignIn, currentSession, signOut, SignInError } from "./auth.js";
import { ConfigError, loadConfig } from "./config.js";
import { focusOn, h, fill } from "../../shared/dom.js";
import { label, ROLE, setLabels, setTimeZone, listOf } from "./format.js";
import { renderCase, forgetCase } from "./views/case/page.js";
import { renderContent } from "./views/content/page.js";
import { renderDirectory, renderMember } from "./views/directory.js";
import { renderHome } from "./views/home.js";
import { renderInsights } from "./views/insights.js";
import { renderRetentionLog } from "./views/records.js";
import { renderRightsList, renderRightsRequest } from "./views/rights.js";
import { renderSignIn } from "./views/signin.js";

const view = document.getElementById("view");
const statusRegion = document.getElementById("status");
const accountNav = document.getElementById("account-nav");
const signedInAs = document.getElementById("signed-in-as");
const sectionNav = document.getElementById("section-nav");

let config = null;
let me = null;
let renderCount = 0;
let firstRender = true;

/** Show a message in the status region (an aria-live region) and, by default, focus it. */
function announce(text, { kind = "success", title = null, focus = true, detail = null } = {}) {
  const banner = h(
    "div",
    { class: `banner banner--${kind}`, tabindex: "-1", "data-testid": "status-banner" },
    title ? h("h2", { class: "banner__title" }, title) : null,
    h("p", { class: "banner__text" }, text),
    detail ? h("p", { class: "banner__text" }, detail) : null,
  );
  fill(statusRegion, banner);
  if (focus) focusOn(banner);
}

function clearStatus() {
  statusRegion.replaceChildren();
}

/** The pages the member may use, in the order the navigation lists them. */
function sectionsFor(member) {
  const sections = [];
  if (may(member, "work_queue")) {
    // The queue's name only: a screener's is their team's, an advisor's their own cases.
    const screener = member.roles.includes("screener");
    sections.push({ path: "/", text: screener ? "Screening queue" : "Your cases" });
  } else if (may(member, "find_case")) {
    sections.push({ path: "/", text: "Find a case" });
  }
  if (may(member, "handle_rights_requests")) {
    sections.push({ path: "/rights", text: "Rights requests" });
  }
  if (may(member, "read_records")) sections.push({ path: "/records", text: "Retention log" });
  if (may(member, "read_insights")) sections.push({ path: "/insights", text: "Insights" });
  if (may(member, "manage_content")) sections.push({ path: "/content", text: "Content" });
  if (may(member, "manage_directory")) {
    sections.push({ path: "/directory", text: "Staff directory" });
  }
  return sections;
}

/** The section navigation: links to the pages the signed-in role may use. */
function showSections(path) {
  const sections = me ? sectionsFor(me) : [];
  if (sections.length === 0) {
    sectionNav.hidden = true;
    sectionNav.replaceChildren();
    return;
  }
  const active = (section) =>
    section.path === "/"
      ? path === "/" || path === "" || path.startsWith("/cases/")
      : path === section.path || path.startsWith(`${section.path}/`);
  fill(
    sectionNav,
    h(
      "ul",
      { class: "width-container section-nav__list" },
      sections.map((section) =>
        h(
          "li",
          { class: "section-nav__item" },
          h(
            "a",
            {
              class: "section-nav__link",
              href: `#${section.path}`,
              "aria-current": active(section) ? "page" : null,
            },
            section.text,
          ),
        ),
      ),
    ),
  );
  sectionNav.hidden = false;
}

function showAccount() {
  if (!me) {
    accountNav.hidden = true;
    showSections("");
    return;
  }
  const roles = listOf(me.roles.map((role) => label(ROLE, role)));
  signedInAs.replaceChildren(
    "Signed in as ",
    h("strong", null, me.member_id),
    roles ? ` (${roles})` : "",
  );
  accountNav.hidden = false;
}

function parseHash() {
  const hash = location.hash || "#/";
  const [path, query = ""] = hash.slice(1).split("?");
  return { path, query: new URLSearchParams(query) };
}

function showSignIn(options = {}) {
  me = null;
  forgetCase();
  showAccount();
  renderSignIn(view, {
    auth: config.auth,
    returnTo: location.hash && location.hash.startsWith("#/") ? location.hash : "#/",
    onSignedIn: () => {
      clearStatus();
      route({ afterSignIn: true });
    },
    ...options,
  });
}

function showNoAccess() {
  showProblem(
    "No access to this page",
    "Your role does not give you access to this page. Use the links at the top of the page to go to the pages you can use.",
  );
}

function showProblem(title, text) {
  document.title = `${title} — Staff portal — Report + Support`;
  const heading = h("h1", { class: "heading-l" }, title);
  fill(view, heading, h("p", { class: "body" }, text));
  focusOn(heading);
}

async function route({ afterSignIn = false } = {}) {
  if (location.hash && !location.hash.startsWith("#/")) return;
  const ticket = ++renderCount;
  const current = () => ticket === renderCount;
  if (!afterSignIn) clearStatus();

  if (!currentSession()) {
    showSignIn();
    return;
  }
  if (!me) {
    try {
      // The institution's names for its teams and risk flags come with who is signed in;
      // without them (a failed call) the pages show the ids in words.
      const [member, labels] = await Promise.all([staff.me(), staff.labels().catch(() => null)]);
      setLabels(labels);
      me = member;
    } catch (failure) {
      if (failure instanceof SignedOut || !current()) return;
      showProblem(
        "You cannot use the portal",
        failure instanceof ApiError && failure.status === 403
          ? "You are signed in, but you are not in the staff directory. Ask the service team to add you."
          : failure instanceof ApiError
            ? failure.sentence
            : "Something went wrong. Reload the page to try again.",
      );
      return;
    }
    if (!current()) return;
  }
  showAccount();

  const { path, query } = parseHash();
  showSections(path);
  const context = {
    view,
    me,
    query,
    current,
    announce,
    clearStatus,
    navigate: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
  };
  const caseMatch = /^\/cases\/(RS-[A-Z0-9]{4}-[A-Z0-9]{4})$/.exec(path);
  const requestMatch = /^\/rights\/([A-Za-z0-9_-]{1,100})$/.exec(path);
  const memberMatch = /^\/directory\/([a-z0-9][a-z0-9_-]{0,63})$/.exec(path);
  const caseAccess = may(me, "find_case");
  const insights = may(me, "read_insights");
  const rights = may(me, "handle_rights_requests");
  const directory = may(me, "manage_directory");
  try {
    if (
      path === "/insights" ||
      path === "/rights" ||
      path === "/records" ||
      path === "/content" ||
      path === "/directory" ||
      requestMatch ||
      memberMatch
    ) {
      forgetCase();
      if (path === "/insights" && insights) await renderInsights(context);
      else if (path === "/directory" && directory) await renderDirectory(context);
      else if (memberMatch && directory) await renderMember(context, memberMatch[1]);
      else if (path === "/rights" && rights) await renderRightsList(context);
      else if (path === "/records" && may(me, "read_records")) await renderRetentionLog(context);
      else if (requestMatch && rights) await renderRightsRequest(context, requestMatch[1]);
      else if (path === "/content" && may(me, "manage_content")) await renderContent(context);
      else showNoAccess();
    } else if (!caseAccess && insights && (path === "/" || path === "")) {
      // The analysts' home is the dashboard.
      history.replaceState(null, "", `${location.pathname}${location.search}#/insights`);
      showSections("/insights");
      await renderInsights({ ...context, query: new URLSearchParams() });
    } else if (!caseAccess) {
      // Analysts (and any member who may find no case) see one short page, whatever the address.
      forgetCase();
      await renderHome(context);
    } else if (caseMatch) {
      await renderCase(context, caseMatch[1]);
    } else {
      forgetCase();
      if (path === "/" || path === "") {
        await renderHome(context);
      } else {
        showProblem("Page not found", "There is no such page in the staff portal.");
      }
    }
  } catch (failure) {
    if (failure instanceof SignedOut || !current()) return;
    showProblem(
      "Something went wrong",
      failure instanceof ApiError ? failure.sentence : "Reload the page to try again.",
    );
    if (!(failure instanceof ApiError)) console.error(failure);
    return;
  }
  if (current() && !firstRender && !afterSignIn) {
    focusOn(view.querySelector("h1"));
  } else if (current() && afterSignIn) {
    focusOn(view.querySelector("h1"));
  }
  firstRender = false;
}

async function start() {
  try {
    config = await loadConfig();
  } catch (failure) {
    showProblem(
      "The portal is not set up",
      failure instanceof ConfigError
        ? `The site configuration is missing or incomplete (${failure.message}).`
        : "The site configuration could not be read.",
    );
    return;
  }
  configureApi(config.apiUrl, () =>
    showSignIn({ message: "Your session has ended. Sign in again to carry on." }),
  );
  reportForm().then((form) => setTimeZone(form && form.time_zone));

  document.getElementById("sign-out").addEventListener("click", () => {
    if (signOut(config.auth)) return; // on its way to the hosted UI's sign-out
    clearStatus();
    history.replaceState(null, "", `${location.pathname}#/`);
    showSignIn({ message: "You have signed out." });
  });
  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    focusOn(document.getElementById("main"));
  });
  window.addEventListener("hashchange", () => route());
  if (location.hash && !location.hash.startsWith("#/")) {
    // An in-page jump opened as a fresh page (say, in a new tab): start at the home page.
    history.replaceState(null, "", `${location.pathname}${location.search}#/`);
  }

  if (config.auth.mode === "hosted") {
    try {
      const completed = await completeHostedSignIn(config.auth);
      if (completed) {
        await route({ afterSignIn: true });
        return;
      }
    } catch (failure) {
      showSignIn({
        error:
          failure instanceof SignInError ? failure.message : "Sign-in did not work. Try again.",
      });
      return;
    }
  }
  await route();
}

start();
