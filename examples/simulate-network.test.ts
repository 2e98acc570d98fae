import { expect } from "chai";
import { simulateNetwork } from "rx-mconn/testing";

it("60 nodes joining through 2 seeds form one network within 3 virtual minutes", async () => {
  const sim = simulateNetwork({
    seed: 42, // same seed, same run
    nodes: 60,
    seeds: 2, // nodes 0 and 1 run in seed mode; every other node knows them
    duration: 3 * 60_000, // virtual ms
    sampleInterval: 30_000,
    link: { latency: 40, jitter: 10 },
  });
  const components: number[] = [];
  sim.samples$.subscribe((s) => components.push(s.components)); // a time series to chart
  const report = await sim.run();
  expect(components).to.have.length(6); // one every 30 s, up to 3 minutes
  expect(report.final.components).to.equal(1);
  expect(report.final.largestComponent).to.equal(60);
  expect(report.timeToTarget.count).to.equal(58); // every non-seed node reached its outbound target
});
