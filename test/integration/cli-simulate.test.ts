import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { SimulationReport } from "../../src/testing/index.js";
import { buildCli, runCli } from "../helpers/cli.js";

/** `rx-mconn simulate`, run as a user runs it: the built binary, small networks. */
describe("rx-mconn simulate", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), "rx-mconn-simulate-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const small = ["--nodes", "30", "--seeds", "2", "--minutes", "2", "--sample", "30"];
  const report = (stdout: string) => JSON.parse(stdout) as SimulationReport;

  it("prints the same JSON report, byte for byte, for the same seed, and another for another seed; the network forms", async () => {
    const [a, b, c] = await Promise.all([runCli(["simulate", ...small, "--seed", "7", "--json"]), runCli(["simulate", ...small, "--seed", "7", "--json"]), runCli(["simulate", ...small, "--seed", "8", "--json"])]);
    for (const r of [a, b, c]) expect(r.code, r.stderr).to.equal(0);
    expect(a.stdout).to.equal(b.stdout);
    expect(c.stdout).to.not.equal(a.stdout);
    const r = report(a.stdout);
    expect(r.seed).to.equal(7);
    expect(r.nodes).to.equal(30);
    expect(r.samples.map((s) => s.at)).to.deep.equal([30_000, 60_000, 90_000, 120_000]);
    // every non-seed node in one component (a seed lets its peers go after answering them, so
    // it may stand alone at an instant)
    expect(r.final.largestComponent).to.be.at.least(28);
    expect(r.perNode.filter((n) => !n.seedMode).every((n) => n.peers > 0)).to.equal(true);
    // progress goes to stderr, one line a sample
    expect(a.stderr.trim().split("\n")).to.have.length(4);
  });

  it("prints a table and a summary, and draws each curve to --svg", async () => {
    const svg = join(dir, "bootstrap.svg");
    const r = await runCli(["simulate", ...small, "--svg", svg]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).to.match(/^30 nodes \(2 seeds\), 2\.0 min of virtual time, seed 1, outbound target \d+$/);
    expect(lines[2]).to.match(/^\s+min\s+up\s+comp\s+largest/);
    expect(lines.filter((l) => /^\s+\d+\.\d\s+\d+/.test(l))).to.have.length(4);
    expect(r.stdout).to.match(/time to the outbound target: p50 .*\(\d+ nodes reached it\)/);
    expect(r.stdout).to.match(/one component first: /);
    const picture = readFileSync(svg, "utf8");
    expect(picture.startsWith("<svg ")).to.equal(true);
    expect(picture.match(/<polyline /g)).to.have.length(4);
  });

  it("eclipse: the attacker's identities join, and the report says what share of honest books and peers they took", async () => {
    const r = await runCli(["simulate", ...small, "--scenario", "eclipse", "--attackers", "20", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const rep = report(r.stdout);
    expect(rep.attackers).to.equal(20);
    expect(rep.perNode.filter((n) => n.attacker)).to.have.length(20);
    for (const s of rep.samples) {
      expect(s.attack).to.not.equal(undefined);
      expect(s.attack?.bookShare.max).to.be.within(0, 100);
    }
  });

  it("partition: the halves are cut and healed, and the report says when the network was one component again", async () => {
    // 4 virtual minutes take 3–4 s of CPU; a loaded machine stretches that past runCli's default minute
    const r = await runCli(["simulate", "--nodes", "30", "--seeds", "2", "--minutes", "4", "--sample", "15", "--scenario", "partition", "--cut", "1", "--json"], 150_000);
    expect(r.code, r.stderr).to.equal(0);
    const rep = report(r.stdout);
    expect(rep.oneComponentAfter.map((e) => e.event.split(":")[0])).to.include.members(["partition", "heal"]);
    const heal = rep.oneComponentAfter.find((e) => e.event === "heal");
    expect(heal?.at).to.equal(120_000);
    expect(heal?.oneComponentAt).to.be.a("number");
  });

  it("churn: a fifth of the non-seed nodes leave each minute and the ones that left before join again", async () => {
    const r = await runCli(["simulate", "--nodes", "30", "--seeds", "2", "--minutes", "3", "--sample", "30", "--scenario", "churn", "--churn", "20", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const rep = report(r.stdout);
    expect(Math.min(...rep.samples.map((s) => s.up))).to.be.below(30);
    expect(rep.perNode.filter((n) => n.state === "left").length).to.be.above(0);
    expect(rep.peerEvents.removed).to.be.above(0);
  });

  it("refuses bad options in one line with status 2, before running anything or writing a file", async () => {
    const cases: [string[], RegExp][] = [
      [["--nodes", "5", "--seeds", "5"], /^rx-mconn simulate: --seeds must be fewer than --nodes \(5\), got 5$/],
      [["--nodes", "2.5"], /^rx-mconn simulate: --nodes must be a whole number of at least 2, got "2\.5"$/],
      [["--scenario", "storm"], /^rx-mconn simulate: --scenario must be one of bootstrap, churn, partition, eclipse, got "storm"$/],
      [["--svg", "/nonexistent/dir/x.svg"], /^rx-mconn simulate: --svg \/nonexistent\/dir\/x\.svg: /],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(["simulate", ...args])));
    runs.forEach((r, k) => {
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stdout).to.equal("");
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr.trim()).to.match(cases[k][1]);
    });
  });
});
