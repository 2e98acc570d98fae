/**
 * The crawl's outputs: a table and an SVG picture of the network (nodes on a circle,
 * coloured by version; an arrow from each node to the nodes it told us of).
 * @module
 */
import type { CrawledNode } from "../pex/crawler.js";

/** One row per node: ID, address, moniker, version, network, channels, protocols, accepted, handshake, addresses given (and invalid ones dropped), told by. */
export function crawlTable(nodes: readonly CrawledNode[]): string[] {
  const rows = nodes.map((n) => {
    const i = n.nodeInfo;
    return [
      n.id.slice(0, 12),
      n.address.slice(n.address.indexOf("@") + 1),
      n.status,
      i?.moniker ?? "-",
      i?.version ?? "-",
      i?.network ?? "-",
      i ? [...i.channels].map((c) => c.toString(16).padStart(2, "0")).join(",") : "-",
      i ? `${i.protocolVersion.p2p}/${i.protocolVersion.block}/${i.protocolVersion.app}` : "-",
      n.status === "reached" ? (n.accepted ? "yes" : "no") : "-",
      n.handshakeMs === undefined ? "-" : `${n.handshakeMs} ms`,
      n.answered === undefined ? "-" : `${n.answered}${n.invalid ? ` (+${n.invalid} invalid)` : ""}`,
      [...(n.seed ? ["(seed)"] : []), ...n.toldBy.map((t) => t.slice(0, 8))].join(",") || "-",
    ];
  });
  const head = ["ID", "ADDRESS", "STATUS", "MONIKER", "VERSION", "NETWORK", "CHANNELS", "P2P/BLOCK/APP", "ACCEPTED", "HANDSHAKE", "GAVE", "TOLD BY"];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  return [head, ...rows].map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  "));
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const escape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A picture of the network: nodes by version (a legend), edges "told us of". */
export function crawlSvg(nodes: readonly CrawledNode[]): string {
  const size = 640;
  const r = size / 2 - 90;
  const at = new Map(nodes.map((n, k) => [n.id, { x: size / 2 + r * Math.cos((2 * Math.PI * k) / Math.max(1, nodes.length)), y: size / 2 + r * Math.sin((2 * Math.PI * k) / Math.max(1, nodes.length)) }]));
  const versions = [...new Set(nodes.map((n) => n.nodeInfo?.version ?? "unreached"))].sort();
  const colour = (n: CrawledNode) => (n.nodeInfo ? PALETTE[versions.indexOf(n.nodeInfo.version) % PALETTE.length] : "#cccccc");
  const edges = nodes.flatMap((n) =>
    n.toldBy.flatMap((t) => {
      const a = at.get(t);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at holds a position for every node laid out above
      const b = at.get(n.id)!;
      return a ? [`<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" stroke="#999" marker-end="url(#arrow)"/>`] : [];
    }),
  );
  const dots = nodes.map((n) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at holds a position for every node laid out above
    const p = at.get(n.id)!;
    const label = escape(n.nodeInfo?.moniker ?? n.id.slice(0, 8));
    return `<g><title>${escape(n.address)} ${escape(n.status)}</title><circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="9" fill="${colour(n)}"/><text x="${p.x.toFixed(1)}" y="${(p.y - 13).toFixed(1)}" text-anchor="middle" font-size="11">${label}</text></g>`;
  });
  const legend = versions.map((v, k) => `<g><circle cx="16" cy="${18 + 18 * k}" r="6" fill="${v === "unreached" ? "#cccccc" : PALETTE[k % PALETTE.length]}"/><text x="28" y="${22 + 18 * k}" font-size="12">${escape(v)}</text></g>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="19" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#999"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...edges,
    ...dots,
    ...legend,
    `</svg>`,
  ].join("\n");
}
