/**
 * Prometheus metrics of a {@link Switch}, named as CometBFT names its p2p metrics
 * (`cometbft_p2p_*`), so existing dashboards work. Opt-in: nothing is measured unless this is
 * called. Byte counters (the message-type one included) are read from the connections when
 * scraped, so they cost nothing between scrapes, and count every message, whenever it arrived. A peer's labelled series last one scrape after it leaves (which shows its
 * final bytes) and are then removed, so churn does not grow the registry.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import { cometbftChannelName } from "../cometbft/channel-table.js";
import type { Peer } from "../p2p/peer.js";
import type { Switch } from "../p2p/switch.js";

/** Options of {@link switchMetrics}. */
export interface SwitchMetricsOptions {
  /** Where to register (default: a new registry). */
  readonly registry?: Registry;
  /** Metric name prefix (default `cometbft`, as CometBFT's `instrumentation.namespace`). */
  readonly namespace?: string;
  /**
   * Most departed peers whose series wait for a scrape (default 1024): beyond it, the oldest
   * are removed unscraped, so a registry nobody scrapes stays bounded too.
   */
  readonly maxDepartedSeries?: number;
}

/** What {@link switchMetrics} returns. */
export interface SwitchMetrics {
  readonly registry: Registry;
  /** Stops observing the switch (the metrics stay registered). */
  stop(): void;
}

const hex = (id: number) => `0x${id.toString(16)}`;

/** The label sets of one departed peer. */
type Departed = readonly { peer_id: string; chID: string }[];

/**
 * A per-peer counter's series of departed peers: kept for the next scrape (it shows their
 * final values), removed at the scrape after it.
 */
class Retirement {
  private pending: Departed[] = [];
  private exposed: Departed[] = [];

  constructor(
    private readonly counter: Counter<"peer_id" | "chID">,
    private readonly max: number,
    /** A peer connected again under the same ID keeps its series. */
    private readonly isLive: (peerId: string) => boolean,
  ) {}

  /** A peer left: its series go at the scrape after next. */
  add(labels: Departed): void {
    this.pending.push(labels);
    while (this.pending.length + this.exposed.length > this.max) this.removeAll((this.exposed.length > 0 ? this.exposed : this.pending).splice(0, 1));
  }

  /** Called at each scrape: removes what the previous scrape showed for the last time. */
  scrape(): void {
    this.removeAll(this.exposed);
    this.exposed = this.pending;
    this.pending = [];
  }

  private removeAll(list: Departed[]): void {
    for (const labels of list) for (const l of labels) if (!this.isLive(l.peer_id)) this.counter.remove(l);
  }
}

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
  const maxDeparted = options.maxDepartedSeries ?? 1024;
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
    collect: () => {
      receiveRetired.scrape();
      sample();
    },
  });
  const sendBytes: Counter<"peer_id" | "chID"> = new Counter({
    name: `${prefix}peer_send_bytes_total`,
    help: "Number of bytes sent to a given peer.",
    labelNames: ["peer_id", "chID"],
    registers: [registry],
    collect: () => {
      sendRetired.scrape();
      sample();
    },
  });
  const sendDropped: Counter<"peer_id" | "chID"> = new Counter({
    name: `${prefix}peer_send_dropped_messages_total`,
    help: "Number of messages to a given peer dropped: refused by a full send queue, or timed out waiting for room.",
    labelNames: ["peer_id", "chID"],
    registers: [registry],
    collect: () => {
      droppedRetired.scrape();
      sample();
    },
  });
  const isLive = (id: string) => sw.peers.has(id);
  const messageBytes: Counter<"message_type"> = new Counter({
    name: `${prefix}message_receive_bytes_total`,
    help: "Number of bytes of each message type received.",
    labelNames: ["message_type"],
    registers: [registry],
    collect: () => sample(),
  });
  const receiveRetired = new Retirement(receiveBytes, maxDeparted, isLive);
  const sendRetired = new Retirement(sendBytes, maxDeparted, isLive);
  const droppedRetired = new Retirement(sendDropped, maxDeparted, isLive);
  const samplePeer = (peer: Peer): void => {
    for (const ch of peer.connection.status()) {
      const d = delta(peer, ch.id, ch.sentBytes, ch.receivedBytes, ch.dropped);
      if (d.received > 0) {
        receiveBytes.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.received);
        messageBytes.inc({ message_type: cometbftChannelName(ch.id) }, d.received);
      }
      if (d.sent > 0) sendBytes.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.sent);
      if (d.dropped > 0) sendDropped.inc({ peer_id: peer.id, chID: hex(ch.id) }, d.dropped);
    }
  };
  const sample = (): void => {
    for (const peer of sw.peers.values()) samplePeer(peer);
  };
  /** A peer left: count its last bytes, forget what was counted, retire its series. */
  const depart = (peer: Peer): void => {
    samplePeer(peer);
    const labels = peer.connection.status().map((ch) => ({ peer_id: peer.id, chID: hex(ch.id) }));
    for (const ch of peer.connection.status()) counted.delete(`${peer.id}/${ch.id}`);
    receiveRetired.add(labels);
    sendRetired.add(labels);
    droppedRetired.add(labels);
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
  // One subscription: the peers joining and leaving (no per-peer or per-message work).
  const subscriptions = sw.peers$.subscribe((e) => {
    if (e.type === "removed") depart(e.peer);
  });
  return {
    registry,
    stop: () => subscriptions.unsubscribe(),
  };
}
