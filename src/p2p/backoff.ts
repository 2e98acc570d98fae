/** CometBFT's reconnection schedule for persistent peers (all durations in ms). */
export interface BackoffOptions {
  /** Attempts at a steady interval first (CometBFT: 20; the first one immediate). */
  readonly steadyAttempts: number;
  /** The steady interval (CometBFT: 5 s). */
  readonly steadyInterval: number;
  /** Then attempts with exponential waits `base^i`, i = 1.. (CometBFT: 10). */
  readonly backoffAttempts: number;
  /** Base of the exponential waits in seconds (CometBFT: 3, so 3 s, 9 s, … 59 049 s). */
  readonly backoffBaseSeconds: number;
  /** Upper bound of the random jitter added to every wait (CometBFT: 3 s). */
  readonly jitter: number;
}

/** CometBFT's values (`reconnectAttempts`, `reconnectInterval`, `reconnectBackOff*`, dial randomizer). */
export const backoffDefaults: BackoffOptions = Object.freeze({
  steadyAttempts: 20,
  steadyInterval: 5000,
  backoffAttempts: 10,
  backoffBaseSeconds: 3,
  jitter: 3000,
});

/**
 * The wait before attempt `attempt` (2, 3, …; the first attempt does not wait), or `undefined`
 * when there is no such attempt. `random` gives numbers in [0, 1) for the jitter.
 */
export function reconnectDelay(attempt: number, random: () => number, options: BackoffOptions = backoffDefaults): number | undefined {
  const { steadyAttempts, steadyInterval, backoffAttempts, backoffBaseSeconds, jitter } = options;
  const j = () => Math.floor(random() * jitter);
  if (attempt < 2 || attempt > steadyAttempts + backoffAttempts) return undefined;
  if (attempt <= steadyAttempts) return steadyInterval + j();
  const i = attempt - steadyAttempts;
  const exponential = backoffBaseSeconds ** i * 1000 + j();
  // The last steady failure is followed by the steady wait too, then the first exponential one.
  return i === 1 ? steadyInterval + j() + exponential : exponential;
}
