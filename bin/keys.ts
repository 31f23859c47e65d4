import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { metaStoreOf } from '../storage/meta/open.js';
import { ALL_ENVIRONMENTS, keySpec } from '../storage/meta/key-spec.js';
import type { ApiKey } from '../storage/meta/store.js';

export const KEYS_USAGE = `  loglake keys create --format goodlogs|logtrail|logtrace|posthog [--kind secret|public] [--project ID]
                    [--scopes a,b] [--environments production,staging|all] [--region eu] [--name NAME]
                                prints the new key once, with its id (JSON)
  loglake keys list [--project ID] [--json]
  loglake keys revoke ID
`;

const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);

function line(key: ApiKey): string {
  const envs = key.environments?.join(',') ?? 'all';
  const state = key.revoked_at ? `revoked ${key.revoked_at}` : `last used ${key.last_used_at ?? 'never'}`;
  return [key.id, key.project_id, `${key.family}/${key.kind}`, key.display, key.scopes.join(','), envs, JSON.stringify(key.name), state].join('  ');
}

/**
 * `loglake keys …` against the metadata store: the file in the data directory, or with the JetStream bus
 * the cluster's KV bucket. The store's lock makes this safe while loglake runs; a running loglake sees a
 * change on its next request (on every node, with JetStream).
 */
export async function runKeys(args: string[], config: Config): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      format: { type: 'string' },
      kind: { type: 'string', default: 'secret' },
      scopes: { type: 'string' },
      environments: { type: 'string' },
      region: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, id] = positionals;
  const meta = metaStoreOf(config, { onWaiting: (reason) => process.stderr.write(`metadata: ${reason}\n`) });
  await meta.open();
  try {
    switch (command) {
      case 'create': {
        const projectId = values.project ?? 'default';
        const project = meta.getProject(projectId);
        if (!project) throw new ConfigError(`no project "${projectId}" in ${config.storage.data_dir} (start loglake once to create "default")`);
        const request = {
          kind: values.kind,
          format: values.format,
          scopes: list(values.scopes),
          environments: list(values.environments)?.map((e) => (e === 'all' ? ALL_ENVIRONMENTS : e)),
          region: values.region,
          name: values.name,
        };
        const spec = keySpec(request, { orgId: project.org_id, projectId, defaultRegion: config.bootstrap.region });
        if (!spec.ok) throw new ConfigError(spec.message);
        const { key, secret } = await meta.createKey(spec.spec);
        process.stdout.write(`${JSON.stringify({ id: key.id, key: secret, project_id: projectId, format: key.family, kind: key.kind, scopes: key.scopes, environments: key.environments }, null, 2)}\n`);
        return;
      }
      case 'list': {
        const keys = values.project ? meta.listKeys(values.project) : meta.listProjects().flatMap((p) => meta.listKeys(p.id));
        const shown = keys.map(({ hash: _hash, ...rest }) => rest);
        process.stdout.write(values.json ? `${JSON.stringify(shown, null, 2)}\n` : keys.map((k) => `${line(k)}\n`).join(''));
        return;
      }
      case 'revoke': {
        const key = id ? meta.getKey(id) : null;
        if (!key) throw new ConfigError(`no key with id "${id ?? ''}"`);
        // Revoking twice is not an error: the key is revoked either way.
        if (!key.revoked_at) await meta.revokeKey(key.project_id, key.id);
        process.stdout.write(`revoked key ${key.id} (${key.display})\n`);
        return;
      }
      default:
        throw new ConfigError(`loglake keys: unknown command "${command ?? ''}"\n\n${KEYS_USAGE}`);
    }
  } finally {
    await meta.close();
  }
}
