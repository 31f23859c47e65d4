import { describe, expect, it } from 'vitest';
import type { Batch, LogRecord } from '../../../core/records.js';
import { toLogRecord as fromLogstash } from '../../receivers/logstash/mapping.js';
import { toLogRecords as fromOtlp } from '../../receivers/otlp/mapping.js';
import { severityConfig } from './config.js';
import { severityProcessorFactory } from './factory.js';

function log(properties: Record<string, unknown>, defaulted = true): LogRecord {
  return {
    id: 'r', project_id: 'p', environment: 'production', timestamp: '2026-06-15T12:00:00.000Z', observed_timestamp: '2026-06-15T12:00:00.000Z',
    severity: 'info', severity_number: 9, message: 'm', service: null, action: null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties, resource: {}, receiver: 'test', severity_defaulted: defaulted,
  };
}

function run(records: LogRecord[], config: unknown = {}): LogRecord[] {
  const processor = severityProcessorFactory.create(severityConfig.parse(config), { id: 'severity', host: undefined as never });
  const batch: Batch<'logs'> = { table: 'logs', projectId: 'p', records, context: { receiver: 'test' } };
  return processor.process(batch).records as LogRecord[];
}

const levelOf = (properties: Record<string, unknown>, config?: unknown) => {
  const [r] = run([log(properties)], config);
  return [r.severity, r.severity_number];
};

describe('severity processor', () => {
  it.each([
    [{ level: 'WARNING' }, 'warn', 13],
    [{ level: 'Err' }, 'error', 17],
    [{ level: ' debug ' }, 'debug', 5],
    [{ level: 3 }, 'trace', 3],
    [{ level: 17 }, 'error', 17],
    [{ level: '18' }, 'error', 18],
    [{ level: 'ERROR2' }, 'error', 17],
    [{ severity: 'critical' }, 'fatal', 21],
    [{ levelname: 'CRITICAL' }, 'fatal', 21],
    [{ loglevel: 'notice' }, 'info', 9],
    [{ 'log.level': 'warn' }, 'warn', 13],
    [{ log: { level: 'error', logger: 'db' } }, 'error', 17],
    [{ level: 'loud', severity: 'error' }, 'error', 17],
    [{ level: true }, 'info', 9],
    [{ level: 25 }, 'info', 9],
    [{ message_level: 'error' }, 'info', 9],
  ])('%j → %s (%i)', (properties, severity, number) => {
    expect(levelOf(properties)).toEqual([severity, number]);
  });

  it('reads configured words and numbers first, case-insensitively, from configured properties', () => {
    const config = { from_properties: ['lvl', 'body.level'], map: { N: 'info', Notice: 'warn', '3': 'error' } };
    expect(levelOf({ lvl: 'n' }, config)).toEqual(['info', 9]);
    expect(levelOf({ lvl: 'NOTICE' }, config)).toEqual(['warn', 13]);
    expect(levelOf({ lvl: 3 }, config)).toEqual(['error', 17]);
    expect(levelOf({ body: { level: 'fatal' } }, config)).toEqual(['fatal', 21]);
    expect(levelOf({ level: 'error' }, config)).toEqual(['info', 9]);
  });

  it('leaves a level the sender gave alone unless told to override it', () => {
    expect(run([log({ level: 'error' }, false)])[0].severity).toBe('info');
    expect(run([log({ level: 'error' })], { override: true })[0].severity).toBe('error');
    expect(run([log({ level: 'error' }, false)], { override: true })[0]).toMatchObject({ severity: 'error', severity_number: 17, severity_defaulted: false });
  });

  it('keeps the property unless asked to remove it, nested or dotted, without touching shared objects', () => {
    expect(run([log({ level: 'warn', a: 1 })])[0].properties).toEqual({ level: 'warn', a: 1 });
    expect(run([log({ level: 'warn', a: 1 })], { remove_property: true })[0].properties).toEqual({ a: 1 });
    const shared = { level: 'error', logger: 'db' };
    const [nested] = run([log({ log: shared })], { remove_property: true });
    expect(nested.properties).toEqual({ log: { logger: 'db' } });
    expect(shared).toEqual({ level: 'error', logger: 'db' });
  });

  it('passes events through', () => {
    const processor = severityProcessorFactory.create(severityConfig.parse({ override: true }), { id: 'severity', host: undefined as never });
    const event = { id: 'e', project_id: 'p', environment: 'production', timestamp: 't', observed_timestamp: 't', event: 'x', distinct_id: null, properties: { level: 'error' } };
    const batch: Batch<'events'> = { table: 'events', projectId: 'p', records: [event], context: { receiver: 'test' } };
    expect(processor.process(batch).records).toEqual([{ ...event }]);
  });

  it('applies where the receivers fell back to their default: Logstash and OTLP', () => {
    const target = { projectId: 'p', defaultEnvironment: 'production' };
    const python = fromLogstash({ levelname: 'ERROR', message: 'boom' }, target, '2026-06-15T12:00:00.000Z');
    const given = fromLogstash({ level: 'debug', levelname: 'ERROR', message: 'boom' }, target, '2026-06-15T12:00:00.000Z');
    expect(run([python, given]).map((r) => r.severity)).toEqual(['error', 'debug']);

    const attribute = (value: string) => ({ key: 'level', value: { value: 'stringValue' as const, stringValue: value } });
    const { records } = fromOtlp(
      { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [attribute('warn')] }, { severityNumber: 9, attributes: [attribute('warn')] }] }] }] },
      { projectId: 'p', key: null },
      'production',
      '2026-06-15T12:00:00.000Z',
    );
    expect(run(records).map((r) => r.severity)).toEqual(['warn', 'info']);
  });
});
