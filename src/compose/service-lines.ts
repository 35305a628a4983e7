import { DOCKER_SOCKET } from './docker-gid';
import type { Indents } from './service-block';
import { yamlScalar } from './yaml-text';

/**
 * Lines the services `add` writes have in common: the balancer and
 * compose-lb-discovery run the same image, and whichever reads the Docker
 * socket mounts it the same way.
 */

/** Read-only: the socket's reader lists and watches containers, it never changes them. */
export const DOCKER_SOCKET_VOLUME = `${DOCKER_SOCKET}:${DOCKER_SOCKET}:ro`;

/** `key:` with a block list of `values` (YAML scalars already); nothing for no values. */
export function listLines({ body, item }: Indents, key: string, values: readonly string[]): string[] {
  return values.length === 0 ? [] : [`${body}${key}:`, ...values.map((v) => `${item}- ${v}`)];
}

/** `image:`, with the reference `--pin` pinned beside it for readers. */
export function imageLine({ body }: Indents, image: string, pinnedFrom: string | undefined): string {
  return `${body}image: ${yamlScalar(image)}${pinnedFrom === undefined ? '' : ` # ${pinnedFrom}, pinned by --pin`}`;
}

/** The socket, mounted read-only, and its group. */
export function socketLines(indents: Indents, dockerGid: number): string[] {
  return [
    ...listLines(indents, 'volumes', [DOCKER_SOCKET_VOLUME]),
    // The image runs as uid 1000; the socket's group lets it read the socket. DOCKER_GID overrides at `up` time.
    ...listLines(indents, 'group_add', [`"\${DOCKER_GID:-${dockerGid}}"`]),
  ];
}

/**
 * The split layout's containers: neither writes a file, nor needs a
 * capability (the image runs as uid 1000), nor may gain one through a setuid
 * binary, so a process that got in could change nothing in the container.
 */
export function lockedDownLines(indents: Indents): string[] {
  return [
    `${indents.body}read_only: true`,
    ...listLines(indents, 'cap_drop', ['ALL']),
    ...listLines(indents, 'security_opt', ['"no-new-privileges:true"']),
  ];
}
