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

/** The user the image runs as (Dockerfile: `USER 1000:1000`). */
const IMAGE_UID = 1000;

/**
 * The socket, mounted read-only, and its group, which lets the image's user
 * read it; DOCKER_GID overrides it when the file is deployed. A stack has no
 * group_add (swarm-stack.ts), so there the group becomes the user's own.
 */
export function socketLines(indents: Indents, dockerGid: number, swarm: boolean): string[] {
  const group = `\${DOCKER_GID:-${dockerGid}}`;
  return [
    ...listLines(indents, 'volumes', [DOCKER_SOCKET_VOLUME]),
    ...(swarm
      ? [`${indents.body}user: "${IMAGE_UID}:${group}" # the image's user, in the socket's group (a stack has no group_add)`]
      : listLines(indents, 'group_add', [`"${group}"`])),
  ];
}

/**
 * The split layout's containers: neither writes a file, nor needs a
 * capability (the image runs as uid 1000), nor may gain one through a setuid
 * binary, so a process that got in could change nothing in the container.
 * A stack cannot say the last: docker stack deploy ignores security_opt.
 */
export function lockedDownLines(indents: Indents, swarm: boolean): string[] {
  return [
    `${indents.body}read_only: true`,
    ...listLines(indents, 'cap_drop', ['ALL']),
    ...(swarm ? [] : listLines(indents, 'security_opt', ['"no-new-privileges:true"'])),
  ];
}

/**
 * Restarted when they stop. docker stack deploy warns that it ignores
 * `restart` and takes `deploy.restart_policy`, where `any` is what it makes
 * of `unless-stopped` (cli/compose/convert/service.go); `constraints` place
 * the tasks; `dnsrr` makes the service's name resolve to its tasks, not to a
 * virtual IP, which a swarm does not route on an internal overlay network
 * (tried here: connections to the VIP fail with EHOSTUNREACH).
 */
export function restartLines(indents: Indents, swarm: boolean, constraints: readonly string[] = [], dnsrr = false): string[] {
  const { body, nested } = indents;
  if (!swarm) return [`${body}restart: unless-stopped`];
  const deeper = nested + nested.slice(body.length);
  const placement = constraints.map((c) => JSON.stringify(c)).join(', ');
  return [
    `${body}deploy:`,
    ...(dnsrr ? [`${nested}endpoint_mode: dnsrr`] : []),
    ...(constraints.length > 0 ? [`${nested}placement:`, `${deeper}constraints: [${placement}]`] : []),
    `${nested}restart_policy:`,
    `${deeper}condition: any`,
  ];
}
