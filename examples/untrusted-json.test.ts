import { expect } from "chai";
import { firstValueFrom } from "rxjs";
import { generateNodeKey, secretAuthenticator, SubscriberError, Switch } from "rx-mconn";

const CHAT = 0x40;
const node = () => {
  const key = generateNodeKey();
  const sw = new Switch({ nodeId: key.id, authenticate: secretAuthenticator(key), network: "example", listen: "127.0.0.1:0", allowDuplicateIp: true });
  sw.addReactor("chat", { channels: [{ id: CHAT, sendQueueCapacity: 10 }] });
  return sw;
};

it("a subscriber parsing JSON from an untrusted peer: a throw ends only that peer", async () => {
  const [us, honest, hostile] = [node(), node(), node()];
  await Promise.all([us.start(), honest.start(), hostile.start()]);
  try {
    const parsed: unknown[] = [];
    us.channel(CHAT).messages$.subscribe(({ message }) => parsed.push(JSON.parse(new TextDecoder().decode(message))));
    const reported = firstValueFrom(us.errors$);
    await hostile.dial(us.address!);
    hostile.broadcast(CHAT, new TextEncoder().encode("{not json"));
    const error = await reported; // JSON.parse threw: that peer is stopped, the process lives on
    expect(error instanceof SubscriberError && error.peer?.id).to.equal(hostile.nodeId);

    const peer = await honest.dial(us.address!);
    const got = firstValueFrom(us.channel(CHAT).messages$); // subscribed after the parser, so told after it
    await peer.send(CHAT, new TextEncoder().encode('{"hello":"world"}'));
    await got;
    expect(parsed).to.deep.equal([{ hello: "world" }]);
  } finally {
    await Promise.all([us.stop(), honest.stop(), hostile.stop()]);
  }
});
