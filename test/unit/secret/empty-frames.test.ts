import { expect } from "chai";
import { lastValueFrom, toArray } from "rxjs";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { EmptyFramesError } from "../../../src/secret/errors.js";
import { FRAME_SEALED_SIZE, FrameOpener, MAX_EMPTY_FRAMES } from "../../../src/secret/frame-cipher.js";
import { secretDuplex } from "../../../src/secret/secret-duplex.js";
import { RawSealer } from "../../helpers/raw-secret-peer.js";

const key = new Uint8Array(32).fill(3);
const empties = (sealer: RawSealer, n: number) => Buffer.concat(Array.from({ length: n }, () => sealer.frame(new Uint8Array(0))));

describe("empty sealed frames", () => {
  it("99 in a row pass; a frame with data resets the run; the 100th in a row is an EmptyFramesError after the data before it", () => {
    expect(MAX_EMPTY_FRAMES).to.equal(100);
    const sealer = new RawSealer(key);
    const stream = Buffer.concat([empties(sealer, 99), sealer.frame(Uint8Array.of(7)), empties(sealer, 99), sealer.frame(Uint8Array.of(8)), empties(sealer, 100)]);
    const { data, error } = new FrameOpener(key).openUntilError(stream);
    expect([...data]).to.deep.equal([7, 8]);
    expect(error).to.be.instanceOf(EmptyFramesError);
    expect(new FrameOpener(key).openUntilError(stream.subarray(0, stream.length - FRAME_SEALED_SIZE)).error).to.equal(undefined);
  });

  it("counts across chunks however they are cut", () => {
    const sealer = new RawSealer(key);
    const stream = empties(sealer, 100);
    const opener = new FrameOpener(key);
    let error: unknown;
    for (let at = 0; at < stream.length && error === undefined; at += 777) error = opener.openUntilError(stream.subarray(at, at + 777)).error;
    expect(error).to.be.instanceOf(EmptyFramesError);
  });
});

describe("secretDuplex's wire accounting", () => {
  it("reports every read from below on wireReceived$ (frames that carry nothing included) and the sealed size of a write", async () => {
    const [a, b] = duplexPair();
    const duplex = secretDuplex(b, { sendKey: key, recvKey: key });
    const wire: number[] = [];
    const sub = duplex.wireReceived$!.subscribe((n) => wire.push(n));
    const chunks = lastValueFrom(duplex.incoming$.pipe(toArray()));
    const sealer = new RawSealer(key);
    a.write(empties(sealer, 3));
    a.write(sealer.frame(Uint8Array.of(1, 2)));
    a.end();
    expect((await chunks).map((c) => [...c])).to.deep.equal([[1, 2]]);
    expect(wire).to.deep.equal([3 * FRAME_SEALED_SIZE, FRAME_SEALED_SIZE]);
    sub.unsubscribe();
    expect([0, 1, 1024, 1025, 10_000].map((n) => duplex.wireSize!(n))).to.deep.equal([0, 1044, 1044, 2088, 10 * 1044]);
  });
});
