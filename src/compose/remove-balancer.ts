import { isDeepStrictEqual } from 'node:util';
import { isScalar, isSeq, type Node } from 'yaml';
import { RECORD_KEY, type AddRecord } from './add-record';
import { deleteService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { requireService, serviceConfig, type ComposeFile, type ServiceConfig } from './compose-file';
import { balancers } from './find-balancer';
import { isPortsMarker, uncomment } from './markers';
import { checkRewrite, without } from './rewrite-check';
import { unchanged, type RewriteResult } from './rewrite-result';
import { keyOf, lastContentLine, serviceBlock, type ServiceBlock } from './service-block';
import { applyLineEdits, indentOf, lineAt, spliceLine, type Line, type LineEdit, type SourceText } from './source-text';

/**
 * Undoes `compose-lb add SERVICE` from what it recorded: the balancer goes, the
 * service's ports come back where the marker is, its container_name is
 * uncommented, and the expose it got is taken away. Right after `add` this gives
 * back the original bytes. `service` may also name the balancer itself.
 */
export function removeBalancer(file: ComposeFile, service: string): RewriteResult {
  const ours = balancers(file).find((b) => b.record && (b.service === service || b.name === service));
  if (!ours?.record) return nothingToRemove(file, service);
  const { record } = ours;
  requireService(file, record.service);
  const target = serviceBlock(file, record.service);
  const lb = serviceBlock(file, ours.name);
  const warnings: string[] = [];
  const edits: LineEdit[] = [];
  if (record.movedPorts) {
    edits.push(portsBack(file, target, lb));
    if (!keyOf(lb, 'ports')) warnings.push(`${ours.name} has no ports any more; ${record.service} gets none back`);
  }
  if (record.createdExpose) {
    const expose = keyOf(target, 'expose');
    if (expose) edits.push({ from: expose.first, to: expose.last + 1, lines: [] });
  }
  if (record.appendedExpose !== undefined) {
    const edit = removeExposeItem(file.text, target, record.appendedExpose);
    if (edit) edits.push(edit);
    else warnings.push(`${record.service}'s expose no longer lists ${record.appendedExpose}; left as it is`);
  }
  if (record.commentedContainerName) {
    const uncommented = uncommentIn(file.text, target);
    if (uncommented.length === 0) {
      warnings.push(`found no commented-out container_name in ${record.service}; left as it is`);
    }
    edits.push(...uncommented);
  }
  edits.push(deleteService(file.text, lb));
  const text = applyLineEdits(file.text, edits);
  checkRewrite(file, text, {
    service: record.service,
    checkService: (after) =>
      checkService(serviceConfig(file, ours.name), record, serviceConfig(file, record.service), after),
    removed: ours.name,
  });
  const notes = [`removed ${ours.name}${record.movedPorts ? `; ${record.service} publishes its ports again` : ''}`];
  return { text, changed: true, balancer: ours.name, notes, warnings };
}

function nothingToRemove(file: ComposeFile, service: string): RewriteResult {
  const handMade = balancers(file).find((b) => b.service === service || b.name === service);
  if (handMade) {
    throw new ComposeInputError(
      'not-added-by-us',
      `${handMade.name} balances ${handMade.service} but was not written by compose-lb add (it has no ${RECORD_KEY} record); ` +
        'remove it by hand',
    );
  }
  requireService(file, service);
  return unchanged(
    file.text.source,
    `${service}-lb`,
    `${service} has no balancer added by compose-lb; nothing to remove`,
  );
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

function uncommentIn(src: SourceText, block: ServiceBlock): LineEdit[] {
  const edits: LineEdit[] = [];
  for (let i = block.first + 1; i <= block.last; i++) {
    const line = src.lines[i];
    const original = line && uncomment(line);
    if (original) edits.push({ from: i, to: i + 1, lines: [original] });
  }
  return edits;
}

/** Deletes the expose item add appended: its own line in a block list, or `, "80"` in a flow list. */
function removeExposeItem(src: SourceText, block: ServiceBlock, item: string): LineEdit | undefined {
  const seq = keyOf(block, 'expose')?.pair.value;
  if (!isSeq(seq)) return undefined;
  const items = seq.items as Node[];
  const index = items.map((n) => (isScalar(n) ? String(n.value) : undefined)).lastIndexOf(item);
  const node = items[index];
  if (!node?.range) return undefined;
  if (!seq.flow) return { from: lineAt(src, node.range[0]), to: lastContentLine(src, node) + 1, lines: [] };
  const previous = items[index - 1]?.range;
  const following = items[index + 1]?.range;
  const [start, end] = previous
    ? [previous[1], node.range[1]]
    : following
      ? [node.range[0], following[0]]
      : [node.range[0], node.range[1]];
  if (lineAt(src, start) !== lineAt(src, end)) return undefined;
  return spliceLine(src, start, end - start, '');
}

/** The service must publish what the balancer published; expose and container_name were checked above. */
function checkService(
  lb: ServiceConfig,
  record: AddRecord,
  before: ServiceConfig,
  after: ServiceConfig,
): string | undefined {
  const ports = record.movedPorts ? lb['ports'] : before['ports'];
  const keep = (c: ServiceConfig): Record<string, unknown> => without(c, 'ports', 'expose', 'container_name');
  if (!isDeepStrictEqual(after['ports'], ports)) return `${record.service} would not get the balancer's ports back`;
  if (!isDeepStrictEqual(keep(after), keep(before))) {
    return `${record.service} would change beyond ports, expose and container_name`;
  }
  return undefined;
}
