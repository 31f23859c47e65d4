/**
 * An error meant for the client: its HTTP status and a machine code. Each API surface renders it in its
 * own envelope (GoodLogs `{error:{code,message}}`, Logtrail `{error_code,message,request_id,details}`, …).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** Fastify's own errors (body too large, bad JSON, bad media type) as the status a client should see. */
export function statusOf(err: unknown): number {
  const e = err as { statusCode?: number; status?: number };
  const s = e?.statusCode ?? e?.status;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}
