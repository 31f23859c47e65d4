import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { Admission, Limiter, Refusal, RequestKind } from './limiter.js';

export type Surface = 'goodlogs' | 'logtrail' | 'logtrace' | 'otlp';

/** Each surface's words for a refusal; Logtrail has its own code for validation requests. */
const REFUSALS: Record<Surface, Record<Refusal, [number, string]> & { validate?: [number, string] }> = {
  goodlogs: { rate: [429, 'RATE_LIMITED'], quota: [402, 'QUOTA_EXCEEDED'] },
  logtrail: { rate: [429, 'RATE_LIMIT_PLAN_EXCEEDED'], quota: [429, 'QUOTA_MONTHLY_LOG_LIMIT_EXCEEDED'], validate: [429, 'RATE_LIMIT_VALIDATE_EXCEEDED'] },
  // The seed names no codes; these are those of the other `{error: {code, message}}` surface.
  logtrace: { rate: [429, 'RATE_LIMITED'], quota: [429, 'QUOTA_EXCEEDED'] },
  // The gRPC status name (OTLP/HTTP renders it as a google.rpc.Status); OTLP has no other word for either.
  otlp: { rate: [429, 'RESOURCE_EXHAUSTED'], quota: [429, 'RESOURCE_EXHAUSTED'] },
};

/** A refused admission as the ApiError the surface answers with, the limiter's headers included. */
export function refusalError(surface: Surface, kind: RequestKind, admission: Extract<Admission, { ok: false }>): ApiError {
  const words = REFUSALS[surface];
  const [status, code] = kind === 'validate' && words.validate ? words.validate : words[admission.refusal];
  return new ApiError(status, code, admission.message, undefined, admission.headers);
}


/**
 * The shared limit check as a route hook, placed after the surface's key authentication
 * (`onRequest: [auth, limitHook(...)]`), so a refused request is not even read. Admitted requests carry
 * the `X-RateLimit-*` headers of their tightest limit.
 */
export function limitHook(limiter: Limiter, surface: Exclude<Surface, 'otlp'>, kind: RequestKind) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.apiKey;
    if (!key) throw new Error(`limitHook(${surface}) runs before the surface's authentication`);
    const admission = limiter.admit(key.project_id, kind);
    if (admission.ok) {
      reply.headers(admission.headers);
      return;
    }
    throw refusalError(surface, kind, admission);
  };
}
