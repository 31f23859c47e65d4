import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { TABLES } from '../../core/records.js';
import { goodlogsAuth, goodlogsBody, goodlogsErrorHandler } from '../../server/goodlogs.js';
import { allowsEnvironment } from '../../server/key-grants.js';
import type { Bus } from '../../storage/bus/bus.js';
import { BusUnconfirmedError } from '../../storage/bus/bus.js';
import { importBatch, newImportEntry, IMPORT_BATCH_RECORDS } from '../../storage/imports/batch.js';
import { importId, type ImportLedger } from '../../storage/imports/ledger.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { RETRY_AFTER, UNCONFIRMED_MESSAGE } from '../receivers/hand-on.js';

interface Deps {
  meta: MetaStore;
  bus: Bus;
  ledger: ImportLedger;
}

/** A batch's body may be near the 2 MB the import cuts batches to, plus its envelope. */
const BODY_LIMIT = 4 * 1024 * 1024;

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');
const table = z.enum(TABLES);
/** The project is the key's; an import that names another is refused rather than sent elsewhere. */
const project = z.string().min(1).optional();
const batchBody = z.object({
  table,
  project,
  batches: z.number().int().positive(),
  index: z.number().int().min(0),
  records: z.array(z.unknown()).min(1).max(IMPORT_BATCH_RECORDS),
});

/**
 * How `loglake import` reaches a running service whose bus is its own (embedded): the import ledger and a
 * batch route that takes records in the canonical stored form (ids and timestamps kept, as
 * `parseCanonical` checks them), for the project of the secret key that sends them.
 *
 * - `GET /v1/imports/:digest?table=T` → the ledger entry of that file into T (404 when never imported).
 * - `POST /v1/imports/:digest/batches` `{table, batches, index, records}` → `{stored, rejected, errors}`,
 *   once the good records are durable on the bus and the batch is acknowledged in the ledger; a batch the
 *   ledger has already answers `{stored: 0, …, already: true}`.
 *
 * A record that fails the check is rejected and the rest stored; a record in an environment the key may not
 * write refuses the whole batch (403), as GoodLogs ingest does. Records go to the bus as stored, without the
 * ingest processors; an import is a bulk load of history, so it is neither metered nor held to the plan's
 * quotas and rates, as it never was when the import wrote the lake itself.
 */
export function importPlugin(deps: Deps) {
  return async function imports(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    const auth = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'ingest:write' });
    // One batch of an import at a time: each reads and rewrites its ledger entry.
    const queues = new Map<string, Promise<unknown>>();
    const serially = <T>(id: string, work: () => Promise<T>): Promise<T> => {
      const run = (queues.get(id) ?? Promise.resolve()).then(work, work);
      const settled = run.catch(() => undefined);
      queues.set(id, settled);
      void settled.then(() => {
        if (queues.get(id) === settled) queues.delete(id);
      });
      return run;
    };
    const params = (request: FastifyRequest) => goodlogsBody(z.object({ digest }), request.params).digest;
    const projectOf = (request: FastifyRequest, named: string | undefined) => {
      const own = request.apiKey!.project_id;
      if (named !== undefined && named !== own) throw new ApiError(403, 'FORBIDDEN', `This key belongs to project "${own}", not "${named}"`);
      return own;
    };

    app.get('/v1/imports/:digest', { onRequest: auth }, async (request) => {
      const query = goodlogsBody(z.object({ table, project }), request.query);
      const entry = await deps.ledger.get(importId(params(request), query.table, projectOf(request, query.project)));
      if (!entry) throw new ApiError(404, 'NOT_FOUND', 'This file has not been imported into this table and project');
      return entry;
    });

    app.post('/v1/imports/:digest/batches', { onRequest: auth, bodyLimit: BODY_LIMIT }, async (request) => {
      const body = goodlogsBody(batchBody, request.body);
      if (body.index >= body.batches) throw new ApiError(400, 'VALIDATION_ERROR', `index: must be below batches (${body.batches})`);
      const key = request.apiKey!;
      const start = newImportEntry(params(request), body.table, projectOf(request, body.project), body.batches);
      // As GoodLogs ingest does: a record where the key may not write refuses the request.
      const check = (record: object, index: number) => {
        if ('environment' in record && typeof record.environment === 'string' && !allowsEnvironment(key, record.environment)) {
          throw new ApiError(403, 'FORBIDDEN', `Record ${index}: this key may not write to ${record.environment}`);
        }
      };
      try {
        const { entry: _entry, ...result } = await serially(start.id, () => importBatch(deps.bus, deps.ledger, start, body.index, body.records, check));
        return result;
      } catch (err) {
        if (!(err instanceof BusUnconfirmedError)) throw err;
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', UNCONFIRMED_MESSAGE, undefined, RETRY_AFTER);
      }
    });
  };
}
