/**
 * The TypeScript listings of README.md and docs/*.md (and connectedPair's example) are the
 * example files the tests run: every ```ts listing is either preceded by
 * `<!-- examples/NAME -->` and equal to that file, or by `<!-- not run: why -->`. examples/*.test.ts run with the unit tests; the chat nodes in
 * test/integration/examples-chat*.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** A documentation file's text; for a source file, its doc comments' text (` * ` removed). */
function text(path: string): string[] {
  const lines = readFileSync(join(repo, path), "utf8").split("\n");
  return path.endsWith(".ts") ? lines.filter((l) => /^\s*\*( |$)/.test(l)).map((l) => l.replace(/^\s*\* ?/, "")) : lines;
}

interface Listing {
  readonly marker: string;
  readonly code: string;
}

/** The ```ts listings of `path` with the line before each. */
function listings(path: string): Listing[] {
  const lines = text(path);
  const found: Listing[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const end = lines.indexOf("```", i + 1);
    expect(end, `${path}: a listing is not closed`).to.be.greaterThan(i);
    found.push({ marker: lines[i - 1] ?? "", code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return found;
}

/** The examples each document shows, in order; every other page of docs/ shows none. */
const shows: Record<string, string[]> = {
  "README.md": ["examples/chat-node.ts"],
  "docs/guide.md": ["examples/node-options.test.ts", "examples/addresses.test.ts", "examples/proto-codec.test.ts", "examples/untrusted-json.test.ts", "examples/async-work.test.ts", "examples/slow-consumer.test.ts", "examples/chat-rx.ts", "examples/chat-reactor.ts"],
  "docs/testing.md": ["examples/echo-reactor.test.ts", "examples/connected-pair.test.ts", "examples/reactor-peers.test.ts"],
  "docs/simulation.md": ["examples/simulate-network.test.ts"],
  "src/testing/index.ts": ["examples/connected-pair.test.ts"],
  "src/cometbft/index.ts": [],
  "src/cometbft/channels.ts": [],
};
const documents = Object.fromEntries(
  [...Object.keys(shows), ...readdirSync(join(repo, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)].map((path) => [path, shows[path] ?? []]),
);

describe("documentation listings", () => {
  for (const [path, examples] of Object.entries(documents)) {
    it(`${path}: each listing is an example file as it is, or says why it is not run`, () => {
      const shown: string[] = [];
      for (const { marker, code } of listings(path)) {
        const example = /^<!-- (examples\/\S+) -->$/.exec(marker);
        if (example === null) {
          expect(marker, `${path}: a listing without <!-- examples/… --> or <!-- not run: … -->`).to.match(/^<!-- not run: .+ -->$/);
          continue;
        }
        const file = example[1];
        const content = readFileSync(join(repo, file), "utf8").trimEnd();
        expect(code, `${path}: the listing of ${file} differs from the file (copy the file into it)`).to.equal(content);
        shown.push(file);
      }
      expect(shown).to.deep.equal(examples);
    });
  }
});
