import { join } from 'node:path';
import type { Table } from '../../core/records.js';

/** `<lake>/<project>/<table>/date=YYYY-MM-DD/hour=HH/`: hive-style, readable by any Parquet tool. */
export function partitionDir(lakeDir: string, project: string, table: Table, hour: string): string {
  return join(lakeDir, project, table, `date=${hour.slice(0, 10)}`, `hour=${hour.slice(11, 13)}`);
}

/** The hour partition `YYYY-MM-DDTHH` of an ISO instant in UTC (`…Z`). */
export function hourOf(instant: string): string {
  return instant.slice(0, 13);
}

/** The hour partition `YYYY-MM-DDTHH` (UTC) a date falls in. */
export function hourKey(date: Date): string {
  return hourOf(date.toISOString());
}
