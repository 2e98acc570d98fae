/**
 * The layers of src/, checked by `npm test` (`depcruise src`). Each layer imports only the
 * layers below it (docs/architecture.md draws them):
 *
 *   error-base.ts, logger.ts, proto/  (shared bases; generated schemas)
 *   duplex → wire → secret → mconn → p2p → { cometbft, pex } → { metrics, testing } → cli
 *
 * plus the entry points (index.ts, operators.ts, proto.ts, errors.ts), which gather exports and
 * are imported by nothing inside a layer. `src/errors.ts` gathers every layer's errors for
 * users: a layer takes its errors from its own `errors.ts`, a lower layer's, and
 * `error-base.ts`.
 */
const order = ["duplex", "wire", "secret", "mconn", "p2p", "cometbft|pex", "metrics|testing", "cli"];

/** Folders a layer may not import: every layer above it and its siblings. */
function forbiddenFor(index) {
  const [own, ...rest] = [order[index], ...order.slice(index + 1)];
  const siblings = own.split("|");
  return siblings.map((layer) => ({
    name: `${layer}-imports-down-only`,
    comment: `src/${layer} imports only the layers below it`,
    severity: "error",
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${[...siblings.filter((s) => s !== layer), ...rest.flatMap((r) => r.split("|")), "index\\.ts$", "operators\\.ts$", "proto\\.ts$"].join("|")})` },
  }));
}

module.exports = {
  forbidden: [
    ...order.flatMap((_, i) => forbiddenFor(i)),
    {
      name: "bases-import-nothing-above",
      comment: "error-base.ts, logger.ts and the generated schemas sit below every layer",
      severity: "error",
      from: { path: "^src/(error-base\\.ts|logger\\.ts|proto/)" },
      to: { path: "^src/(duplex|wire|secret|mconn|p2p|cometbft|pex|metrics|testing|cli)/|^src/(index|operators|proto|errors)\\.ts$" },
    },
    {
      name: "errors-aggregate-is-for-users",
      comment: "src/errors.ts gathers every layer's errors for users; inside, import the layer's own errors.ts and error-base.ts",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/index\\.ts$" },
      to: { path: "^src/errors\\.ts$" },
    },
    {
      name: "no-circular",
      comment: "no import cycle at run time, between folders or within one (the layers above already rule out a cycle between folders, type-only imports included)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "node", "default"] },
  },
};
