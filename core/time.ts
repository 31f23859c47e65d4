/** The last millisecond rendered: the records of one batch mostly share theirs, and toISOString is most of the cost. */
let lastMs = NaN;
let lastIso = '';

/**
 * Microsecond-capable ISO rendering: JS Date stops at milliseconds, OTLP and DuckDB do not. `micros` is a
 * whole number (exact to the microsecond until 2^53 µs, in the year 2255).
 */
export function isoFromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return rest === 0 ? lastIso : `${lastIso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/**
 * Parses an ISO 8601 / RFC 3339 timestamp (a zone-less one is UTC); null when it is not one. The shape
 * nearly every sender writes (`2025-08-16T10:00:00.123Z`, what `toISOString` gives, with any number of
 * fraction digits) is read by hand: once its fraction is cut or padded to milliseconds such a text is its
 * own answer, and the regexes, Date.parse and toISOString were a third of a Logtrail log's validation.
 */
export function parseInstant(text: string): string | null {
  return canonicalInstant(text) ?? parseAnyInstant(text);
}

/**
 * The general reading behind `parseInstant`, which takes the canonical shape by hand first; exported for
 * the test that holds the two to each other.
 */
export function parseAnyInstant(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) || text.length === 10 ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  // Date.parse rolls 2026-02-30 over to March; a calendar check refuses it when no zone shift is involved.
  if (/(Z)$/i.test(zoned) && (date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== m || date.getUTCDate() !== d)) return null;
  return date.toISOString();
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const [DASH, COLON, DOT, T, Z] = ['-', ':', '.', 'T', 'Z'].map((c) => c.charCodeAt(0));

/** The value of `text`'s `length` digits from `from`, or -1 when one of them is not a digit. */
function digits(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The general reading's answer when `text` is `YYYY-MM-DDTHH:MM:SS[.f…]Z` of a real date and time, else null (not sure). */
function canonicalInstant(text: string): string | null {
  const n = text.length;
  if (n < 20 || n === 21 || text.charCodeAt(n - 1) !== Z) return null;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1] || (month === 2 && day === 29 && !isLeap(year))) return null;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (n === 20) return `${text.slice(0, 19)}.000Z`;
  if (text.charCodeAt(19) !== DOT) return null;
  // Checked a digit at a time: a long fraction's value would lose precision, not its digit check.
  for (let i = 20; i < n - 1; i++) if (digits(text, i, 1) < 0) return null;
  if (n === 24) return text;
  // Date.parse cuts a fraction to milliseconds, it does not round.
  return n > 24 ? `${text.slice(0, 23)}Z` : `${text.slice(0, n - 1)}${'00'.slice(n - 22)}Z`;
}
