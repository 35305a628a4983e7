import { ComposeInputError } from './compose-errors';
import type { ServiceConfig } from './compose-file';
import { scalarList } from './plain-values';
import { parsePortEntry, type PortMapping } from './port-spec';

/** The container port the balancer forwards to, and the service's published entries that move to it. */
export interface BalancedPort {
  readonly port: number;
  readonly mappings: readonly PortMapping[];
}

/**
 * Decides which container port to balance from the service's `ports:` and `--port`.
 * The balancer forwards one TCP port, so every published entry must target that port.
 */
export function balancedPort(service: string, config: ServiceConfig, requested: number | undefined): BalancedPort {
  const mappings = readMappings(service, config['ports']);
  if (mappings.length === 0) {
    if (requested !== undefined) return { port: requested, mappings };
    const exposed = scalarList(config['expose']);
    const hint = exposed.length > 0 ? ` (it exposes ${exposed.join(', ')})` : '';
    throw new ComposeInputError(
      'no-port',
      `${service} publishes no ports, so there is no port to balance: pass --port with the container port${hint}`,
    );
  }
  const other = mappings.find((m) => m.protocol !== 'tcp');
  if (other) {
    throw new ComposeInputError('ports', `${service} publishes ${other.text}: the balancer forwards TCP (HTTP) only`);
  }
  const targets = new Set<string>();
  for (const m of mappings) {
    if (m.target) {
      targets.add(m.target.start === m.target.end ? `${m.target.start}` : `${m.target.start}-${m.target.end}`);
    }
  }
  const known = [...targets];
  if (known.length > 1 || known.some((t) => t.includes('-'))) {
    throw new ComposeInputError(
      'ports',
      `${service} publishes more than one container port (${known.join(', ')}) and the balancer forwards one; ` +
        `keep only the port to balance in its ports and publish the others from another service`,
    );
  }
  const port = known[0] === undefined ? requested : Number(known[0]);
  if (port === undefined) {
    const unread = mappings.find((m) => !m.target)?.text ?? '';
    throw new ComposeInputError('no-port', `cannot tell ${service}'s container port from "${unread}": pass --port`);
  }
  if (requested !== undefined && requested !== port) {
    throw new ComposeInputError(
      'ports',
      `--port ${requested} does not match the container port ${service} publishes (${port})`,
    );
  }
  return { port, mappings };
}

/** A service's `ports:` read one by one; an entry that is not a port mapping is an input error. */
export function readMappings(service: string, ports: unknown): PortMapping[] {
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) throw new ComposeInputError('ports', `${service}: "ports" must be a list`);
  try {
    return ports.map(parsePortEntry);
  } catch (err) {
    throw new ComposeInputError('ports', `${service}: ports: ${(err as Error).message}`, { cause: err });
  }
}
