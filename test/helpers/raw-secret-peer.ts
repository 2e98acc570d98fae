/**
 * A peer that does the secret handshake and NodeInfo exchange by hand and then writes sealed
 * frames of its own making: empty ones, tiny ones, any it likes (a hostile peer's tools).
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import sodium from "sodium-native";
import { socketDuplex } from "../../src/duplex/socket-duplex.js";
import { encodeNodeInfo } from "../../src/p2p/node-info.js";
import type { Switch } from "../../src/p2p/switch.js";
import { encodeAuthSig } from "../../src/secret/auth-sig.js";
import { decodeEphemeralMessage, encodeEphemeralMessage, ephemeralKeys, sharedSecret } from "../../src/secret/ephemeral-key.js";
import { deriveSession } from "../../src/secret/key-schedule.js";
import { generateNodeKey } from "../../src/secret/node-key.js";
import { peerNodeInfo } from "./hosts.js";
import { readDelimited } from "../../src/wire/read-delimited.js";
import { encodeUvarint } from "../../src/wire/uvarint.js";

const aead = sodium as unknown as {
  crypto_aead_chacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: null, nsec: null, nonce: Uint8Array, key: Uint8Array): number;
};

/** Seals frames of any data length from 0 to 1024, counter from 0. */
export class RawSealer {
  private counter = 0n;
  constructor(private readonly key: Uint8Array) {}

  /** One sealed frame (1044 bytes) carrying `data` (≤ 1024 bytes, possibly none). */
  frame(data: Uint8Array): Buffer {
    const plain = Buffer.alloc(1028);
    plain.writeUInt32LE(data.length, 0);
    plain.set(data, 4);
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64LE(this.counter++, 4);
    const out = Buffer.alloc(1044);
    aead.crypto_aead_chacha20poly1305_ietf_encrypt(out, plain, null, null, nonce, this.key);
    return out;
  }

  /** `data` cut into full frames. */
  frames(data: Uint8Array): Buffer {
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length; at += 1024) parts.push(this.frame(data.subarray(at, at + 1024)));
    return Buffer.concat(parts);
  }
}

/** Connects to `sw`, authenticates and sends a NodeInfo on channel 0x40, by hand; then the frames are the caller's. */
export async function rawSecretPeer(sw: Switch, from = "127.0.0.1"): Promise<{ id: string; socket: Socket; sealer: RawSealer }> {
  const key = generateNodeKey();
  const socket = connect({ host: "127.0.0.1", port: sw.listenAddress!.port, localAddress: from });
  socket.on("error", () => undefined);
  await once(socket, "connect");
  const raw = socketDuplex(socket);
  const ours = ephemeralKeys();
  raw.write(encodeEphemeralMessage(ours.publicKey));
  const first = await readDelimited(raw, { maxSize: 1024 });
  const theirs = decodeEphemeralMessage(first.message);
  const session = deriveSession(ours.publicKey, theirs, sharedSecret(ours, theirs));
  first.rest.incoming$.subscribe({ error: () => undefined }); // what the switch sends is not read
  const sealer = new RawSealer(session.sendKey);
  const auth = encodeAuthSig(key, session.challenge);
  const body = encodeNodeInfo(peerNodeInfo(key.id, from));
  socket.write(sealer.frames(Buffer.concat([encodeUvarint(auth.length), auth, encodeUvarint(body.length), body])));
  return { id: key.id, socket, sealer };
}
