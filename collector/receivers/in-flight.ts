/**
 * Caps the ingest requests waiting on the bus at once. Past the cap a receiver refuses with its surface's
 * "retry later" error instead of queueing without bound: senders retry, memory stays flat.
 */
export class InFlightLimit {
  private count = 0;

  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>, saturated: () => Error): Promise<T> {
    if (this.count >= this.max) throw saturated();
    this.count++;
    try {
      return await work();
    } finally {
      this.count--;
    }
  }
}
