/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that are read here. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  readonly children?: readonly number[];
}

/** A position in the original sources (through the bundle's source map). */
export interface SourcePosition {
  readonly source: string;
  readonly line: number;
}

/** Maps a bundle position (0-based line and column, as in the profile) back to the source. */
export type Locate = (url: string, line: number, column: number) => SourcePosition | undefined;

export interface Frame {
  readonly name: string;
  /** `http-proxy`, `src/proxy/exchange.ts`, `node:_http_server`, `(garbage collector)`... */
  readonly module: string;
  readonly location: string;
}

/** V8's pseudo-frames: not code, but where the time went all the same. */
const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** The module a source path belongs to: the npm package, the file under src/, or Node's own module. */
export function moduleOf(source: string): string {
  if (source.startsWith('node:')) return source;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg?.[1]) return pkg[1];
  const src = /(?:^|\/)(src\/.+)$/.exec(source);
  if (src?.[1]) return src[1];
  return source.replace(/^(?:\.\.\/)+/, '').replace(/^file:\/\//, '') || '(native)';
}

export function frameOf(node: ProfileNode, locate: Locate): Frame {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url === '') return { name, module: PSEUDO.has(name) ? name : '(native)', location: '' };
  const original = locate(url, lineNumber, columnNumber);
  const source = original?.source ?? url;
  const line = original?.line ?? lineNumber + 1;
  const short = source.replace(/^(?:\.\.\/)+/, '').replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(?=[^/]+$)/, '');
  return { name, module: moduleOf(source), location: `${short}:${line}` };
}

/** Coarse groups for "where the time goes", by a frame's module and name. */
export function categoryOf(frame: Frame): string {
  const { module, name } = frame;
  if (module.startsWith('src/proxy/upstream/')) return "compose-lb's HTTP client (src/proxy/upstream/)";
  // The simple path: what Node's http server does for the scripts and for compose-lb's other requests.
  if (module.startsWith('src/proxy/client/')) return "compose-lb's simple path (src/proxy/client/)";
  if (module.startsWith('src/') || /\/plain-[a-z-]+-proxy\.js$/.test(module)) return "the proxy's own code (src/, the script)";
  // The upstream clients of the plain scripts: what src/proxy/upstream/ does for compose-lb.
  if (module === 'http-proxy' || module === 'undici') return `${module} (the script's HTTP client)`;
  if (module === '(garbage collector)') return 'garbage collection';
  if (module === '(program)') return 'V8 and libuv outside JS (event loop, reads)';
  if (module === '(native)') {
    return /^write|^writev$|^shutdown|^close$/i.test(name) ? 'socket writes (the syscall, in native code)' : 'other native code';
  }
  if (module.startsWith('node:_http') || module === 'node:http') return 'Node http (parsers, agent, outgoing)';
  if (module.startsWith('node:')) return 'Node core: streams, events, net, timers';
  return 'other packages';
}

export interface ProfileSummary {
  readonly samples: number;
  readonly durationMs: number;
  /** Share of samples in which the process was idle (waiting for I/O): not saturated if large. */
  readonly idlePct: number;
  /** Functions by self time, as a share of the busy (non-idle) samples. */
  readonly top: readonly (Frame & { readonly selfPct: number })[];
  /** Modules by self time and by inclusive time (any frame of the module on the stack), share of busy samples. */
  readonly modules: readonly { readonly module: string; readonly selfPct: number; readonly inclusivePct: number }[];
  /** Self time in coarse groups (see categoryOf); adds up to 100 %. */
  readonly categories: readonly { readonly category: string; readonly selfPct: number }[];
}

/** Pure: a profile and a source locator -> where the time went. */
export function summarizeProfile(profile: CpuProfile, locate: Locate, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frames = new Map(profile.nodes.map((n) => [n.id, frameOf(n, locate)]));

  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const idle = [...hits].filter(([id]) => frames.get(id)?.module === '(idle)').reduce((n, [, c]) => n + c, 0);
  const busy = Math.max(1, profile.samples.length - idle);
  const pct = (n: number): number => (100 * n) / busy;

  const self = new Map<string, { frame: Frame; count: number }>();
  const moduleSelf = new Map<string, number>();
  const categorySelf = new Map<string, number>();
  const moduleInclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    const frame = frames.get(id);
    if (frame === undefined || frame.module === '(idle)') continue;
    const key = `${frame.name} ${frame.location}`;
    self.set(key, { frame, count: (self.get(key)?.count ?? 0) + count });
    moduleSelf.set(frame.module, (moduleSelf.get(frame.module) ?? 0) + count);
    const category = categoryOf(frame);
    categorySelf.set(category, (categorySelf.get(category) ?? 0) + count);
    const onStack = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined && byId.has(cur); cur = parent.get(cur)) {
      const m = frames.get(cur)?.module;
      if (m !== undefined && m !== '(root)') onStack.add(m);
    }
    for (const m of onStack) moduleInclusive.set(m, (moduleInclusive.get(m) ?? 0) + count);
  }
  return {
    samples: profile.samples.length,
    durationMs: (profile.endTime - profile.startTime) / 1000,
    idlePct: (100 * idle) / Math.max(1, profile.samples.length),
    top: [...self.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, topN)
      .map(({ frame, count }) => ({ ...frame, selfPct: pct(count) })),
    modules: [...moduleInclusive]
      .map(([module, count]) => ({ module, selfPct: pct(moduleSelf.get(module) ?? 0), inclusivePct: pct(count) }))
      .sort((a, b) => b.inclusivePct - a.inclusivePct),
    categories: [...categorySelf]
      .map(([category, count]) => ({ category, selfPct: pct(count) }))
      .sort((a, b) => b.selfPct - a.selfPct),
  };
}
