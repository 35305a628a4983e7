import { escapeXml, px } from '../report/svg';
import { frameOf, type CpuProfile, type Frame, type Locate } from './profile-summary';

interface FlameNode {
  readonly frame: Frame;
  count: number;
  readonly children: Map<string, FlameNode>;
}

const WIDTH = 1200;
const ROW = 16;
const TOP = 40;
/** Narrower frames are left out: they are unreadable and make the file large. */
const MIN_PX = 0.6;

/** Merges the profile's call tree by frame (name and source position) and counts busy samples. */
function mergedTree(profile: CpuProfile, locate: Locate): FlameNode {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const root: FlameNode = { frame: { name: 'all', module: '(root)', location: '' }, count: 0, children: new Map() };
  const visit = (id: number, into: FlameNode): number => {
    const node = byId.get(id);
    if (node === undefined) return 0;
    const frame = frameOf(node, locate);
    if (frame.module === '(idle)') return 0;
    const key = `${frame.name} ${frame.location}`;
    const merged = into.children.get(key) ?? { frame, count: 0, children: new Map() };
    into.children.set(key, merged);
    let total = hits.get(id) ?? 0;
    for (const child of node.children ?? []) total += visit(child, merged);
    merged.count += total;
    return total;
  };
  const top = profile.nodes[0];
  // The profile's own root is "(root)": its children are the real stack bottoms.
  for (const child of top?.children ?? []) root.count += visit(child, root);
  return root;
}

function colour(module: string): string {
  if (module.startsWith('src/')) return '#f28e2b';
  if (module === 'http-proxy' || module === 'undici') return '#edc948';
  if (module.startsWith('node:')) return '#76b7d2';
  if (module.startsWith('(')) return '#bab0ac';
  return '#8cd17d';
}

function depthOf(node: FlameNode): number {
  let max = 0;
  for (const child of node.children.values()) max = Math.max(max, depthOf(child));
  return max + 1;
}

/**
 * A flame graph of busy samples as hand-written SVG (stack bottoms at the
 * bottom, width = share of samples; hover for the full name). Colours: orange
 * compose-lb's src/, yellow the plain scripts' HTTP clients (http-proxy,
 * undici), blue Node's own modules, green other packages, grey V8 (GC,
 * native). Pure.
 */
export function flameGraphSvg(profile: CpuProfile, locate: Locate, title: string): string {
  const root = mergedTree(profile, locate);
  const depth = depthOf(root);
  const height = TOP + depth * ROW + 10;
  const scale = root.count === 0 ? 0 : WIDTH / root.count;
  const out: string[] = [];
  const draw = (node: FlameNode, x: number, level: number): void => {
    const w = node.count * scale;
    if (w < MIN_PX) return;
    const y = height - 10 - (level + 1) * ROW;
    const pct = root.count === 0 ? 0 : (100 * node.count) / root.count;
    const label = `${node.frame.name}${node.frame.location ? ` (${node.frame.location})` : ''}`;
    const chars = Math.floor((w - 4) / 6.5);
    const text = chars < 3 ? '' : label.length <= chars ? label : `${label.slice(0, chars - 1)}…`;
    out.push(
      `<g><title>${escapeXml(`${label} — ${pct.toFixed(1)} %`)}</title>` +
        `<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${ROW - 1}" fill="${colour(node.frame.module)}"/>` +
        (text ? `<text x="${px(x + 2)}" y="${px(y + ROW - 4)}">${escapeXml(text)}</text>` : '') +
        '</g>',
    );
    let childX = x;
    for (const child of [...node.children.values()].sort((a, b) => a.frame.name.localeCompare(b.frame.name))) {
      draw(child, childX, level + 1);
      childX += child.count * scale;
    }
  };
  draw(root, 0, 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
