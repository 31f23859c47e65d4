import type { LogRecord } from '../../../core/records.js';
import { isObject, type Doc } from '../../../core/doc-fields.js';
import { toLogRecord } from './mapping.js';
import { route, type Routing } from './routing.js';

export type Decoded = { ok: true; record: LogRecord } | { ok: false; reason: string };

/**
 * A line's documents: a JSON object; each object of a JSON array of objects (Logstash's json codec splits
 * those into events too); otherwise the line itself as `message`. Blank lines carry nothing.
 */
export function documentsOf(line: string): Doc[] {
  const start = line.search(/\S/);
  if (start === -1) return [];
  const first = line[start];
  // Only text that may be JSON is parsed: a plain-text stream would otherwise throw on every line.
  if (first === '{' || first === '[') {
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) return [value];
      if (Array.isArray(value) && value.every(isObject)) return value;
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  return [{ message: line }];
}

/** Whether a line is a JSON document cut short (what a sender leaves when it dies mid-line). */
export function isTruncatedJson(line: string): boolean {
  const first = line.trimStart()[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(line);
    return false;
  } catch {
    return true;
  }
}

export function decodeLine(line: string, routing: Routing, now: string): Decoded[] {
  const decoded: Decoded[] = [];
  for (const doc of documentsOf(line)) {
    const routed = route(doc, routing);
    if (!routed.ok) {
      decoded.push(routed);
      continue;
    }
    const record = toLogRecord(doc, routed.target, now);
    if (routed.environments && !routed.environments.includes(record.environment)) {
      decoded.push({ ok: false, reason: `environment "${record.environment}" is outside the key's environments` });
    } else decoded.push({ ok: true, record });
  }
  return decoded;
}
