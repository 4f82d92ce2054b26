// Shared by every reporter page: the interface text in English and Welsh, the language
// switch, quick exit (button and Escape twice), the "Get help now" panel, loading the form
// data from the API, and the resources and privacy pages.
//
// Nothing here talks to any host but this page's own origin, and nothing is stored
// anywhere but this tab's sessionStorage.

export const STRINGS = {
  en: {
    serviceName: "Report and get support",
    skipLink: "Skip to main content",
    quickExit: "Quick exit",
    getHelpNow: "Get help now",
    emergencyLine: "If you or someone else is in immediate danger, call 999.",
    allSupport: "All support services and helplines",
    call: "Call {phone}",
    hours: "Open: {hours}",
    website: "Website of {name}",
    footerSupport: "Support services",
    footerPrivacy: "Privacy notice",
    footerQuickExit: "To leave this site quickly, select Quick exit.",
    footerQuickExitKeys: "To leave this site quickly, select Quick exit or press Escape twice.",
    loading: "Loading…",
    loadFailedTitle: "Sorry, the form could not be loaded",
    loadFailed:
      "Please try again in a few minutes. If you need help now, call 999 in an emergency, or use the support services in “Get help now” at the top of this page.",
    tryAgain: "Try again",
    startHeading: "Report and get support",
    startIntro:
      "Use this form to tell us about bullying, harassment, sexual misconduct, a hate incident or discrimination.",
    startSteps:
      "It takes about 5 minutes. You answer one short question at a time, and you can go back and change your answers before you send them.",
    startChoice:
      "At the end, you choose whether to report anonymously, or to give your name so that an advisor can contact you and offer support.",
    startSafetyHeading: "Your safety",
    startSafety:
      "Your answers are kept only in this browser tab until you send them. Select Quick exit to leave this site at once and clear them.",
    startSafetyKeys:
      "Your answers are kept only in this browser tab until you send them. Select Quick exit, or press Escape twice, to leave this site at once and clear them.",
    startPrivacyHeading: "Your privacy",
    start: "Start",
    progress: "Step {n} of {total}",
    back: "Back",
    continue: "Continue",
    optionalQuestion: "This question is optional. You can leave it and select Continue.",
    maxChars: "You can enter up to {max} characters.",
    narrativeHeading: "Tell us what happened, in your own words (optional)",
    narrativeHint:
      "You can leave this out. Write as much or as little as you like. Only the team handling your report can read it.",
    demographicsHeading: "About you (optional)",
    demographicsIntro:
      "These questions help us see whether some groups of people are affected more than others. Every question is optional, and each has a “Prefer not to say” answer. Your answers are kept apart from your report and used only for anonymised statistics: advisors never see them.",
    modeHeading: "How do you want to send this report?",
    modeAnonymous: "Anonymously",
    modeAnonymousHint:
      "You do not give your name. No one can contact you about this report, so we cannot offer you support through it. It still helps us understand and prevent harassment.",
    modeNamed: "With my name, so that an advisor can contact me",
    modeNamedHint:
      "An advisor will contact you within 2 working days to offer support and talk through your options. Only the team supporting you will see your details.",
    contactHeading: "How can an advisor contact you?",
    contactIntro:
      "An advisor will contact you within 2 working days, in the way and at the times you choose.",
    contactName: "Your name",
    contactEmail: "Email address",
    contactEmailHint: "We will use this only to contact you about your report.",
    contactPhone: "Phone number (optional)",
    contactPhoneHint: "We need this if you would prefer a phone call.",
    contactMethod: "How would you prefer to be contacted?",
    safeTimes: "When is it safe to contact you? (optional)",
    safeTimesHint: "For example: weekday mornings; not after 6pm; do not leave a voicemail.",
    advisorPreference: "Would you prefer a particular advisor? (optional)",
    advisorPreferenceHint:
      "Select all that apply. We will try to find an advisor who fits them all.",
    reviewHeading: "Check your answers before sending",
    reviewAbout: "What happened",
    reviewAccount: "Your account",
    reviewAccountKey: "In your own words",
    reviewAboutYou: "About you",
    reviewHow: "How you are reporting",
    reviewMode: "Anonymous or named",
    notAnswered: "Not answered",
    change: "Change",
    changeHidden: " your answer to: {label}",
    privacyHeading: "Your privacy",
    privacyLink: "Read the privacy notice",
    send: "Send report",
    sending: "Sending your report…",
    errorSummaryTitle: "There is a problem",
    errorTitlePrefix: "Error: ",
    errorHidden: "Error:",
    errChooseOne: "Select an answer",
    errChooseMany: "Select at least one answer",
    errText: "Enter an answer",
    errTooLong: "This must be {max} characters or fewer",
    errOption: "Select one of the answers shown",
    errPreferenceAlone: "Select “No preference” on its own, or only the preferences you have",
    errMode: "Select whether to report anonymously or with your name",
    errName: "Enter your name",
    errEmailMissing: "Enter your email address",
    errEmail: "Enter an email address in the correct format, like name@example.com",
    errPhone: "Enter a phone number, like 07700 900 982 or +44 7700 900 982",
    errPhoneRequired: "Enter a phone number, or choose to be contacted by email",
    errContactMethod: "Select how you would prefer to be contacted",
    sendFailedTitle: "Your report has not been sent yet",
    sendFailed:
      "We could not send your report just now. Your answers are still here: please try again in a few moments.",
    formChanged:
      "This form was updated while you were filling it in. Check your answers, then send your report again.",
    conflict:
      "A report with different answers was already sent from this page. To send these answers as a new report, select Send report again.",
    confirmationHeading: "Report sent",
    yourReference: "Your reference",
    referenceHint:
      "Keep your reference somewhere safe, where no one else will see it. Quote it if you get in touch about this report.",
    nextHeading: "What happens next",
    supportHeading: "Support is available now",
    supportText: "You do not have to wait. These services can help now:",
    newReport: "Start a new report",
    resourcesHeading: "Support and emergency contacts",
    resourcesIntro: "You can contact these services whether or not you make a report.",
    emergencyHeading: "In an emergency",
    otherSupportHeading: "Support services",
    backToReport: "Back to the report form",
    privacyPageHeading: "Privacy notice",
    privacyVersion: "Version {version}",
    privacyRights:
      "You can ask to see, correct or delete the personal data we hold about you. Quote your reference if you have one.",
  },
  cy: {
    serviceName: "Rhoi gwybod a chael cymorth",
    skipLink: "Neidio i'r prif gynnwys",
    quickExit: "Gadael yn gyflym",
    getHelpNow: "Cael help nawr",
    emergencyLine: "Os ydych chi neu rywun arall mewn perygl uniongyrchol, ffoniwch 999.",
    allSupport: "Pob gwasanaeth cymorth a llinell gymorth",
    call: "Ffoniwch {phone}",
    hours: "Ar agor: {hours}",
    website: "Gwefan {name}",
    footerSupport: "Gwasanaethau cymorth",
    footerPrivacy: "Hysbysiad preifatrwydd",
    footerQuickExit: "I adael y wefan hon yn gyflym, dewiswch “Gadael yn gyflym”.",
    footerQuickExitKeys:
      "I adael y wefan hon yn gyflym, dewiswch “Gadael yn gyflym” neu pwyswch Escape ddwywaith.",
    loading: "Wrthi'n llwytho…",
    loadFailedTitle: "Mae'n ddrwg gennym, doedd dim modd llwytho'r ffurflen",
    loadFailed:
      "Rhowch gynnig arall arni ymhen ychydig funudau. Os oes angen help arnoch chi nawr, ffoniwch 999 mewn argyfwng, neu defnyddiwch y gwasanaethau cymorth o dan “Cael help nawr” ar frig y dudalen hon.",
    tryAgain: "Rhoi cynnig arall arni",
    startHeading: "Rhoi gwybod a chael cymorth",
    startIntro:
      "Defnyddiwch y ffurflen hon i roi gwybod i ni am fwlio, aflonyddu, camymddwyn rhywiol, digwyddiad casineb neu wahaniaethu.",
    startSteps:
      "Mae'n cymryd tua 5 munud. Rydych chi'n ateb un cwestiwn byr ar y tro, a gallwch chi fynd yn ôl a newid eich atebion cyn eu hanfon.",
    startChoice:
      "Ar y diwedd, byddwch chi'n dewis a ydych chi am roi gwybod yn ddienw, neu roi eich enw fel bod cynghorydd yn gallu cysylltu â chi a chynnig cymorth.",
    startSafetyHeading: "Eich diogelwch",
    startSafety:
      "Dim ond yn y tab hwn yn eich porwr y caiff eich atebion eu cadw nes i chi eu hanfon. Dewiswch “Gadael yn gyflym” i adael y wefan hon ar unwaith a'u clirio.",
    startSafetyKeys:
      "Dim ond yn y tab hwn yn eich porwr y caiff eich atebion eu cadw nes i chi eu hanfon. Dewiswch “Gadael yn gyflym”, neu pwyswch Escape ddwywaith, i adael y wefan hon ar unwaith a'u clirio.",
    startPrivacyHeading: "Eich preifatrwydd",
    start: "Dechrau",
    progress: "Cam {n} o {total}",
    back: "Yn ôl",
    continue: "Parhau",
    optionalQuestion: "Does dim rhaid ateb y cwestiwn hwn. Gallwch chi ei adael a dewis “Parhau”.",
    maxChars: "Gallwch chi roi hyd at {max} nod.",
    narrativeHeading: "Dywedwch wrthon ni beth ddigwyddodd, yn eich geiriau eich hun (dewisol)",
    narrativeHint:
      "Gallwch chi adael hyn allan. Ysgrifennwch gymaint neu gyn lleied ag y dymunwch chi. Dim ond y tîm sy'n delio â'ch adroddiad all ei ddarllen.",
    demographicsHeading: "Amdanoch chi (dewisol)",
    demographicsIntro:
      "Mae'r cwestiynau hyn yn ein helpu i weld a yw rhai grwpiau o bobl yn cael eu heffeithio'n fwy nag eraill. Does dim rhaid ateb unrhyw gwestiwn, ac mae gan bob un yr ateb “Gwell gen i beidio â dweud”. Caiff eich atebion eu cadw ar wahân i'ch adroddiad a'u defnyddio ar gyfer ystadegau dienw yn unig: dydy cynghorwyr byth yn eu gweld.",
    modeHeading: "Sut hoffech chi anfon yr adroddiad hwn?",
    modeAnonymous: "Yn ddienw",
    modeAnonymousHint:
      "Dydych chi ddim yn rhoi eich enw. Does neb yn gallu cysylltu â chi am yr adroddiad hwn, felly allwn ni ddim cynnig cymorth i chi drwyddo. Mae'n dal i'n helpu ni i ddeall ac atal aflonyddu.",
    modeNamed: "Gyda fy enw, fel bod cynghorydd yn gallu cysylltu â fi",
    modeNamedHint:
      "Bydd cynghorydd yn cysylltu â chi o fewn 2 ddiwrnod gwaith i gynnig cymorth a thrafod eich opsiynau. Dim ond y tîm sy'n eich cefnogi fydd yn gweld eich manylion.",
    contactHeading: "Sut gall cynghorydd gysylltu â chi?",
    contactIntro:
      "Bydd cynghorydd yn cysylltu â chi o fewn 2 ddiwrnod gwaith, yn y ffordd ac ar yr adegau rydych chi'n eu dewis.",
    contactName: "Eich enw",
    contactEmail: "Cyfeiriad e-bost",
    contactEmailHint: "Byddwn ni'n defnyddio hwn dim ond i gysylltu â chi am eich adroddiad.",
    contactPhone: "Rhif ffôn (dewisol)",
    contactPhoneHint: "Mae angen hwn arnon ni os byddai'n well gennych chi gael galwad ffôn.",
    contactMethod: "Sut byddai'n well gennych chi i ni gysylltu â chi?",
    safeTimes: "Pryd mae'n ddiogel cysylltu â chi? (dewisol)",
    safeTimesHint:
      "Er enghraifft: boreau yn ystod yr wythnos; dim ar ôl 6pm; peidiwch â gadael neges llais.",
    advisorPreference: "Oes gennych chi ffafriaeth o ran cynghorydd? (dewisol)",
    advisorPreferenceHint:
      "Dewiswch bob un sy'n berthnasol. Byddwn yn ceisio dod o hyd i gynghorydd sy'n cyfateb i bob un.",
    reviewHeading: "Gwiriwch eich atebion cyn anfon",
    reviewAbout: "Beth ddigwyddodd",
    reviewAccount: "Eich disgrifiad",
    reviewAccountKey: "Yn eich geiriau eich hun",
    reviewAboutYou: "Amdanoch chi",
    reviewHow: "Sut rydych chi'n rhoi gwybod",
    reviewMode: "Dienw neu gydag enw",
    notAnswered: "Heb ateb",
    change: "Newid",
    changeHidden: " eich ateb i: {label}",
    privacyHeading: "Eich preifatrwydd",
    privacyLink: "Darllen yr hysbysiad preifatrwydd",
    send: "Anfon yr adroddiad",
    sending: "Wrthi'n anfon eich adroddiad…",
    errorSummaryTitle: "Mae problem wedi codi",
    errorTitlePrefix: "Gwall: ",
    errorHidden: "Gwall:",
    errChooseOne: "Dewiswch ateb",
    errChooseMany: "Dewiswch o leiaf un ateb",
    errText: "Rhowch ateb",
    errTooLong: "Rhaid i hwn fod yn {max} nod neu lai",
    errOption: "Dewiswch un o'r atebion sydd wedi'u dangos",
    errPreferenceAlone:
      "Dewiswch “Dim ffafriaeth” ar ei ben ei hun, neu dim ond y ffafriaethau sydd gennych",
    errMode: "Dewiswch a ydych chi am roi gwybod yn ddienw neu gyda'ch enw",
    errName: "Rhowch eich enw",
    errEmailMissing: "Rhowch eich cyfeiriad e-bost",
    errEmail: "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
    errPhone: "Rhowch rif ffôn, fel 07700 900 982 neu +44 7700 900 982",
    errPhoneRequired: "Rhowch rif ffôn, neu dewiswch i ni gysylltu â chi drwy e-bost",
    errContactMethod: "Dewiswch sut byddai'n well gennych chi i ni gysylltu â chi",
    sendFailedTitle: "Dydy eich adroddiad ddim wedi'i anfon eto",
    sendFailed:
      "Allen ni ddim anfon eich adroddiad y funud hon. Mae eich atebion yn dal yma: rhowch gynnig arall arni ymhen ychydig eiliadau.",
    formChanged:
      "Cafodd y ffurflen hon ei diweddaru tra oeddech chi'n ei llenwi. Gwiriwch eich atebion, yna anfonwch eich adroddiad eto.",
    conflict:
      "Mae adroddiad gydag atebion gwahanol eisoes wedi'i anfon o'r dudalen hon. I anfon yr atebion hyn fel adroddiad newydd, dewiswch “Anfon yr adroddiad” eto.",
    confirmationHeading: "Adroddiad wedi'i anfon",
    yourReference: "Eich cyfeirnod",
    referenceHint:
      "Cadwch eich cyfeirnod yn rhywle diogel, lle na fydd neb arall yn ei weld. Nodwch ef os byddwch chi'n cysylltu â ni am yr adroddiad hwn.",
    nextHeading: "Beth sy'n digwydd nesaf",
    supportHeading: "Mae cymorth ar gael nawr",
    supportText: "Does dim rhaid i chi aros. Gall y gwasanaethau hyn helpu nawr:",
    newReport: "Dechrau adroddiad newydd",
    resourcesHeading: "Cymorth a chysylltiadau brys",
    resourcesIntro:
      "Gallwch chi gysylltu â'r gwasanaethau hyn p'un a ydych chi'n gwneud adroddiad ai peidio.",
    emergencyHeading: "Mewn argyfwng",
    otherSupportHeading: "Gwasanaethau cymorth",
    backToReport: "Yn ôl i'r ffurflen",
    privacyPageHeading: "Hysbysiad preifatrwydd",
    privacyVersion: "Fersiwn {version}",
    privacyRights:
      "Gallwch chi ofyn am gael gweld, cywiro neu ddileu'r data personol sydd gennym ni amdanoch chi. Nodwch eich cyfeirnod os oes gennych chi un.",
  },
};

