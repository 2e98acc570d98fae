import { writeFile } from "node:fs/promises";
import { totalmem } from "node:os";
import { simulateNetwork } from "../../testing/index.js";
import { choiceOption, CliError, numberOption, stringOption, type Command, type OptionValues } from "../args.js";
import { checkWritableFile } from "../file-checks.js";
import { scenarioSpec, SCENARIOS, type ScenarioOptions } from "../simulate-scenarios.js";
import { simulationSvg, simulationTable } from "../simulate-report.js";

/** A whole number of at least `least` from an option. */
const whole = (values: OptionValues, name: string, least: number): number => {
  const value = values[name];
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < least)
    throw new CliError(`--${name} must be a whole number of at least ${least}, got ${JSON.stringify(value ?? "")}`);
  return n;
};

/** `simulate`: runs a whole network of rx-mconn nodes in one process, in virtual time. */
export const simulate: Command = {
  summary: "run N nodes (real Switch, PEX, address books) as one network in virtual time, and report how it forms",
  // Most of what a simulation allocates dies young: a young generation of 64 MiB semi-spaces
  // takes a quarter off a large run's time (docs/simulation.md, "Scale and speed"). And a heap
  // of three quarters of the machine's memory: 10,000 nodes take about 6 GiB, past V8's default
  // limit (about 4 GiB here), which ends the process.
  v8Flags: ["--max-semi-space-size=64", `--max-old-space-size=${Math.floor((totalmem() * 0.75) / 2 ** 20)}`],
  usage: "rx-mconn simulate [--scenario bootstrap|churn|partition|eclipse] [--nodes N] [--seeds K] [--minutes M] [--seed S] [options]",
  options: {
    scenario: { type: "string", arg: "NAME", help: `what happens: ${SCENARIOS.join(", ")}`, default: "bootstrap" },
    nodes: { type: "string", arg: "N", help: "honest nodes, seeds included", default: "200" },
    seeds: { type: "string", arg: "K", help: "nodes in seed mode, which every other node knows", default: "3" },
    minutes: { type: "string", arg: "M", help: "virtual minutes to run", default: "10" },
    seed: { type: "string", arg: "S", help: "the random seed: the same seed gives the same run", default: "1" },
    sample: { type: "string", arg: "SECONDS", help: "virtual seconds between samples", default: "30" },
    latency: { type: "string", arg: "MS", help: "one-way link latency", defaultText: "the simulation's default" },
    groups: { type: "string", arg: "N", help: "/16 groups the nodes are spread over", defaultText: "one per node" },
    attackers: { type: "string", arg: "N", help: "eclipse: the attacker's identities, all in one /16", default: "100" },
    churn: { type: "string", arg: "PERCENT", help: "churn: non-seed nodes leaving (and joining again) each minute", default: "10" },
    cut: { type: "string", arg: "MINUTES", help: "partition: how long the two halves stay cut (at most half the run)", default: "10" },
    json: { type: "boolean", help: "print the whole report as JSON instead of a table" },
    svg: { type: "string", arg: "FILE", help: "also draw the curves over virtual time to FILE", defaultText: "none" },
  },
  async run(values, _positionals, io) {
    const o: ScenarioOptions = {
      scenario: choiceOption(values, "scenario", SCENARIOS),
      nodes: whole(values, "nodes", 2),
      seeds: whole(values, "seeds", 0),
      minutes: numberOption(values, "minutes"),
      seed: whole(values, "seed", 0),
      sampleSeconds: numberOption(values, "sample"),
      ...(values["latency"] === undefined ? {} : { latency: numberOption(values, "latency") }),
      ...(values["groups"] === undefined ? {} : { groups: whole(values, "groups", 1) }),
      attackers: whole(values, "attackers", 1),
      churnPercent: numberOption(values, "churn"),
      cutMinutes: numberOption(values, "cut"),
    };
    if (o.seeds >= o.nodes) throw new CliError(`--seeds must be fewer than --nodes (${o.nodes}), got ${o.seeds}`);
    if (o.churnPercent > 50) throw new CliError(`--churn must be at most 50 (percent), got ${o.churnPercent}`);
    const svg = stringOption(values, "svg");
    if (svg !== undefined) await checkWritableFile("--svg", svg);
    let sim;
    try {
      sim = simulateNetwork(scenarioSpec(o));
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
    sim.samples$.subscribe((s) => io.err(`  ${(s.at / 60_000).toFixed(1)} min: ${s.up} up, ${s.components} component(s), ${s.atOutboundTarget} at the outbound target`));
    const report = await sim.run();
    if (values["json"] === true) io.out(JSON.stringify(report));
    else for (const l of simulationTable(report)) io.out(l);
    if (svg !== undefined)
      await writeFile(svg, simulationSvg(report)).catch((err: unknown) => {
        throw new CliError(`--svg ${svg}: ${err instanceof Error ? err.message : String(err)}`, 1);
      });
    return 0;
  },
};
