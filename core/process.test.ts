import { afterEach, describe, expect, it, vi } from 'vitest';
import { processAlive } from './process.js';

function failKill(code: string): void {
  vi.spyOn(process, 'kill').mockImplementation(() => {
    throw Object.assign(new Error(code), { code });
  });
}

describe('processAlive', () => {
  afterEach(() => vi.restoreAllMocks());

  it('finds this process alive', () => {
    expect(processAlive(process.pid)).toBe(true);
  });

  it('counts a process it may not signal (EPERM) as alive', () => {
    failKill('EPERM');
    expect(processAlive(4242)).toBe(true);
  });

  it('counts a missing process (ESRCH) as dead', () => {
    failKill('ESRCH');
    expect(processAlive(4242)).toBe(false);
  });

  it('refuses pids that would signal a process group', () => {
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
  });
});
