import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { ApiError } from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../../storage/meta/secrets.js';
import { ConflictError, type MetaStore, type User } from '../../storage/meta/store.js';
import { goodlogsBody } from '../goodlogs.js';
import { requestSession, sessionUser } from './dashboard-auth.js';
import { LoginThrottle } from './login-throttle.js';
import { renderUser } from './render.js';
import type { Tokens } from './tokens.js';

/** Length rules are sign-up's: at login a short password is just a wrong one (401, not 400). */
const loginBody = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});

const newPassword = z.string().min(8).max(1024);

const logoutBody = z.strictObject({ everywhere: z.boolean().default(false) }).default({ everywhere: false });

const passwordBody = z.strictObject({ current_password: z.string().min(1).max(1024), new_password: newPassword });

/** `org`: an existing org to join, which only a member of it may do (with their session token). */
const signupBody = loginBody.extend({
  password: newPassword,
  org: z.string().min(1).optional(),
});

/** Compared against when the email is unknown, so that a wrong email takes as long as a wrong password. */
let decoy: string | null = null;

/**
 * `POST /api/auth/signup` and `POST /api/auth/login`: `{email, password}` → `{token, user}`, the token a
 * session JWT for the dashboard routes. Sign-up without `org` makes the user an org of their own, unless
 * `auth.signup` is `closed`: then only a member adds users, to their org.
 */
export function authRoutes(deps: { meta: MetaStore; tokens: Tokens; signup: Config['auth']['signup'] }) {
  return async function auth(app: FastifyInstance) {
    const { meta, tokens } = deps;
    const session = async (user: User) => ({ token: await tokens.sign(user), user: renderUser(user) });
    const throttle = new LoginThrottle();

    app.post('/api/auth/signup', async (request: FastifyRequest, reply: FastifyReply) => {
      const body = goodlogsBody(signupBody, request.body);
      if (body.org === undefined && deps.signup === 'closed') {
        throw new ApiError(403, 'FORBIDDEN', 'Sign-up is closed: a member of an organization may add you to it');
      }
      if (body.org !== undefined) {
        const inviter = await sessionUser(request, meta, tokens);
        if (!inviter.org_ids.includes(body.org) || !meta.getOrg(body.org)) {
          throw new ApiError(403, 'FORBIDDEN', 'Only a member of an organization may add users to it');
        }
      }
      if (meta.findUserByEmail(body.email)) throw new ApiError(409, 'CONFLICT', 'This email is already registered');
      const orgId = body.org ?? (await meta.createOrg(`${body.email.split('@')[0]}'s org`)).id;
      try {
        return reply.code(201).send(await session(await meta.createUser(body.email, body.password, [orgId])));
      } catch (err) {
        if (err instanceof ConflictError) throw new ApiError(409, 'CONFLICT', 'This email is already registered');
        throw err;
      }
    });

    app.post('/api/auth/login', async (request: FastifyRequest, reply: FastifyReply) => {
      const body = goodlogsBody(loginBody, request.body);
      // The peer address: behind a proxy every client shares it, and the throttle is then per email.
      const attempt = `${body.email.toLowerCase()} ${request.ip}`;
      const wait = throttle.retryAfter(attempt);
      if (wait > 0) {
        throw new ApiError(429, 'RATE_LIMITED', `Too many failed logins; retry in ${wait} s`, undefined, { 'retry-after': String(wait) });
      }
      const user = meta.findUserByEmail(body.email);
      decoy ??= hashPassword('decoy password');
      const ok = verifyPassword(body.password, user?.password_hash ?? decoy);
      if (!user || !ok) {
        throttle.fail(attempt);
        throw new ApiError(401, 'UNAUTHORIZED', 'Invalid email or password');
      }
      throttle.succeed(attempt);
      return reply.send(await session(user));
    });

    // This session only, or with `everywhere` every session of the user, on every node sharing the store.
    app.post('/api/auth/logout', async (request: FastifyRequest, reply: FastifyReply) => {
      const { user, session: current } = await requestSession(request, meta, tokens);
      const body = goodlogsBody(logoutBody, request.body ?? undefined);
      if (body.everywhere) await meta.endSessions(user.id);
      else await meta.revokeSession(current.tokenId, current.expiresAt);
      return reply.code(204).send();
    });

    // A new password ends every session, this one included; the answer carries a fresh one.
    app.post('/api/auth/password', async (request: FastifyRequest, reply: FastifyReply) => {
      const { user } = await requestSession(request, meta, tokens);
      const body = goodlogsBody(passwordBody, request.body);
      // 403, not 401: the session is valid, and a client must not take this for a signed-out one.
      if (!verifyPassword(body.current_password, user.password_hash)) throw new ApiError(403, 'FORBIDDEN', 'The current password is wrong');
      const changed = await meta.setPassword(user.id, body.new_password);
      if (!changed) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid or expired session token');
      return reply.send(await session(changed));
    });
  };
}
