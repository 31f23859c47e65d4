import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { configSchema } from './schema.js';

describe('config', () => {
  it('needs no file: every key has a default', () => {
    const config = loadConfig({}, undefined);
    expect(config.http.port).toBe(8080);
    expect(config.storage.bus.kind).toBe('auto');
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['events', 'logs']);
  });

  it('the example file is valid and documents the defaults', () => {
    const example = parse(readFileSync(new URL('./loglake.example.yaml', import.meta.url), 'utf8'));
    const parsed = configSchema.parse(example);
    const defaults = configSchema.parse({});
    expect(parsed.storage).toEqual(defaults.storage);
    expect(parsed.http).toEqual(defaults.http);
  });

  it('applies environment overrides', () => {
    const config = loadConfig({ LOGLAKE_DATA_DIR: '/tmp/x', LOGLAKE_HTTP_PORT: '9090', NATS_URL: 'nats://h:4222', LOGLAKE_QUERY_NOW: '2026-06-15T12:00:00Z' }, undefined);
    expect(config.storage.data_dir).toBe('/tmp/x');
    expect(config.http.port).toBe(9090);
    expect(config.storage.bus.nats_url).toBe('nats://h:4222');
    expect(config.query.now).toBe('2026-06-15T12:00:00Z');
  });

  it('names the bad path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loglake-config-'));
    const file = join(dir, 'loglake.yaml');
    writeFileSync(file, 'storage:\n  writer:\n    flush_interval_ms: -5\n');
    expect(() => loadConfig({}, file)).toThrow(/storage\.writer\.flush_interval_ms/);
    expect(() => loadConfig({ LOGLAKE_HTTP_PORT: 'eighty' }, undefined)).toThrow(/LOGLAKE_HTTP_PORT/);
  });
});

describe('default pipelines', () => {
  it('keep only the components a file configures, so a partial file needs no service section', () => {
    const config = configSchema.parse({ receivers: { goodlogs: {} }, processors: { flatten: {} } });
    expect(config.service.pipelines).toEqual({
      logs: { receivers: ['goodlogs'], processors: ['flatten'], exporters: ['bus'] },
      events: { receivers: ['goodlogs'], processors: ['flatten'], exporters: ['bus'] },
    });
    expect(configSchema.parse({ receivers: { otlp: {} } }).service.pipelines).toEqual({
      logs: { receivers: ['otlp'], processors: ['severity', 'flatten', 'useragent', 'ip'], exporters: ['bus'] },
    });
  });
});
