/**
 * README's chat node (examples/chat-node.ts), run as written: two processes on 127.0.0.1, the
 * second dialling the address the first printed; each prints the other's greeting, and Ctrl-C
 * (SIGINT) stops each one cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { loadNodeKey } from "../../src/secret/node-key.js";
import { within } from "../helpers/tcp.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A running chat node and its output so far. */
interface Node {
  readonly child: ChildProcess;
  output: string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

function chatNode(args: string[]): Node {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/chat-node.ts", ...args], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  const node: Node = {
    child,
    output: "",
    waitFor: (pattern) =>
      new Promise((resolvePromise) => {
        const check = () => {
          const match = pattern.exec(node.output);
          if (match === null) return;
          child.stdout.off("data", check);
          resolvePromise(match);
        };
        child.stdout.on("data", check);
        check();
      }),
  };
  child.stdout.on("data", (chunk: Buffer) => (node.output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (node.output += chunk.toString()));
  return node;
}

describe("README's chat node, as two processes", function () {
  this.timeout(60_000);
  let dir: string;
  const nodes: Node[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rx-mconn-chat-"));
  });

  after(() => {
    for (const { child } of nodes) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("greets each other, then stops on SIGINT", async () => {
    const first = chatNode([join(dir, "a.json"), "127.0.0.1:0"]);
    nodes.push(first);
    const [, address] = await within(first.waitFor(/listening as (\S+)\n/), 30_000, "the first node's address");
    const second = chatNode([join(dir, "b.json"), "127.0.0.1:0", address]);
    nodes.push(second);

    // Each key was written where it was asked, and the monikers are derived from the IDs.
    await within(second.waitFor(/listening as /), 30_000, "the second node's start");
    const [a, b] = await Promise.all([loadNodeKey(join(dir, "a.json")), loadNodeKey(join(dir, "b.json"))]);
    expect(address).to.match(new RegExp(`^${a.id}@127\\.0\\.0\\.1:\\d+$`));
    await within(first.waitFor(new RegExp(`rx-mconn-${b.id.slice(0, 8)}: hello\n`)), 30_000, "the greeting at the first node");
    await within(second.waitFor(new RegExp(`rx-mconn-${a.id.slice(0, 8)}: hello\n`)), 30_000, "the greeting at the second node");

    for (const { child } of nodes) child.kill("SIGINT");
    const exits = await within(Promise.all(nodes.map(({ child }) => once(child, "exit"))), 30_000, "both nodes to exit");
    expect(exits, nodes.map((n) => n.output).join("\n---\n")).to.deep.equal([
      [0, null],
      [0, null],
    ]);
  });
});
