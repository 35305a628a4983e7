import { Option, type Command } from 'commander';
import { MODES, type Mode } from '../config';
import { addBalancer, type AddRequest } from '../compose/add-balancer';
import { ComposeInputError } from '../compose/compose-errors';
import { repoDigests } from '../runtime/docker-cli';
import { SOCKET_LAYOUTS, type SocketLayout } from '../compose/discovery-plan';
import { dockerGid } from '../compose/docker-gid';
import { balancers } from '../compose/find-balancer';
import { pinnedReference } from '../compose/image-pin';
import { parseListenAddress } from '../compose/listen-address';
import type { RuleRequest } from '../compose/route-labels';
import { swarmLayout } from '../compose/swarm-stack';
import { addFileOption, loadCompose, portArgument, type ComposeCliDeps } from './compose-cli-deps';
import { finishRewrite } from './finish-rewrite';

interface AddOptions {
  readonly file?: string;
  readonly port?: number;
  readonly listen?: string;
  readonly image: string;
  readonly pin?: boolean;
  readonly dryRun?: boolean;
  readonly host?: string;
  readonly pathPrefix?: string;
  readonly stripPrefix?: boolean;
  readonly balancer?: string;
  readonly mode: Mode;
  readonly socket?: SocketLayout;
  readonly swarm?: boolean;
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
    .option(
      '--host <hosts>',
      'route requests for this host (or hosts, comma-separated; *.example.test for subdomains) to SERVICE',
    )
    .option('--path-prefix <path>', 'route requests under this path (e.g. /api) to SERVICE')
    .option('--strip-prefix', 'take the --path-prefix off the path before SERVICE gets the request')
    .option('--balancer <name>', 'the HTTP balancer to route SERVICE through, when the file has several')
    .addOption(
      new Option('--mode <mode>', 'tcp: a balancer of its own that forwards connections unread (any protocol)')
        .choices(MODES)
        .default('http'),
    )
    .addOption(
      new Option(
        '--socket <where>',
        'discovery: the Docker socket only in compose-lb-discovery (default); direct: in the balancer itself',
      ).choices(SOCKET_LAYOUTS),
    )
    .option('--swarm', 'write it for docker stack deploy: discovery on a manager, an overlay network, deploy: keys')
    .option('--dry-run', 'print the change as a unified diff and write nothing')
    .addHelpText(
      'after',
      `
Adds a service SERVICE-lb running the balancer, on every network SERVICE is on.
SERVICE's published ports move to SERVICE-lb unchanged, SERVICE keeps an
"expose" of its port, and its container_name is commented out (a named container
cannot be scaled). "compose-lb remove SERVICE" undoes all of it.

Where the file has an HTTP balancer already, SERVICE joins it as one more route
instead: its labels compose-lb.host / compose-lb.path-prefix say which requests
it gets, it is added to the balancer's LB_SERVICE, and its own ports are
commented out (requests reach it through the balancer's port). Only one service
of a balancer may go without --host or --path-prefix (the default route).
"compose-lb remove SERVICE" takes that route out again and leaves the others.

Only one service of the file has the Docker socket: compose-lb-discovery, which
the first balancer brings along with an internal network "compose-lb"; every
balancer reads its replicas from it, runs read-only with no capabilities, and
has no socket. It goes with the last balancer "compose-lb remove" takes out.
--socket direct gives the balancer the socket itself instead, as compose-lb did
before. The socket is read through its group: the file gets group_add
"\${DOCKER_GID:-GID}" with GID from /var/run/docker.sock here (or from
DOCKER_GID when set).

With --swarm, the file runs as it is with "docker stack deploy -c FILE NAME":
compose-lb-discovery is placed on a manager (LB_PLATFORM: swarm) and reads
the socket as user "1000:\${DOCKER_GID:-GID}" (a stack has no group_add; GID
must be the socket's group on the managers), the network compose-lb is an
internal overlay, restart policies go under deploy:, and SERVICE gets
deploy.replicas unless it has its own; nothing a stack ignores (restart,
security_opt, expose) is written. The file needs no version, or 3.7 or later.
Once a file has a balancer written so, every add to it is written so.

Examples:
  compose-lb add web                       # then: compose-lb scale web=3
  compose-lb add web --dry-run             # see the change first
  compose-lb add api --path-prefix /api --strip-prefix   # behind web's balancer
  compose-lb add admin --host admin.localhost
  compose-lb add db --mode tcp             # connections, any protocol
  compose-lb add web --socket direct       # one container, with the socket
  compose-lb add web --swarm               # then: docker stack deploy -c compose.yaml shop
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
    dockerGidWarning: gid.warning,
    socket: opts.socket,
    port: opts.port,
    listen: opts.listen === undefined ? undefined : parseListenAddress(opts.listen),
    rule: ruleOf(opts),
    balancer: opts.balancer,
    mode: opts.mode,
    swarm: opts.swarm,
  };
  let result = addBalancer(loaded.file, request);
  // A route joins a balancer already in the file: that keeps its image, and reads LB_SERVICE again once recreated.
  const joined = result.changed && balancers(loaded.file).some((b) => b.name === result.balancer);
  // Pin only once there is something to write: a no-op needs no Docker.
  if (result.changed && opts.pin && !joined) {
    const image = pinnedReference(opts.image, await repoDigests(deps.runner, opts.image));
    if (image !== opts.image) result = addBalancer(loaded.file, { ...request, image, pinnedFrom: opts.image });
  }
  const next: NextSteps = {
    service,
    file: opts.file,
    label: loaded.label,
    // Decided as add did: asked for, or the file's balancers are written so.
    swarm: result.changed && swarmLayout(loaded.file, request),
    joined: joined ? result.balancer : undefined,
  };
  finishRewrite(result, loaded, opts, deps, `next: ${nextSteps(next)}`);
}

interface NextSteps {
  readonly service: string;
  /** -f as given, and the file as messages name it. */
  readonly file: string | undefined;
  readonly label: string;
  readonly swarm: boolean;
  /** The balancer a route joined: it reads LB_SERVICE when it starts. */
  readonly joined: string | undefined;
}

/**
 * What to run once the file is written: deploy the stack (which updates a
 * joined balancer too), or recreate the joined balancer; then scale.
 */
function nextSteps({ service, file, label, swarm, joined }: NextSteps): string {
  const f = file ? ` -f ${file}` : '';
  if (swarm) return `docker stack deploy -c ${label} STACK, then compose-lb scale ${service}=3 --stack STACK${f}`;
  const scale = `compose-lb scale ${service}=3${f}`;
  const recreate = `docker compose${f} up -d ${joined} (so it balances ${service} too)`;
  return joined === undefined ? scale : `${recreate}, then ${scale}`;
}

/** The routing options, when any is given. */
function ruleOf({ host, pathPrefix, stripPrefix }: AddOptions): RuleRequest | undefined {
  if (host === undefined && pathPrefix === undefined && !stripPrefix) return undefined;
  return { host, pathPrefix, stripPrefix: stripPrefix === true };
}
