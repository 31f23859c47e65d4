import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configObject, configSchema, type Config } from './schema.js';

export class ConfigError extends Error {}

/** Formats zod issues as `path.to.key: message`, so a bad config names the key at fault. */
export function describeIssues(error: z.ZodError, prefix: string[] = []): string {
  return error.issues.map((i) => `${[...prefix, ...i.path.map(String)].join('.') || '(root)'}: ${i.message}`).join('; ');
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name}: not a port number: ${raw}`);
  return n;
}

function set(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Environment variables win over the file; a receiver's port is only set where that receiver is configured. */
function applyEnv(raw: Record<string, unknown>, env: Env): void {
  if (env.LOGLAKE_DATA_DIR) set(raw, ['storage', 'data_dir'], env.LOGLAKE_DATA_DIR);
  if (env.LOGLAKE_LAKE_DIR) set(raw, ['storage', 'lake_dir'], env.LOGLAKE_LAKE_DIR);
  if (env.NATS_URL) set(raw, ['storage', 'bus', 'nats_url'], env.NATS_URL);
  if (env.LOGLAKE_BUS) set(raw, ['storage', 'bus', 'kind'], env.LOGLAKE_BUS);
  if (env.LOGLAKE_QUERY_NOW) set(raw, ['query', 'now'], env.LOGLAKE_QUERY_NOW);
  if (env.LOGLAKE_LOG_LEVEL) set(raw, ['log_level'], env.LOGLAKE_LOG_LEVEL);
  const http = port(env, 'LOGLAKE_HTTP_PORT');
  if (http !== undefined) set(raw, ['http', 'port'], http);
  const alertSeconds = env.LOGLAKE_ALERTS_CHECK_INTERVAL_SECONDS;
  if (alertSeconds) set(raw, ['alerts', 'check_interval_override_seconds'], Number(alertSeconds));
  const receivers = (raw.receivers ?? {}) as Record<string, Record<string, unknown> | null>;
  const receiverPort = (type: string, path: string[], value: number | undefined) => {
    if (value === undefined) return;
    for (const [id, block] of Object.entries(receivers)) {
      if (id.split('/')[0] !== type) continue;
      receivers[id] = block ?? {};
      set(receivers[id] as Record<string, unknown>, path, value);
    }
  };
  receiverPort('otlp', ['http', 'port'], port(env, 'LOGLAKE_OTLP_HTTP_PORT'));
  receiverPort('otlp', ['grpc', 'port'], port(env, 'LOGLAKE_OTLP_GRPC_PORT'));
  receiverPort('logstash', ['port'], port(env, 'LOGLAKE_LOGSTASH_PORT'));
}

/** Reads `LOGLAKE_CONFIG` (or the given path) if it exists, applies the environment, validates. */
export function loadConfig(env: Env = process.env, path = env.LOGLAKE_CONFIG): Config {
  let raw: Record<string, unknown> = {};
  if (path) {
    if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
    const parsed = parseYaml(readFileSync(path, 'utf8')) as unknown;
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`${path}: the top level must be a mapping`);
    }
    raw = (parsed ?? {}) as Record<string, unknown>;
  } else if (existsSync('loglake.yaml')) {
    raw = (parseYaml(readFileSync('loglake.yaml', 'utf8')) ?? {}) as Record<string, unknown>;
  }
  if (!raw.receivers) raw.receivers = configObject.shape.receivers.parse(undefined);
  applyEnv(raw, env);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid config: ${describeIssues(result.error)}`);
  return result.data;
}