export const LANGUAGES = ["en", "cy"];
/** The button that switches to the other language names it in that language. */
const LANGUAGE_NAMES = { en: "English", cy: "Cymraeg" };

/** The keys this service keeps in sessionStorage; quick exit removes them all. */
export const KEYS = {
  draft: "report:draft",
  language: "report:language",
  receipt: "report:receipt",
};
/** Same origin, neutral, with no link back. Never another site: no outside requests. */
export const EXIT_URL = "/report/exit.html";
const ESCAPE_TWICE_MS = 1000;

// --- storage: this tab's sessionStorage only, with an in-memory fallback -----------------

const memory = new Map();
// Set for good by quick exit. From then on nothing may be written: removing the page's
// fields fires `change` (and a pending request may still answer), and their handlers save.
let exiting = false;

export const store = {
  get(key) {
    let raw = null;
    try {
      raw = window.sessionStorage.getItem(key);
    } catch {
      raw = memory.has(key) ? memory.get(key) : null;
    }
    if (raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  },
  set(key, value) {
    if (exiting) return;
    const raw = JSON.stringify(value);
    try {
      window.sessionStorage.setItem(key, raw);
    } catch {
      memory.set(key, raw);
    }
  },
  remove(key) {
    memory.delete(key);
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      // storage disabled: nothing was written there
    }
  },
};

