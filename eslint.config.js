// ESLint: typescript-eslint's strict, type-aware rules over every TypeScript file in the repository.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Generated CometBFT schemas are checked against their source by `npm run proto:check`, not linted.
  // What .gitignore leaves out (build output, reports, scratch files) is not linted either.
  { ignores: ["dist/", "coverage/", "docs/api/", "scratch/", ".cache/", "src/proto/", "interop/", "bench/go-mconn/", "bench/results/", "soak/results/", "test/adversarial/results/"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers (counts, ids, byte lengths) in messages read as written; null, undefined and objects stay forbidden.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // `(x) => subject.next(x)` is the RxJS idiom for a callback; a void value used anywhere else is still reported.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // A `!` in src/ says why the value is there (an eslint-disable comment with its reason) or goes.
      "@typescript-eslint/no-non-null-assertion": "error",
      // An overload with its own doc comment (e.g. an @internal form) is documentation, not duplication.
      "@typescript-eslint/unified-signatures": ["error", { ignoreOverloadsWithDifferentJSDoc: true }],
      // tsc's noUnusedLocals/noUnusedParameters report unused names, and count a type imported for a doc comment's {@link}; this rule does not.
      "@typescript-eslint/no-unused-vars": "off",
    },
  },
  {
    // Public RxJS only: internals change in minor releases. Compose with
    // `new Observable((subscriber) => source.subscribe({ ... }))` and operator functions instead.
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["rxjs/internal", "rxjs/internal/*", "rxjs/src/*"], message: "RxJS internals change in minor releases: import from \"rxjs\" (or \"rxjs/testing\")." }] },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: ":matches(ClassDeclaration, ClassExpression)[superClass.name='Subscriber'], :matches(ClassDeclaration, ClassExpression)[superClass.property.name='Subscriber']", message: "Do not extend RxJS's Subscriber (internal in RxJS 8): subscribe with an observer object." },
        { selector: "NewExpression[callee.name='Subscriber']", message: "Do not construct RxJS's Subscriber (deprecated): subscribe with an observer object." },
        { selector: "MethodDefinition[key.name='lift'], PropertyDefinition[key.name='lift']", message: "Do not override Observable.lift (internal): override pipe() or compose with new Observable()." },
        { selector: "CallExpression[callee.property.name='lift']", message: "Do not call Observable.lift (internal): use pipe() with operator functions." },
        { selector: "AssignmentExpression[left.type='MemberExpression'][left.property.name='operator']", message: "Observable.operator is internal to RxJS: compose with new Observable() instead." },
      ],
    },
  },
  {
    // Tests, examples and benchmarks assert what they expect; a `!` there fails the test loudly if wrong.
    files: ["test/**", "examples/**", "bench/**", "soak/**", "scripts/**"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // Mocha loads reporters with require(), so the reporter is CommonJS.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
