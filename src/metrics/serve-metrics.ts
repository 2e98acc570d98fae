/**
 * A minimal HTTP endpoint for Prometheus: `GET /metrics`.
 * @module
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { Registry } from "prom-client";
import { parseHostPort } from "../p2p/netaddress.js";

/** A running metrics endpoint. */
export interface MetricsServer {
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9090/metrics`. */
  readonly url: string;
  /** Stops serving. */
  readonly close: () => Promise<void>;
}

/** Serves `registry` on `http://host:port/metrics`; port 0 picks a free one. */
export async function serveMetrics(registry: Registry, hostPort: string): Promise<MetricsServer> {
  const { host, port } = parseHostPort(hostPort);
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end("not found\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  server.listen(port, host);
  await once(server, "listening");
  const bound = server.address() as { port: number };
  return {
    url: `http://${host}:${bound.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
