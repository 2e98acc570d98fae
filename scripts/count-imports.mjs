// Counts the JavaScript modules a program loads and their bytes, as read from disk: run a program
// with `--import ./scripts/count-imports.mjs` and, when it exits, one JSON line goes to stderr:
// the modules of this package (under the folder of its package.json) and all modules, each with
// their count and bytes. The figure in docs/architecture.md ("what the root loads") comes from
//
//   npm run build
//   node --import ./scripts/count-imports.mjs --input-type=module -e 'await import("rx-mconn")'
//
// The hooks run on Node's loader thread and append one line per module to a temporary file,
// synchronously, before the module is evaluated; the main thread reads that file at exit.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "count-imports-"));
const log = join(dir, "modules.jsonl");
const root = pathToFileURL(join(fileURLToPath(new URL("..", import.meta.url)), "dist/")).href;
register(new URL("./count-imports-hooks.mjs", import.meta.url), { data: { log } });

process.on("exit", () => {
  let lines = [];
  try {
    lines = readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    // nothing was loaded through the hooks
  }
  rmSync(dir, { recursive: true, force: true });
  const sum = (ms) => ({ modules: ms.length, bytes: ms.reduce((n, m) => n + m.bytes, 0) });
  const ours = lines.filter((m) => m.url.startsWith(root));
  process.stderr.write(`${JSON.stringify({ package: sum(ours), all: sum(lines), modules: ours.map((m) => m.url.slice(root.length)) })}\n`);
});
