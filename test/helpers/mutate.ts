// Seeded mutation of a good request body, for tests that a surface answers whatever it is sent with a
// 4xx in its own words and never a 5xx. Fixed seeds, so a failure reproduces.

export function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const JUNK: unknown[] = [null, 0, -1, 1.5, 1e308, 'x', '', 'ERROR', '2026-13-45', [], {}, [1, 'a'], true, { a: { b: null } }, '\u0000', 'x'.repeat(70_000)];

/** `v` with some members dropped and some values replaced by junk. */
export function mutate(v: unknown, rnd: () => number): unknown {
  if (rnd() < 0.15) return JUNK[Math.floor(rnd() * JUNK.length)];
  if (Array.isArray(v)) return v.map((x) => mutate(x, rnd));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (rnd() > 0.1) out[k] = mutate(x, rnd);
    return out;
  }
  return v;
}
