import { describe, expect, it } from 'vitest';
import { parseAgent } from './parse.js';

describe('parseAgent', () => {
  it('reads a desktop Chrome on macOS', () => {
    const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';
    expect(parseAgent(ua)).toEqual({ $browser: 'Chrome 125', $os: 'macOS 10.15', $device: 'Desktop' });
  });

  it('reads a phone', () => {
    const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
    expect(parseAgent(ua)).toMatchObject({ $browser: 'Mobile Safari 17', $device: 'Mobile' });
  });

  it('adds nothing for agents it does not know', () => {
    expect(parseAgent('curl/8.5.0')).toEqual({});
  });
});
