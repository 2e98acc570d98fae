/**
 * IP addresses as CometBFT's address book classifies them: parsing to 16 bytes, Go's text form,
 * validity, locality, routability (the RFC ranges of `p2p/netaddress.go`), and the network group
 * that bucket placement is keyed on (IPv4 /16, IPv6 /32 — /36 for he.net —, tunnels by their
 * embedded IPv4).
 * @module
 */
import { isIP } from "node:net";
import { NetAddressError } from "../p2p/errors.js";

/** An IP as 16 bytes (IPv4 as `::ffff:a.b.c.d`). */
export type IpBytes = Uint8Array;

/** An IP as a user has it: a literal (`"127.0.0.1"`, `"::1"`) or its 16 bytes from {@link parseIp}. */
export type IpLike = string | IpBytes;

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/**
 * The 16 bytes of an IP literal, or undefined when `text` is not one (a host name, a port, a
 * typo). The functions here take the text as well; parse once to test many times.
 *
 * @example
 * parseIp("127.0.0.1"); // 16 bytes: ::ffff:127.0.0.1
 * parseIp("::1");       // 16 bytes
 * parseIp("localhost"); // undefined: not an IP literal
 * formatIp(parseIp("::ffff:10.0.0.1")!); // "10.0.0.1"
 */
export function parseIp(text: string): IpBytes | undefined {
  const v4 = parseCanonicalV4(text);
  if (v4 !== undefined) return v4;
  const kind = isIP(text);
  if (kind === 4) return Uint8Array.from([...V4_PREFIX, ...text.split(".").map(Number)]);
  if (kind !== 6) return undefined;
  const hex = text
    .replace(/%.*$/, "")
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
      [((+a << 8) | +b).toString(16), ((+c << 8) | +d).toString(16)].join(":"),
    );
  const words = (s: string) => (s === "" ? [] : s.split(":").map((w) => parseInt(w, 16)));
  const [left, right] = hex.split("::") as [string, string | undefined];
  const l = words(left);
  const r = right === undefined ? [] : words(right);
  const groups = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * The 16 bytes of an IPv4 literal in its canonical form (four decimal octets, no leading zero),
 * read without a regular expression — the common case, on the address book's hot path; anything
 * else (undefined) goes the general way.
 */
function parseCanonicalV4(text: string): IpBytes | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  let octet = 0;
  let digits = 0;
  let part = 12;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 15) return undefined;
      out[part++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // a leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  return part === 16 ? out : undefined;
}

/**
 * The 16 bytes of `ip`: parsed when it is text, as it is when it is bytes.
 * @throws {NetAddressError} when the text is not an IP literal.
 */
function ipBytes(ip: IpLike): IpBytes {
  if (typeof ip !== "string") return ip;
  const bytes = parseIp(ip);
  if (bytes === undefined) throw new NetAddressError(ip, "not an IP address");
  return bytes;
}

/** True for IPv4 (and IPv4-mapped) addresses. */
function isV4(ip: IpBytes): boolean {
  for (let i = 0; i < 12; i++) if (ip[i] !== V4_PREFIX[i]) return false;
  return true;
}

/**
 * Go's `net.IP.String()`: dotted IPv4, or RFC 5952 IPv6 (longest run of two or more zero groups
 * as `::`). Given text, its canonical form (`"::ffff:10.0.0.1"` → `"10.0.0.1"`).
 * @throws {NetAddressError} when text is not an IP literal.
 */
