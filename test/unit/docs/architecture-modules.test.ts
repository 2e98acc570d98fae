/**
 * docs/architecture.md names every module under src/: a module `src/<folder>/<file>.ts` is named
 * by its path, or by its file name within a section whose text names `src/<folder>`; a root
 * module by its file name. The generated `src/proto/` modules are one per `.proto` file of
 * `proto/` (the page says so), which is checked instead.
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const page = readFileSync("docs/architecture.md", "utf8");
const sections = page.split(/^## /m);

/** Whether the page names `file` (a path under src/). */
function named(file: string): boolean {
  if (page.includes(file)) return true;
  const path = relative("src", file).split("/");
  const name = path.at(-1) ?? "";
  if (path.length === 1) return page.includes(`\`${name}\``) || page.includes(`src/${name}`);
  const folder = `src/${path[0]}`;
  const inFolder = path.slice(1).join("/");
  return sections.some((s) => s.includes(folder) && (s.includes(`\`${inFolder}\``) || s.includes(`\`${name}\``)));
}

describe("docs/architecture.md", () => {
  it("names every module under src/", () => {
    const missing = modules("src").filter((f) => !f.startsWith("src/proto/") && !named(f));
    expect(missing).to.deep.equal([]);
  });

  it("every generated module under src/proto/ comes from a .proto file under proto/, as the page says", () => {
    expect(page).to.include("one generated module per `.proto` file under `proto/`");
    const orphans = modules("src/proto").filter((f) => !existsSync(join("proto", relative("src/proto", f)).replace(/\.ts$/, ".proto")) && !f.startsWith("src/proto/google/"));
    expect(orphans).to.deep.equal([]);
  });

  it("a module the page does not name is caught", () => {
    expect(named("src/p2p/no-such-module.ts")).to.equal(false);
    expect(named("src/p2p/switch.ts")).to.equal(true);
  });
});
