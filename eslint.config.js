// ESLint for the static front ends (web/): native ES modules in the browser, no build step.
// `scripts/test` runs `npx eslint web bench eslint.config.js`; see the README's developers section.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Not linted: the vendored libraries are third-party files kept byte for byte.
    ignores: [
      "node_modules/",
      "infra/node_modules/",
      "cdk.out/",
      ".venv/",
      ".venv-checkov/",
      ".build/",
      "chalice.out/",
      "test-artifacts/",
      "web/portal/vendor/",
      "tests/browser/vendor/",
    ],
  },
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      // An unused argument is often a handler's `event`, named for the reader.
      // `_` names a value only counted (`for (const _ of text)`).
      "no-unused-vars": ["error", { args: "none", varsIgnorePattern: "^_$" }],
    },
  },
  {
    // Node scripts (the benchmarks drive a browser: their page callbacks see its globals).
    files: ["eslint.config.js", "bench/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];
