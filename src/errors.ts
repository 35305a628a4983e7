/**
 * Errors with a stable `code`, so callers branch on codes rather than on
 * messages, and the HTTP status of proxy failures is decided in one place
 * (src/proxy/error-status.ts).
 */
export class LbError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad configuration: every problem found, so the user fixes them in one go. */
export class ConfigError extends LbError {
  constructor(readonly problems: readonly string[]) {
    super('ERR_CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The user asked for something that cannot be done as asked: exit code 2, files untouched. */
export class UsageError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_USAGE', message, options);
  }
}

/** Something the Docker API said or did that we could not use. */
export class DockerError extends LbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DOCKER', message, options);
  }
}

/** A replica did not connect or answer in time; `code` tells which (see src/proxy/upstream-failure.ts). */
export class UpstreamTimeoutError extends LbError {
  constructor(phase: 'connect' | 'response', ms: number) {
    super(
      phase === 'connect' ? 'ERR_CONNECT_TIMEOUT' : 'ERR_RESPONSE_TIMEOUT',
      `replica did not ${phase === 'connect' ? 'accept the connection' : 'answer'} within ${ms} ms`,
    );
  }
}

/** A replica answered in a way that cannot be forwarded (an invalid status, a protocol switch nobody asked for). */
export class UpstreamProtocolError extends LbError {
  constructor(message: string) {
    super('ERR_UPSTREAM_PROTOCOL', message);
  }
}

/** A request was still waiting for a connection when its replica went away. */
export class ReplicaGoneError extends LbError {
  constructor() {
    super('ERR_REPLICA_GONE', 'the replica went away before a connection to it was made');
  }
}

/** A replica closed its connection before its response was complete. */
export class UpstreamClosedError extends LbError {
  constructor() {
    super('ERR_UPSTREAM_CLOSED', 'the replica closed the connection before its response was complete');
  }
}