export function formatIp(ipLike: IpLike): string {
  const ip = ipBytes(ipLike);
  if (isV4(ip)) return `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const g = Array.from({ length: 8 }, (_, i) => (ip[2 * i] << 8) | ip[2 * i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = Math.max(i, j);
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** A network, parsed once. */
interface Net {
  readonly bytes: IpBytes;
  readonly v4: boolean;
  /** Prefix length in bits of the 16 bytes. */
  readonly total: number;
}

/** The network `base/bits` (IPv4 networks given as IPv4 text, with bits of the IPv4 part). */
function net(base: string, bits: number): Net {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- called only with the IP literals of the constant tables below
  const bytes = parseIp(base)!;
  const v4 = isV4(bytes);
  return { bytes, v4, total: v4 ? bits + 96 : bits };
}

/** `ip` in `n`. */
function inNet(ip: IpBytes, n: Net): boolean {
  if (n.v4 !== isV4(ip)) return false;
  const whole = n.total >> 3;
  for (let i = 0; i < whole; i++) if (ip[i] !== n.bytes[i]) return false;
  const rest = n.total & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[whole] & mask) === (n.bytes[whole] & mask);
}

/** The first `bits` bits of `ip`, the rest zero. */
function masked(ip: Uint8Array, bits: number): Uint8Array {
  return ip.map((b, i) => (i * 8 + 8 <= bits ? b : i * 8 >= bits ? 0 : b & (0xff << (8 - (bits - i * 8)))));
}

const nets = {
  rfc1918: [net("10.0.0.0", 8), net("192.168.0.0", 16), net("172.16.0.0", 12)],
  rfc3849: net("2001:db8::", 32),
  rfc3927: net("169.254.0.0", 16),
  rfc3964: net("2002::", 16),
  rfc4193: net("fc00::", 7),
  rfc4380: net("2001::", 32),
  rfc4843: net("2001:10::", 28),
  rfc4862: net("fe80::", 64),
  rfc6052: net("64:ff9b::", 96),
  rfc6145: net("::ffff:0:0:0", 96),
  onionCat: net("fd87:d87e:eb43::", 48),
  loopback4: net("127.0.0.0", 8),
  loopback6: net("::1", 128),
  zero4: net("0.0.0.0", 8),
  heNet: net("2001:470::", 32),
};

const rfc = {
  rfc1918: (ip: IpBytes) => nets.rfc1918.some((n) => inNet(ip, n)),
  rfc3849: (ip: IpBytes) => inNet(ip, nets.rfc3849),
  rfc3927: (ip: IpBytes) => inNet(ip, nets.rfc3927),
  rfc3964: (ip: IpBytes) => inNet(ip, nets.rfc3964),
  rfc4193: (ip: IpBytes) => inNet(ip, nets.rfc4193),
  rfc4380: (ip: IpBytes) => inNet(ip, nets.rfc4380),
  rfc4843: (ip: IpBytes) => inNet(ip, nets.rfc4843),
  rfc4862: (ip: IpBytes) => inNet(ip, nets.rfc4862),
  rfc6052: (ip: IpBytes) => inNet(ip, nets.rfc6052),
  rfc6145: (ip: IpBytes) => inNet(ip, nets.rfc6145),
  onionCat: (ip: IpBytes) => inNet(ip, nets.onionCat),
};

/**
 * Loopback (127/8, ::1) or in 0.0.0.0/8: CometBFT's `Local()`.
 * @throws {NetAddressError} when text is not an IP literal.
 */
export function isLocal(ipLike: IpLike): boolean {
  const ip = ipBytes(ipLike);
  return isLoopback(ip) || inNet(ip, nets.zero4);
}

/** Not unspecified, not the IPv6 documentation range, not 255.255.255.255: CometBFT's `Valid()` (less the ID). */
export function isValidIp(ip: IpBytes): boolean {
  const v4 = isV4(ip);
  let zeros = 0;
  let ones = 0;
  for (let i = v4 ? 12 : 0; i < 16; i++) {
    if (ip[i] === 0) zeros++;
    else if (ip[i] === 0xff) ones++;
  }
  const unspecified = zeros === (v4 ? 4 : 16);
  const broadcast = v4 && ones === 4;
  return !unspecified && !broadcast && !rfc.rfc3849(ip);
}

/**
 * Valid and in none of the private, link-local, ORCHID or local ranges: CometBFT's `Routable()`.
 * @throws {NetAddressError} when text is not an IP literal.
 *
 * @example
 * isRoutable("8.8.8.8");     // true
 * isRoutable("192.168.1.1"); // false (RFC 1918)
 */
export function isRoutable(ipLike: IpLike): boolean {
  const ip = ipBytes(ipLike);
  return isValidIp(ip) && !rfc.rfc1918(ip) && !rfc.rfc3927(ip) && !rfc.rfc4862(ip) && !rfc.rfc4193(ip) && !rfc.rfc4843(ip) && !isLocal(ip);
}

/**
 * True for 127.0.0.0/8 and ::1, the only addresses tests may dial.
 * @throws {NetAddressError} when text is not an IP literal.
 *
 * @example
 * isLoopback("127.0.0.42"); // true
 * isLoopback("::1");        // true
 * isLoopback("10.0.0.1");   // false
 * isLoopback("localhost");  // throws NetAddressError: not an IP address (resolve names first)
 */
export function isLoopback(ipLike: IpLike): boolean {
  const ip = ipBytes(ipLike);
  return inNet(ip, nets.loopback4) || inNet(ip, nets.loopback6);
}

/**
 * The network group of `ip` (CometBFT's `groupKeyFor`): `"local"` / `"unroutable"` when the book
 * is strict, else the IPv4 /16 (also of the IPv4 inside NAT64, 6to4 and Teredo), `tor:N` for
 * OnionCat, the IPv6 /32 (/36 in he.net's 2001:470::/32).
 * @throws {NetAddressError} when text is not an IP literal.
 */
export function groupKey(ipLike: IpLike, strict: boolean): string {
  const ip = ipBytes(ipLike);
  if (strict && isLocal(ip)) return "local";
  if (strict && !isRoutable(ip)) return "unroutable";
  const v4group = (four: Uint8Array) => `${four[0]}.${four[1]}.0.0`;
  if (isV4(ip)) return v4group(ip.subarray(12));
  if (rfc.rfc6145(ip) || rfc.rfc6052(ip)) return v4group(ip.subarray(12));
  if (rfc.rfc3964(ip)) return v4group(ip.subarray(2, 6));
  if (rfc.rfc4380(ip)) return v4group(ip.subarray(12).map((b) => b ^ 0xff));
  if (rfc.onionCat(ip)) return `tor:${ip[6] & 0x0f}`;
  const bits = inNet(ip, nets.heNet) ? 36 : 32;
  return formatIp(masked(ip, bits));
}
