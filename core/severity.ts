// The one severity normaliser: ingest stores what it returns and the query language normalises literals
// with it, so `severity:Err` finds what a sender wrote as `err`.
import { SEVERITIES, SEVERITY_NUMBER, type Severity } from './records.js';

const WORDS: Record<string, Severity> = {
  trace: 'trace', finest: 'trace', verbose: 'trace',
  debug: 'debug', fine: 'debug', dbg: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', log: 'info',
  warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', severe: 'error',
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', emergency: 'fatal', emerg: 'fatal', alert: 'fatal', panic: 'fatal',
};

/** OTel severity numbers 1–24 in ranges of four: TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
export function severityFromNumber(n: number): Severity | null {
  if (!Number.isInteger(n) || n < 1 || n > 24) return null;
  return SEVERITIES[Math.floor((n - 1) / 4)];
}

/**
 * The canonical level for what senders write: `WARNING`, `Err`, ` info `, OTel numbers (`17`, "17"),
 * OTel texts with a digit suffix (`ERROR2`). Null when it names no level.
 */
export function normalizeSeverity(raw: unknown): Severity | null {
  if (typeof raw === 'number') return severityFromNumber(raw);
  if (typeof raw !== 'string') return null;
  const text = raw.trim().toLowerCase();
  if (/^\d+$/.test(text)) return severityFromNumber(Number(text));
  return WORDS[text] ?? WORDS[text.replace(/[1-4]$/, '')] ?? null;
}

export function severityNumber(level: Severity): number {
  return SEVERITY_NUMBER[level];
}

/** 1 (trace) … 6 (fatal), or 0 for what names no level; matches the SQL macro `sevrank`. */
export function severityRank(raw: unknown): number {
  const level = normalizeSeverity(raw);
  return level ? SEVERITIES.indexOf(level) + 1 : 0;
}
