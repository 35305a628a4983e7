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

/**
 * The most a request may weigh to fit one TCP segment on any network a replica sits on (Ethernet MTU
 * 1500; a Swarm overlay's 1450, less IP, TCP and option headers).
 */
export const ONE_SEGMENT_BYTES = 1380;

/**
 * The replica reset the connection before any byte of an answer, and the request was one segment:
 * a TCP stack answers with a reset (not a clean close) when it closes a socket whose data the
 * application never read, or gets data for a socket already closed. One segment is read whole or
 * not at all, so the replica's application never saw the request: a Node server closing its idle
 * connections at SIGTERM, or its accept queue, does exactly this. Any request may be sent again.
 * (A replica that reads a request and then resets on purpose, SO_LINGER 0, would defeat this.)
 */
export function isUnreadReset(err: NodeJS.ErrnoException, unanswered: boolean, wholeBytes: number | undefined): boolean {
  return err.code === 'ECONNRESET' && unanswered && wholeBytes !== undefined && wholeBytes <= ONE_SEGMENT_BYTES;
}

export interface RetryQuestion {
  readonly kind: FailureKind;
  /** See isRetrySafe. */
  readonly retrySafe: boolean;
  /** See isUnreadReset. */
  readonly unread: boolean;
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
 * response byte is retried `maxRetries` times, for retry-safe requests (as
 * nginx's proxy_next_upstream does) and for requests the replica provably never
 * read (isUnreadReset). A POST that reached a replica is never sent twice.
 */
export function shouldRetry(q: RetryQuestion): boolean {
  if (q.bodySent) return false;
  if (q.kind === 'connect') return true;
  return q.kind === 'reset' && (q.retrySafe || q.unread) && q.resetRetries < q.maxRetries;
}

export function statusFor(kind: FailureKind): number {
  return kind === 'timeout' ? 504 : 502;
}
