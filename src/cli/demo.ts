/**
 * The demo: two MConnections on 127.0.0.1 exchange messages on three channels of priorities
 * 1, 2 and 5, all saturated at once, and print what each channel received and its share of the
 * bytes against its priority share.
 */
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import { socketDuplex } from "../duplex/socket-duplex.js";
import { MConnection } from "../mconn/mconnection.js";
import type { ChannelDescriptor } from "../mconn/channel-descriptor.js";

const channels: ChannelDescriptor[] = [
  { id: 0x10, priority: 1, sendQueueCapacity: 4 },
  { id: 0x20, priority: 2, sendQueueCapacity: 4 },
  { id: 0x30, priority: 5, sendQueueCapacity: 4 },
];
const seconds = Number(process.argv[2] ?? 3);
const config = { sendRate: 0, recvRate: 0 };

async function main(): Promise<void> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  await once(client, "connect");
  const [serverSocket] = await accepted;

  const sender = new MConnection(socketDuplex(client), { channels, config });
  const receiver = new MConnection(socketDuplex(serverSocket), { channels, config });
  const got = new Map<number, { messages: number; bytes: number }>(channels.map((c) => [c.id, { messages: 0, bytes: 0 }]));
  for (const c of channels) {
    receiver.channel(c.id).messages$.subscribe((m) => {
      const g = got.get(c.id)!;
      g.messages++;
      g.bytes += m.length;
    });
  }
  sender.start();
  receiver.start();
  console.log(`rx-mconn demo: ${channels.length} channels on 127.0.0.1:${port}, saturated for ${seconds} s`);

  const deadline = Date.now() + seconds * 1000;
  const message = new Uint8Array(64 * 1024).fill(7);
  await Promise.all(
    channels.map(async (c) => {
      while (Date.now() < deadline) if (!(await sender.send(c.id, message))) break;
    }),
  );
  await sender.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const totalBytes = [...got.values()].reduce((s, g) => s + g.bytes, 0);
  const totalPriority = channels.reduce((s, c) => s + (c.priority ?? 1), 0);
  console.log("channel  priority  messages       bytes   share  priority share");
  for (const c of channels) {
    const g = got.get(c.id)!;
    const share = (100 * g.bytes) / totalBytes;
    const want = (100 * (c.priority ?? 1)) / totalPriority;
    console.log(
      `0x${c.id.toString(16).padStart(2, "0")}     ${String(c.priority).padStart(8)}  ${String(g.messages).padStart(8)}  ${String(g.bytes).padStart(10)}  ${share.toFixed(1).padStart(5)} %  ${want.toFixed(1).padStart(5)} %`,
    );
  }
  console.log(`total ${(totalBytes / 1e6).toFixed(1)} MB in ${seconds} s; sender ended: ${sender.closeReason?.kind}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
