import { flameGraphSvg } from '../../../bench/profile/flame-graph';
import { categoryOf, moduleOf, summarizeProfile, type CpuProfile, type Locate } from '../../../bench/profile/profile-summary';

const BUNDLE = 'file:///app/dist/compose-lb.js';

/** A tiny profile: (root) -> onRequest (src) -> web (http-proxy) -> writev (native), plus idle and GC. */
const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'onRequest', url: BUNDLE, lineNumber: 10, columnNumber: 2 }, children: [3] },
    { id: 3, callFrame: { functionName: 'web', url: BUNDLE, lineNumber: 20, columnNumber: 4 }, children: [4] },
    { id: 4, callFrame: { functionName: 'writev', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
    { id: 6, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 } },
  ],
  // 10 samples: 2 in onRequest itself, 1 in web, 4 in writev, 1 GC, 2 idle.
  samples: [2, 2, 3, 4, 4, 4, 4, 6, 5, 5],
};

/** What the bundle's source map would say. */
const locate: Locate = (url, line) => {
  if (url !== BUNDLE) return undefined;
  if (line === 10) return { source: '../src/proxy/proxy-server.ts', line: 87 };
  if (line === 20) return { source: '../node_modules/http-proxy/lib/http-proxy/index.js', line: 44 };
  return undefined;
};

describe('moduleOf', () => {
  it.each([
    ['../node_modules/http-proxy/lib/http-proxy/index.js', 'http-proxy'],
    ['../node_modules/@jridgewell/trace-mapping/dist/x.js', '@jridgewell/trace-mapping'],
    ['../src/proxy/exchange.ts', 'src/proxy/exchange.ts'],
    ['node:_http_server', 'node:_http_server'],
    ['file:///app/other.js', '/app/other.js'],
  ])('%s is %s', (source, module) => {
    expect(moduleOf(source)).toBe(module);
  });
});

describe('categoryOf', () => {
  it.each([
    [{ name: 'writeLatin1String', module: '(native)', location: '' }, 'socket writes (the syscall, in native code)'],
    [{ name: 'x', module: 'src/proxy/exchange.ts', location: '' }, "the proxy's own code (src/, the script)"],
    [{ name: 'x', module: '/work/test/fixtures/proxies/plain-http-proxy.js', location: '' }, "the proxy's own code (src/, the script)"],
    [{ name: 'x', module: '/work/test/fixtures/proxies/plain-undici-proxy.js', location: '' }, "the proxy's own code (src/, the script)"],
    [{ name: 'x', module: 'src/proxy/upstream/response-reader.ts', location: '' }, "compose-lb's HTTP client (src/proxy/upstream/)"],
    [{ name: 'x', module: 'src/proxy/client/simple-response.ts', location: '' }, "compose-lb's simple path (src/proxy/client/)"],
    [{ name: 'x', module: 'undici', location: '' }, "undici (the script's HTTP client)"],
    [{ name: 'x', module: 'http-proxy', location: '' }, "http-proxy (the script's HTTP client)"],
    [{ name: 'x', module: 'node:_http_agent', location: '' }, 'Node http (parsers, agent, outgoing)'],
    [{ name: 'x', module: 'node:events', location: '' }, 'Node core: streams, events, net, timers'],
    [{ name: 'x', module: 'prom-client', location: '' }, 'other packages'],
  ])('%j -> %s', (frame, category) => {
    expect(categoryOf(frame)).toBe(category);
  });
});

describe('summarizeProfile', () => {
  const summary = summarizeProfile(profile, locate);

  it('counts idle apart and gives shares of the busy samples', () => {
    expect(summary.samples).toBe(10);
    expect(summary.durationMs).toBe(10);
    expect(summary.idlePct).toBe(20);
    expect(summary.top.map((f) => [f.name, f.location, f.selfPct])).toEqual([
      ['writev', '', 50],
      ['onRequest', 'src/proxy/proxy-server.ts:87', 25],
      ['web', 'http-proxy/lib/http-proxy/index.js:44', 12.5],
      ['(garbage collector)', '', 12.5],
    ]);
  });

  it('gives self and inclusive time by module, through the source map', () => {
    const byModule = Object.fromEntries(summary.modules.map((m) => [m.module, [m.selfPct, m.inclusivePct]]));
    expect(byModule).toEqual({
      'src/proxy/proxy-server.ts': [25, 87.5],
      'http-proxy': [12.5, 62.5],
      '(native)': [50, 50],
      '(garbage collector)': [12.5, 12.5],
    });
  });

  it('groups self time into categories that add up to 100 %', () => {
    expect(summary.categories.reduce((n, c) => n + c.selfPct, 0)).toBeCloseTo(100, 5);
    expect(summary.categories[0]).toEqual({ category: 'socket writes (the syscall, in native code)', selfPct: 50 });
  });
});

describe('flameGraphSvg', () => {
  const svg = flameGraphSvg(profile, locate, 'compose-lb <test>');

  it('draws a frame per call path, as wide as its share of busy samples', () => {
    const widths = Object.fromEntries(
      [...svg.matchAll(/<title>([^ ]+)[^<]*<\/title><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map(([, name = '', w]) => [name, Number(w)]),
    );
    expect(widths.all).toBe(1200);
    expect(widths.onRequest).toBeCloseTo(1200 * (7 / 8), 0);
    expect(widths.writev).toBeCloseTo(1200 * (4 / 8), 0);
    expect(widths['(idle)']).toBeUndefined();
  });

  it('escapes the title and frame names', () => {
    expect(svg).toContain('compose-lb &lt;test&gt;');
  });
});
