// Durations and timestamps of spec section 5, resolved against the request's `now`.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `<positive integer><unit>` in seconds, or null when the text is not a valid duration. */
export function parseDuration(text: string): number | null {
  const m = /^([0-9]+)([smhdw])$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n <= 0) return null;
  return n * UNIT_SECONDS[m[2]];
}

/** An instant with the precision the text had: `date` is ms-precise, `iso` keeps microseconds for SQL. */
export interface Instant { date: Date; iso: string }

const ABSOLUTE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseAbsolute(text: string): Instant | null {
  const m = ABSOLUTE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const ms = wholeMs + Number(fraction.slice(0, 3));
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const micros = fraction.slice(3);
  const iso = micros === '000' ? date.toISOString() : `${date.toISOString().slice(0, -1)}${micros}Z`;
  return { date, iso };
}

function parseRelative(text: string, now: Date): Instant | null {
  const m = /^(?:now)?(?:-(.+))?$/i.exec(text);
  if (!m || text === '') return null;
  if (!/^now/i.test(text) && m[1] === undefined) return null;
  let ms = now.getTime();
  if (m[1] !== undefined) {
    const seconds = parseDuration(m[1]);
    if (seconds === null) return null;
    ms -= seconds * 1000;
  }
  const date = new Date(ms);
  return { date, iso: date.toISOString() };
}

/** Absolute RFC 3339 or relative (`now`, `-1h`, `now-7d`) timestamp; null when invalid. */
export function parseTimestamp(text: string, now: Date): Instant | null {
  return parseAbsolute(text) ?? parseRelative(text, now);
}
