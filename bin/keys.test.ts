import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { bootstrap } from '../storage/meta/bootstrap.js';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { stdoutOf } from '../test/helpers/stdout.js';
import { runKeys } from './keys.js';

const dir = mkdtempSync(join(tmpdir(), 'loglake-keys-cli-'));
const config = configSchema.parse({ storage: { data_dir: dir } });
/** A second instance on the same directory: what a running loglake would see. */
const running = new FileMetaStore(join(dir, 'meta'));

const cli = (...args: string[]) => stdoutOf(() => runKeys(args, config));

beforeAll(async () => {
  await running.open();
  await bootstrap(running, dir, { region: 'eu', adminEmail: 'a@b' });
});
afterAll(() => running.close());

describe('loglake keys', () => {
  it('creates a key, shows it once, and a running store accepts it at once', async () => {
    const created = JSON.parse(await cli('create', '--format', 'logtrail', '--scopes', 'logs:write', '--environments', 'staging', '--name', 'ci'));
    expect(created.key).toMatch(/^lt_staging_wo_[0-9a-f]{32}$/);
    expect(running.findKey(created.key)).toMatchObject({ id: created.id, project_id: 'default', scopes: ['logs:write'], environments: ['staging'] });
    expect(readFileSync(join(dir, 'meta', 'meta.json'), 'utf8')).not.toContain(created.key);
  });

  it('creates a read key for every environment with --environments all, and refuses a writer for all', async () => {
    const created = JSON.parse(await cli('create', '--format', 'logtrail', '--scopes', 'logs:read', '--environments', 'all'));
    expect(created).toMatchObject({ key: expect.stringMatching(/^lt_all_ro_/), environments: null });
    expect(running.findKey(created.key)?.environments).toBeNull();
    await expect(cli('create', '--format', 'logtrail', '--environments', 'all')).rejects.toThrow(/exactly one environment/);
  });

  it('lists keys without their secrets or hashes', async () => {
    const created = JSON.parse(await cli('create', '--format', 'goodlogs', '--kind', 'public'));
    const listed = JSON.parse(await cli('list', '--json'));
    expect(listed.find((k: { id: string }) => k.id === created.id)).toMatchObject({ family: 'goodlogs', kind: 'public', scopes: ['ingest:write'] });
    const text = await cli('list');
    for (const out of [JSON.stringify(listed), text]) {
      expect(out).not.toContain(created.key);
      expect(out).not.toContain('"hash"');
    }
    expect(text.split('\n').filter(Boolean)).toHaveLength(listed.length);
  });

  it('revokes a key, which the running store then refuses', async () => {
    const created = JSON.parse(await cli('create', '--format', 'logtrace'));
    expect(await cli('revoke', created.id)).toMatch(/revoked/);
    expect(running.findKey(created.key)).toBeNull();
    expect(await cli('list')).toMatch(new RegExp(`${created.id}.*revoked`));
  });

  it('refuses what the admin API refuses, naming the problem', async () => {
    await expect(cli('create', '--format', 'logtrace', '--kind', 'public')).rejects.toThrow(/goodlogs format only/);
    await expect(cli('create', '--format', 'goodlogs', '--scopes', 'logs:read')).rejects.toThrow(/logs:read not allowed/);
    await expect(cli('create', '--format', 'goodlogs', '--project', 'nope')).rejects.toThrow(/no project "nope"/);
    await expect(cli('revoke', 'nope')).rejects.toThrow(/no key/);
  });
});
