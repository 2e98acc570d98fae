/**
 * One memory budget for a whole process: what peers make us hold (messages being reassembled,
 * messages queued for sending, what tools keep for them) is drawn from it, each connection
 * through an account of its own.
 *
 * How it is divided, in one sentence: **every account may hold its share — its floor, plus what
 * the floors leave of the budget split evenly among the hosts holding something, then evenly
 * among that host's accounts holding something — and when a reservation within its share does
 * not fit, the largest holder past its own share is ended (a {@link MemoryBudgetError} with
 * `action: "evicted"`) until it does.** A reservation past the account's share is refused
 * (`action: "refused"`): a message in reassembly then ends its connection, a message to send is
 * not queued (`trySend` returns `false`, `send` waits for room) and is counted as dropped.
 *
 * The floor is guaranteed while the floors of all accounts together fit in the budget (the
 * Switch's floor is 4 KiB per channel per connection: a message of up to 4 KiB in progress on
 * every channel at once).
 * @module
 */
import { ConfigError } from "../error-base.js";
import { MemoryBudgetError } from "./errors.js";

export { MemoryBudgetError };

/** CometBFT has no process-wide cap (each channel's capacity times the peers); this is ours. */
export const DEFAULT_MAX_RECEIVE_BUFFER = 256 * 1024 * 1024;

/**
 * What a connection may always hold per channel, whatever others hold: CometBFT's initial receive
 * buffer, so a message of up to 4 KiB can always be in progress on every channel at once.
 */
export const MEMORY_FLOOR_PER_CHANNEL = 4096;

