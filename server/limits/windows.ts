/** The UTC windows limits count in, each with the key its usage counters are stored under. */
export interface Window {
  /** An ISO prefix: `2026-06` (month), `2026-06-15T12` (hour). */
  key: string;
  start: Date;
  end: Date;
}

export function hourWindow(now: Date): Window {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours()));
  return { key: start.toISOString().slice(0, 13), start, end: new Date(start.getTime() + 3_600_000) };
}

export function monthWindow(now: Date): Window {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { key: start.toISOString().slice(0, 7), start, end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
}
