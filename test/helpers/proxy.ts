import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 to `targetPort` that flips one bit (0x04) of the client → target
 * stream at byte `flipAt` of each connection (or forwards faithfully when undefined).
 */
export async function tamperingProxy(targetPort: number, flipAt: number | undefined): Promise<{ port: number; close: () => void }> {
  const proxy: Server = createServer((inbound) => {
    const outbound = connect(targetPort, "127.0.0.1");
    let seen = 0;
    inbound.on("data", (chunk: Buffer) => {
      if (flipAt !== undefined && flipAt >= seen && flipAt < seen + chunk.length) chunk[flipAt - seen] ^= 0x04;
      seen += chunk.length;
      if (!outbound.write(chunk)) {
        inbound.pause();
        outbound.once("drain", () => inbound.resume());
      }
    });
    outbound.pipe(inbound);
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  return { port: (proxy.address() as { port: number }).port, close: () => proxy.close() };
}
