/**
 * Prometheus metrics of a {@link Switch}, named as CometBFT names its p2p metrics
 * (`cometbft_p2p_*`), so existing dashboards work. Opt-in: nothing is measured unless this is
 * called. Byte counters are read from the connections when scraped, so they cost nothing
 * between scrapes.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { Subscription } from "rxjs";
import { cometbftChannelName } from "../p2p/cometbft-channels.js";
import type { Peer } from "../p2p/peer.js";
import type { Switch } from "../p2p/switch.js";

/** Options of {@link switchMetrics}. */
export interface SwitchMetricsOptions {
  /** Where to register (default: a new registry). */
  readonly registry?: Registry;
  /** Metric name prefix (default `cometbft`, as CometBFT's `instrumentation.namespace`). */
  readonly namespace?: string;
}

/** What {@link switchMetrics} returns. */
export interface SwitchMetrics {
  readonly registry: Registry;
  /** Stops observing the switch (the metrics stay registered). */
  stop(): void;
}

const hex = (id: number) => `0x${id.toString(16)}`;

/**
 * Registers, for `sw`: `<ns>_p2p_peers`, `<ns>_p2p_peer_receive_bytes_total{peer_id,chID}`,
 * `<ns>_p2p_peer_send_bytes_total{peer_id,chID}`, `<ns>_p2p_peer_pending_send_bytes{peer_id}`,
 * `<ns>_p2p_peer_send_dropped_messages_total{peer_id,chID}` (ours: CometBFT counts no drops),
 * and `<ns>_p2p_message_receive_bytes_total{message_type}` where the type is the channel's
 * name (CometBFT's channels are named, e.g. `consensus/vote`; others by hex id).
 */
export function switchMetrics(sw: Switch, options: SwitchMetricsOptions = {}): SwitchMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = `${options.namespace ?? "cometbft"}_p2p_`;
  /** Bytes (and dropped messages) already counted, per peer and channel. */
  const counted = new Map<string, { sent: number; received: number; dropped: number }>();
  const delta = (peer: Peer, channelId: number, sent: number, received: number, dropped: number) => {
    const k = `${peer.id}/${channelId}`;
    const last = counted.get(k) ?? { sent: 0, received: 0, dropped: 0 };
    counted.set(k, { sent, received, dropped });
    return { sent: sent - last.sent, received: received - last.received, dropped: dropped - last.dropped };
  };
  // Each counter moves what the connections counted since the last scrape into the counters
  // when collected (sampling is idempotent: it adds only what is new).
  const receiveBytes: Counter<"peer_id" | "chID"> = new Counter({
    name: `${prefix}peer_receive_bytes_total`,
    help: "Number of bytes received from a given peer.",
    labelNames: ["peer_id", "chID"],
    registers: [registry],
    collect: () => sample(),
  });
  const sendBytes: Counter<"peer_id" | "chID"> = new Counter({
    name: `${prefix}peer_send_bytes_total`,
    help: "Number of bytes sent to a given peer.",
    labelNames: ["peer_id", "chID"],
    registers: [registry],
    collect: () => sample(),
  });
  const sendDropped: Counter<"peer_id" | "chID"> = new Counter({
    name: `${prefix}peer_send_dropped_messages_total`,
    help: "Number of messages to a given peer dropped: refused by a full send queue, or timed out waiting for room.",
    labelNames: ["peer_id", "chID"],
    registers: [registry],
    collect: () => sample(),
  });
  const sample = (): void => {
    for (const peer of sw.peers.values())
      for (const ch of peer.connection.status()) {
        const d = delta(peer, ch.id, ch.sentBytes, ch.receivedBytes, ch.dropped);
        if (d.received > 0) receiveBytes.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.received);
        if (d.sent > 0) sendBytes.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.sent);
        if (d.dropped > 0) sendDropped.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.dropped);
      }
  };
  new Gauge({
    name: `${prefix}peers`,
    help: "Number of peers.",
    registers: [registry],
    collect() {
      this.set(sw.peers.size);
    },
  });
  new Gauge({
    name: `${prefix}peer_pending_send_bytes`,
    help: "Pending bytes to be sent to a given peer.",
    labelNames: ["peer_id"],
    registers: [registry],
    collect() {
      this.reset();
      for (const peer of sw.peers.values()) this.set({ peer_id: peer.id }, peer.connection.status().reduce((s, c) => s + c.pendingBytes, 0));
    },
  });
  const messageBytes = new Counter({
    name: `${prefix}message_receive_bytes_total`,
    help: "Number of bytes of each message type received.",
    labelNames: ["message_type"],
    registers: [registry],
  });
  const subscriptions: Subscription[] = [];
  const watch = (peer: Peer) => {
    subscriptions.push(peer.connection.messages$.subscribe((m) => messageBytes.inc({ message_type: cometbftChannelName(m.channelId) }, m.message.length)));
  };
  for (const peer of sw.peers.values()) watch(peer);
  subscriptions.push(
    sw.peers$.subscribe((e) => {
      if (e.type === "added") watch(e.peer);
      else {
        sample();
        for (const k of counted.keys()) if (k.startsWith(`${e.peer.id}/`)) counted.delete(k);
      }
    }),
  );
  return {
    registry,
    stop: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
