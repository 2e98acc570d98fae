/**
 * docs/security.md's "No crash, per entry point" names, for each promise, the tests that show
 * it: each named test exists, in the file named.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";

describe("docs/security.md: every promise of 'No crash, per entry point' names a test that exists", () => {
  const page = readFileSync("docs/security.md", "utf8");
  const section = page.slice(page.indexOf("## No crash, per entry point"), page.indexOf("## Every bound"));
  const rows = section.split("\n").filter((l) => l.startsWith("| `") || l.startsWith("| operators") || l.startsWith("| codecs") || l.startsWith("| CLI"));

  it("covers Switch, Peer, MConnection, SecretConnection, operators, codecs and the CLI", () => {
    const entries = rows.map((r) => r.split("|")[1].trim());
    for (const entry of ["`Switch`", "`Peer`", "`MConnection`", "`SecretConnection`", "operators", "codecs", "CLI"])
      expect(entries.some((e) => e.startsWith(entry)), entry).to.equal(true);
  });

  it("each test it names is in the file it names", () => {
    let named = 0;
    for (const row of rows) {
      const shownBy = row.split(" | ").at(-1)!;
      let file: string | undefined;
      for (const part of shownBy.matchAll(/`(test\/[^`]+\.test\.ts)`|"((?:[^"\\]|\\.)+)"/g) as IterableIterator<(string | undefined)[]>) {
        if (part[1] !== undefined) file = part[1];
        else {
          expect(file, `a title before any file in: ${row}`).to.not.equal(undefined);
          expect(readFileSync(file!, "utf8"), `${file} has no test "${part[2]}"`).to.include(`it("${part[2]}"`);
          named++;
        }
      }
    }
    expect(named).to.be.at.least(rows.length);
  });
});
