import type { Command } from 'commander';
import { addBalancer, type AddRequest } from '../compose/add-balancer';
import { ComposeInputError } from '../compose/compose-errors';
import { repoDigests } from '../runtime/docker-cli';
import { dockerGid } from '../compose/docker-gid';
import { pinnedReference } from '../compose/image-pin';
import { parseListenAddress } from '../compose/listen-address';
import { addFileOption, loadCompose, portArgument, warn, type ComposeCliDeps } from './compose-cli-deps';
import { finishRewrite } from './finish-rewrite';

interface AddOptions {
  readonly file?: string;
  readonly port?: number;
  readonly listen?: string;
  readonly image: string;
  readonly pin?: boolean;
  readonly dryRun?: boolean;
}

export function registerAddCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('add')
    .description('put a balancer in front of a service by rewriting the compose file')
    .argument('<service>', 'the Compose service to balance');
  addFileOption(command)
    .option('--port <port>', "the service's container port to balance; needed when it publishes no ports", portArgument)
    .option(
      '--listen <[host:]port>',
      'publish the balancer on this host address (for a service that publishes no ports)',
    )
    .option('--image <ref>', 'the balancer image', `compose-lb:${deps.version()}`)
    .option('--pin', 'pin the image to its registry digest (name@sha256:...), so the file always runs that exact image')
    .option('--dry-run', 'print the change as a unified diff and write nothing')
    .addHelpText(
      'after',
      `
Adds a service SERVICE-lb running the balancer, on every network SERVICE is on.
SERVICE's published ports move to SERVICE-lb unchanged, SERVICE keeps an
"expose" of its port, and its container_name is commented out (a named container
cannot be scaled). "compose-lb remove SERVICE" undoes all of it.

The balancer reads the Docker socket through the socket's group: the file gets
group_add "\${DOCKER_GID:-GID}" with GID from /var/run/docker.sock here (or from
DOCKER_GID when set).

Examples:
  compose-lb add web                       # then: compose-lb scale web=3
  compose-lb add web --dry-run             # see the change first
  compose-lb add api --port 8080 --listen 127.0.0.1:8080`,
    )
    .action((service: string, opts: AddOptions) => runAdd(service, opts, deps));
}

async function runAdd(service: string, opts: AddOptions, deps: ComposeCliDeps): Promise<void> {
  if (!/^\S+$/.test(opts.image)) {
    throw new ComposeInputError('image', `--image "${opts.image}" is not an image reference`);
  }
  const loaded = loadCompose(opts.file, deps);
  const gid = dockerGid(deps.gidSources);
  const request: AddRequest = {
    service,
    image: opts.image,
    dockerGid: gid.gid,
    port: opts.port,
    listen: opts.listen === undefined ? undefined : parseListenAddress(opts.listen),
  };
  let result = addBalancer(loaded.file, request);
  // Pin only once there is something to write: a no-op needs no Docker.
  if (result.changed && opts.pin) {
    const image = pinnedReference(opts.image, await repoDigests(deps.runner, opts.image));
    if (image !== opts.image) result = addBalancer(loaded.file, { ...request, image, pinnedFrom: opts.image });
  }
  if (result.changed && gid.warning !== undefined) warn(deps, gid.warning);
  finishRewrite(
    result,
    loaded,
    opts,
    deps,
    `next: compose-lb scale ${service}=3${opts.file ? ` -f ${opts.file}` : ''}`,
  );
}
