import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, type MetaStore, type NewKey } from './store.js';
import { randomToken } from './secrets.js';

export interface BootstrapInfo {
  org_id: string;
  project_id: string;
  admin: { email: string; password: string };
  keys: { goodlogs_secret: string; goodlogs_public: string; logtrail_rw: string; logtrace: string; posthog_personal: string };
}

/**
 * First start with an empty store: org `default`, project `default`, an admin user and one key of each
 * family the seed APIs use. The secrets exist only here and in `<data_dir>/bootstrap.json`.
 */
export async function bootstrap(meta: MetaStore, dataDir: string, opts: { region: string; adminEmail: string }): Promise<BootstrapInfo | null> {
  if (!meta.isEmpty()) return null;
  let org;
  try {
    org = await meta.createOrg('default', 'default');
  } catch (err) {
    // Another process sharing the store started at the same moment and is bootstrapping it.
    if (err instanceof ConflictError) return null;
    throw err;
  }
  const project = await meta.createProject(org.id, 'default', 'unlimited', 'default');
  const password = randomToken(12);
  const admin = await meta.createUser(opts.adminEmail, password, [org.id]);
  const make = async (spec: Pick<NewKey, 'family' | 'kind' | 'scopes' | 'name'> & Partial<NewKey>) =>
    (await meta.createKey({ org_id: org.id, project_id: project.id, region: opts.region, environments: null, created_by: admin.id, ...spec })).secret;
  const info: BootstrapInfo = {
    org_id: org.id,
    project_id: project.id,
    admin: { email: opts.adminEmail, password },
    keys: {
      goodlogs_secret: await make({ family: 'goodlogs', kind: 'secret', scopes: ['data:read', 'alerts:read', 'alerts:write', 'ingest:write', 'ai:chat'], name: 'bootstrap secret' }),
      goodlogs_public: await make({ family: 'goodlogs', kind: 'public', scopes: ['ingest:write'], name: 'bootstrap public' }),
      logtrail_rw: await make({ family: 'logtrail', kind: 'secret', scopes: ['logs:read', 'logs:write'], environments: ['production'], name: 'bootstrap logtrail' }),
      logtrace: await make({ family: 'logtrace', kind: 'secret', scopes: ['logs:read', 'logs:write'], environments: ['production'], name: 'bootstrap logtrace' }),
      posthog_personal: await make({ family: 'posthog', kind: 'secret', scopes: ['logs:read', 'logs:write'], name: 'bootstrap personal' }),
    },
  };
  writeFileSync(join(dataDir, 'bootstrap.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return info;
}
