import { UpstreamTimeoutError } from '../../../src/errors';
import {
  classifyFailure,
  isRetrySafe,
  isUnreadReset,
  ONE_SEGMENT_BYTES,
  shouldRetry,
  statusFor,
  type FailureKind,
  type RetryQuestion,
} from '../../../src/proxy/upstream-failure';

/** An error as Node's sockets make them: a message and a `code`. */
function socketError(code: string | undefined): NodeJS.ErrnoException {
  return Object.assign(new Error(`socket error ${code ?? '(none)'}`), code === undefined ? {} : { code });
}

describe('classifyFailure', () => {
  it.each<[string | undefined, boolean, FailureKind]>([
    ['ECONNREFUSED', false, 'connect'],
    ['ECONNREFUSED', true, 'connect'],
    ['EHOSTUNREACH', false, 'connect'],
    ['ENETUNREACH', false, 'connect'],
    ['EHOSTDOWN', false, 'connect'],
    ['EADDRNOTAVAIL', false, 'connect'],
    ['ETIMEDOUT', false, 'connect'],
    ['ECONNRESET', false, 'connect'],
    ['ECONNRESET', true, 'reset'],
    ['EPIPE', true, 'reset'],
    ['ECONNABORTED', true, 'reset'],
    ['HPE_INVALID_CONSTANT', true, 'other'],
    [undefined, true, 'other'],
  ])('classifies %s (connected: %s) as %s', (code, connected, kind) => {
    expect(classifyFailure(socketError(code), connected)).toBe(kind);
  });

  it.each<['connect' | 'response', boolean, FailureKind]>([
    ['connect', false, 'connect'],
    ['response', true, 'timeout'],
    ['response', false, 'timeout'],
  ])("classifies the balancer's own %s timeout (connected: %s) as %s", (phase, connected, kind) => {
    expect(classifyFailure(new UpstreamTimeoutError(phase, 100), connected)).toBe(kind);
  });
});

describe('shouldRetry', () => {
  /** A question about a request with `method`: retry-safe as isRetrySafe says for it (and `hasBody`). */
  const ask = ({ method = 'GET', hasBody = false, ...q }: Partial<RetryQuestion> & { method?: string; hasBody?: boolean }): boolean =>
    shouldRetry({
      kind: 'connect',
      retrySafe: isRetrySafe(method, hasBody),
      unread: false,
      bodySent: false,
      resetRetries: 0,
      maxRetries: 2,
      ...q,
    });

  it.each<[string, Partial<RetryQuestion> & { method?: string; hasBody?: boolean }, boolean]>([
    ['retries a refused GET', {}, true],
    ['retries a refused POST', { method: 'POST' }, true],
    ['retries a refused POST with a body not sent yet', { method: 'POST', hasBody: true }, true],
    ['retries a refused PATCH even past maxRetries', { method: 'PATCH', resetRetries: 7, maxRetries: 2 }, true],
    ['retries a refused GET with no retries configured', { maxRetries: 0 }, true],
    ['does not retry a refused POST whose body was sent', { method: 'POST', hasBody: true, bodySent: true }, false],
    ['retries a reset GET on the first attempt', { kind: 'reset' }, true],
    ['retries a reset GET on the last allowed retry', { kind: 'reset', resetRetries: 1 }, true],
    ['does not retry a reset GET past maxRetries', { kind: 'reset', resetRetries: 2 }, false],
    ['does not retry a reset GET with no retries configured', { kind: 'reset', maxRetries: 0 }, false],
    ['retries a reset HEAD', { kind: 'reset', method: 'HEAD' }, true],
    ['retries a reset OPTIONS', { kind: 'reset', method: 'OPTIONS' }, true],
    ['retries a reset TRACE', { kind: 'reset', method: 'TRACE' }, true],
    ['retries a reset PUT without a body', { kind: 'reset', method: 'PUT' }, true],
    ['retries a reset DELETE', { kind: 'reset', method: 'DELETE' }, true],
    ['does not retry a reset POST', { kind: 'reset', method: 'POST' }, false],
    ['does not retry a reset PATCH', { kind: 'reset', method: 'PATCH' }, false],
    ['does not retry a reset PUT whose body was sent', { kind: 'reset', method: 'PUT', hasBody: true, bodySent: true }, false],
    ['does not retry a reset GET with a body', { kind: 'reset', hasBody: true }, false],
    ['retries a POST the replica reset unread', { kind: 'reset', method: 'POST', hasBody: true, unread: true }, true],
    ['does not retry an unread POST past maxRetries', { kind: 'reset', method: 'POST', unread: true, resetRetries: 2 }, false],
    ['does not retry an unread POST whose body was streamed', { kind: 'reset', method: 'POST', unread: true, bodySent: true }, false],
    ['does not retry a timed-out GET', { kind: 'timeout' }, false],
    ['does not retry some other failure of a GET', { kind: 'other' }, false],
  ])('%s', (_name, question, retry) => {
    expect(ask(question)).toBe(retry);
  });
});

describe('isUnreadReset', () => {
  it.each<[string, string | undefined, boolean, number | undefined, boolean]>([
    ['a reset before any answer of a one-segment request', 'ECONNRESET', true, 600, true],
    ['a request of exactly one segment', 'ECONNRESET', true, ONE_SEGMENT_BYTES, true],
    ['a request over one segment', 'ECONNRESET', true, ONE_SEGMENT_BYTES + 1, false],
    ['a request whose body was streamed', 'ECONNRESET', true, undefined, false],
    ['a reset after some of the answer', 'ECONNRESET', false, 600, false],
    ['a clean close (the replica may have read it and died)', 'ERR_UPSTREAM_CLOSED', true, 600, false],
    ['a broken pipe', 'EPIPE', true, 600, false],
  ])('%s: %s', (_name, code, unanswered, bytes, unread) => {
    expect(isUnreadReset(socketError(code), unanswered, bytes)).toBe(unread);
  });
});

describe('statusFor', () => {
  it.each<[FailureKind, number]>([
    ['connect', 502],
    ['reset', 502],
    ['other', 502],
    ['timeout', 504],
  ])('answers %s with %i', (kind, status) => {
    expect(statusFor(kind)).toBe(status);
  });
});
