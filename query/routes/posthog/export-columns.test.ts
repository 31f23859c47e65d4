// The CSV export's column list against PostHog's log row, built from every logs row column.
import { describe, expect, it } from 'vitest';
import { TABLE_SPECS } from '../../../core/tables.js';
import { posthogRow } from '../../language/shape.js';
import { CSV_COLUMNS } from './export.js';

describe('PostHog CSV export columns', () => {
  it('are every member of the PostHog row but the row key `id` and the `level` duplicate', () => {
    const raw = Object.fromEntries(TABLE_SPECS.logs.row.map((name) => [name, null]));
    const members = Object.keys(posthogRow(raw)).filter((k) => k !== 'id' && k !== 'level');
    expect([...CSV_COLUMNS].sort()).toEqual(members.sort());
  });
});
