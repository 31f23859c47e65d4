import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ComponentCounters } from '../collector/counters.js';
import { metricsPlugin } from './metrics.js';
import { startTestService } from '../test/helpers/service.js';

describe('GET /metrics', () => {
  it('exposes the component counters in the Prometheus text format', async () => {
    const counters = new ComponentCounters();
    counters.add('otlp', 'logs', 'accepted', 120);
    counters.add('otlp', 'logs', 'accepted', 3);
    counters.add('logstash', 'logs', 'refused', 2, 'oversized');
    counters.add('sampling/"a"', 'events', 'dropped', 0, 'filtered');
    const app = Fastify();
    await app.register(metricsPlugin, { counters });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body.split('\n')).toEqual([
      '# HELP loglake_component_records_total Records each collector component accepted, refused (the sender was told) or dropped, by reason.',
      '# TYPE loglake_component_records_total counter',
      'loglake_component_records_total{component="otlp",signal="logs",outcome="accepted"} 123',
      'loglake_component_records_total{component="logstash",signal="logs",outcome="refused",reason="oversized"} 2',
      '',
    ]);
    await app.close();
  });

  it('counts what the started service ingests', async () => {
    const t = await startTestService();
    try {
      const sent = await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch: [{ severity: 'info', message: 'one' }, { severity: 'warn', message: 'two' }] } });
      expect(sent.statusCode).toBe(202);
      const res = await t.request('GET', '/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('loglake_component_records_total{component="goodlogs",signal="logs",outcome="accepted"} 2');
      expect(res.body).toContain('loglake_component_records_total{component="bus",signal="logs",outcome="accepted"} 2');
    } finally {
      await t.close();
    }
  });
});
