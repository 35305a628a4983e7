import { OPTIONS } from '../config';
import type { DiscoveryRecord } from './add-record';
import { balancerCheck, recordEdit } from './balancer-edits';
import { deleteService } from './block-edits';
import { serviceConfig, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { DISCOVERY_NETWORK, DISCOVERY_SERVICE } from './discovery-service';
import { balancers, environmentValue } from './find-balancer';
import { isRecord, scalarList } from './plain-values';
import { without, type ServiceCheck } from './rewrite-check';
import { serviceBlock } from './service-block';
import type { LineEdit } from './source-text';
import { removeNetwork } from './top-level-networks';

/** What becomes of compose-lb-discovery and its network when a balancer reading from them goes. */
export interface DiscoveryRemoval {
  readonly edits: readonly LineEdit[];
  /** Services that go besides the balancer. */
  readonly removed: readonly string[];
  /** The balancer that takes over the record of what add wrote. */
  readonly changed: readonly ServiceCheck[];
  /** The top-level `networks` afterwards, when they change. */
  readonly networks: { readonly after: unknown } | undefined;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Discovery and its network go with the last service that uses them, as far
 * as `add` wrote them (`record`). While others stay, the first balancer
 * among them that `add` wrote takes the record over, so it takes them along
 * in its turn.
 */
export function discoveryRemoval(file: ComposeFile, leaving: string, record: DiscoveryRecord): DiscoveryRemoval {
  const users = serviceNames(file).filter(
    (name) => name !== leaving && name !== DISCOVERY_SERVICE && usesDiscovery(serviceConfig(file, name)),
  );
  return users.length > 0 ? handOver(file, leaving, record, users) : takeOut(file, record);
}

/** The service reads from discovery, depends on it, or is on its network. */
function usesDiscovery(config: ServiceConfig): boolean {
  const names = (value: unknown): string[] => (isRecord(value) ? Object.keys(value) : scalarList(value));
  const url = environmentValue(config['environment'], OPTIONS.discoveryUrl.env);
  return (
    (url !== undefined && URL.canParse(url) && new URL(url).hostname === DISCOVERY_SERVICE) ||
    names(config['depends_on']).includes(DISCOVERY_SERVICE) ||
    names(config['networks']).includes(DISCOVERY_NETWORK)
  );
}

const NOTHING: DiscoveryRemoval = {
  edits: [],
  removed: [],
  changed: [],
  networks: undefined,
  notes: [],
  warnings: [],
};

function handOver(
  file: ComposeFile,
  leaving: string,
  record: DiscoveryRecord,
  users: readonly string[],
): DiscoveryRemoval {
  if (!record.createdService && !record.createdNetwork) return NOTHING;
  const stays = `${DISCOVERY_SERVICE} stays for ${users.join(', ')}`;
  const heir = balancers(file).find((b) => b.name !== leaving && users.includes(b.name) && b.record?.discovery);
  if (!heir?.record?.discovery) {
    const warning =
      `${stays}, which compose-lb add did not write: compose-lb no longer takes ${DISCOVERY_SERVICE} ` +
      `and the network ${DISCOVERY_NETWORK} out with them; remove them by hand once nothing uses them`;
    return { ...NOTHING, warnings: [warning] };
  }
  const theirs = heir.record.discovery;
  const discovery: DiscoveryRecord = {
    createdService: theirs.createdService || record.createdService,
    createdNetwork: theirs.createdNetwork || record.createdNetwork,
    createdNetworksKey: theirs.createdNetworksKey || record.createdNetworksKey,
    swarm: theirs.swarm,
  };
  const after = { ...heir.record, discovery };
  const before = serviceConfig(file, heir.name);
  return {
    ...NOTHING,
    edits: [recordEdit(file, serviceBlock(file, heir.name), after)],
    changed: [{ name: heir.name, check: balancerCheck({ before, services: heir.services, record: after, also: [] }) }],
    notes: [`${stays}; ${heir.name} takes it out with it`],
  };
}

function takeOut(file: ComposeFile, record: DiscoveryRecord): DiscoveryRemoval {
  const there = serviceNames(file).includes(DISCOVERY_SERVICE);
  const edits: LineEdit[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  if (record.createdService && there) {
    edits.push(deleteService(file.text, serviceBlock(file, DISCOVERY_SERVICE)));
    notes.push(`removed ${DISCOVERY_SERVICE}: no balancer reads from it any more`);
  } else if (there) {
    warnings.push(`${DISCOVERY_SERVICE} stays: compose-lb add did not write it; remove it by hand if nothing uses it`);
  }
  const network = record.createdNetwork ? removeNetwork(file, DISCOVERY_NETWORK, record.createdNetworksKey) : undefined;
  if (network) {
    edits.push(...network.edits);
    notes.push(`removed the network ${DISCOVERY_NETWORK}`);
  } else if (record.createdNetwork) {
    warnings.push(`the network ${DISCOVERY_NETWORK} is not in the top-level networks as add wrote it; left as it is`);
  }
  return {
    edits,
    removed: record.createdService && there ? [DISCOVERY_SERVICE] : [],
    changed: [],
    networks: network ? { after: network.keyGone ? undefined : networksWithout(file) } : undefined,
    notes,
    warnings,
  };
}

function networksWithout(file: ComposeFile): Record<string, unknown> {
  const networks = file.model['networks'];
  return without(isRecord(networks) ? networks : {}, DISCOVERY_NETWORK);
}
