import type { BootstrapFile, LoglakeProcess } from './loglake.js';

/** One HTTP ingest route of a running loglake, as a client calls it. */
export interface Surface {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** A body holding one log whose message is `message`. */
  body(message: string): unknown;
  /** The status a stored batch is answered with. */
  stored: number;
  /** The error code the surface's envelope carries. */
  code(body: Record<string, unknown>): unknown;
}

/** GoodLogs, Logtrail, LogTrace and OTLP/HTTP (JSON) on a process started by `startLoglake`. */
export function ingestSurfaces(p: LoglakeProcess, keys: BootstrapFile['keys']): Surface[] {
  const json = { 'content-type': 'application/json' };
  // Fixed, so that the same message is the same body.
  const stamp = new Date().toISOString();
  const nested = (b: Record<string, unknown>) => (b.error as { code?: unknown } | undefined)?.code;
  return [
    {
      name: 'GoodLogs',
      url: `${p.url}/v1/logs`,
      headers: { ...json, authorization: `Bearer ${keys.goodlogs_secret}` },
      body: (message) => ({ batch: [{ severity: 'info', message }] }),
      stored: 202,
      code: nested,
    },
    {
      name: 'Logtrail',
      url: `${p.url}/api/v1/workspace/logs/bulk`,
      headers: { ...json, 'x-api-key': keys.logtrail_rw },
      body: (message) => [{ action: 'fault.test', level: 'info', message, clientTimestamp: stamp }],
      stored: 201,
      code: (b) => b.error_code,
    },
    {
      name: 'LogTrace',
      url: `${p.url}/v1/logs/ingest`,
      headers: { ...json, authorization: `Bearer ${keys.logtrace}` },
      body: (message) => ({ logs: [{ level: 'INFO', message, service: 'fault-test' }] }),
      stored: 202,
      code: nested,
    },
    {
      name: 'OTLP/HTTP',
      url: `http://127.0.0.1:${p.env.LOGLAKE_OTLP_HTTP_PORT}/v1/logs`,
      headers: { ...json, authorization: `Bearer ${keys.goodlogs_secret}` },
      body: (message) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: message } }] }] }] }),
      stored: 200,
      code: (b) => b.code,
    },
  ];
}
