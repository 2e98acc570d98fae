import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

/** A connected pair of real TCP sockets on 127.0.0.1, and a way to close everything. */
export async function tcpPair(): Promise<{ client: Socket; server: Socket; close: () => Promise<void> }> {
  const listener: Server = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  await once(client, "connect");
  const [server] = await accepted;
  return {
    client,
    server,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
