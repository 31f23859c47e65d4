import type { Logger } from 'pino';

/** What the receiver has seen: exposed on the receiver object for health pages and tests. */
export interface LogstashStats {
  /** Lines taken from TCP streams and UDP datagrams (blank ones included). */
  lines: number;
  /** Records the bus has durably accepted. */
  delivered: number;
  /** Lines refused for their content: an invalid key in `key_field`, an environment the key may not write. */
  rejected: number;
  /** Lines over `max_line_bytes`, skipped. */
  oversized: number;
  /** Unterminated lines discarded because their connection broke, or cut-off JSON at a connection's end. */
  truncated: number;
  /** UDP lines dropped because `udp_max_queued_lines` were already waiting. */
  dropped: number;
  /** Records the bus still refused when shutdown's deadline passed. */
  lost: number;
  /** Times a TCP connection stopped being read because batches were waiting on the bus. */
  paused: number;
  /** Bus attempts that failed (each is retried). */
  retries: number;
}

export type Problem = 'rejected' | 'oversized' | 'truncated' | 'dropped';

/**
 * Counts input the receiver could not take and warns about it at most once per `everyMs`: a sender that
 * sends nothing but bad lines must not turn the log into a second copy of its stream.
 */
export class Tally {
  readonly stats: LogstashStats = { lines: 0, delivered: 0, rejected: 0, oversized: 0, truncated: 0, dropped: 0, lost: 0, paused: 0, retries: 0 };
  private unreported: Partial<Record<Problem, number>> = {};
  private example = '';
  private lastReport = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    /** Hands each problem to the host's component counters too. */
    private readonly count: (kind: Problem, n: number) => void = () => {},
    private readonly everyMs = 10_000,
  ) {}

  problem(kind: Problem, example: string, count = 1): void {
    this.stats[kind] += count;
    this.count(kind, count);
    this.unreported[kind] = (this.unreported[kind] ?? 0) + count;
    this.example = example;
    const wait = this.lastReport + this.everyMs - Date.now();
    if (wait <= 0) this.report();
    else this.timer ??= setTimeout(() => this.report(), wait).unref();
  }

  /** Reports what is still unreported (at shutdown). */
  flush(): void {
    if (this.timer) this.report();
  }

  private report(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastReport = Date.now();
    this.logger.warn({ ...this.unreported, example: this.example }, 'logstash receiver: input not taken');
    this.unreported = {};
  }
}
