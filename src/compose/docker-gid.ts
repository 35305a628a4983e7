import { statSync } from 'node:fs';

/** Where Compose files mount the Docker socket from (the balancer service's volume). */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Written as `${DOCKER_GID:-0}` when the socket's group cannot be read here: 0 is
 * root's group, as the demo compose file uses. The user sets DOCKER_GID when it
 * is wrong for the machine that runs Compose.
 */
export const FALLBACK_DOCKER_GID = 0;

export interface GidSources {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** The socket's group id; throws when there is no socket. */
  readonly socketGid: (path: string) => number;
}

export const systemGidSources: GidSources = {
  env: process.env,
  platform: process.platform,
  socketGid: (path) => statSync(path).gid,
};

/**
 * The group id the balancer needs to read the Docker socket (its image runs as
 * uid 1000, not root). DOCKER_GID wins, as it does when Compose runs; then the
 * socket's group on this machine. Only on Linux is the socket here the one that
 * gets mounted: Docker Desktop mounts the one inside its VM.
 */
export function dockerGid(sources: GidSources): { gid: number; warning: string | undefined } {
  const fromEnv = sources.env['DOCKER_GID'];
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return { gid: Number(fromEnv), warning: undefined };
  const fallback = (why: string): { gid: number; warning: string } => ({
    gid: FALLBACK_DOCKER_GID,
    warning: `${why}: wrote \${DOCKER_GID:-${FALLBACK_DOCKER_GID}}; set DOCKER_GID to the socket's group id when you run Compose if the balancer cannot read the socket`,
  });
  if (sources.platform !== 'linux') {
    return fallback(`on ${sources.platform} the Docker socket's group is not visible from here`);
  }
  try {
    return { gid: sources.socketGid(DOCKER_SOCKET), warning: undefined };
  } catch (err) {
    return fallback(`cannot read ${DOCKER_SOCKET} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
