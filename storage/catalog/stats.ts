import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { lakeFiles, sqlString } from '../lake/parquet.js';
import type { FileStats, PropertyType, WantsExamples } from './catalog.js';

const MAPS: [string, PropertyType][] = [['attrs_str', 'string'], ['attrs_num', 'number'], ['attrs_bool', 'boolean']];

/** Reads a committed Parquet file's property keys (typed, with volumes and examples) and event names. */
export class StatsReader {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async create(): Promise<StatsReader> {
    const db = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
    return new StatsReader(await db.connect());
  }

  /**
   * Volumes come from the maps' keys alone; values are read only for keys that still want examples.
   * Reading every entry's value was most of what a file's stats cost, and once a key has its examples
   * (nearly every key, after the first files) they are never needed again.
   */
  async read(table: Table, path: string, wantsExamples: WantsExamples = () => true): Promise<FileStats> {
    const stats: FileStats = { properties: [], names: [] };
    if (table === 'alert_events') return stats;
    const file = lakeFiles([path]);
    for (const [column, type] of MAPS) {
      const volumes = await this.conn.runAndReadAll(`SELECT k AS key, count(*)::BIGINT AS volume FROM (SELECT unnest(map_keys(${column})) AS k FROM ${file}) GROUP BY k`);
      const keys = volumes.getRowObjectsJS().map((row) => ({ key: String(row.key), volume: Number(row.volume) }));
      const wanted = keys.filter((k) => wantsExamples(type, k.key)).map((k) => k.key);
      const examples = new Map<string, (string | number | boolean)[]>();
      if (wanted.length > 0) {
        const reader = await this.conn.runAndReadAll(
          `SELECT e.key AS key, list_slice(list(DISTINCT e.value), 1, 5) AS examples
           FROM (SELECT unnest(map_entries(${column})) AS e FROM ${file}) WHERE e.key IN (${wanted.map(sqlString).join(', ')}) GROUP BY e.key`,
        );
        for (const row of reader.getRowObjectsJS()) examples.set(String(row.key), (row.examples as (string | number | boolean)[]) ?? []);
      }
      for (const { key, volume } of keys) stats.properties.push({ key, type, volume, examples: examples.get(key) ?? [] });
    }
    if (table === 'events') {
      const reader = await this.conn.runAndReadAll(`SELECT event, count(*)::BIGINT AS volume FROM ${file} GROUP BY event`);
      for (const row of reader.getRowObjectsJS()) stats.names.push({ name: String(row.event), volume: Number(row.volume) });
    }
    return stats;
  }

  close(): void {
    this.conn.closeSync();
  }
}
