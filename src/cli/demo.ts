/**
 * The demo: two MConnections on 127.0.0.1 exchange messages both ways on three channels of
 * priorities 1, 2 and 5, all saturated at once, and print, for each endpoint, what each channel
 * received and its share of the bytes against its priority share.
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

  const endpoints = [
    { name: "client", conn: new MConnection(socketDuplex(client), { channels, config }) },
    { name: "server", conn: new MConnection(socketDuplex(serverSocket), { channels, config }) },
  ].map((e) => ({ ...e, got: new Map(channels.map((c) => [c.id, { messages: 0, bytes: 0 }])) }));
  for (const e of endpoints) {
    for (const c of channels) {
      e.conn.channel(c.id).messages$.subscribe((m) => {
        const g = e.got.get(c.id)!;
        g.messages++;
        g.bytes += m.length;
      });
    }
    e.conn.start();
  }
  console.log(`rx-mconn demo: two endpoints on 127.0.0.1:${port}, ${channels.length} channels each way, saturated for ${seconds} s`);

  const deadline = Date.now() + seconds * 1000;
  const message = new Uint8Array(64 * 1024).fill(7);
  await Promise.all(
    endpoints.flatMap((e) =>
      channels.map(async (c) => {
        while (Date.now() < deadline) if (!(await e.conn.send(c.id, message))) break;
      }),
    ),
  );
  const [client0] = endpoints;
  await client0!.conn.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const totalPriority = channels.reduce((s, c) => s + (c.priority ?? 1), 0);
  for (const e of endpoints) {
    const totalBytes = [...e.got.values()].reduce((s, g) => s + g.bytes, 0);
    console.log(`\n${e.name} received (${(totalBytes / 1e6).toFixed(1)} MB, ended: ${e.conn.closeReason?.kind})`);
    console.log("channel  priority  messages       bytes   share  priority share");
    for (const c of channels) {
      const g = e.got.get(c.id)!;
      const share = (100 * g.bytes) / totalBytes;
      const want = (100 * (c.priority ?? 1)) / totalPriority;
      console.log(
        `0x${c.id.toString(16).padStart(2, "0")}     ${String(c.priority).padStart(8)}  ${String(g.messages).padStart(8)}  ${String(g.bytes).padStart(10)}  ${share.toFixed(1).padStart(5)} %  ${want.toFixed(1).padStart(5)} %`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
