// Bucket widths for counts over time, picked as PostHog's logs API picks them: the step that divides the
// window into about `target` buckets, snapped to the nearest "round" width (ties to the narrower one), so
// that rates stay easy to read (nobody reasons about 13-minute buckets).

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

const WIDTHS = [1, 5, 10, ...[1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440].map((m) => m * MINUTE)];

export interface Interval { seconds: number; label: string }

/** `minSeconds`: the narrowest width allowed (PostHog's sparklines never go below a minute). */
export function pickInterval(spanMs: number, target: number, minSeconds = 1): Interval {
  const step = spanMs / 1000 / target;
  const widths = WIDTHS.filter((w) => w >= minSeconds);
  const seconds = widths.reduce((best, w) => (Math.abs(w - step) < Math.abs(best - step) ? w : best), widths[0]);
  return { seconds, label: intervalLabel(seconds) };
}

/** Short form: `30s`, `5m`, `2h`, `1d`. */
export function intervalLabel(seconds: number): string {
  if (seconds % DAY === 0) return `${seconds / DAY}d`;
  if (seconds % HOUR === 0) return `${seconds / HOUR}h`;
  if (seconds % MINUTE === 0) return `${seconds / MINUTE}m`;
  return `${seconds}s`;
}
