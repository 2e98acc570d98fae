// Regenerates src/proto from proto/ with buf + ts-proto (both from npm).
// With --check, generates into a temporary folder and fails if it differs from src/proto.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const check = process.argv.includes("--check");
const bin = join("node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

if (!check) {
  rmSync("src/proto", { recursive: true, force: true });
  execFileSync("buf", ["generate"], { stdio: "inherit", env });
} else {
  const out = mkdtempSync(join(tmpdir(), "rx-mconn-proto-"));
  try {
    execFileSync("buf", ["generate", "-o", out], { stdio: "inherit", env });
    const fresh = files(join(out, "src/proto")).map((f) => relative(join(out, "src/proto"), f)).sort();
    const committed = files("src/proto").map((f) => relative("src/proto", f)).sort();
    const differ = fresh.filter((f) => !committed.includes(f) || readFileSync(join(out, "src/proto", f), "utf8") !== readFileSync(join("src/proto", f), "utf8"));
    const extra = committed.filter((f) => !fresh.includes(f));
    if (differ.length || extra.length) {
      console.error(`src/proto is stale: ${[...differ, ...extra].join(", ")}. Run npm run proto.`);
      process.exit(1);
    }
    console.log("src/proto matches proto/");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