// --- language --------------------------------------------------------------------------

let language = initialLanguage();
const languageListeners = [];

function initialLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (LANGUAGES.includes(asked)) {
    store.set(KEYS.language, asked);
    return asked;
  }
  const kept = store.get(KEYS.language);
  if (LANGUAGES.includes(kept)) return kept;
  const preferred = (navigator.languages || [navigator.language || "en"]).find((tag) =>
    LANGUAGES.includes(String(tag).slice(0, 2).toLowerCase()),
  );
  return preferred ? preferred.slice(0, 2).toLowerCase() : "en";
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  if (!LANGUAGES.includes(next) || next === language) return;
  language = next;
  store.set(KEYS.language, next);
  applyChrome();
  for (const listener of languageListeners) listener(next);
}

export function onLanguageChange(listener) {
  languageListeners.push(listener);
}

/** Interface text in the current language, with `{name}` placeholders filled. */
export function t(key, values = {}) {
  const text = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** A text from the institution's data: {text, lang}, English when there is no translation. */
export function local(text) {
  if (!text) return { text: "", lang: language };
  if (text[language]) return { text: text[language], lang: language };
  return { text: text.en ?? "", lang: "en" };
}

/** Put an institution text into an element, marking its language if it fell back. */
export function localText(element, text) {
  const { text: value, lang } = local(text);
  element.textContent = value;
  if (lang !== language) element.setAttribute("lang", lang);
  else element.removeAttribute("lang");
  return element;
}

// --- building the page -----------------------------------------------------------------

/**
 * A DOM element. `attrs` keys are attributes, except `text` (textContent), `on<event>`
 * (listeners) and values false/null/undefined (left out). Children may be strings.
 * Nothing is ever parsed as HTML.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace an element's content with these children (nulls left out). */
export function fill(element, ...children) {
  element.replaceChildren(
    ...children.flat().filter((child) => child !== null && child !== undefined && child !== false),
  );
  return element;
}

/** A paragraph holding an institution text. */
export function localParagraph(text, attrs = {}) {
  return localText(h("p", attrs), text);
}

// --- the form data -----------------------------------------------------------------------

let configPromise = null;
let formPromise = null;

/** `/config.json`: where the API is (`apiUrl`, "/api" when proxied on this origin). */
export function loadConfig() {
  if (!configPromise) {
    configPromise = fetchJson("/config.json").catch((error) => {
      configPromise = null;
      throw error;
    });
  }
  return configPromise;
}

export async function apiUrl(path) {
  const config = await loadConfig();
  const base = String(config.apiUrl || "/api").replace(/\/+$/, "");
  return base + path;
}

/** `GET /form`: questions, support resources, privacy notice and next steps. */
export function loadForm({ fresh = false } = {}) {
  if (!formPromise || fresh) {
    formPromise = apiUrl("/form")
      .then((url) => fetchJson(url, fresh ? { cache: "reload" } : {}))
      .catch((error) => {
        formPromise = null;
        throw error;
      });
  }
  return formPromise;
}

async function fetchJson(url, options = {}) {
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), 20000);
  try {
    const response = await fetch(url, {
      ...options,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return await response.json();
  } finally {
    window.clearTimeout(timer);
  }
}

// --- quick exit ---------------------------------------------------------------------------

/**
 * Leave at once: forget everything this service kept in the tab (and write nothing more),
 * blank the page (so a cached copy shows nothing) and replace it, in history too, with a
 * neutral page. The form's earlier history entries hold only an id that now points nowhere.
 */
export function quickExit() {
  exiting = true;
  for (const key of Object.values(KEYS)) store.remove(key);
  memory.clear();
  document.title = "Weather";
  try {
    // The current entry's state too: nothing of the form is left in this tab's history.
    window.history.replaceState(null, "");
    document.body.replaceChildren();
  } finally {
    window.location.replace(EXIT_URL);
  }
}

/** Whether quick exit has begun: the page is being left and must change nothing. */
export function isExiting() {
  return exiting;
}

let lastEscape = 0;

function onKeyDown(event) {
  if (event.key !== "Escape" || event.repeat) return;
  const now = Date.now();
  if (now - lastEscape <= ESCAPE_TWICE_MS) {
    event.preventDefault();
    quickExit();
  }
  lastEscape = now;
}

// --- the chrome every page shares ----------------------------------------------------------

let formData = null;

/** Translate everything marked `data-i18n`, set `lang`, relabel the language switch. */
function applyChrome() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const other = language === "en" ? "cy" : "en";
  for (const button of document.querySelectorAll("[data-action=language]")) {
    button.textContent = LANGUAGE_NAMES[other];
    button.setAttribute("lang", other);
  }
  if (formData) {
    for (const element of document.querySelectorAll("[data-institution-name]")) {
      localText(element, formData.institution);
    }
    renderHelp(formData);
  } else {
    renderHelp(null);
  }
}

