/** Beyond this many tracked email+address pairs, expired ones are dropped before another is added. */
const SWEEP_AT = 10_000;

/**
 * Failed logins per email and client address, in this process, so that a password cannot be guessed by
 * trying on: after `max` failures within `windowMs` of the first, the pair is refused until the window
 * ends. A success forgets the pair's failures.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Seconds until `key` may try again; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const f = this.failures.get(key);
    return f && f.until > now && f.count >= this.max ? Math.ceil((f.until - now) / 1000) : 0;
  }

  fail(key: string, now = Date.now()): void {
    let f = this.failures.get(key);
    if (!f || f.until <= now) {
      if (this.failures.size >= SWEEP_AT) for (const [k, v] of this.failures) if (v.until <= now) this.failures.delete(k);
      this.failures.set(key, (f = { count: 0, until: now + this.windowMs }));
    }
    f.count++;
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
