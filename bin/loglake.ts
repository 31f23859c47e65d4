#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../config/load.js';
import { startService, ROLES, type Role } from '../app/service.js';
import { KEYS_USAGE, runKeys } from './keys.js';
import { IMPORT_USAGE, runImport } from './import.js';
import { DEAD_LETTERS_USAGE, runDeadLetters } from './dead-letters.js';

const USAGE = `loglake — logs and product-analytics events into a Parquet lake

  loglake start [--role all|collector|writer|query|alerts]
                                run the service (config: LOGLAKE_CONFIG or ./loglake.yaml; every key has a default)
${IMPORT_USAGE}${KEYS_USAGE}${DEAD_LETTERS_USAGE}`;

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig();
  const service = await startService(config, role);
  const { logger, bootstrapInfo } = service;
  if (bootstrapInfo) {
    logger.info({ bootstrap: bootstrapInfo }, `first start: created org "default", project "default" and keys; saved to ${config.storage.data_dir}/bootstrap.json`);
    process.stdout.write(`\nloglake bootstrap (also in ${config.storage.data_dir}/bootstrap.json):\n${JSON.stringify(bootstrapInfo, null, 2)}\n\n`);
  }
  logger.info(`loglake (${role}) listening on http://${config.http.host}:${config.http.port}; bus: ${service.storage.bus.describe()}`);
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info(`${signal}: stopping — draining ingest and flushing the writer`);
    service.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
    case undefined:
      return start(rest);
    case 'import':
      return runImport(rest);
    case 'keys':
      return runKeys(rest, loadConfig());
    case 'dead-letters':
      return runDeadLetters(rest, loadConfig());
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
