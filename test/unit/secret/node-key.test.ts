import { expect } from "chai";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeKeyError } from "../../../src/secret/errors.js";
import {
  formatNodeKey,
  generateNodeKey,
  loadNodeKey,
  loadOrGenerateNodeKey,
  nodeKeyFromSeed,
  parseNodeKey,
  saveNodeKey,
  verifyEd25519,
} from "../../../src/secret/node-key.js";
import { readVectors } from "../../helpers/vectors.js";

const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const A = readVectors<{ sides: { A: { ed25519_seed: string; ed25519_pub: string; node_id: string } } }>("cometbft/derived-handshake.json").sides.A;

describe("node keys", () => {
  it("derives the public key and node ID of RFC 8032's TEST 1 seed", () => {
    const key = nodeKeyFromSeed(bytes(A.ed25519_seed));
    expect(hex(key.publicKey)).to.equal(A.ed25519_pub);
    expect(key.id).to.equal(A.node_id);
  });

  it("reads and writes node_key.json as CometBFT does (base64 of seed ‖ public key)", async () => {
    const key = nodeKeyFromSeed(bytes(A.ed25519_seed));
    const text = formatNodeKey(key);
    const doc = JSON.parse(text) as { priv_key: { type: string; value: string } };
    expect(doc.priv_key.type).to.equal("tendermint/PrivKeyEd25519");
    expect(Buffer.from(doc.priv_key.value, "base64").toString("hex")).to.equal(A.ed25519_seed + A.ed25519_pub);
    expect(parseNodeKey(text).id).to.equal(A.node_id);
    const dir = await mkdtemp(join(tmpdir(), "rx-mconn-key-"));
    await saveNodeKey(join(dir, "node_key.json"), key);
    expect((await stat(join(dir, "node_key.json"))).mode & 0o777).to.equal(0o600);
    expect((await loadNodeKey(join(dir, "node_key.json"))).id).to.equal(A.node_id);
  });

  it("generates a key on first load and keeps it afterwards", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rx-mconn-key-"));
    const path = join(dir, "node_key.json");
    const first = await loadOrGenerateNodeKey(path);
    const again = await loadOrGenerateNodeKey(path);
    expect(again.id).to.equal(first.id).and.to.match(/^[0-9a-f]{40}$/);
    expect(JSON.parse(await readFile(path, "utf8"))).to.have.nested.property("priv_key.value");
    await writeFile(path, "{");
    await loadOrGenerateNodeKey(path).then(
      () => expect.fail("a broken file must not be replaced"),
      (err: unknown) => expect(err).to.be.instanceOf(NodeKeyError),
    );
  });

  it("signs and verifies; a signature does not verify for another key or message", () => {
    const key = generateNodeKey();
    const other = generateNodeKey();
    const msg = new TextEncoder().encode("challenge");
    const sig = key.sign(msg);
    expect(verifyEd25519(key.publicKey, msg, sig)).to.equal(true);
    expect(verifyEd25519(other.publicKey, msg, sig)).to.equal(false);
    expect(verifyEd25519(key.publicKey, new TextEncoder().encode("challengE"), sig)).to.equal(false);
    expect(verifyEd25519(key.publicKey, msg, sig.subarray(0, 63))).to.equal(false);
  });

  const bad: [string, string, RegExp][] = [
    ["not JSON", "{", /not JSON/],
    ["no priv_key", "{}", /priv_key/],
    ["secp256k1 key", JSON.stringify({ priv_key: { type: "tendermint/PrivKeySecp256k1", value: "AAAA" } }), /not supported/],
    ["not base64", JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value: "!!" } }), /base64/],
    ["32 bytes only", JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value: Buffer.alloc(32).toString("base64") } }), /64/],
    [
      "public half of another key",
      JSON.stringify({ priv_key: { type: "tendermint/PrivKeyEd25519", value: Buffer.concat([bytes(A.ed25519_seed), Buffer.alloc(32, 7)]).toString("base64") } }),
      /does not match/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses a node_key.json with ${name}`, () => {
      expect(() => parseNodeKey(text)).to.throw(NodeKeyError, message);
    });
  }
});
