// Positional parameters of one statement. User values only ever reach SQL through here (spec 17.1).

export class Params {
  readonly values: unknown[] = [];
  private readonly strings = new Map<string, string>();

  /** A placeholder for `value`. Equal strings share one placeholder (map keys repeat a lot). */
  add(value: string | number | boolean): string {
    if (typeof value === 'string') {
      const known = this.strings.get(value);
      if (known) return known;
    }
    this.values.push(value);
    const ref = `$${this.values.length}`;
    if (typeof value === 'string') this.strings.set(value, ref);
    return ref;
  }

  /** A timestamp bound as text and cast, so runners need no driver-specific timestamp type. */
  timestamp(iso: string): string {
    return `CAST(${this.add(iso)} AS TIMESTAMPTZ)`;
  }
}
