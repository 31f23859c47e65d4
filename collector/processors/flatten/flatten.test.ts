import { describe, expect, it } from 'vitest';
import { flattenConfig } from './config.js';
import { flattenProperties } from './flatten.js';

const limits = flattenConfig.parse({});

describe('flattenProperties', () => {
  it('turns nested objects into dot paths and keeps types', () => {
    expect(flattenProperties({ http: { status: 500, ok: false, route: { name: '/x' } }, plan: 'pro' }, limits)).toEqual({
      'http.status': 500,
      'http.ok': false,
      'http.route.name': '/x',
      plan: 'pro',
    });
  });

  it('keeps dotted keys, drops nulls, stores arrays as JSON text', () => {
    expect(flattenProperties({ 'x.y': 1, gone: null, roles: ['admin', 'dev'] }, limits)).toEqual({ 'x.y': 1, roles: '["admin","dev"]' });
  });

  it('bounds depth and key count', () => {
    expect(flattenProperties({ a: { b: { c: 1 } } }, { max_depth: 2, max_keys: 10 })).toEqual({ 'a.b': '{"c":1}' });
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, i]));
    expect(flattenProperties(many, { max_depth: 8, max_keys: 3 })).toEqual({ k0: 0, k1: 1, k2: 2, _dropped_keys: 2 });
  });
});
