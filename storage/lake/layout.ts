import { join } from 'node:path';
import type { Table } from '../../core/records.js';

/** `<lake>/<project>/<table>/date=YYYY-MM-DD/hour=HH/`: hive-style, readable by any Parquet tool. */
export function partitionDir(lakeDir: string, project: string, table: Table, hour: string): string {
  return join(lakeDir, project, table, `date=${hour.slice(0, 10)}`, `hour=${hour.slice(11, 13)}`);
}

/**
 * `<lake>/_patterns/`: the projects' log patterns (storage/catalog/patterns.ts), in the lake so that every
 * node over it reads what the compacting one mined; not part of any manifest.
 */
export function patternsDirOf(lakeDir: string): string {
  return join(lakeDir, '_patterns');
}

/** The hour partition `YYYY-MM-DDTHH` of an ISO instant in UTC (`…Z`). */
export function hourOf(instant: string): string {
  return instant.slice(0, 13);
}

/** The hour partition `YYYY-MM-DDTHH` (UTC) a date falls in. */
export function hourKey(date: Date): string {
  return hourOf(date.toISOString());
}
