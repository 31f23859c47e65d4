// Canonical severities (spec 3.1); literals are normalised the way ingest normalises stored values.

export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export function normaliseSeverity(text: string): string {
  const lower = text.trim().toLowerCase();
  return lower === 'warning' ? 'warn' : lower;
}

/** 1 (trace) … 6 (fatal), or 0 for an unknown level; matches the SQL macro `sevrank`. */
export function severityRank(text: string): number {
  return (SEVERITIES as readonly string[]).indexOf(normaliseSeverity(text)) + 1;
}
