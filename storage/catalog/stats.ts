import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { sqlString } from '../lake/parquet.js';
import type { FileStats, PropertyType } from './catalog.js';

const MAPS: [string, PropertyType][] = [['attrs_str', 'string'], ['attrs_num', 'number'], ['attrs_bool', 'boolean']];

/** Reads a committed Parquet file's property keys (typed, with volumes and examples) and event names. */
export class StatsReader {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async create(): Promise<StatsReader> {
    const db = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
    return new StatsReader(await db.connect());
  }

  async read(table: Table, path: string): Promise<FileStats> {
    const stats: FileStats = { properties: [], names: [] };
    if (table === 'alert_events') return stats;
    const file = `read_parquet(${sqlString(path)})`;
    for (const [column, type] of MAPS) {
      const reader = await this.conn.runAndReadAll(
        `SELECT e.key AS key, count(*)::BIGINT AS volume, list_slice(list(DISTINCT e.value), 1, 5) AS examples
         FROM (SELECT unnest(map_entries(${column})) AS e FROM ${file}) GROUP BY e.key`,
      );
      for (const row of reader.getRowObjectsJS()) {
        stats.properties.push({ key: String(row.key), type, volume: Number(row.volume), examples: (row.examples as (string | number | boolean)[]) ?? [] });
      }
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
