// The portal's form widgets are the shared library's (web/shared/forms.js). This file stays
// only while views/case.js, being rewritten, still imports from it; it goes once that view
// imports the shared library itself.

export {
  button,
  choices,
  clearErrors,
  showErrors,
  textField,
  whileBusy,
} from "../../shared/forms.js";
