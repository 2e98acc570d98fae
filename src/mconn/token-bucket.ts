import type { SchedulerLike } from "rxjs";

/**
 * A byte budget refilled at `rate` bytes per second up to `burst`, read off a scheduler's clock.
 * Spending may overdraw it; {@link TokenBucket.wait} then says how long until it is positive.
 * A rate of 0 means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly scheduler: SchedulerLike,
  ) {
    this.tokens = burst;
    this.at = scheduler.now();
  }

  /** True when the bucket never limits. */
  get unlimited(): boolean {
    return this.rate <= 0;
  }

  /** True when the budget is whole again (nothing spent within the last `burst / rate` seconds). */
  get full(): boolean {
    if (this.unlimited) return true;
    this.refill();
    return this.tokens >= this.burst;
  }

  /** Takes `n` tokens if the budget holds them now (no overdraft); false otherwise. */
  take(n: number): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Records `bytes` spent. */
  spend(bytes: number): void {
    if (this.unlimited) return;
    this.refill();
    this.tokens -= bytes;
  }

  /** Milliseconds until the budget is positive again (0 when it is). */
  wait(): number {
    if (this.unlimited) return 0;
    this.refill();
    return this.tokens > 0 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  private refill(): void {
    const now = this.scheduler.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
    this.at = now;
  }
}

/** CometBFT's budget granularity: one 100 ms sample of the rate, and at least one packet. */
export function burstFor(rate: number, maxPacketSize: number): number {
  return Math.max(Math.round(rate * 0.1), maxPacketSize);
}
