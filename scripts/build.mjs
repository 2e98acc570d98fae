// Builds dist/ from src/ (tsc -p tsconfig.build.json) into an emptied folder, so that nothing a
// removed source file left behind is packed, then makes every `bin` of package.json executable
// and checks that it starts with a `#!/usr/bin/env node` line. The JavaScript is emitted without
// comments (what a program loads is code; `import "rx-mconn"` loads about 214 KB of it instead
// of 300 KB), then the declarations again with their doc comments, for editors and TypeDoc users.
//
// `npm run build`, `prepare` (so `npm install` in a clone gives a working `rx-mconn`) and `prepack`
// (so `npm pack` / `npm publish` ship a fresh dist/) all run this. npm runs `prepare` right after
// `prepack` when packing; that second build would be the same, so it is skipped. This file is not
// shipped: in an installed package, `prepare` finds no scripts/build.mjs and does nothing.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const { npm_lifecycle_event: event, npm_command: command } = process.env;
if (event === "prepare" && (command === "pack" || command === "publish")) {
  console.error("dist/ was built by prepack");
  process.exit(0);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  console.error("building dist/ needs typescript, a devDependency: run `npm install` without --omit=dev");
  process.exit(1);
}

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--removeComments"], { stdio: "inherit" });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly"], { stdio: "inherit" });

const { bin = {} } = JSON.parse(readFileSync("package.json", "utf8"));
for (const [name, path] of Object.entries(bin)) {
  if (!existsSync(path)) throw new Error(`bin ${name}: ${path} was not built (is it under src/?)`);
  if (!readFileSync(path, "utf8").startsWith("#!/usr/bin/env node\n")) throw new Error(`bin ${name}: ${path} does not start with #!/usr/bin/env node`);
  chmodSync(path, 0o755);
}
