// Continuous profiling (seed 000): profilers upload chunks of samples as JSON, listed by profiler, type and
// time and read back whole. Uploads take a secret key with ingest:write, reads data:read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { bodyDigest, ingestRequestId } from '../../server/idempotency.js';
import { goodlogsBody } from '../../server/goodlogs.js';
import { epochMs, listingQuery, segment, uploadAuth, uploadErrorHandler, type UploadDeps } from '../params.js';

/** The seed's limit for one chunk's JSON body. */
export const MAX_CHUNK_BYTES = 10 * 1024 * 1024;

const KNOWN = ['profiler_id', 'profile_type', 'sample_count', 'start_ts', 'end_ts'] as const;

/** The named parameters are checked; any other (`service`, `version`, …) is kept as a label. */
const uploadQuery = z
  .object({
    profiler_id: segment,
    profile_type: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a lower-case name such as cpu, wall, heap or alloc'),
    sample_count: z.coerce.number().int().min(0),
    start_ts: epochMs.optional(),
    end_ts: epochMs.optional(),
  })
  .catchall(z.string().max(256));

const listQuery = listingQuery.extend({
  profiler_id: z.string().optional(),
  profile_type: z.string().optional(),
});

interface ProfileMeta {
  id: string;
  profiler_id: string;
  profile_type: string;
  sample_count: number;
  start_ts: number;
  end_ts: number;
  labels: Record<string, string>;
  received_at: string;
}

export function profilesPlugin(deps: UploadDeps) {
  return async function profiles(app: FastifyInstance) {
    const { store } = deps;
    app.setErrorHandler(uploadErrorHandler('10 MiB'));
    // Kept as the bytes sent: a chunk is read back exactly as it was uploaded.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CHUNK_BYTES }, (_request, body, done) => done(null, body));
    const { write, read } = uploadAuth(deps);
    const dir = (project: string) => [project, 'profiles'];

    app.post('/v1/profiles/chunks', { onRequest: write }, async (request: FastifyRequest, reply: FastifyReply) => {
      const q = goodlogsBody(uploadQuery, request.query);
      const data = request.body as Buffer;
      try {
        JSON.parse(data.toString('utf8'));
      } catch {
        throw new ApiError(400, 'VALIDATION_ERROR', 'The profile chunk must be a JSON document');
      }
      const key = request.apiKey!;
      // Named by the request, as ingest is: a retried upload finds its chunk stored and is not stored twice.
      const id = ingestRequestId(`profiles\0${key.id}`, request.headers, bodyDigest(Buffer.concat([Buffer.from(JSON.stringify(q)), data])))!;
      const receivedAt = new Date();
      const start = q.start_ts ?? receivedAt.getTime();
      const labels = Object.fromEntries(Object.entries(q).filter(([k]) => !(KNOWN as readonly string[]).includes(k))) as Record<string, string>;
      const chunk: ProfileMeta = {
        id, profiler_id: q.profiler_id, profile_type: q.profile_type, sample_count: q.sample_count,
        start_ts: start, end_ts: q.end_ts ?? start, labels, received_at: receivedAt.toISOString(),
      };
      if (chunk.end_ts < chunk.start_ts) throw new ApiError(400, 'VALIDATION_ERROR', 'end_ts: must not be before start_ts');
      const outcome = await store.put(dir(key.project_id), id, data, chunk);
      if (outcome === 'conflict') throw new ApiError(409, 'CONFLICT', 'This Idempotency-Key was used for another chunk');
      const stored = (await store.meta<ProfileMeta>(dir(key.project_id), id))!;
      return reply.code(outcome === 'created' ? 201 : 200).send(stored);
    });

    app.get('/v1/profiles/chunks', { onRequest: read }, async (request: FastifyRequest) => {
      const q = goodlogsBody(listQuery, request.query);
      const chunks = (await store.list<ProfileMeta>(dir(request.apiKey!.project_id)))
        .filter((c) => q.profiler_id === undefined || c.profiler_id === q.profiler_id)
        .filter((c) => q.profile_type === undefined || c.profile_type === q.profile_type)
        .filter((c) => q.from === undefined || c.end_ts >= q.from)
        .filter((c) => q.to === undefined || c.start_ts <= q.to)
        .sort((a, b) => b.start_ts - a.start_ts || a.id.localeCompare(b.id))
        .map(({ sha256: _sha, ...c }) => c);
      return { chunks: chunks.slice(0, q.limit), total: chunks.length };
    });

    app.get<{ Params: { id: string } }>('/v1/profiles/chunks/:id', { onRequest: read }, async (request, reply) => {
      const id = goodlogsBody(segment, request.params.id);
      const chunk = await store.get<ProfileMeta>(dir(request.apiKey!.project_id), id);
      if (!chunk) throw new ApiError(404, 'NOT_FOUND', 'No profile chunk with this id in this project');
      return reply.type('application/json').send(chunk.data);
    });
  };
}
