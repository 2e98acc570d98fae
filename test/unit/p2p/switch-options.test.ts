import { expect } from "chai";
import { ConfigError } from "../../../src/errors.js";
import { Switch, switchDefaults, verifySwitchOptions, type SwitchOptions } from "../../../src/p2p/switch.js";
import { secretAuthenticator } from "../../../src/p2p/secret-authenticator.js";
import { generateNodeKey } from "../../../src/secret/node-key.js";

const key = generateNodeKey();
const base: SwitchOptions = { nodeId: key.id, authenticate: secretAuthenticator(key), network: "n" };
const thrown = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("verifySwitchOptions and switchDefaults", () => {
  it("fills in CometBFT's defaults", () => {
    const o = verifySwitchOptions(base);
    expect(o.maxInboundPeers).to.equal(switchDefaults.maxInboundPeers).and.equal(40);
    expect(o.maxOutboundPeers).to.equal(10);
    expect(o.handshakeTimeout).to.equal(3000);
    expect(o.secretHandshakeTimeout).to.equal(3000);
    expect(o.dialTimeout).to.equal(1000);
    expect(o.minConnectionLifetime).to.equal(10_000);
    expect(o.mconnection.pongTimeout).to.equal(45_000);
    expect(o.moniker).to.equal(`rx-mconn-${key.id.slice(0, 8)}`);
  });

  it("names every broken rule in one ConfigError, at `new Switch`", () => {
    const bad: SwitchOptions = {
      ...base,
      nodeId: "nope",
      network: "",
      listen: "127.0.0.1",
      externalAddress: "example.com",
      persistentPeers: ["x@1.2.3.4:5"],
      maxInboundPeers: -1,
      maxOutboundPeers: 1.5,
      handshakeTimeout: 0,
      dialTimeout: Number.NaN,
      maxPendingHandshakes: 0,
      mconnection: { pongTimeout: 90_000 },
      moniker: "ünïcode",
      version: "\u0001",
    };
    const err = thrown(() => new Switch(bad));
    for (const rule of [
      "nodeId",
      "network",
      "listen:",
      "externalAddress:",
      "persistentPeers[0]",
      "maxInboundPeers",
      "maxOutboundPeers",
      "handshakeTimeout",
      "dialTimeout",
      "maxPendingHandshakes",
      "pongTimeout (90000) must be less than pingInterval",
      "rule moniker",
      "rule version",
    ])
      expect(err.message).to.contain(rule);
  });

  it("addReactor checks every channel descriptor at once: id 0–255, priority, capacities, codec, ownership", () => {
    const sw = new Switch(base);
    sw.addReactor("a", { channels: [{ id: 1 }] });
    const err = thrown(() =>
      sw.addReactor("b", {
        channels: [{ id: 300 }, { id: 2, priority: 0 }, { id: 3, sendQueueCapacity: 0 }, { id: 1 }, { id: 4, codec: { decode: (b: Uint8Array) => b } as never }],
      }),
    );
    expect(err.message).to.contain("channel id must be an integer 0–255, got 300");
    expect(err.message).to.contain("channel 2: priority must be positive");
    expect(err.message).to.contain("channel 3: sendQueueCapacity");
    expect(err.message).to.contain("channel 1 of reactor b is already owned by reactor a");
    expect(err.message).to.contain("channel 4's codec must have encode and decode");
    // nothing of the refused reactor was registered
    expect(() => sw.channel(2)).to.throw(ConfigError, /no reactor declares channel 2/);
  });

  it("checks our own NodeInfo at start(): more than 16 channels is refused before listening", async () => {
    const sw = new Switch({ ...base, listen: "127.0.0.1:0" });
    sw.addReactor("many", { channels: Array.from({ length: 17 }, (_, i) => ({ id: i })) });
    const err = await sw.start().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.contain("rule channels-count");
    expect(sw.listenAddress).to.equal(undefined);
  });

  it("refuses an oversized NodeInfo at new Switch (moniker of 11,000 characters)", () => {
    expect(thrown(() => new Switch({ ...base, moniker: "m".repeat(11_000) })).message).to.contain("rule too-large");
  });
});
