import { describe, expect, it } from 'vitest';
import { uptime } from './uptime.js';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-06-15T12:00:00Z');

describe('uptime', () => {
  it('is the share of each day and of the window without trouble, overlapping spans counted once', () => {
    const down = [
      { start: at('2026-06-14T00:00:00Z'), end: at('2026-06-14T06:00:00Z') },
      { start: at('2026-06-14T03:00:00Z'), end: at('2026-06-14T12:00:00Z') },
      { start: at('2026-06-15T11:00:00Z'), end: at('2026-06-15T13:00:00Z') },
    ];
    const u = uptime(down, at('2026-06-13T00:00:00Z'), NOW, 3);
    expect(u.days).toEqual([
      { date: '2026-06-13', percent: 100 },
      { date: '2026-06-14', percent: 50 },
      // Only the half day that has passed counts, and only its hour of trouble before now.
      { date: '2026-06-15', percent: 91.667 },
    ]);
    // 13 h of trouble in 60 h.
    expect(u.percent).toBe(78.333);
  });

  it('knows nothing of the days before tracking began', () => {
    const u = uptime([], at('2026-06-15T06:00:00Z'), NOW, 90);
    expect(u.days).toHaveLength(90);
    expect(u.days.slice(0, 89).every((d) => d.percent === null)).toBe(true);
    expect(u.days.at(-1)).toEqual({ date: '2026-06-15', percent: 100 });
    expect(u.percent).toBe(100);
    expect(uptime([], NOW + 1, NOW, 3).percent).toBeNull();
  });
});
