import { ComposeInputError } from './compose-errors';
import type { ServiceConfig } from './compose-file';
import { isRecord, scalarList } from './plain-values';

/** The networks the balancer joins so it can reach the service's replicas. */
export interface Networking {
  /** Every network the service is on; empty means the project's default network. */
  readonly networks: readonly string[];
  /** A network_mode to copy (e.g. `bridge`), when the service uses one that still gives each replica an address. */
  readonly networkMode: string | undefined;
  readonly warnings: readonly string[];
}

export function networkingOf(service: string, config: ServiceConfig): Networking {
  const mode = config['network_mode'];
  if (typeof mode === 'string') refuseMode(service, mode);
  const raw = config['networks'];
  const networks = isRecord(raw) ? Object.keys(raw) : scalarList(raw);
  const warnings: string[] = [];
  if (isRecord(raw)) {
    for (const [network, settings] of Object.entries(raw)) {
      const fixed = isRecord(settings) ? ['ipv4_address', 'ipv6_address'].filter((k) => k in settings) : [];
      if (fixed.length > 0) {
        warnings.push(
          `${service} has a fixed ${fixed.join(' and ')} on network ${network}: replicas cannot share it, remove it before scaling`,
        );
      }
    }
  }
  return { networks, networkMode: typeof mode === 'string' ? mode : undefined, warnings };
}

/**
 * The balancer finds replicas by their address on a network it shares with them.
 * These modes give replicas no address of their own (or one per host), so there
 * is nothing to balance over.
 */
function refuseMode(service: string, mode: string): void {
  let why: string | undefined;
  if (mode === 'host') {
    why = "it uses the host's network stack: every replica would bind the same host ports, so it cannot be scaled";
  } else if (mode === 'none') {
    why = 'it has no network, so nothing can reach its replicas';
  } else if (mode.startsWith('service:') || mode.startsWith('container:')) {
    why = `it shares the network stack of ${mode.slice(mode.indexOf(':') + 1)}, so its replicas have no address of their own`;
  }
  if (why !== undefined) {
    throw new ComposeInputError(
      'network-mode',
      `cannot balance ${service} (network_mode: ${mode}): ${why}. Put it on a Compose network (remove network_mode) first`,
    );
  }
}
