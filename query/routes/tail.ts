// Live tail: `GET /api/orgs/:org/projects/:project/gql/tail?q=` streams, as Server-Sent Events, the rows a
// GQL search matches that the writer commits after the stream opened.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TABLES } from '../../core/tables.js';
import type { LakeFile } from '../../storage/lake/manifest.js';
import type { MetaStore } from '../../storage/meta/store.js';
import type { Tokens } from '../../server/admin/tokens.js';
import { dashboardAuth } from '../../server/admin/dashboard-auth.js';
import { goodlogsErrorHandler } from '../../server/goodlogs.js';
import type { QueryEngine } from '../engine/engine.js';
import { parseQuery, QueryError, runParsed, type GqlBody, type Query } from '../language/index.js';
import { toCursorTs } from '../language/values.js';
import { withQueryRelations } from '../execute.js';
import { membersOf } from './members.js';

export interface TailDeps {
  engine: QueryEngine;
  meta: MetaStore;
  tokens: Tokens;
  /** The writer's commit notifications (Storage.onCommitted). */
  onCommitted(listener: (files: LakeFile[]) => void): () => void;
}

/** Rows sent per commit at most; a burst past it continues on the next commit or heartbeat. */
const TAIL_BATCH = 500;
/** A comment line keeps proxies from closing an idle stream, and catches rows a burst left behind. */
const HEARTBEAT_MS = 15_000;

const members = z.object({ q: z.string().default(''), source: z.enum(TABLES).optional() });

/**
 * The search as a tail: rows after the cursor in time order (timestamp, then id), from the cursor's hour on,
 * with no upper bound, whatever range the text names; sort, limit and top do not apply to a stream.
 */
function tailQuery(query: Query, cursor: { ts: string; id: string }): Query {
  return { ...query, time: { from: new Date(cursor.ts), to: null, explicit: true }, post: [], order: 'earliest', page: { size: TAIL_BATCH, cursor } };
}

export function tailPlugin(deps: TailDeps) {
  return async function tail(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    const dashboard = dashboardAuth(deps.meta, deps.tokens);
    // Open streams end when the server closes, so that closing waits for no client.
    const streams = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const end of streams) end();
    });
    app.get('/api/orgs/:org/projects/:project/gql/tail', { onRequest: dashboard }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, source } = membersOf(members, request.query, 'tail', 'VALIDATION_ERROR');
      // The real clock, also when query.now is pinned: the stream follows rows arriving now.
      const opened = new Date();
      const query = parseQuery({ dialect: 'gql', text: q, source, now: opened });
      if (query.aggregate) {
        throw new QueryError('VALIDATION_QUERY_SYNTAX', 'A live tail follows a search: remove the aggregate stage', { details: { dialect: 'gql', path: '/q' } });
      }
      const scope = { project: request.dashboard!.project!.id, environments: null };
      let cursor = { ts: opened.toISOString(), id: '' };
      let running = false;
      let again = false;
      let closed = false;

      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      out.write(`event: open\ndata: ${JSON.stringify({ since: cursor.ts, source: query.source })}\n\n`);

      // One query at a time per stream; commits that arrive meanwhile fold into one more run.
      const poll = async () => {
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            // The raw rows give the cursor its full microsecond timestamp; shaped rows carry milliseconds.
            let raw: Record<string, unknown>[] = [];
            const result = await runParsed((q, work) => withQueryRelations(deps.engine, scope, q, async (rel) => (raw = await work(rel))), tailQuery(query, cursor));
            const { data } = result.body as GqlBody;
            if (closed || data.mode !== 'search') return;
            for (const row of data.results) out.write(`event: row\nid: ${String(row.id)}\ndata: ${JSON.stringify(row)}\n\n`);
            const last = raw[data.results.length - 1];
            if (last) cursor = { ts: toCursorTs(last.timestamp) ?? cursor.ts, id: String(last.id) };
            if (data.has_more) again = true;
          } while (again && !closed);
        } catch (err) {
          request.log.error({ err }, 'tail: query failed');
          if (!closed) out.write(`event: error\ndata: ${JSON.stringify({ message: 'The tail query failed; the stream continues with the next commit' })}\n\n`);
        } finally {
          running = false;
        }
      };
      const unsubscribe = deps.onCommitted((files) => {
        if (files.some((f) => f.project === scope.project && f.table === query.source)) void poll();
      });
      const heartbeat = setInterval(() => {
        out.write(': heartbeat\n\n');
        void poll();
      }, HEARTBEAT_MS);
      const end = () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(end);
        out.end();
      };
      streams.add(end);
      request.raw.on('close', end);
    });
  };
}
