/**
 * The address book's and the PEX reactor's constants, with CometBFT's values (`p2p/pex/params.go`
 * and `pex_reactor.go`).
 * @module
 */

/** Bucket layout and the book's bounds. */
export const bookParams = Object.freeze({
  /** Buckets that new (never connected) addresses are spread over. */
  newBucketCount: 256,
  /** Addresses in one new bucket. */
  newBucketSize: 64,
  /** Buckets that old (connected once) addresses are spread over. */
  oldBucketCount: 64,
  /** Addresses in one old bucket. */
  oldBucketSize: 64,
  /** New buckets one source group's addresses may land in. */
  newBucketsPerGroup: 32,
  /** Old buckets one address group may land in. */
  oldBucketsPerGroup: 4,
  /** New buckets a frequently announced address may sit in at once. */
  maxNewBucketsPerAddress: 4,
  /** Below this many addresses, the book asks for more. */
  needAddressThreshold: 1000,
  /** A new address not tried for this many days is bad. */
  numMissingDays: 7,
  /** Failed attempts, never having succeeded, after which a new address is bad. */
  numRetries: 3,
  /** Failed attempts within `minBadDays` of the last success after which a new address is bad. */
  maxFailures: 10,
  /** Days since the last success before an address may be evicted for failures. */
  minBadDays: 7,
  /** Share (percent) of the book a selection returns. */
  getSelectionPercent: 23,
  /** A selection returns at least this many (or the whole book when smaller). */
  minGetSelection: 32,
  /** A selection returns at most this many: the most a `PexAddrs` may carry. */
  maxGetSelection: 250,
});

/** Wire and timing bounds of the PEX reactor. */
export const pexParams = Object.freeze({
  /** The PEX channel. */
  channelId: 0x00,
  /** Bytes one address may take in a `PexAddrs`; with `maxGetSelection`, the channel's message capacity. */
  maxAddressSize: 256,
  /** Between ensurePeers rounds (ms); a peer may send one request per third of it. */
  ensurePeersPeriod: 30_000,
  /** A seed crawls its book this often (ms). */
  crawlPeerPeriod: 30_000,
  /** A seed does not crawl one peer again sooner than this (ms). */
  minTimeBetweenCrawls: 120_000,
  /** Failed dials of one address beyond which its next dial bans it instead (the ban comes after 17). */
  maxAttemptsToDial: 16,
  /** Bias (percent) to new addresses in a seed's answers. */
  biasToSelectNewPeers: 30,
  /** How long a misbehaving address is banned (ms). */
  defaultBanTime: 24 * 3600_000,
  /** The address book is saved this often (ms). */
  dumpAddressInterval: 120_000,
});
