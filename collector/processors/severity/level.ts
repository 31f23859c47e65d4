import type { Severity } from '../../../core/records.js';
import { normalizeSeverity, severityFromNumber, severityNumber } from '../../../core/severity.js';

export interface Level {
  severity: Severity;
  severity_number: number;
}

/**
 * Reads a property value as a level: the configured words first (so they may also re-map a known word),
 * then whatever `normalizeSeverity` knows. An OTel number keeps its precision (`18` is ERROR2, not 17).
 */
export function levelReader(words: Record<string, Severity>): (value: unknown) => Level | null {
  const extra = new Map(Object.entries(words).map(([word, severity]) => [word.trim().toLowerCase(), severity]));
  return (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const mapped = extra.get(String(value).trim().toLowerCase());
    if (mapped) return { severity: mapped, severity_number: severityNumber(mapped) };
    const severity = normalizeSeverity(value);
    if (!severity) return null;
    const n = Number(value);
    return { severity, severity_number: severityFromNumber(n) ? n : severityNumber(severity) };
  };
}
