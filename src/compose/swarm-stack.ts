import type { AddRequest } from './add-plan';
import { ComposeInputError } from './compose-errors';
import { serviceConfig, type ComposeFile } from './compose-file';
import { DISCOVERY_SERVICE } from './discovery-service';
import { balancers } from './find-balancer';
import type { PortMapping } from './port-spec';

/**
 * `add --swarm`: the file must run with `docker stack deploy -c FILE NAME` as
 * it is. docker/cli reads it against its v3 schemas
 * (cli/compose/schema/data/config_schema_v3.*.json), where a key they do not
 * list is an error: there is no `group_add`, `scale` or `profiles`. It then
 * drops, with a warning, the keys cli/compose/types/types.go lists as
 * UnsupportedProperties (`restart`, `security_opt`, `network_mode`, ...) and
 * DeprecatedProperties (`container_name`, `expose`). So under --swarm `add`
 * writes the socket's group as the user's group, `deploy.restart_policy`
 * instead of `restart` (cli/compose/convert/service.go prefers it), no
 * `security_opt` (a stack cannot set no-new-privileges), no `expose`, and the
 * service's replica count as `deploy.replicas`. `depends_on` stays: stack
 * deploy ignores it without a word, and it keeps a route's bookkeeping.
 */

/**
 * Whether `add` writes for Swarm: when asked, or when the file's balancers
 * were written so (a stack runs all of compose-lb's services or none of
 * them). A file can hold only one kind.
 */
export function swarmLayout(file: ComposeFile, request: AddRequest): boolean {
  const written = balancers(file).filter((b) => b.record !== undefined);
  const onSwarm = written.find((b) => b.record?.discovery?.swarm === true);
  if (request.swarm !== true && onSwarm === undefined) return false;
  if (request.socket === 'direct') {
    const why = request.swarm === true ? '--swarm' : `a file written for Swarm (${onSwarm?.name ?? ''})`;
    throw new ComposeInputError(
      'arguments',
      `--socket direct does not go with ${why}: a balancer runs on any node, and only ${DISCOVERY_SERVICE}, ` +
        'placed on a manager, has a socket that answers for the whole swarm; leave out --socket direct',
    );
  }
  const other = written.find((b) => b.record?.discovery?.swarm !== true);
  if (other) {
    const how = other.record?.discovery ? 'for Compose' : 'with the Docker socket itself (--socket direct)';
    throw new ComposeInputError(
      'arguments',
      `${other.name} was written ${how}, and docker stack deploy runs compose-lb's services only as --swarm writes them; ` +
        `take it out first (compose-lb remove ${other.services[0] ?? other.name}), then add it again with --swarm`,
    );
  }
  return true;
}

/** The least version whose schema allows `x-` keys in a service, where compose-lb keeps its record. */
const LEAST_MINOR = 7;

/**
 * What docker stack deploy would refuse in the file or the service whatever
 * `add` writes: a version it does not read, or keys its schema lacks that the
 * balancer would copy or that would set the replica count another way; and a
 * --listen address it would ignore.
 */
export function refuseUnstackable(file: ComposeFile, request: AddRequest): void {
  const { service, listen } = request;
  const config = serviceConfig(file, service);
  if (listen && namesHost(listen.host)) {
    throw new ComposeInputError(
      'ports',
      `--swarm: --listen names the host address ${listen.host ?? ''}, which docker stack deploy ignores ` +
        `(it publishes on every node's addresses); give the port alone: --listen ${listen.port}`,
    );
  }
  const version = file.model['version'];
  // cli/compose/schema/schema.go: no version, or "3", is the latest 3.x (Docker CLI 23 and later).
  const minor = version === undefined ? undefined : /^3(?:\.(\d+))?$/.exec(String(version));
  if (minor === null || (minor?.[1] !== undefined && Number(minor[1]) < LEAST_MINOR)) {
    throw new ComposeInputError(
      'arguments',
      `--swarm: ${file.label} is version "${String(version)}", and docker stack deploy reads only version 3 files, ` +
        `with x- keys in services (compose-lb's record) from 3.${LEAST_MINOR} on; set version: "3.8", or remove it ` +
        '(Docker CLI 23 and later read a file without one as the latest 3.x)',
    );
  }
  if (config['scale'] !== undefined) {
    throw new ComposeInputError(
      'arguments',
      `--swarm: ${service} sets scale, which docker stack deploy refuses (its schema has none); ` +
        `write its count as deploy: replicas: ${String(config['scale'])} instead`,
    );
  }
  if (config['profiles'] !== undefined) {
    throw new ComposeInputError(
      'arguments',
      `--swarm: ${service} has profiles, which docker stack deploy refuses (its schema has none), ` +
        'and its balancer would copy them; take them out first',
    );
  }
}

/**
 * Swarm publishes a port on every node's addresses (its routing mesh): a host
 * address in a published port is dropped, with a warning
 * (docker/cli opts/swarmopts/port.go, ConvertPortToPortConfig).
 */
function namesHost(host: string | undefined): boolean {
  return host !== undefined && host !== '' && host !== '0.0.0.0' && host !== '::';
}

/** Ports that move to the balancer as they were, host address and all, which a stack does not bind. */
export function hostAddressWarnings(service: string, balancer: string, mappings: readonly PortMapping[]): string[] {
  const bound = mappings.filter((m) => namesHost(m.hostIp)).map((m) => m.text);
  if (bound.length === 0) return [];
  return [
    `${service}'s ports name a host address (${bound.join(', ')}), which docker stack deploy ignores: ` +
      `${balancer} is published on every node's addresses`,
  ];
}
