// The portal's DOM helpers are the shared library's (web/shared/dom.js and forms.js). This
// file stays only while views/case.js, being rewritten, still imports from it; it goes once
// that view imports the shared library itself.

export { append, focusOn, fill as replace, h, jumpLink, uid } from "../../shared/dom.js";
export { formValues, restoreInputs, snapshotInputs } from "../../shared/forms.js";
