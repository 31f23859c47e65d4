import { describe, expect, it } from 'vitest';
import { intervalLabel, pickInterval } from './intervals.js';

const H = 3_600_000;

describe('pickInterval', () => {
  it('snaps the window / target step to the nearest round width', () => {
    expect(pickInterval(H, 10)).toEqual({ seconds: 300, label: '5m' });
    expect(pickInterval(24 * H, 50)).toEqual({ seconds: 1800, label: '30m' });
    expect(pickInterval(7 * 24 * H, 10)).toEqual({ seconds: 43_200, label: '12h' });
    expect(pickInterval(60_000, 10)).toEqual({ seconds: 5, label: '5s' });
    expect(pickInterval(90 * 24 * H, 10)).toEqual({ seconds: 86_400, label: '1d' });
  });

  it('breaks ties towards the narrower width and honours a floor', () => {
    expect(pickInterval(1_500_000, 10).seconds).toBe(120);
    expect(pickInterval(60_000, 50, 60)).toEqual({ seconds: 60, label: '1m' });
    expect(pickInterval(0, 10)).toEqual({ seconds: 1, label: '1s' });
  });

  it('labels widths in their largest whole unit', () => {
    expect([10, 60, 900, 7200, 43_200, 86_400].map(intervalLabel)).toEqual(['10s', '1m', '15m', '2h', '12h', '1d']);
  });
});
