import { recordEntries, RECORD_KEY, type AddRecord, type BalancerRecord } from './add-record';
import { balancerCheck, dependsOnRemoval, recordEdit, serviceListEdit, type BalancerChange } from './balancer-edits';
import { deleteKey, deleteService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { requireService, serviceConfig, type ComposeFile } from './compose-file';
import { discoveryRemoval } from './discovery-removal';
import { balancers, type Balancer } from './find-balancer';
import { checkRewrite } from './rewrite-check';
import { unchanged, type RewriteResult } from './rewrite-result';
import { keyOf, serviceBlock, type ServiceBlock } from './service-block';
import { applyLineEdits, type LineEdit } from './source-text';
import { checkUndone, undoService } from './undo-service';

/** A service `add` put behind a balancer, as the balancer's record has it. */
interface Added {
  readonly balancer: Balancer;
  readonly record: BalancerRecord;
  readonly entry: AddRecord;
}

/**
 * Undoes `compose-lb add SERVICE` from what it recorded: the service gets back
 * its ports, container_name, expose and labels as they were, and leaves the
 * balancer. The balancer goes with its last service; while others stay, it
 * only loses this one from LB_SERVICE, depends_on and its record (and, when
 * the service's ports had moved there, those ports). compose-lb-discovery and
 * its network go with the last balancer reading from them (discovery-removal.ts).
 * Right after `add` this gives back the original bytes. `service` may also
 * name a balancer of one.
 */
export function removeBalancer(file: ComposeFile, service: string): RewriteResult {
  const added = findAdded(file, service);
  if (!added) return nothingToRemove(file, service);
  const { balancer, entry } = added;
  const entries = recordEntries(added.record);
  const rest = entries.filter((e) => e !== entry);
  refuseBalancerName(balancer, service, entries);
  refuseHandAdded(balancer, entries);
  requireService(file, entry.service);
  const target = serviceBlock(file, entry.service);
  const lb = serviceBlock(file, balancer.name);
  const undo = undoService(file, entry, target, lb);
  const lbConfig = serviceConfig(file, balancer.name);
  const left = rest.length > 0 ? leave(file, added, lb) : undefined;
  const discovery = added.record.discovery;
  const gone = left || !discovery ? undefined : discoveryRemoval(file, balancer.name, discovery);
  const lbEdits = left ? left.edits : [deleteService(file.text, lb), ...(gone?.edits ?? [])];
  const text = applyLineEdits(file.text, [...undo.edits, ...lbEdits]);
  checkRewrite(file, text, {
    service: entry.service,
    checkService: (after) => checkUndone(lbConfig, entry, serviceConfig(file, entry.service), after),
    ...(left
      ? { changed: [{ name: balancer.name, check: balancerCheck({ before: lbConfig, ...left.change }) }] }
      : { removed: [balancer.name, ...(gone?.removed ?? [])], changed: gone?.changed ?? [] }),
    ...(gone?.networks ? { networks: gone.networks } : {}),
  });
  const back = entry.movedPorts || entry.commentedOutPorts ? `; ${entry.service} publishes its ports again` : '';
  const others = rest.map((e) => e.service).join(', ');
  const what = left
    ? `took ${entry.service} out of ${balancer.name}, which goes on balancing ${others}`
    : `removed ${balancer.name}`;
  // The running balancer reads LB_SERVICE when it starts, so it routes to the service until it is recreated.
  const recreate = `recreate ${balancer.name} (docker compose up -d ${balancer.name}) so it stops balancing ${entry.service}`;
  const warnings = [
    ...undo.warnings,
    ...(left?.portsGone ? [portsGoneWarning(balancer.name, entry, rest)] : []),
    ...(gone?.warnings ?? []),
  ];
  const notes = [`${what}${back}`, ...(left ? [recreate] : []), ...(gone?.notes ?? [])];
  return { text, changed: true, balancer: balancer.name, notes, warnings };
}

function findAdded(file: ComposeFile, service: string): Added | undefined {
  for (const balancer of balancers(file)) {
    const record = balancer.record;
    if (!record) continue;
    const entries = recordEntries(record);
    const entry = balancer.name === service ? entries[0] : entries.find((e) => e.service === service);
    if (entry) return { balancer, record, entry };
  }
  return undefined;
}

/** A balancer's name stands for its one service only: of several, which one would it mean? */
function refuseBalancerName(balancer: Balancer, service: string, entries: readonly AddRecord[]): void {
  if (service !== balancer.name || entries.length < 2) return;
  throw new ComposeInputError(
    'arguments',
    `${balancer.name} balances ${entries.map((e) => e.service).join(', ')}: remove them one at a time ` +
      `(compose-lb remove SERVICE); the last one takes ${balancer.name} with it`,
  );
}

/**
 * The balancer goes with the last service its record holds, so services put
 * into its LB_SERVICE by hand must be taken out by hand first: they would
 * lose their balancer unasked.
 */
function refuseHandAdded(balancer: Balancer, entries: readonly AddRecord[]): void {
  const byHand = balancer.services.filter((s) => !entries.some((e) => e.service === s));
  if (entries.length > 1 || byHand.length === 0) return;
  throw new ComposeInputError(
    'not-added-by-us',
    `${balancer.name} also balances ${byHand.join(', ')}, which compose-lb add did not put there; ` +
      `take ${byHand.join(', ')} out of its LB_SERVICE first, or remove ${balancer.name} by hand`,
  );
}

function nothingToRemove(file: ComposeFile, service: string): RewriteResult {
  const handMade = balancers(file).find((b) => b.services.includes(service) || b.name === service);
  if (handMade?.record) {
    throw new ComposeInputError(
      'not-added-by-us',
      `${service} is behind ${handMade.name} by hand: ${handMade.name}'s ${RECORD_KEY} record does not have it, ` +
        `so take it out of ${handMade.name}'s LB_SERVICE by hand`,
    );
  }
  if (handMade) {
    throw new ComposeInputError(
      'not-added-by-us',
      `${handMade.name} balances ${handMade.services.join(', ')} but was not written by compose-lb add ` +
        `(it has no ${RECORD_KEY} record); remove it by hand`,
    );
  }
  requireService(file, service);
  return unchanged(
    file.text.source,
    `${service}-lb`,
    `${service} has no balancer added by compose-lb; nothing to remove`,
  );
}

/** The edits to a balancer that stays, how it must read afterwards, and whether it lost its ports. */
interface Leaving {
  readonly edits: LineEdit[];
  readonly change: Omit<BalancerChange, 'before'>;
  readonly portsGone: boolean;
}

/**
 * The service leaves a balancer that stays: out of LB_SERVICE and the record,
 * out of depends_on where add put it there (the balancer's first service was
 * written with it), and the first service's ports, which the balancer
 * published, go back to that service.
 */
function leave(file: ComposeFile, { balancer, record, entry }: Added, lb: ServiceBlock): Leaving {
  const first = record.first === entry;
  const left = { ...record, first: first ? undefined : record.first, routes: record.routes.filter((r) => r !== entry) };
  const services = balancer.services.filter((s) => s !== entry.service);
  const edits = [recordEdit(file, lb, left)];
  if (services.length !== balancer.services.length) edits.push(serviceListEdit(file, lb, services));
  if (first || entry.appendedDependsOn) edits.push(...dependsOnRemoval(file, lb, entry.service));
  const ports = first && entry.movedPorts ? keyOf(lb, 'ports') : undefined;
  if (ports) edits.push(deleteKey(ports));
  const also = ['depends_on', ...(ports ? ['ports'] : [])];
  return { edits, change: { services, record: left, also }, portsGone: ports !== undefined };
}

function portsGoneWarning(lb: string, entry: AddRecord, rest: readonly AddRecord[]): string {
  return (
    `${lb} publishes no host port any more (its ports were ${entry.service}'s, and went back): ` +
    `${rest.map((e) => e.service).join(', ')} can be reached through ${lb} from other services only`
  );
}
