import { expect } from "chai";
import { catchError, concatMap, EMPTY, firstValueFrom, from, map, take, toArray } from "rxjs";
import { generateNodeKey, secretAuthenticator, SubscriberError, Switch } from "rx-mconn";

const CHAT = 0x40;
const node = () => {
  const key = generateNodeKey();
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "example", listen: "127.0.0.1:0", allowDuplicateIp: true });
  sw.addReactor("chat", { channels: [{ id: CHAT, sendQueueCapacity: 10 }] });
  return sw;
};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Stands for a database write: asynchronous, and it fails on what it cannot store. */
async function store(saved: string[], message: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (!message.startsWith("{")) throw new Error(`cannot store ${JSON.stringify(message)}`);
  saved.push(message);
}

it("async work per message: inside the pipe, each failure caught on its own; the stream goes on", async () => {
  const [us, them] = [node(), node()];
  await Promise.all([us.start(), them.start()]);
  try {
    const saved: string[] = [];
    const failures: unknown[] = [];
    const written = firstValueFrom(
      us.channel(CHAT).messages$.pipe(
        // One write at a time, in order; a failed write is dealt with here and the next one runs.
        concatMap(({ message }) =>
          from(store(saved, text(message))).pipe(
            map(() => text(message)),
            catchError((err: unknown) => (failures.push(err), EMPTY)),
          ),
        ),
        take(2),
        toArray(),
      ),
    );
    const peer = await them.dial(us.address!);
    for (const m of ["{1}", "not json", "{2}"]) await peer.send(CHAT, new TextEncoder().encode(m));
    expect(await written).to.deep.equal(["{1}", "{2}"]);
    expect(saved).to.deep.equal(["{1}", "{2}"]);
    expect(failures).to.have.length(1);
  } finally {
    await Promise.all([us.stop(), them.stop()]);
  }
});

it("an async subscriber of the switch's observables: its rejection ends only that peer, as a throw does", async () => {
  const [us, them] = [node(), node()];
  await Promise.all([us.start(), them.start()]);
  try {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the shape this test shows
    us.channel(CHAT).messages$.subscribe(async ({ message }) => store([], text(message)));
    const reported = firstValueFrom(us.errors$);
    const peer = await them.dial(us.address!);
    await peer.send(CHAT, new TextEncoder().encode("not json"));
    const error = await reported; // the rejection, reported: that peer is stopped, the process lives on
    expect(error instanceof SubscriberError && error.peer?.id).to.equal(them.nodeId);
    expect(error.cause).to.be.an("error").with.property("message", 'cannot store "not json"');
  } finally {
    await Promise.all([us.stop(), them.stop()]);
  }
});
