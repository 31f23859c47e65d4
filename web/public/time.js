// The time range: a relative preset (`last 1h`) or absolute bounds, as GQL scope text and as URL members.

export const PRESETS = ['5m', '15m', '1h', '4h', '24h', '7d', '30d'];
const UNIT = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const BUCKETS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400, 604800];

export function seconds(duration) {
  const m = /^(\d+)([smhdw])$/.exec(duration);
  return m ? Number(m[1]) * UNIT[m[2]] : null;
}

export function durationText(secs) {
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]]) if (secs % size === 0) return `${secs / size}${unit}`;
  return `${secs}s`;
}

/** `{last}` or `{from, to}` (ISO strings) from the URL; the default is the last hour. */
export function rangeFromUrl(params) {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to))) return { from, to };
  const last = params.get('range');
  return { last: last && seconds(last) ? last : '1h' };
}

export function rangeToUrl(range, params) {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (range.last) params.set('range', range.last);
  else {
    params.set('from', range.from);
    params.set('to', range.to);
  }
}

/** The GQL scope terms that bound a query to the range. */
export function scopeText(range) {
  return range.last ? `last ${range.last}` : `since "${range.from}" until "${range.to}"`;
}

/** Absolute bounds in ms, against the given clock for relative ranges. */
export function bounds(range, now = Date.now()) {
  if (range.last) return { from: now - seconds(range.last) * 1000, to: now };
  return { from: Date.parse(range.from), to: Date.parse(range.to) };
}

/** A bucket size that gives at most about 60 bars over the range. */
export function bucketFor(range) {
  const { from, to } = bounds(range);
  const span = Math.max(1, (to - from) / 1000);
  return BUCKETS.find((b) => span / b <= 60) ?? BUCKETS.at(-1);
}

export function label(range) {
  if (range.last) return `Last ${range.last}`;
  const fmt = (iso) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
  return `${fmt(range.from)} → ${fmt(range.to)}`;
}
