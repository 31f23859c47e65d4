// Uptime as a status page shows it: the share of each UTC day (and of the whole window) a component was
// not in trouble, from the stretches it was (an alert rule firing, an incident open).

export const UPTIME_DAYS = 90;
const DAY_MS = 86_400_000;

/** Epoch milliseconds, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface Uptime {
  /** Over the part of the window that is known; null when none is. */
  percent: number | null;
  /** Oldest first, one per UTC day of the window, today last; null for a day before tracking began. */
  days: { date: string; percent: number | null }[];
}

/** Overlapping and touching spans as one, in order. */
function merged(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].filter((x) => x.end > x.start).sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function overlap(spans: Span[], from: number, to: number): number {
  return spans.reduce((sum, s) => sum + Math.max(0, Math.min(s.end, to) - Math.max(s.start, from)), 0);
}

/** Three decimals: 99.999 % is about 26 s of a month, the finest a status page tells apart. */
const percentOf = (down: number, length: number) => (length <= 0 ? null : Math.round((1 - down / length) * 100_000) / 1000);

/** `down` within `[trackedFrom, now)`, over the last `days` UTC days. */
export function uptime(down: Span[], trackedFrom: number, now: number, days = UPTIME_DAYS): Uptime {
  const spans = merged(down);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const windowStart = today - (days - 1) * DAY_MS;
  const perDay = Array.from({ length: days }, (_, i) => {
    const dayStart = windowStart + i * DAY_MS;
    const from = Math.max(dayStart, trackedFrom);
    const to = Math.min(dayStart + DAY_MS, now);
    return { date: new Date(dayStart).toISOString().slice(0, 10), percent: to > from ? percentOf(overlap(spans, from, to), to - from) : null };
  });
  const from = Math.max(windowStart, trackedFrom);
  return { percent: now > from ? percentOf(overlap(spans, from, now), now - from) : null, days: perDay };
}
