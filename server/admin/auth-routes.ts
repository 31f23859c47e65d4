import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../../storage/meta/secrets.js';
import { ConflictError, type MetaStore, type User } from '../../storage/meta/store.js';
import { goodlogsBody } from '../goodlogs.js';
import { sessionUser } from './dashboard-auth.js';
import { renderUser } from './render.js';
import type { Tokens } from './tokens.js';

const credentials = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
});

/** `org`: an existing org to join, which only a member of it may do (with their session token). */
const signupBody = credentials.extend({ org: z.string().min(1).optional() });

/** Compared against when the email is unknown, so that a wrong email takes as long as a wrong password. */
let decoy: string | null = null;

/**
 * `POST /api/auth/signup` and `POST /api/auth/login`: `{email, password}` → `{token, user}`, the token a
 * session JWT for the dashboard routes. Sign-up without `org` makes the user an org of their own.
 */
export function authRoutes(deps: { meta: MetaStore; tokens: Tokens }) {
  return async function auth(app: FastifyInstance) {
    const { meta, tokens } = deps;
    const session = async (user: User) => ({ token: await tokens.sign(user.id), user: renderUser(user) });

    app.post('/api/auth/signup', async (request: FastifyRequest, reply: FastifyReply) => {
      const body = goodlogsBody(signupBody, request.body);
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
      const body = goodlogsBody(credentials, request.body);
      const user = meta.findUserByEmail(body.email);
      decoy ??= hashPassword('decoy password');
      const ok = verifyPassword(body.password, user?.password_hash ?? decoy);
      if (!user || !ok) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid email or password');
      return reply.send(await session(user));
    });
  };
}
