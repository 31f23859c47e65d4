import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('refuses a pair after max failures until the window from the first one ends, and forgets on success', () => {
    const t = new LoginThrottle(3, 60_000);
    const start = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter('a', start + i)).toBe(0);
      t.fail('a', start + i * 1000);
    }
    expect(t.retryAfter('a', start + 2000)).toBe(58);
    expect(t.retryAfter('b', start + 2000)).toBe(0);
    expect(t.retryAfter('a', start + 60_000)).toBe(0);
    // A new window starts with the next failure.
    t.fail('a', start + 60_000);
    expect(t.retryAfter('a', start + 60_001)).toBe(0);
    t.fail('a', start + 60_002);
    t.succeed('a');
    t.fail('a', start + 60_003);
    expect(t.retryAfter('a', start + 60_004)).toBe(0);
  });
});
