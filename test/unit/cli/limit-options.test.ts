import { expect } from "chai";
import { parse } from "../../../src/cli/args.js";
import { node } from "../../../src/cli/commands/node.js";
import { limitSwitchOptions } from "../../../src/cli/limit-options.js";
import { defaults } from "../../../src/mconn/config.js";
import { hostLimitsDefaults } from "../../../src/p2p/admission/host-admission.js";
import { switchDefaults, verifySwitchOptions } from "../../../src/p2p/switch-options.js";

const base = ["--listen", "127.0.0.1:0"];
const options = (args: string[]) => limitSwitchOptions(parse(node, [...base, ...args]).values);

describe("node's resource options", () => {
  it("default to the library's defaults", () => {
    expect(options([])).to.deep.equal({
      maxReceiveBuffer: switchDefaults.maxReceiveBuffer,
      maxHandshakesPerIp: hostLimitsDefaults.maxHandshakesPerIp,
      newConnectionsPerIpBurst: hostLimitsDefaults.newConnectionsPerIpBurst,
      newConnectionsPerIpPerSecond: hostLimitsDefaults.newConnectionsPerIpPerSecond,
      minConnectionLifetime: switchDefaults.minConnectionLifetime,
      mconnection: { writeStallTimeout: defaults.writeStallTimeout },
    });
  });

  it("set the Switch's options, which it accepts", () => {
    const o = options([
      "--max-receive-buffer", "1048576",
      "--max-handshakes-per-ip", "2",
      "--new-connections-per-ip-burst", "3",
      "--new-connections-per-ip-per-second", "0",
      "--write-stall-timeout", "5000",
      "--min-connection-lifetime", "0",
    ]);
    expect(o).to.deep.equal({
      maxReceiveBuffer: 1048576,
      maxHandshakesPerIp: 2,
      newConnectionsPerIpBurst: 3,
      newConnectionsPerIpPerSecond: 0,
      minConnectionLifetime: 0,
      mconnection: { writeStallTimeout: 5000 },
    });
    const resolved = verifySwitchOptions({ nodeId: "a".repeat(40), authenticate: () => Promise.reject(new Error("unused")), network: "n", ...o });
    expect([resolved.maxReceiveBuffer, resolved.minConnectionLifetime]).to.deep.equal([1048576, 0]);
  });

  it("refuse a value out of range or not a whole number, naming the option", () => {
    const cases: [string[], RegExp][] = [
      [["--max-receive-buffer", "0"], /^--max-receive-buffer must be a whole number of at least 1, got "0"$/],
      [["--max-handshakes-per-ip", "1.5"], /^--max-handshakes-per-ip must be a whole number of at least 1, got "1.5"$/],
      [["--new-connections-per-ip-burst", "0"], /^--new-connections-per-ip-burst must be a whole number of at least 1/],
      [["--new-connections-per-ip-per-second", "-1"], /^--new-connections-per-ip-per-second must be a whole number \(0 or more\), got "-1"$/],
      [["--write-stall-timeout", "soon"], /^--write-stall-timeout must be a whole number of at least 1, got "soon"$/],
      [["--min-connection-lifetime", ""], /^--min-connection-lifetime must be a whole number \(0 or more\), got ""$/],
    ];
    for (const [args, message] of cases) expect(() => options(args), args.join(" ")).to.throw(message);
  });
});
