import { refusalError } from '../../../server/limits/hook.js';
import type { Limiter } from '../../../server/limits/limiter.js';
import type { Target } from './mapping.js';

/**
 * The project's plan limits, as on the other ingest surfaces: the admitted request's `X-RateLimit-*`
 * headers, or the refusal thrown. A spent monthly quota is not helped by retrying within the month:
 * gRPC says so by sending no RetryInfo (the specification retries RESOURCE_EXHAUSTED only with one),
 * while OTLP/HTTP has only 429 for it and names the month's end in `Retry-After`.
 */
export function admitExport(limits: Limiter, target: Target, transport: 'http' | 'grpc'): Record<string, string> {
  const admission = limits.admit(target.projectId, 'logs');
  if (admission.ok) return admission.headers;
  throw refusalError('otlp', 'logs', transport === 'grpc' && admission.refusal === 'quota' ? { ...admission, headers: {} } : admission);
}
