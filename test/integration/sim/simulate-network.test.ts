import { expect } from "chai";
import { simulateNetwork, type NetworkSample, type SimPeerEvent } from "../../../src/testing/index.js";

const MINUTE = 60_000;

describe("simulateNetwork: a network of Switches in virtual time", function () {
  this.timeout(180_000);

  it("is deterministic: one seed gives a byte-identical report, another seed a different run", async () => {
    const spec = { nodes: 40, seeds: 2, duration: 4 * MINUTE, sampleInterval: 30_000 };
    const a = JSON.stringify(await simulateNetwork({ ...spec, seed: 7 }).run());
    const b = JSON.stringify(await simulateNetwork({ ...spec, seed: 7 }).run());
    const c = JSON.stringify(await simulateNetwork({ ...spec, seed: 8 }).run());
    expect(a).to.equal(b);
    expect(c).to.not.equal(a);
  });

  it("bootstrap: 100 nodes joining through 3 seeds form one component, each with its outbound peers within 4 virtual minutes", async () => {
    const sim = simulateNetwork({ seed: 1, nodes: 100, seeds: 3, duration: 6 * MINUTE, sampleInterval: 10_000 });
    const samples: NetworkSample[] = [];
    sim.samples$.subscribe((s) => samples.push(s));
    let added = 0;
    sim.peers$.subscribe((e: SimPeerEvent) => (added += e.type === "added" ? 1 : 0));
    const report = await sim.run();
    expect(report.final.up).to.equal(100);
    expect(report.final.components).to.equal(1);
    expect(report.final.largestComponent).to.equal(100);
    expect(report.timeToTarget.count, "non-seed nodes that reached 10 outbound peers").to.equal(97);
    expect(report.timeToTarget.max).to.be.at.most(4 * MINUTE);
    expect(report.allAtTargetAt).to.not.equal(null);
    expect(report.allAtTargetAt).to.be.at.most(4 * MINUTE);
    expect(report.final.outbound.min).to.be.at.least(10);
    // a node stops asking once it has its outbound peers (as in CometBFT): one that got them in
    // the first seconds learnt from books that were still small
    expect(report.final.book.mean, "books learnt most of the network").to.be.at.least(75);
    expect(report.final.book.min).to.be.at.least(35);
    expect(report.final.messages["0"]).to.be.greaterThan(0);
    expect(added).to.equal(report.peerEvents.added);
    expect(samples.map((s) => s.at)).to.deep.equal(report.samples.map((s) => s.at));
  });

  it("partition and heal: two halves cut for 10 minutes split in two, and are one network again within 3 minutes of the heal", async () => {
    const sim = simulateNetwork({
      seed: 3,
      nodes: 100,
      seeds: 3,
      duration: 22 * MINUTE,
      sampleInterval: 10_000,
      events: [
        { at: 4 * MINUTE, type: "partition", sides: 2 },
        { at: 14 * MINUTE, type: "heal" },
      ],
    });
    const report = await sim.run();
    const at = (t: number) => report.samples.find((s) => s.at === t);
    expect(at(4 * MINUTE)?.components, "one network before the cut").to.equal(1);
    expect(at(14 * MINUTE - 10_000)?.components, "two networks at the end of the cut").to.equal(2);
    expect(at(14 * MINUTE - 10_000)?.componentsWithoutSeeds).to.equal(2);
    const heal = report.oneComponentAfter.find((e) => e.event === "heal");
    expect(heal?.oneComponentAt).to.be.a("number");
    expect((heal?.oneComponentAt ?? Infinity) - 14 * MINUTE).to.be.at.most(3 * MINUTE);
    expect(report.final.components).to.equal(1);
    expect(report.final.up).to.equal(100);
  });
});

describe("simulateNetwork: a mass join through busy seeds", function () {
  this.timeout(180_000);

  it("nodes refused by the seeds retry within seconds, not a period later: one network well before CometBFT's schedule gets there", async () => {
    // 120 nodes at once through 2 seeds with 6 handshake slots each: most first dials are refused
    const spec = { seed: 5, nodes: 120, seeds: 2, duration: 2 * MINUTE, sampleInterval: 5_000, switch: { maxPendingHandshakes: 6 } };
    const periodOnly = await simulateNetwork({ ...spec, pex: { ensurePeersRetryDelay: 30_000 } }).run();
    const retrying = await simulateNetwork(spec).run();
    const refused = (r: typeof retrying) => r.samples[0].dials["handshake-failed"];
    expect(refused(periodOnly), "the seeds refused most first dials").to.be.greaterThan(100);
    expect(refused(retrying)).to.be.greaterThan(100);
    // waiting a whole period after each refusal, the nodes are still scattered after 20 s, and
    // come together only over periods
    expect(periodOnly.samples.find((s) => s.at === 20_000)?.componentsWithoutSeeds).to.be.greaterThan(50);
    expect(periodOnly.oneComponentAt ?? Infinity).to.be.at.least(MINUTE);
    // retrying after 4–6 s, 8–12 s, …: one network of lasting peers within 20 s
    expect(retrying.samples.find((s) => s.at === 20_000)?.componentsWithoutSeeds).to.equal(1);
    expect(retrying.oneComponentAt).to.be.a("number").and.at.most(20_000);
    expect(retrying.timeToTarget.count, "every non-seed node reached 10 outbound peers").to.equal(118);
    expect(retrying.timeToTarget.p50 ?? Infinity).to.be.below(periodOnly.timeToTarget.p50 ?? Infinity);
  });
});

describe("simulateNetwork: an attacker with many identities in one /16", function () {
  this.timeout(180_000);

  it("gets at most its /16's bound into honest books through the seeds, and eclipses no node", async () => {
    const report = await simulateNetwork({ seed: 11, nodes: 60, seeds: 2, duration: 6 * MINUTE, sampleInterval: MINUTE, attacker: { identities: 100 } }).run();
    expect(report.attackers).to.equal(100);
    const attack = report.final.attack;
    expect(attack, "samples carry the attack's figures").to.not.equal(undefined);
    // each book takes new addresses of one /16 up to 10 % of its new table (at least 8): the
    // seeds' books, which every attacker reached, hold 8 of them in new buckets and the few crawled in old ones
    expect(attack?.bookShare.mean, "attacker addresses in honest books (percent)").to.be.greaterThan(0);
    expect(attack?.bookShare.mean).to.be.at.most(10);
    expect(attack?.bookShare.max).to.be.at.most(30);
    expect(attack?.eclipsed, "no honest node has only attacker outbound peers").to.equal(0);
    expect(report.final.outbound.min).to.equal(10);
    expect(report.timeToTarget.count).to.equal(58);
  });
});
