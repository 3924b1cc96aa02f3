// ESLint for the app, its tests, the end-to-end test and the build scripts; formatting is Prettier's
// (npm run lint checks both).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "target/", "node_modules/", "src/generated/", "e2e/screenshots/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["scripts/**/*.mjs", "*.config.*", "src/**/*.test.ts"],
    languageOptions: { globals: globals.node },
  },
  {
    // Node drives the browser; the functions it hands to page.evaluate run in the page
    files: ["e2e/**/*.mjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
