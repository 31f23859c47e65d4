// One error type for every dialect so that routes only map `type` to their own envelope (section 15).

export type QueryErrorType =
  | 'VALIDATION_QUERY_SYNTAX'
  | 'VALIDATION_QUERY_INVALID'
  | 'VALIDATION_QUERY_TIME_RANGE'
  | 'VALIDATION_QUERY_CONSTRAINT';

/** Token kinds allowed in `expected` (section 15, a closed set). */
export type ExpectedKind =
  | 'field' | 'operator' | 'value' | 'keyword' | 'stage' | 'source' | 'duration' | 'timestamp'
  | 'integer' | 'function' | '(' | ')' | ',' | '|' | 'end';

export interface QueryErrorInit {
  position?: number | null;
  end?: number | null;
  expected?: ExpectedKind[];
  details?: Record<string, unknown>;
}

export interface QueryErrorBody {
  code: 'VALIDATION_ERROR';
  type: QueryErrorType;
  message: string;
  position: number | null;
  end: number | null;
  expected: string[];
  details: Record<string, unknown>;
}

export class QueryError extends Error {
  readonly type: QueryErrorType;
  readonly position: number | null;
  readonly end: number | null;
  readonly expected: string[];
  readonly details: Record<string, unknown>;

  constructor(type: QueryErrorType, message: string, init: QueryErrorInit = {}) {
    super(message);
    this.name = 'QueryError';
    this.type = type;
    this.position = init.position ?? null;
    this.end = init.end ?? init.position ?? null;
    this.expected = init.expected ?? [];
    this.details = init.details ?? {};
  }

  /** A query that parses but cannot run (a numeric aggregate of a text column) is 422, every other 400 (GoodLogs' error table). */
  get status(): 400 | 422 {
    return this.type === 'VALIDATION_QUERY_INVALID' ? 422 : 400;
  }

  toJSON(): QueryErrorBody {
    return {
      code: 'VALIDATION_ERROR',
      type: this.type,
      message: this.message,
      position: this.position,
      end: this.end,
      expected: this.expected,
      details: this.details,
    };
  }
}

/**
 * Logtrail routes keep their own envelope (section 15): the error type becomes `error_code` and the
 * position information moves into `details`.
 */
export function toLogtrailError(err: QueryError, requestId: string): {
  error_code: QueryErrorType; message: string; request_id: string; details: Record<string, unknown>;
} {
  return {
    error_code: err.type,
    message: err.message,
    request_id: requestId,
    details: { ...err.details, position: err.position, end: err.end, expected: err.expected },
  };
}

export function syntaxError(message: string, init: QueryErrorInit = {}): QueryError {
  return new QueryError('VALIDATION_QUERY_SYNTAX', message, init);
}

/** Message convention: the human text plus where it happened, so a bare message is still actionable. */
export function at(message: string, position: number | null): string {
  return position === null ? message : `${message} at position ${position}`;
}

/** Where an error points: a span of the query text, or a JSON pointer into a structured query. */
export type Where = { start: number; end: number } | { path: string };

export function errorAt(
  type: QueryErrorType, where: Where, message: string, details: Record<string, unknown>,
  expected: ExpectedKind[] = [],
): QueryError {
  if ('path' in where) {
    return new QueryError(type, `${message} at ${where.path || '/'}`, {
      position: null, end: null, expected, details: { ...details, path: where.path },
    });
  }
  return new QueryError(type, at(message, where.start), {
    position: where.start, end: where.end, expected, details,
  });
}
