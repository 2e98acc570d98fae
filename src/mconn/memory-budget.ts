/**
 * One memory budget for a whole process: what peers make us hold (messages being reassembled,
 * messages queued for sending) is drawn from it, each connection through an account of its
 * own. A connection may hold at most a fair share: the budget divided among the connections
 * that hold something. What would exceed it is refused, the others keep theirs: a message in
 * reassembly ends its connection with a {@link MemoryBudgetError}; a message to send is not
 * queued (`trySend` returns `false`, `send` waits for room), and counted as dropped.
 * @module
 */
import { ConfigError } from "../error-base.js";
import { MemoryBudgetError } from "./errors.js";

export { MemoryBudgetError };

/** CometBFT has no process-wide cap (each channel's capacity times the peers); this is ours. */
export const DEFAULT_MAX_RECEIVE_BUFFER = 256 * 1024 * 1024;

/** The process-wide budget; see {@link MemoryBudget.account}. */
export class MemoryBudget {
  /** Bytes held by every account. */
  used = 0;
  /** Accounts holding something. */
  holders = 0;
  /** The most bytes ever held at once. */
  highWater = 0;
  /** Accounts refused since the last release: any release may make room for them. */
  readonly refused = new Set<BudgetAccount>();

  /** @param total the budget in bytes (`maxReceiveBuffer`). */
  constructor(readonly total: number) {
    if (!Number.isSafeInteger(total) || total <= 0) throw new ConfigError(`maxReceiveBuffer must be a positive number of bytes, got ${total}.`);
  }

  /** A new account (one per connection). */
  account(): BudgetAccount {
    return new BudgetAccount(this);
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
  private closed = false;

  constructor(private readonly budget: MemoryBudget) {}

  /** The most this account may hold now: the budget shared among the accounts holding something, this one included. */
  get share(): number {
    const b = this.budget;
    return b.total / (b.holders + (this.held === 0 ? 1 : 0));
  }

  /**
   * Takes `bytes` from the budget.
   * @throws {MemoryBudgetError} when they would take the account past its share or the budget
   * past its total (nothing is taken then).
   */
  reserve(bytes: number): void {
    if (!this.tryReserve(bytes)) throw new MemoryBudgetError(bytes, this.held, this.share);
  }

  /**
   * Takes `bytes` from the budget if they fit this account's share and the budget's total;
   * `false` (nothing taken) if they do not, or once the account is closed.
   */
  tryReserve(bytes: number): boolean {
    if (bytes <= 0) return true;
    const b = this.budget;
    if (this.closed) return false;
    if (this.held + bytes > this.share || b.used + bytes > b.total) {
      b.refused.add(this);
      return false;
    }
    if (this.held === 0) b.holders++;
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
    if (this.held === 0) b.holders--;
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
}
