import type { FastifyPluginAsync } from 'fastify';

/** Why the process should not get traffic now, or null when this part of it is fine. */
export type ReadinessCheck = () => Promise<string | null>;

/** A check that has not answered by then is itself a reason: a probe must answer in time. */
const CHECK_TIMEOUT_MS = 2000;

function bounded(check: ReadinessCheck): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`a readiness check did not answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  const answer = check().catch((err: Error) => `a readiness check failed: ${err.message}`);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/**
 * `GET /ready`: 200 `{status: "ready"}` when every check passes, else 503 `{status: "not_ready", reasons}`,
 * for a load balancer to stop sending. `GET /v1/health` stays the liveness answer.
 */
export const readinessPlugin: FastifyPluginAsync<{ checks: ReadinessCheck[] }> = async (app, { checks }) => {
  app.get('/ready', async (_request, reply) => {
    const reasons = (await Promise.all(checks.map(bounded))).filter((r): r is string => r !== null);
    return reply.code(reasons.length ? 503 : 200).send(reasons.length ? { status: 'not_ready', reasons } : { status: 'ready' });
  });
};
