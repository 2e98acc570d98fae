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
    expect(report.final.book.min, "every book learnt most of the network").to.be.at.least(50);
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
    expect(report.final.componentsWithoutSeeds, "held together by lasting peers, not by the seeds' brief visits").to.equal(1);
    expect(report.final.up).to.equal(100);
  });
});

describe("simulateNetwork: an attacker with many identities in one /16", function () {
  this.timeout(180_000);

  it("gets its addresses into honest books through the seeds, yet eclipses no node", async () => {
    const report = await simulateNetwork({ seed: 11, nodes: 60, seeds: 2, duration: 6 * MINUTE, sampleInterval: MINUTE, attacker: { identities: 100 } }).run();
    expect(report.attackers).to.equal(100);
    const attack = report.final.attack;
    expect(attack, "samples carry the attack's figures").to.not.equal(undefined);
    expect(attack?.bookShare.mean, "attacker addresses reached honest books (percent)").to.be.greaterThan(5);
    expect(attack?.bookShare.mean).to.be.below(30);
    expect(attack?.eclipsed, "no honest node has only attacker outbound peers").to.equal(0);
    expect(report.final.outbound.min).to.equal(10);
    expect(report.timeToTarget.count).to.equal(58);
  });
});
