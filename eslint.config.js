// One lint tool for the project: ESLint with typescript-eslint's type-aware rules, so floating
// promises and misused promises are errors rather than conventions.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

// The daemon's floors, lowest first (docs/architecture.md). A folder imports only folders on
// lower floors, never its own floor's neighbours, so no circle can form between folders;
// import-x/no-cycle catches circles between files inside a folder. Moving a folder up or down is
// a design decision: change it here and in docs/architecture.md together.
const FLOORS = [
  ["contract"],
  ["core"],
  ["config"],
  ["store"],
  ["audit"],
  ["sync"],
  ["auth", "inference"],
  ["ingest"],
  ["incidents"],
  ["analytics", "watchlist", "health"],
  ["http"],
  ["compose"],
  ["main.ts"],
  ["cli"],
];

const target = (folder) => (folder.endsWith(".ts") ? `${folder.slice(0, -3)}\\.js$` : `${folder}/`);

function floorRules() {
  return FLOORS.flatMap((floor, level) =>
    floor.map((folder) => {
      const above = FLOORS.slice(level)
        .flat()
        .filter((f) => f !== folder);
      if (above.length === 0) return {};
      return {
        files: [folder.endsWith(".ts") ? `src/${folder}` : `src/${folder}/**/*.ts`],
        rules: {
          "no-restricted-imports": [
            "error",
            {
              patterns: [
                {
                  regex: `^(\\.\\./)+(${above.map(target).join("|")})`,
                  message: `src/${folder} is on floor ${level}: it imports only from lower floors (eslint.config.js FLOORS, docs/architecture.md).`,
                },
              ],
            },
          ],
        },
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/data/**", "var/**", "console/src/api/openapi.gen.ts"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: ["error", "always"],
      // Component.start/stop are async by contract even when a given part has nothing to await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
    },
    rules: { "import-x/no-cycle": "error" },
  },
  ...floorRules(),
  // The console (console/, its own tsconfig for the browser): what runs in an operator's browser
  // reaches the daemon only through its typed API client, keeps tokens out of storage, and
  // imports nothing of Node or of the daemon beyond the shared contract.
  {
    files: ["console/src/**/*.ts", "console/src/**/*.tsx"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "localStorage", message: "Tokens and user data stay in memory (issue 14): no web storage." },
        { name: "sessionStorage", message: "Tokens and user data stay in memory (issue 14): no web storage." },
        { name: "eval", message: "The CSP forbids eval." },
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "The console runs in a browser." },
            {
              regex: "^(\\.\\./)+src/(?!contract/|incidents/lifecycle$)",
              message:
                "Share the contract (src/contract) and the pure lifecycle rules only; reach the daemon through the API client.",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: "No raw HTML in the console." },
      ],
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