/** The host of a `host:port` address (`[v6]:port` too): what shares are counted under. */
export function addressHost(address: string): string {
  const colon = address.lastIndexOf(":");
  const host = colon < 0 ? address : address.slice(0, colon);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** How an account is counted; see {@link MemoryBudget.account}. */
export interface BudgetAccountOptions {
  /**
   * The remote host (IP) the account holds memory for. Shares are per host first: many
   * connections of one host divide one host's share. Default: a host of its own.
   */
  readonly host?: string;
  /** Bytes the account may always hold, whatever its share (default 0). */
  readonly floor?: number;
  /**
   * Told when the account is ended to make room for an account within its share: everything
   * it held is already given back and later reservations are refused. The owner ends what the
   * account paid for (a connection ends with `error`).
   */
  readonly onEvict?: (error: MemoryBudgetError) => void;
}

/** The process-wide budget; see {@link MemoryBudget.account}. */
export class MemoryBudget {
  /** Bytes held by every account. */
  used = 0;
  /** Accounts holding something. */
  holders = 0;
  /** The most bytes ever held at once. */
  highWater = 0;
  /** Accounts ended to make room for others. */
  evictions = 0;
  /** Accounts refused since the last release: any release may make room for them. */
  readonly refused = new Set<BudgetAccount>();
  /** The floors of the accounts holding something, together. */
  private floors = 0;
  /** Accounts holding something, by host. */
  private readonly holding = new Map<unknown, Set<BudgetAccount>>();
  /** @internal Bumped whenever the holders change, the only thing shares depend on. */
  epoch = 0;

  /** @param total the budget in bytes (`maxReceiveBuffer`). */
  constructor(readonly total: number) {
    if (!Number.isSafeInteger(total) || total <= 0) throw new ConfigError(`maxReceiveBuffer must be a positive number of bytes, got ${total}.`);
  }

  /** A new account (one per connection, or per thing a peer makes a tool hold). */
  account(options: BudgetAccountOptions = {}): BudgetAccount {
    const floor = options.floor ?? 0;
    if (!(floor >= 0)) throw new ConfigError(`an account's floor must be 0 or more bytes, got ${floor}.`);
    return new BudgetAccount(this, options);
  }

  /** Hosts with an account holding something. */
  get hosts(): number {
    return this.holding.size;
  }

  /**
   * The share of `account`, counting it among the holders even if it holds nothing yet: its
   * floor, plus what the floors of all holders leave of the budget divided evenly among the hosts
   * holding, then among that host's accounts holding. The shares of all holders add up to the
   * budget (while their floors fit in it).
   */
  fairShare(account: BudgetAccount): number {
    const mine = this.holding.get(account.host);
    const counted = mine?.has(account) === true;
    const hosts = this.holding.size + (mine === undefined ? 1 : 0);
    const peers = (mine?.size ?? 0) + (counted ? 0 : 1);
    const rest = Math.max(0, this.total - this.floors - (counted ? 0 : account.floor));
    return account.floor + rest / hosts / peers;
  }

  /** @internal An account started or stopped holding something. */
  track(account: BudgetAccount, holding: boolean): void {
    this.epoch++;
    let set = this.holding.get(account.host);
    if (holding) {
      if (set === undefined) this.holding.set(account.host, (set = new Set()));
      set.add(account);
      this.holders++;
      this.floors += account.floor;
    } else if (set?.delete(account) === true) {
      this.holders--;
      this.floors -= account.floor;
      if (set.size === 0) this.holding.delete(account.host);
    }
  }

  /**
   * @internal Ends holders past their share, largest first, until `bytes` more fit in the
   * budget; `false` if they cannot be made to fit that way (nobody else is past their share).
   */
  makeRoom(bytes: number, requester: BudgetAccount): boolean {
    while (this.used + bytes > this.total) {
      let victim: BudgetAccount | undefined;
      for (const set of this.holding.values())
        for (const a of set) if (a !== requester && a.held > a.share && (victim === undefined || a.held > victim.held)) victim = a;
      if (victim === undefined) return false;
      this.evictions++;
      victim.evict();
    }
    return true;
  }
}

/** One connection's part of a {@link MemoryBudget}. */
export class BudgetAccount {
  /** Bytes this account holds. */
  held = 0;
  /**
   * Told after bytes are given back by this account, or by any other once this one was refused
   * (while the account is open): room may have come free.
   */
  onRelease: (() => void) | undefined;
  /** The host the account is counted under. */
  readonly host: unknown;
  /** Bytes the account may always hold. */
  readonly floor: number;
  private readonly onEvict: ((error: MemoryBudgetError) => void) | undefined;
  private closed = false;
  /** The share as of the budget's `epoch` `shareEpoch` (it changes only with the holders). */
  private cachedShare = 0;
  private shareEpoch = -1;

  constructor(
    private readonly budget: MemoryBudget,
    options: BudgetAccountOptions = {},
  ) {
    this.host = options.host ?? this;
    this.floor = options.floor ?? 0;
    this.onEvict = options.onEvict;
  }

  /** The most this account may hold now: see {@link MemoryBudget.fairShare}. */
  get share(): number {
    const b = this.budget;
    if (this.shareEpoch !== b.epoch) {
      this.cachedShare = b.fairShare(this);
      this.shareEpoch = b.epoch;
    }
    return this.cachedShare;
  }

  /** True once closed (by its owner, or evicted): reservations are refused. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Takes `bytes` from the budget.
   * @throws {MemoryBudgetError} (`action: "refused"`) when they would take the account past its
   * share, or the budget past its total with nobody past their share to end (nothing is taken then).
   */
  reserve(bytes: number): void {
    if (!this.tryReserve(bytes)) throw new MemoryBudgetError(bytes, this.held, this.share);
  }

  /**
   * Takes `bytes` from the budget if they fit this account's share, ending holders past their
   * own share (largest first) if the budget is full; `false` (nothing taken) if they do not fit,
   * or once the account is closed.
   */
  tryReserve(bytes: number): boolean {
    if (bytes <= 0) return true;
    const b = this.budget;
    if (this.closed) return false;
    // Counted among the holders first: the others' shares are what they are with this one in.
    const first = this.held === 0;
    if (first) b.track(this, true);
    if (this.held + bytes > this.share || !b.makeRoom(bytes, this)) {
      if (first) b.track(this, false);
      b.refused.add(this);
      return false;
    }
    this.held += bytes;
    b.used += bytes;
    if (b.used > b.highWater) b.highWater = b.used;
    return true;
  }

  /** Gives `bytes` back (at most what is held). */
  release(bytes: number): void {
    const n = Math.min(bytes, this.held);
    if (n <= 0) return;
    const b = this.budget;
    this.held -= n;
    b.used -= n;
    if (this.held === 0) b.track(this, false);
    if (!this.closed) this.onRelease?.();
    if (b.refused.size === 0) return;
    const waiting = [...b.refused];
    b.refused.clear();
    for (const account of waiting) if (account !== this && !account.closed) account.onRelease?.();
  }

  /** Gives everything back; later reservations are refused. */
  close(): void {
    this.closed = true;
    this.budget.refused.delete(this);
    this.release(this.held);
  }

  /** @internal Ended to make room: gives everything back, then tells the owner. */
  evict(): void {
    const error = new MemoryBudgetError(0, this.held, this.share, "evicted");
    this.close();
    this.onEvict?.(error);
  }
}
