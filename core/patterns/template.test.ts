import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { templateOf, templateSql } from './template.js';

const SAMPLES: [string, string][] = [
  ['Connection timeout to db-17 after 3s', 'Connection timeout to db-<*> after <*>s'],
  ['GET /api/v1/items/42 200 in 17ms', 'GET /api/v<*>/items/<*> <*> in <*>ms'],
  ['User 123 signed in from 10.0.3.7:51234', 'User <*> signed in from <*>'],
  ['request 0193f3c2-7b1e-7a4e-9d2c-5f6a7b8c9d0e failed for ann@example.com', 'request <*> failed for <*>'],
  ['pointer 0xDEADBEEF freed twice; trace 4bf92f3577b34da6a3ce929d0e0e4736', 'pointer <*> freed twice; trace <*>'],
  ['Cache miss for key k42', 'Cache miss for key k<*>'],
  ['peer v10.1.2.3:8080 at 1.5', 'peer v<*> at <*>'],
  ['accepted and added a facade', 'accepted and added a facade'],
  ['Réservation n° 12,5 confirmée', 'Réservation n° <*>,<*> confirmée'],
  ['', ''],
];

describe('message templates', () => {
  it.each(SAMPLES)('%j → %j', (message, template) => {
    expect(templateOf(message)).toBe(template);
  });

  it('are the same in DuckDB, so the lake finds the logs of a template', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const [message] of SAMPLES) {
        const reader = await conn.runAndReadAll(`SELECT ${templateSql('m')} AS t FROM (SELECT $1::VARCHAR AS m)`, [message]);
        expect(reader.getRows()[0][0]).toBe(templateOf(message));
      }
      const nulls = await conn.runAndReadAll(`SELECT ${templateSql('m')} FROM (SELECT NULL::VARCHAR AS m)`);
      expect(nulls.getRows()[0][0]).toBe('');
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
