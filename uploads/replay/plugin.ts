// Session replay (seed 000): browsers' rrweb recordings arrive as gzipped chunks beside a session's metadata;
// a player reads them back by session. Uploads take a secret key with ingest:write, reads data:read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { goodlogsBody } from '../../server/goodlogs.js';
import { epochMs, listingQuery, segment, uploadAuth, uploadErrorHandler, type UploadDeps } from '../params.js';

/** A chunk as uploaded (gzipped): rrweb chunks are far smaller; past this the upload is refused (413). */
export const MAX_CHUNK_BYTES = 10 * 1024 * 1024;
/** Inflated, a chunk may hold this much: past it the body is a decompression bomb, not a recording. */
const MAX_INFLATED_BYTES = 128 * 1024 * 1024;

const inflate = promisify(gunzip);

const chunkQuery = z
  .object({ session_id: segment, seq: z.coerce.number().int().min(0).max(1e9), start_ts: epochMs, end_ts: epochMs, event_count: z.coerce.number().int().min(0) })
  .refine((q) => q.end_ts >= q.start_ts, { message: 'end_ts must not be before start_ts', path: ['end_ts'] });

/** Known fields are checked; any other field the SDK sends is kept in `properties`. */
const sessionBody = z
  .object({
    session_id: segment,
    distinct_id: z.string().min(1).max(200).optional(),
    start_ts: z.number().int().nonnegative().optional(),
    end_ts: z.number().int().nonnegative().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown());

const listQuery = listingQuery.extend({ distinct_id: z.string().optional() });

interface SessionDoc {
  session_id: string;
  distinct_id: string | null;
  start_ts: number | null;
  end_ts: number | null;
  properties: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

interface ChunkMeta {
  seq: number;
  start_ts: number;
  end_ts: number;
  event_count: number;
  uploaded_at: string;
}

const chunkName = (seq: number) => String(seq).padStart(10, '0');

async function checkGzip(data: Buffer): Promise<void> {
  if (data.length < 18 || data[0] !== 0x1f || data[1] !== 0x8b) throw new ApiError(400, 'VALIDATION_ERROR', 'The chunk must be gzip data (an rrweb chunk, gzipped)');
  try {
    await inflate(data, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `The chunk inflates to more than ${MAX_INFLATED_BYTES} bytes`);
    throw new ApiError(400, 'VALIDATION_ERROR', `The chunk is not valid gzip data: ${(err as Error).message}`);
  }
}

export function replayPlugin(deps: UploadDeps) {
  return async function replay(app: FastifyInstance) {
    const { store } = deps;
    app.setErrorHandler(uploadErrorHandler('10 MiB'));
    app.addContentTypeParser(['application/octet-stream', 'application/gzip', 'application/x-gzip'], { parseAs: 'buffer', bodyLimit: MAX_CHUNK_BYTES }, (_request, body, done) => done(null, body));
    const { write, read } = uploadAuth(deps);
    const sessionDir = (project: string, id: string) => [project, 'replay', id];
    // Upserts of one session from this process apply one after another, so none is lost.
    const upserts = new Map<string, Promise<unknown>>();

    async function view(project: string, id: string, withChunks: boolean) {
      const [doc, chunks] = await Promise.all([
        store.readDoc<SessionDoc>(sessionDir(project, id), 'session'),
        store.list<ChunkMeta>(sessionDir(project, id)),
      ]);
      if (!doc && chunks.length === 0) return null;
      chunks.sort((a, b) => a.seq - b.seq);
      const starts = [doc?.start_ts, ...chunks.map((c) => c.start_ts)].filter((t): t is number => typeof t === 'number');
      const ends = [doc?.end_ts, ...chunks.map((c) => c.end_ts)].filter((t): t is number => typeof t === 'number');
      return {
        session_id: id,
        distinct_id: doc?.distinct_id ?? null,
        start_ts: starts.length ? Math.min(...starts) : null,
        end_ts: ends.length ? Math.max(...ends) : null,
        properties: doc?.properties ?? {},
        created_at: doc?.created_at ?? chunks.map((c) => c.uploaded_at).sort()[0],
        updated_at: [doc?.updated_at, ...chunks.map((c) => c.uploaded_at)].filter(Boolean).sort().at(-1)!,
        chunk_count: chunks.length,
        event_count: chunks.reduce((n, c) => n + c.event_count, 0),
        bytes: chunks.reduce((n, c) => n + c.bytes, 0),
        ...(withChunks ? { chunks: chunks.map(({ seq, start_ts, end_ts, event_count, bytes }) => ({ seq, start_ts, end_ts, event_count, bytes })) } : {}),
      };
    }

    app.post('/v1/replay/sessions', { onRequest: write }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { session_id, distinct_id, start_ts, end_ts, properties, ...extra } = goodlogsBody(sessionBody, request.body);
      const project = request.apiKey!.project_id;
      const key = `${project}/${session_id}`;
      const run = (upserts.get(key) ?? Promise.resolve()).catch(() => undefined).then(async () => {
        const dir = sessionDir(project, session_id);
        const old = await store.readDoc<SessionDoc>(dir, 'session');
        const now = new Date().toISOString();
        const doc: SessionDoc = {
          session_id,
          distinct_id: distinct_id ?? old?.distinct_id ?? null,
          start_ts: start_ts ?? old?.start_ts ?? null,
          end_ts: end_ts ?? old?.end_ts ?? null,
          properties: { ...old?.properties, ...extra, ...properties },
          created_at: old?.created_at ?? now,
          updated_at: now,
        };
        await store.writeDoc(dir, 'session', doc);
        return old === null;
      });
      upserts.set(key, run);
      const created = await run.finally(() => {
        if (upserts.get(key) === run) upserts.delete(key);
      });
      return reply.code(created ? 201 : 200).send(await view(project, session_id, false));
    });

    app.post('/v1/replay/chunks', { onRequest: write }, async (request: FastifyRequest, reply: FastifyReply) => {
      const q = goodlogsBody(chunkQuery, request.query);
      const data = request.body;
      if (!Buffer.isBuffer(data) || data.length === 0) {
        throw new ApiError(400, 'VALIDATION_ERROR', 'Send the gzipped chunk as the body, with Content-Type application/octet-stream or application/gzip');
      }
      await checkGzip(data);
      const chunk: ChunkMeta = { seq: q.seq, start_ts: q.start_ts, end_ts: q.end_ts, event_count: q.event_count, uploaded_at: new Date().toISOString() };
      const outcome = await store.put(sessionDir(request.apiKey!.project_id, q.session_id), chunkName(q.seq), data, chunk);
      if (outcome === 'conflict') throw new ApiError(409, 'CONFLICT', `Chunk ${q.seq} of session ${q.session_id} is already stored with other bytes`);
      return reply.code(outcome === 'created' ? 201 : 200).send({ session_id: q.session_id, seq: q.seq, bytes: data.length, stored: outcome === 'created' });
    });

    app.get('/v1/replay/sessions', { onRequest: read }, async (request: FastifyRequest) => {
      const q = goodlogsBody(listQuery, request.query);
      const project = request.apiKey!.project_id;
      const ids = await store.dirs([project, 'replay']);
      const sessions = (await Promise.all(ids.map((id) => view(project, id, false))))
        .filter((s) => s !== null)
        .filter((s) => q.distinct_id === undefined || s.distinct_id === q.distinct_id)
        .filter((s) => q.from === undefined || (s.end_ts ?? s.start_ts ?? 0) >= q.from)
        .filter((s) => q.to === undefined || (s.start_ts ?? Infinity) <= q.to)
        .sort((a, b) => (b.start_ts ?? 0) - (a.start_ts ?? 0) || a.session_id.localeCompare(b.session_id));
      return { sessions: sessions.slice(0, q.limit), total: sessions.length };
    });

    app.get<{ Params: { session_id: string } }>('/v1/replay/sessions/:session_id', { onRequest: read }, async (request) => {
      const id = goodlogsBody(segment, request.params.session_id);
      const session = await view(request.apiKey!.project_id, id, true);
      if (!session) throw new ApiError(404, 'NOT_FOUND', 'No session with this id in this project');
      return session;
    });

    app.get<{ Params: { session_id: string; seq: string } }>('/v1/replay/sessions/:session_id/chunks/:seq', { onRequest: read }, async (request, reply) => {
      const id = goodlogsBody(segment, request.params.session_id);
      const seq = goodlogsBody(z.coerce.number().int().min(0).max(1e9), request.params.seq);
      const chunk = await store.get<ChunkMeta>(sessionDir(request.apiKey!.project_id, id), chunkName(seq));
      if (!chunk) throw new ApiError(404, 'NOT_FOUND', 'No such chunk of this session in this project');
      return reply.type('application/gzip').header('x-event-count', String(chunk.meta.event_count)).send(chunk.data);
    });
  };
}
