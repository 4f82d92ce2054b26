// The follow-up page (`/report/follow-up.html`): an anonymous reporter comes back with their
// receipt code to read their report, its status in plain words and the thread with staff,
// and to send a message. The code is the only key: sent in request bodies only, kept in
// this tab's sessionStorage only while the report is open; Sign out and quick exit (the
// button, or Escape twice, as on every reporter page) forget it.
//
// This file starts the page; the page itself is in js/follow-up/, a module per concern:
// state.js (what the page holds), code.js (the code's shape), session.js (the code kept in
// the tab), api.js (the two calls and what their answers mean), code-form.js (entering the
// code), report.js (the copy of the report), thread.js (the messages and the message form),
// pieces.js (shared pieces) and page.js (the flow and drawing).

import { keepTyped, render, startPage } from "./js/follow-up/page.js";
import { page } from "./js/follow-up/state.js";
import { loadForm, onLanguageChange, startChrome, useFormData } from "./site.js";

async function start() {
  startChrome();
  try {
    page.form = await loadForm();
    useFormData(page.form);
  } catch {
    // The chrome keeps its defaults and times are shown in the device's zone; the report
    // itself does not need the form data.
    page.form = null;
  }
  await startPage();
  onLanguageChange(() => {
    keepTyped();
    render();
  });
  document.documentElement.dataset.ready = "true";
}

start();
