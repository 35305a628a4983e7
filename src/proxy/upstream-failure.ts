/**
 * What went wrong talking to a replica, decided from the error and from how
 * far the exchange got. The retry rule and the status code both follow from it.
 */
export type FailureKind =
  /** No connection was made: the replica never saw the request. */
  | 'connect'
  /** Connected, but the connection broke before any byte of the response. */
  | 'reset'
  /** The replica took longer than the response timeout. */
  | 'timeout'
  | 'other';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'ERR_CONNECT_TIMEOUT',
  'ERR_REPLICA_GONE',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_UPSTREAM_CLOSED']);

export function classifyFailure(err: NodeJS.ErrnoException, connected: boolean): FailureKind {
  const code = err.code ?? '';
  if (code === 'ERR_RESPONSE_TIMEOUT') return 'timeout';
  if (!connected || CONNECT_CODES.has(code)) return 'connect';
  if (RESET_CODES.has(code)) return 'reset';
  return 'other';
}

/** Methods a client may safely repeat (RFC 9110 section 9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * A request the balancer may send again after a connection broke under it:
 * idempotent, and without a body (a streamed body is gone once sent).
 */
export function isRetrySafe(method: string, hasBody: boolean): boolean {
  return !hasBody && IDEMPOTENT.has(method);
}

export interface RetryQuestion {
  readonly kind: FailureKind;
  /** See isRetrySafe. */
  readonly retrySafe: boolean;
  /** Some of the request body already went to a replica. */
  readonly bodySent: boolean;
  /** Retries already made after broken connections (refused ones do not count). */
  readonly resetRetries: number;
  readonly maxRetries: number;
}

/**
 * Retry only where no replica can have acted on the request. A connection that
 * never opened is retried on every other replica in turn (any method; each
 * replica at most once per request): when several replicas stop at once, the
 * first few tries may all hit stopping ones. A connection that broke before any
 * response byte is retried `maxRetries` times, for retry-safe requests only (as
 * nginx's proxy_next_upstream does). A POST that reached a replica is never
 * sent twice.
 */
export function shouldRetry(q: RetryQuestion): boolean {
  if (q.bodySent) return false;
  if (q.kind === 'connect') return true;
  return q.kind === 'reset' && q.retrySafe && q.resetRetries < q.maxRetries;
}

export function statusFor(kind: FailureKind): number {
  return kind === 'timeout' ? 504 : 502;
}
