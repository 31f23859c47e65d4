import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../../../core/errors.js';
import type { ApiKey, MetaStore } from '../../../storage/meta/store.js';
import { checkKey } from '../../../server/auth.js';
import { hasScope } from '../../../server/key-grants.js';
import type { OtlpConfig } from './config.js';
import type { Target } from './mapping.js';

/** The scope names under which the API families grant writing logs. */
const WRITE_SCOPES = ['logs:write', 'write:logs', 'ingest:write'];

/** OTLP has no key family of its own: any key that may write logs on its own API may send OTLP. */
function mayWriteLogs(key: ApiKey): boolean {
  return key.family === 'goodlogs' ? key.kind === 'secret' : hasScope(key, WRITE_SCOPES);
}

/** The project a request writes to, from its `Authorization: Bearer` / `X-API-Key` header (HTTP header or gRPC metadata). */
export function authorize(headers: IncomingHttpHeaders, meta: MetaStore, config: Pick<OtlpConfig, 'auth' | 'project'>): Target {
  if (!config.auth.enabled) return { projectId: config.project, key: null };
  const check = checkKey({ headers }, meta, ['goodlogs', 'logtrail', 'logtrace', 'posthog']);
  if (!check.ok) {
    throw new ApiError(401, 'UNAUTHENTICATED', check.reason === 'missing' ? 'Missing API key: send Authorization: Bearer <key> or X-API-Key' : 'Invalid API key');
  }
  if (!mayWriteLogs(check.key)) throw new ApiError(403, 'PERMISSION_DENIED', 'This API key may not write logs');
  return { projectId: check.key.project_id, key: check.key };
}
