/** Records per second over a sliding window of whole seconds: the measured `ingestion_rps` of health. */
export class RateMeter {
  private readonly buckets: number[];
  private second = 0;
  total = 0;

  constructor(private readonly windowSeconds = 10) {
    this.buckets = new Array(windowSeconds).fill(0);
  }

  private advance(now: number): void {
    const s = Math.floor(now / 1000);
    if (this.second === 0) this.second = s;
    for (let t = this.second + 1; t <= s && t - this.second <= this.windowSeconds; t++) this.buckets[t % this.windowSeconds] = 0;
    if (s - this.second > this.windowSeconds) this.buckets.fill(0);
    this.second = Math.max(this.second, s);
  }

  mark(n: number, now = Date.now()): void {
    this.advance(now);
    this.buckets[this.second % this.windowSeconds] += n;
    this.total += n;
  }

  /** Average over the completed seconds of the window. */
  rate(now = Date.now()): number {
    this.advance(now);
    const current = this.buckets[this.second % this.windowSeconds];
    const sum = this.buckets.reduce((a, b) => a + b, 0) - current;
    return Math.round(sum / (this.windowSeconds - 1));
  }
}
