import { describe, expect, it } from 'vitest';
import { InFlightLimit } from './in-flight.js';

describe('InFlightLimit', () => {
  it('refuses work past the cap and frees a slot when work ends, failed or not', async () => {
    const limit = new InFlightLimit(1);
    let release!: () => void;
    const held = limit.run(() => new Promise<void>((r) => (release = r)), () => new Error('saturated'));
    await expect(limit.run(async () => 'second', () => new Error('saturated'))).rejects.toThrow('saturated');
    release();
    await held;
    await expect(limit.run(async () => Promise.reject(new Error('bus down')), () => new Error('saturated'))).rejects.toThrow('bus down');
    await expect(limit.run(async () => 'third', () => new Error('saturated'))).resolves.toBe('third');
  });
});
