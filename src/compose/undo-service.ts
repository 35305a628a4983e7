import { isDeepStrictEqual } from 'node:util';
import { isScalar, isSeq } from 'yaml';
import type { AddRecord } from './add-record';
import { deleteKey } from './block-edits';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { removeItems } from './list-items';
import { CONTAINER_NAME_TAG, isPortsMarker, ROUTED_PORTS_TAG, uncomment } from './markers';
import { deployWithout, replicasRemoval } from './replicas-edit';
import { without } from './rewrite-check';
import { labelsRemoval, labelsWithout } from './route-labels';
import { keyOf, type ServiceBlock } from './service-block';
import { indentOf, type Line, type LineEdit, type SourceText } from './source-text';

/** The edits giving a service back what `add` took, and what could not be found to give back. */
export interface ServiceUndo {
  readonly edits: readonly LineEdit[];
  readonly warnings: readonly string[];
}

/**
 * Undoes, in the service `target`, what its record says `add` did: its ports
 * come back (from the balancer `lb`, or uncommented), container_name is
 * uncommented, and the expose, labels and replicas it got are taken away.
 */
export function undoService(file: ComposeFile, record: AddRecord, target: ServiceBlock, lb: ServiceBlock): ServiceUndo {
  const src = file.text;
  const warnings: string[] = [];
  const edits: LineEdit[] = [];
  const uncommentAll = (tag: string, what: string): void => {
    const found = uncommentIn(src, target, tag);
    if (found.length === 0) warnings.push(`found no commented-out ${what} in ${record.service}; left as it is`);
    edits.push(...found);
  };
  if (record.movedPorts) {
    edits.push(portsBack(file, target, lb));
    if (!keyOf(lb, 'ports')) warnings.push(`${lb.name} has no ports any more; ${record.service} gets none back`);
  }
  if (record.commentedOutPorts) uncommentAll(ROUTED_PORTS_TAG, 'ports');
  if (record.createdExpose) {
    const expose = keyOf(target, 'expose');
    if (expose) edits.push(deleteKey(expose));
  }
  if (record.appendedExpose !== undefined) {
    const removal = removeExposeItem(src, target, record.appendedExpose);
    if (removal) edits.push(...removal);
    else warnings.push(`${record.service}'s expose no longer lists ${record.appendedExpose}; left as it is`);
  }
  if (record.commentedContainerName) uncommentAll(CONTAINER_NAME_TAG, 'container_name');
  const taken = [labelsRemoval(file, target, record), replicasRemoval(file, target, record)];
  return {
    edits: [...edits, ...taken.flatMap((t) => t.edits)],
    warnings: [...warnings, ...taken.flatMap((t) => t.warnings)],
  };
}

/** The balancer's `ports:` lines go back in place of the marker, re-indented if one of the two services was. */
function portsBack(file: ComposeFile, target: ServiceBlock, lb: ServiceBlock): LineEdit {
  const marker = findLine(file.text, target, (l) => isPortsMarker(l.text));
  if (marker === undefined) {
    throw new ComposeInputError(
      'marker-missing',
      `cannot find the "# [compose-lb: ports moved to ${lb.name}]" line in ${target.name} that marks where its ports go back; ` +
        `move the ports from ${lb.name} to ${target.name} by hand, then remove ${lb.name}`,
    );
  }
  const ports = keyOf(lb, 'ports');
  const lines = ports ? file.text.lines.slice(ports.first, ports.last + 1) : [];
  return { from: marker, to: marker + 1, lines: shift(lines, target.bodyColumn - lb.bodyColumn) };
}

function shift(lines: readonly Line[], by: number): Line[] {
  if (by === 0) return [...lines];
  return lines.map((l) => ({
    text: by > 0 ? ' '.repeat(by) + l.text : l.text.slice(Math.min(-by, indentOf(l.text))),
    eol: l.eol,
  }));
}

function findLine(src: SourceText, block: ServiceBlock, test: (line: Line) => boolean): number | undefined {
  for (let i = block.first + 1; i <= block.last; i++) {
    const line = src.lines[i];
    if (line && test(line)) return i;
  }
  return undefined;
}

function uncommentIn(src: SourceText, block: ServiceBlock, tag: string): LineEdit[] {
  const edits: LineEdit[] = [];
  for (let i = block.first + 1; i <= block.last; i++) {
    const line = src.lines[i];
    const original = line && uncomment(line, tag);
    if (original) edits.push({ from: i, to: i + 1, lines: [original] });
  }
  return edits;
}

/** Deletes the expose item add appended (the last one with that value): its own line, or `, "80"` in a flow list. */
function removeExposeItem(src: SourceText, block: ServiceBlock, item: string): LineEdit[] | undefined {
  const seq = keyOf(block, 'expose')?.pair.value;
  if (!isSeq(seq)) return undefined;
  const index = seq.items.map((n) => (isScalar(n) ? String(n.value) : undefined)).lastIndexOf(item);
  return index < 0 ? undefined : removeItems(src, seq, [index]);
}

/**
 * The service must publish what it published before `add` (the balancer's
 * ports when they moved there), keep its labels and deploy but ours, and be
 * otherwise as it was; expose and container_name were dealt with above.
 */
export function checkUndone(
  lb: ServiceConfig,
  record: AddRecord,
  before: ServiceConfig,
  after: ServiceConfig,
): string | undefined {
  const keep = (c: ServiceConfig): Record<string, unknown> =>
    without(c, 'ports', 'expose', 'container_name', 'labels', 'deploy');
  // Commented-out ports come back as the user wrote them, which only the lines themselves know.
  if (!record.commentedOutPorts) {
    const ports = record.movedPorts ? lb['ports'] : before['ports'];
    if (!isDeepStrictEqual(after['ports'], ports)) return `${record.service} would not get its ports back`;
  }
  if (!isDeepStrictEqual(after['labels'], labelsWithout(before['labels'], record))) {
    return `${record.service} would not get its labels back as they were`;
  }
  if (!isDeepStrictEqual(after['deploy'], deployWithout(before['deploy'], record))) {
    return `${record.service} would not get its deploy back as it was`;
  }
  if (!isDeepStrictEqual(keep(after), keep(before))) {
    return `${record.service} would change beyond ports, expose, container_name, labels and deploy`;
  }
  return undefined;
}
