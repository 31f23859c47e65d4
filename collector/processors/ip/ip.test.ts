import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.js';

const trusted = new Set(['10.0.0.1', '127.0.0.1']);

describe('clientIp', () => {
  it('uses the socket peer when it is not a trusted proxy', () => {
    expect(clientIp('203.0.113.42', '1.2.3.4', trusted)).toBe('203.0.113.42');
  });

  it('believes X-Forwarded-For only through trusted proxies, right to left', () => {
    expect(clientIp('10.0.0.1', '6.6.6.6, 203.0.113.42, 127.0.0.1', trusted)).toBe('203.0.113.42');
  });

  it('strips the IPv4-mapped prefix', () => {
    expect(clientIp('::ffff:198.51.100.7', undefined, trusted)).toBe('198.51.100.7');
  });
});
