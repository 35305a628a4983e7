/** What we know about where the Docker API was expected, for error messages. */
export interface SocketFacts {
  /** DOCKER_HOST, when set. */
  readonly dockerHost: string | undefined;
  /** Group owning /var/run/docker.sock, when the file exists. */
  readonly socketGid: number | undefined;
  readonly uid: number;
  readonly groups: readonly number[];
}

const SOCKET = '/var/run/docker.sock';

/**
 * Turns a failure to reach the Docker API into advice the user can act on;
 * undefined when the error is not about reaching Docker at all.
 */
export function connectionAdvice(err: NodeJS.ErrnoException, facts: SocketFacts): string | undefined {
  const where = facts.dockerHost ?? SOCKET;
  switch (err.code) {
    case 'EACCES':
      return (
        `cannot use the Docker socket ${SOCKET}: it belongs to group ${facts.socketGid ?? '?'}, and this process ` +
        `(uid ${facts.uid}, groups ${facts.groups.join(',') || 'none'}) is not in it. Give its service ` +
        `group_add: ["${facts.socketGid ?? '<gid of the socket>'}"] (\`stat -c %g /var/run/docker.sock\` on the host ` +
        'prints it; files compose-lb add writes take it from DOCKER_GID), or set DOCKER_HOST to a socket proxy'
      );
    case 'ENOENT':
      return (
        `no Docker socket at ${SOCKET}: mount it read-only ` +
        '(volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]) or set DOCKER_HOST to a socket proxy'
      );
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return `cannot reach the Docker API at ${where} (${err.code}): is the daemon (or the socket proxy) running?`;
    default:
      return undefined;
  }
}
