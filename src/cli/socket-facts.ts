import { statSync } from 'node:fs';
import type { SocketFacts } from '../docker/connection-advice';

/** Reads who this process is and who owns the Docker socket, for advice when Docker cannot be reached. */
export function socketFacts(): SocketFacts {
  let socketGid: number | undefined;
  try {
    socketGid = statSync('/var/run/docker.sock').gid;
  } catch {
    socketGid = undefined;
  }
  return {
    dockerHost: process.env.DOCKER_HOST,
    socketGid,
    uid: process.getuid?.() ?? -1,
    groups: process.getgroups?.() ?? [],
  };
}
