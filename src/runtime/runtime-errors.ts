import { LbError } from '../errors';

/** `docker compose`, `docker-compose` or `docker` failed or is missing. */
export class ComposeRunError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_COMPOSE_RUN', message, options);
  }
}

/** The balancer did not report the wanted number of ready replicas in time. */
export class ScaleTimeoutError extends LbError {
  constructor(message: string) {
    super('ERR_SCALE_TIMEOUT', message);
  }
}

/** A rollout's new replicas were not all ready in time; they were removed and the old ones still serve. */
export class RolloutTimeoutError extends LbError {
  constructor(message: string) {
    super('ERR_ROLLOUT_TIMEOUT', message);
  }
}

/** Ctrl-C stopped a command after it left a serving state; exit code 130, as a shell gives for SIGINT. */
export class InterruptedError extends LbError {
  constructor(message: string) {
    super('ERR_INTERRUPTED', message);
  }
}
