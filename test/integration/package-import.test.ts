/**
 * The package as an application installs it: `npm pack` (which builds dist/ through prepack),
 * unpacked into a temporary project whose node_modules holds only rx-mconn and the dependencies
 * the library needs (prom-client, an optional peer dependency, and pino, the command line's
 * logger, are absent), then imported by a plain Node.js module over real sockets on 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { packedTarball } from "../helpers/pack.js";

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
/** Dependencies only the command line loads. */
const cliOnly = ["pino"];

describe("the packed package in a project without prom-client and pino", function () {
  this.timeout(240_000);
  let project: string;

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "rx-mconn-consumer-"));
    const installed = join(project, "node_modules", "rx-mconn");
    mkdirSync(installed, { recursive: true });
    await run("tar", ["-xzf", await packedTarball(), "-C", installed, "--strip-components=1"]);
    const optional = Object.keys(manifest.peerDependenciesMeta ?? {}).filter((n) => manifest.peerDependenciesMeta?.[n]?.optional);
    const needed = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].filter(
      (n) => !cliOnly.includes(n) && !optional.includes(n),
    );
    for (const name of needed) {
      mkdirSync(dirname(join(project, "node_modules", name)), { recursive: true });
      symlinkSync(join(repo, "node_modules", name), join(project, "node_modules", name), "dir");
    }
    copyFileSync(join(repo, "test/integration/fixtures/consumer.mjs"), join(project, "consumer.mjs"));
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  it("declares prom-client an optional peer dependency and keeps pino for the command line only", () => {
    expect(manifest.peerDependenciesMeta?.["prom-client"]?.optional).to.equal(true);
    expect(manifest.dependencies).not.to.have.property("prom-client");
  });

  it("imports, runs a plain MConnection without loading libsodium, then two Switches over SecretConnection; the subpaths load, metrics only with prom-client", async () => {
    const { stdout } = await run(process.execPath, ["consumer.mjs"], { cwd: project, timeout: 120_000 });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(report).to.deep.equal({
      resolvable: { "prom-client": false, pino: false },
      sodiumAfterImport: false,
      cachedAfterImport: [],
      plainMessage: "plain hello",
      plainEnd: ["closed", "remote-closed"],
      sodiumAfterPlain: false,
      switchMessage: "alice: secret hello",
      // the check above can see the addon: it is loaded once encryption is used
      sodiumAfterSwitch: true,
      subpaths: { operators: true, proto: true, testing: true, metrics: "ERR_MODULE_NOT_FOUND" },
    });
  });
});
