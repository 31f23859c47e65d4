// AI chat (seed 000): `POST /v1/ai/chat` answers a question about the project's data in one JSON answer,
// `POST /v1/ai/chat/stream` the same as Server-Sent Events. Scope ai:chat; each question costs one AI query
// of the plan, as `/v1/gql/nl` does. Sessions (the conversation so far) live in the metadata store.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import { refusalError } from '../../server/limits/hook.js';
import { queryErrorAnswer } from '../../server/query-errors.js';
import type { NlProvider } from '../nl/provider.js';
import { answerQuestion, type ChatAnswer } from '../chat/answer.js';
import { scopeOf } from '../execute.js';
import type { QueryRouteDeps } from './goodlogs.js';
import { membersOf, QUERY_BODY_LIMIT } from './members.js';
import { projectSchema } from './nl.js';

const chatRequest = z.object({
  message: z.string().trim().min(1).max(2000),
  /** Names the conversation; without one a new session starts and its id is in the answer. */
  session_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"').optional(),
});

/** Earlier messages of the session a model is shown with a question. */
const HISTORY = 20;

/** Words per `data:` frame of the streamed reply. */
const WORDS_PER_FRAME = 4;

type Answered = ChatAnswer & { session_id: string };

export function aiChatPlugin(deps: QueryRouteDeps & { provider: NlProvider }) {
  return async function aiChat(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    const auth = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'ai:chat' });

    /** Checks the body and the quota: what is refused here is an HTTP error, before any stream starts. */
    const admit = (request: FastifyRequest) => {
      const body = membersOf(chatRequest, request.body, 'chat', 'VALIDATION_ERROR');
      const key = request.apiKey!;
      const admission = deps.limits.admit(key.project_id, 'ai');
      if (!admission.ok) throw refusalError('goodlogs', 'ai', admission);
      return { ...body, session_id: body.session_id ?? uuidv7() };
    };

    const answer = async (request: FastifyRequest, ask: { message: string; session_id: string }): Promise<Answered> => {
      const scope = scopeOf(request.apiKey!);
      const asked = new Date().toISOString();
      const history = (deps.meta.getChatSession(scope.project, ask.session_id)?.messages ?? []).slice(-HISTORY).map(({ role, content }) => ({ role, content }));
      const result = await answerQuestion({ engine: deps.engine, provider: deps.provider, now: deps.now }, scope, ask.message, await projectSchema(deps, scope), history);
      await deps.meta.appendChat(scope.project, ask.session_id, [
        { role: 'user', content: ask.message, at: asked },
        { role: 'assistant', content: result.reply, at: new Date().toISOString(), ...(result.valid ? { gql: result.gql } : {}) },
      ], new Date().toISOString());
      return { session_id: ask.session_id, ...result };
    };

    app.post('/v1/ai/chat', { bodyLimit: QUERY_BODY_LIMIT, onRequest: auth }, async (request) => answer(request, admit(request)));

    app.post('/v1/ai/chat/stream', { bodyLimit: QUERY_BODY_LIMIT, onRequest: auth }, async (request, reply: FastifyReply) => {
      const ask = admit(request);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const frame = (data: unknown, event?: string) => out.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
      frame({ session_id: ask.session_id }, 'session');
      try {
        const done = await answer(request, ask);
        const words = done.reply.split(/(?<=\s)/);
        for (let i = 0; i < words.length; i += WORDS_PER_FRAME) frame({ delta: words.slice(i, i + WORDS_PER_FRAME).join('') });
        frame(done, 'done');
      } catch (err) {
        frame(streamError(err, request), 'error');
      }
      out.end();
    });
  };
}

/** An `event: error` frame's body: GoodLogs' `{code, message}`, with no internals. */
function streamError(err: unknown, request: FastifyRequest) {
  const query = queryErrorAnswer(err);
  if (query) return query.body;
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  request.log.error({ err }, 'ai chat: answer failed');
  return { code: 'INTERNAL_ERROR', message: 'The answer could not be made' };
}
