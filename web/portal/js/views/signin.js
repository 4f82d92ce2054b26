// The sign-in page: a username and password form (local stack), or a button that goes to
// the hosted UI (a deployment).

import { beginHostedSignIn, signInWithPassword, SignInError } from "../auth.js";
import { h, fill, focusOn } from "../../../shared/dom.js";
import { button, clearErrors, showErrors, textField, whileBusy } from "../../../shared/forms.js";

/**
 * Render the sign-in page into `view`. `message`: why we are here (signed out, session
 * ended). `onSignedIn()` runs after a password sign-in succeeds.
 */
export function renderSignIn(view, { auth, message, error, returnTo, onSignedIn }) {
  document.title = "Sign in — Staff portal — Report + Support";
  const heading = h("h1", { class: "heading-l" }, "Sign in");
  const notice = message ? h("p", { class: "inset" }, message) : null;

  if (auth.mode === "hosted") {
    const form = h(
      "form",
      { id: "sign-in", class: "form", novalidate: true },
      h("p", { class: "body" }, "Sign in with your university account to work on cases."),
      button("Sign in"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        await whileBusy(form, () => beginHostedSignIn(auth, returnTo));
      } catch (failure) {
        showErrors(form, [
          {
            text:
              failure instanceof SignInError
                ? failure.message
                : "Sign-in is not available at the moment.",
          },
        ]);
      }
    });
    fill(view, heading, notice, form);
    if (error) showErrors(form, [{ text: error }]);
    else focusOn(heading);
    return;
  }

  const fields = {
    username: { id: "sign-in-username", label: "Username", missing: "Enter your username" },
    password: { id: "sign-in-password", label: "Password", missing: "Enter your password" },
  };
  const form = h(
    "form",
    { id: "sign-in", class: "form", novalidate: true, "aria-labelledby": "sign-in-heading" },
    textField({
      id: fields.username.id,
      name: "username",
      label: "Username",
      hint: "Your staff directory id, for example ss-screener.",
      autocomplete: "username",
      spellcheck: false,
      widthClass: "input--width-20",
    }),
    textField({
      id: fields.password.id,
      name: "password",
      label: "Password",
      type: "password",
      autocomplete: "current-password",
      widthClass: "input--width-20",
    }),
    button("Sign in"),
  );
  heading.id = "sign-in-heading";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    const missing = [];
    if (!username) missing.push({ field: "username", message: "is required" });
    if (!password) missing.push({ field: "password", message: "is required" });
    if (missing.length) {
      showErrors(form, missing, fields);
      return;
    }
    try {
      await whileBusy(form, () => signInWithPassword(auth, username, password));
    } catch (failure) {
      const text =
        failure instanceof SignInError
          ? failure.message
          : "Sign-in is not available at the moment.";
      const field = failure instanceof SignInError ? failure.field : null;
      if (field) {
        form.elements.password.value = "";
        showErrors(form, [{ field, message: "", text }], fields);
      } else {
        showErrors(form, [{ text }]);
      }
      return;
    }
    onSignedIn();
  });
  fill(
    view,
    heading,
    notice,
    h(
      "p",
      { class: "body" },
      "Sign in to work on reports. This is the local development stack: use a demo sign-in it printed when it started.",
    ),
    form,
  );
  if (error) showErrors(form, [{ text: error }]);
}