/** The emergency contacts and a link to every support service, for the help panel. */
function renderHelp(data) {
  const body = document.querySelector("[data-help-body]");
  if (!body) return;
  const items = [h("p", { class: "help__emergency", text: t("emergencyLine") })];
  const emergency = (data?.support_resources || []).filter((r) => r.emergency);
  if (emergency.length) {
    items.push(
      h(
        "ul",
        {},
        emergency.map((resource) =>
          h(
            "li",
            {},
            localText(h("strong"), resource.name),
            resource.phone ? [": ", phoneLink(resource)] : null,
          ),
        ),
      ),
    );
  }
  items.push(h("p", {}, h("a", { href: "/report/resources.html", text: t("allSupport") })));
  body.replaceChildren(...items);
}

export function phoneLink(resource) {
  return h("a", {
    href: `tel:${resource.phone.replace(/[^0-9+]/g, "")}`,
    text: t("call", { phone: resource.phone }),
  });
}

/** One support service, as the resources page and the confirmation show it. */
export function resourceBlock(resource, headingLevel = "h3") {
  const link = safeUrl(resource.url);
  return h(
    "li",
    { class: `resource${resource.emergency ? " resource--emergency" : ""}` },
    localText(h(headingLevel), resource.name),
    localParagraph(resource.description),
    resource.phone ? h("p", {}, phoneLink(resource)) : null,
    resource.hours ? hoursLine(resource.hours) : null,
    link
      ? h("p", {}, h("a", { href: link, text: t("website", { name: local(resource.name).text }) }))
      : null,
  );
}

