import { describe, expect, it } from 'vitest';
import { messagePattern } from './facts.js';

describe('messagePattern', () => {
  it('turns the variable parts of a message into wildcards and keeps the words', () => {
    expect(messagePattern('order 1234 failed: card declined')).toBe('order * failed: card declined');
    expect(messagePattern('user 0b5c1f7e-3a2d-7c6b-9e8f-a1b2c3d4e5f6 took 12.5 ms')).toBe('user * took * ms');
    expect(messagePattern('commit deadbeef42 at 10:32:01')).toBe('commit * at *');
    // A literal star would match anything: it becomes a space, and words are not mistaken for hex.
    expect(messagePattern('a*b decade facade')).toBe('a b decade facade');
  });
});
