import { expect } from "chai";
import { cliLogger, debugNames, logLevel } from "../../../src/cli/logger.js";
import { CliError } from "../../../src/cli/args.js";

describe("the CLI's logger", () => {
  it("DEBUG turns debug on when it names rx-mconn, as the debug package reads it", () => {
    for (const env of ["rx-mconn", "*", "rx-*", "other,rx-mconn", "other rx-mconn", "rx-mconn:*"]) expect(debugNames(env, "rx-mconn"), env).to.equal(true);
    for (const env of [undefined, "", "other", "rx-mconnx", "*,-rx-mconn", "rx-mconn,-rx-*"]) expect(debugNames(env, "rx-mconn"), String(env)).to.equal(false);
  });

  it("the level is --log-level if given, else debug when DEBUG names rx-mconn, else info", () => {
    expect(logLevel({}, undefined)).to.equal("info");
    expect(logLevel({}, "rx-mconn")).to.equal("debug");
    expect(logLevel({ "log-level": "warn" }, "rx-mconn")).to.equal("warn");
    expect(logLevel({ "log-level": "silent" }, undefined)).to.equal("silent");
    expect(() => logLevel({ "log-level": "loud" }, undefined)).to.throw(CliError, /--log-level must be one of trace, debug, info, warn, error, silent/);
  });

  it("writes only entries at or above the level, as JSON or readable lines", () => {
    const lines: string[] = [];
    const json = cliLogger({ "log-format": "json", "log-level": "warn" }, (l) => lines.push(l), "rx-mconn");
    json.debug({ a: 1 }, "hidden");
    json.info({ a: 1 }, "hidden");
    json.warn({ a: 2 }, "shown");
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).to.deep.equal([{ level: 40, time: (JSON.parse(lines[0]) as { time: number }).time, a: 2, msg: "shown" }]);

    const pretty: string[] = [];
    const readable = cliLogger({ "log-format": "pretty" }, (l) => pretty.push(l), "rx-mconn");
    readable.debug({ peer: "p" }, "message");
    expect(pretty).to.have.length(1);
    expect(pretty[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3} DEBUG message peer=p$/);
  });
});
