import { expect } from "chai";
import { firstValueFrom, lastValueFrom, of, toArray } from "rxjs";
import sinon from "sinon";
import { DEFAULT_MAX_TX_BYTES, defaultMaxTxBytes, EmptyTxError, mempoolCodec, submitTx, TxTooLargeError } from "../../../src/cometbft/index.js";
import type { Peer } from "../../../src/p2p/peer.js";

function fakePeer(id: string, channels: number[], queued = true): Peer {
  return { id, hasChannel: (c: number) => channels.includes(c), queue: sinon.stub().returns(of(queued)) } as unknown as Peer;
}

describe("submitTx", () => {
  const tx = Buffer.from("k=v");
  const a = fakePeer("a", [0x20, 0x30]);
  const b = fakePeer("b", [0x20]);
  const c = fakePeer("c", [0x30], false);
  const sw = { peers: new Map([a, b, c].map((p) => [p.id, p])) };

  it("queues one mempool Message with the transaction for each peer that declares 0x30, and reports each outcome", async () => {
    const deliveries = await lastValueFrom(submitTx(sw, tx).pipe(toArray()));
    expect(deliveries.map((d) => [d.peer.id, d.queued])).to.deep.equal([
      ["a", true],
      ["c", false],
    ]);
    const { queue } = a as unknown as { queue: sinon.SinonStub };
    expect(queue.calledOnceWith(0x30)).to.equal(true);
    expect(mempoolCodec.decode(queue.firstCall.args[1] as Uint8Array)).to.deep.equal({ sum: { $case: "txs", value: { txs: [new Uint8Array(tx)] } } });
    expect((b as unknown as { queue: sinon.SinonStub }).queue.called).to.equal(false);
  });

  it("sends to the chosen peers only: a list or a predicate", async () => {
    const listed = await lastValueFrom(submitTx(sw, tx, { peers: [c] }).pipe(toArray()));
    expect(listed.map((d) => d.peer.id)).to.deep.equal(["c"]);
    const picked = await lastValueFrom(submitTx(sw, tx, { peers: (p) => p.id === "a" }).pipe(toArray()));
    expect(picked.map((d) => d.peer.id)).to.deep.equal(["a"]);
  });

  it("sends nothing before it is subscribed to", () => {
    const d = fakePeer("d", [0x30]);
    submitTx({ peers: new Map([["d", d]]) }, tx);
    expect((d as unknown as { queue: sinon.SinonStub }).queue.called).to.equal(false);
  });

  it("refuses, sending nothing, an empty transaction and one over max_tx_bytes (1 MiB unless told), each with its typed error", async () => {
    const p = fakePeer("p", [0x30]);
    const one = { peers: new Map([["p", p]]) };
    const refusal = (tx: Uint8Array, maxTxBytes?: number) => firstValueFrom(submitTx(one, tx, maxTxBytes === undefined ? {} : { maxTxBytes })).then(() => undefined, (err: unknown) => err);
    expect(await refusal(new Uint8Array(0))).to.be.instanceOf(EmptyTxError).and.have.property("reason", "empty-tx");
    const big = (await refusal(new Uint8Array(DEFAULT_MAX_TX_BYTES + 1))) as TxTooLargeError;
    expect(big).to.be.instanceOf(TxTooLargeError);
    expect([big.reason, big.size, big.maxTxBytes]).to.deep.equal(["tx-too-large", DEFAULT_MAX_TX_BYTES + 1, DEFAULT_MAX_TX_BYTES]);
    expect(big.message).to.match(/1048577 bytes, more than max_tx_bytes 1048576/);
    expect(await refusal(new Uint8Array(11), 10)).to.be.instanceOf(TxTooLargeError);
    expect((p as unknown as { queue: sinon.SinonStub }).queue.called).to.equal(false);
    // At the limit it goes: v0.40's 4 MiB when told.
    expect(await refusal(new Uint8Array(10), 10)).to.equal(undefined);
    expect(await refusal(new Uint8Array(DEFAULT_MAX_TX_BYTES + 1), defaultMaxTxBytes("v0.40"))).to.equal(undefined);
    expect((p as unknown as { queue: sinon.SinonStub }).queue.callCount).to.equal(2);
  });
});
