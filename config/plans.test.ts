import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLANS, plansSchema } from './plans.js';
import { configSchema } from './schema.js';

describe('plans in the config', () => {
  it('are documented in the example file as they default', () => {
    const example = parse(readFileSync(new URL('./loglake.example.yaml', import.meta.url), 'utf8'));
    expect(configSchema.parse(example).plans).toEqual(configSchema.parse({}).plans);
    expect(Object.keys(example.plans).sort()).toEqual(Object.keys(DEFAULT_PLANS).sort());
  });

  it('default to the seed figures, and an entry replaces only its own plan', () => {
    const plans = plansSchema.parse({ free: { requests_per_second: 5 } });
    expect(plans.free).toEqual({ requests_per_second: 5 });
    expect(plans.team).toEqual({ requests_per_second: 100, ai_queries_per_month: 10_000 });
    expect(plansSchema.parse(undefined)).toEqual(DEFAULT_PLANS);
    expect(DEFAULT_PLANS.enterprise).toEqual({ ingest_requests_per_hour: 50_000, query_requests_per_hour: 10_000 });
  });

  it('refuse redefining unlimited and unknown limit names', () => {
    expect(plansSchema.safeParse({ unlimited: {} }).success).toBe(false);
    expect(plansSchema.safeParse({ free: { requests_per_minute: 3 } }).success).toBe(false);
  });
});
