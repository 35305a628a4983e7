import { LbError, UsageError } from '../errors';

/** Why a compose file or a request about it was refused; stable, for callers and tests. */
export type ComposeProblem =
  | 'file-missing'
  | 'file-unreadable'
  | 'invalid-yaml'
  | 'not-compose'
  | 'unknown-service'
  | 'no-port'
  | 'ports'
  | 'network-mode'
  | 'merged-key'
  | 'layout'
  | 'name-taken'
  | 'not-added-by-us'
  | 'marker-missing'
  | 'no-balancer'
  | 'route'
  | 'image'
  | 'arguments'
  | 'project-name'
  | 'replica-ref'
  | 'nothing-running'
  | 'rollout-running';

/**
 * The compose file or the request cannot be handled as asked: exit code 2 (it
 * is a UsageError) and the file is left as it was.
 */
export class ComposeInputError extends UsageError {
  constructor(
    readonly problem: ComposeProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A rewrite produced something other than what it meant to (checked by parsing
 * the result): a bug or a layout we did not foresee. Nothing is written.
 */
export class ComposeRewriteError extends LbError {
  constructor(message: string) {
    super('ERR_COMPOSE_REWRITE', message);
  }
}

/** Writing the compose file failed; the original is intact. */
export class ComposeWriteError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_COMPOSE_WRITE', message, options);
  }
}