function hoursLine(hours) {
  const { text, lang } = local(hours);
  const value = h("span", { lang: lang !== language ? lang : null, text });
  const [before, after] = t("hours", { hours: "\u0000" }).split("\u0000");
  return h("p", {}, before, value, after);
}

/** Web links only (https); `tel:` numbers are shown as phone links instead. */
function safeUrl(url) {
  return typeof url === "string" && /^https:\/\//i.test(url) ? url : null;
}

/** Wire up the header, help panel and footer; returns once the form data is known. */
export function startChrome() {
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) return;
    if (target.dataset.action === "quick-exit") {
      event.preventDefault();
      quickExit();
    } else if (target.dataset.action === "language") {
      setLanguage(language === "en" ? "cy" : "en");
    }
  });
  // A page restored from the back-forward cache shows what it showed when left; after a
  // quick exit it must show nothing of it, so load it afresh.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
  applyChrome();
}

/** Remember the form data for the chrome (institution name, help panel). */
export function useFormData(data) {
  formData = data;
  applyChrome();
}

export function setTitle(heading, { error = false } = {}) {
  document.title = `${error ? t("errorTitlePrefix") : ""}${heading} – ${t("serviceName")}`;
}

// --- the resources and privacy pages ------------------------------------------------------

function renderResourcesPage(main, data) {
  setTitle(t("resourcesHeading"));
  const emergency = data ? data.support_resources.filter((r) => r.emergency) : [];
  const others = data ? data.support_resources.filter((r) => !r.emergency) : [];
  fill(
    main,
    h("h1", { text: t("resourcesHeading") }),
    h("p", { class: "lead", text: t("resourcesIntro") }),
    h("h2", { text: t("emergencyHeading") }),
    h("p", { class: "warning", text: t("emergencyLine") }),
    emergency.length
      ? h(
          "ul",
          { class: "resource-list" },
          emergency.map((r) => resourceBlock(r)),
        )
      : null,
    others.length ? h("h2", { text: t("otherSupportHeading") }) : null,
    others.length
      ? h(
          "ul",
          { class: "resource-list" },
          others.map((r) => resourceBlock(r)),
        )
      : null,
    data ? null : h("p", { text: t("loadFailed") }),
    h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
  );
}

function renderPrivacyPage(main, data) {
  setTitle(t("privacyPageHeading"));
  fill(
    main,
    h("h1", { text: t("privacyPageHeading") }),
    data
      ? localParagraph(data.privacy_notice.summary, { class: "lead" })
      : h("p", { text: t("loadFailed") }),
    data
      ? h("p", {
          class: "hint",
          text: t("privacyVersion", { version: data.privacy_notice.version }),
        })
      : null,
    h("p", { text: t("privacyRights") }),
    h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
  );
}

const PAGES = { resources: renderResourcesPage, privacy: renderPrivacyPage };

async function startContentPage(render) {
  startChrome();
  const main = document.querySelector("main");
  let data = null;
  try {
    data = await loadForm();
    useFormData(data);
  } catch {
    data = null;
  }
  render(main, data);
  onLanguageChange(() => render(main, data));
}

const page = document.body.dataset.page;
if (Object.hasOwn(PAGES, page)) startContentPage(PAGES[page]);
