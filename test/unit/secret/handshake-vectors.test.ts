import { expect } from "chai";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { encodeAuthSig } from "../../../src/secret/auth-sig.js";
import { ephemeralKeys, sharedSecret } from "../../../src/secret/ephemeral-key.js";
import { secretHandshake } from "../../../src/secret/handshake.js";
import { deriveSession, splitKeys } from "../../../src/secret/key-schedule.js";
import { nodeKeyFromSeed } from "../../../src/secret/node-key.js";
import { FrameSealer } from "../../../src/secret/frame-cipher.js";
import { recording } from "../../helpers/recording-duplex.js";
import { readVectors, readVectorText } from "../../helpers/vectors.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

interface Side {
  ed25519_seed: string;
  ed25519_pub: string;
  node_id: string;
  x25519_eph_priv: string;
  x25519_eph_pub: string;
  wire_eph_msg: string;
  loc_is_least: boolean;
  dh_secret: string;
  challenge: string;
  hkdf_okm_96: string;
  recv_key: string;
  send_key: string;
  challenge_signature: string;
  auth_sig_message: string;
  auth_sig_message_delimited: string;
  first_frame_plaintext_1028: string;
  first_frame_sealed_1044: string;
}
interface Derived {
  sides: { A: Side; B: Side };
  a_second_frame: { node_info_delimited: string; nonce: string; frame_plaintext_1028: string; frame_sealed_1044: string };
}

const derived = readVectors<Derived>("cometbft/derived-handshake.json");

describe("secret handshake against CometBFT's vectors", () => {
  it("HKDF key split reproduces all 32 lines of TestDeriveSecretsAndChallengeGolden (all five columns)", () => {
    const lines = readVectorText("cometbft/TestDeriveSecretsAndChallengeGolden.golden").trim().split("\n");
    expect(lines).to.have.length(32);
    for (const line of lines) {
      const [dh, least, recv, send, legacy] = line.split(",");
      const keys = splitKeys(bytes(dh), least === "true");
      expect(hex(keys.recvKey)).to.equal(recv);
      expect(hex(keys.sendKey)).to.equal(send);
      expect(hex(keys.okm.subarray(64, 96))).to.equal(legacy);
    }
  });

  for (const name of ["A", "B"] as const) {
    const side = derived.sides[name];
    const other = derived.sides[name === "A" ? "B" : "A"];
    it(`side ${name}: keys, node ID, DH secret, transcript challenge, key split, signature, AuthSigMessage, first sealed frame`, () => {
      const key = nodeKeyFromSeed(bytes(side.ed25519_seed));
      expect(hex(key.publicKey)).to.equal(side.ed25519_pub);
      expect(key.id).to.equal(side.node_id);
      const eph = ephemeralKeys(bytes(side.x25519_eph_priv));
      expect(hex(eph.publicKey)).to.equal(side.x25519_eph_pub);
      const dh = sharedSecret(eph, bytes(other.x25519_eph_pub));
      expect(hex(dh)).to.equal(side.dh_secret);
      const session = deriveSession(eph.publicKey, bytes(other.x25519_eph_pub), dh);
      expect(session.localIsLeast).to.equal(side.loc_is_least);
      expect(hex(session.challenge)).to.equal(side.challenge);
      expect(hex(session.sendKey)).to.equal(side.send_key);
      expect(hex(session.recvKey)).to.equal(side.recv_key);
      expect(hex(splitKeys(dh, side.loc_is_least).okm)).to.equal(side.hkdf_okm_96);
      expect(hex(key.sign(session.challenge))).to.equal(side.challenge_signature);
      expect(hex(encodeAuthSig(key, session.challenge))).to.equal(side.auth_sig_message);
      expect(hex(new FrameSealer(session.sendKey).seal(bytes(side.auth_sig_message_delimited)))).to.equal(side.first_frame_sealed_1044);
    });
  }

  it("a full handshake with the injected keys writes exactly the vectors' bytes, then A's NodeInfo as the second frame", async () => {
    const A = derived.sides.A;
    const B = derived.sides.B;
    const [rawA, rawB] = duplexPair({ splitSeed: 11 });
    const tapA = recording(rawA);
    const tapB = recording(rawB);
    const [a, b] = await Promise.all([
      secretHandshake(tapA.duplex, nodeKeyFromSeed(bytes(A.ed25519_seed)), { ephemeralPrivateKey: bytes(A.x25519_eph_priv) }),
      secretHandshake(tapB.duplex, nodeKeyFromSeed(bytes(B.ed25519_seed)), { ephemeralPrivateKey: bytes(B.x25519_eph_priv) }),
    ]);
    expect(a.remoteId).to.equal(B.node_id);
    expect(b.remoteId).to.equal(A.node_id);
    expect(hex(a.remotePublicKey)).to.equal(B.ed25519_pub);
    expect(tapA.writes).to.deep.equal([A.wire_eph_msg, A.first_frame_sealed_1044]);
    expect(tapB.writes).to.deep.equal([B.wire_eph_msg, B.first_frame_sealed_1044]);

    const nodeInfo = bytes(derived.a_second_frame.node_info_delimited);
    const received = new Promise<string>((resolve) => b.duplex.incoming$.subscribe((chunk) => resolve(hex(chunk))));
    a.duplex.write(nodeInfo);
    expect(tapA.writes[2]).to.equal(derived.a_second_frame.frame_sealed_1044);
    expect(await received).to.equal(hex(nodeInfo));
  });
});
