/**
 * What one host can make us compute before it has proven anything: 35 precomputed bytes (an
 * ephemeral key) per connection cost us a key exchange and a signature. Measured with and
 * without the per-host limits; the figures go to docs/security.md.
 */
import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import sinon from "sinon";
import { hostLimitsDefaults } from "../../src/p2p/admission/host-admission.js";
import type { Switch } from "../../src/p2p/switch.js";
import { encodeEphemeralMessage, ephemeralKeys } from "../../src/secret/ephemeral-key.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { secretAuthenticator } from "../../src/p2p/secret-authenticator.js";
import { host } from "../helpers/hosts.js";
import { loopbackHostLimits, makeSwitch } from "../helpers/switches.js";

const SECONDS = 3;
const CONCURRENT = 16;
const FIRST_MESSAGE = encodeEphemeralMessage(ephemeralKeys().publicKey); // 35 bytes, computed once

/** Connections from `from`, each sending the same 35 bytes and hanging up once our AuthSig frame came back, for `ms`. */
async function forceHandshakes(sw: Switch, from: string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let connections = 0;
  const loop = async () => {
    while (Date.now() < until) {
      connections++;
      await new Promise<void>((resolve) => {
        const s = connect({ host: "127.0.0.1", port: sw.listenAddress!.port, localAddress: from });
        let got = 0;
        s.on("error", () => undefined);
        s.on("close", () => resolve());
        s.on("connect", () => s.write(FIRST_MESSAGE));
        s.on("data", (c: Buffer) => {
          got += c.length;
          if (got >= 35 + 1044) s.destroy(); // the key exchange and the signature were done
        });
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, loop));
  return connections;
}

describe("pre-authentication cost", function () {
  this.timeout(120_000);
  const figures: Record<string, unknown> = {};
  after(async () => {
    await mkdir("test/adversarial/results", { recursive: true });
    await writeFile("test/adversarial/results/pre-auth-cost.json", `${JSON.stringify(figures, null, 2)}\n`);
  });

  for (const [name, limits] of [
    ["without per-host limits", loopbackHostLimits],
    ["with the default per-host limits", hostLimitsDefaults],
  ] as const) {
    it(`one host sending 35 precomputed bytes per connection, ${CONCURRENT} at a time, ${name}`, async () => {
      const key = generateNodeKey();
      const authenticate = sinon.spy(secretAuthenticator(key));
      const { sw } = makeSwitch({ chat: { channels: [{ id: 0x40 }] } }, { key, authenticate, ...limits });
      await sw.start();
      try {
        const cpu0 = process.cpuUsage();
        const t0 = Date.now();
        const connections = await forceHandshakes(sw, host(0), SECONDS * 1000);
        const wall = (Date.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const perSecond = authenticate.callCount / wall;
        const coreShare = (cpu.user + cpu.system) / 1e6 / wall;
        figures[name] = {
          connections,
          handshakes: authenticate.callCount,
          cpuMsPerConnection: +(((cpu.user + cpu.system) / 1000) / connections).toFixed(2), seconds: +wall.toFixed(2), handshakesPerSecond: Math.round(perSecond), processCpuShareOfACore: +coreShare.toFixed(2),
        };
        if (limits === hostLimitsDefaults)
          expect(authenticate.callCount, "handshakes the host forced").to.be.at.most(hostLimitsDefaults.newConnectionsPerIpBurst + Math.ceil(wall * hostLimitsDefaults.newConnectionsPerIpPerSecond) + 1);
        else expect(authenticate.callCount, "handshakes the host forced").to.be.greaterThan(20);
      } finally {
        await sw.stop();
      }
    });
  }
});
