import { EVENTS_SHOWN, statusFrame } from '../../../src/runtime/live-status';
import { parseStatusDocument } from '../../../src/runtime/replicas-report';
import { ComposeRunError } from '../../../src/runtime/runtime-errors';
import { thrown } from './fixtures';
import { replicaStatus, serviceStatus, statusDoc } from './replicas-fixtures';

// `status --watch` draws the status page's document as text: one pure function.

const at = Date.UTC(2026, 0, 2, 3, 4, 5);
const event = (secondsAgo: number, replica: string, what: string, why: string) => ({
  at: at - secondsAgo * 1000,
  replica,
  event: what,
  why,
});

const web = serviceStatus(
  [
    replicaStatus(2, 'ready', { inflight: 12, reqPerSec: 12.345, errors: 3, p50: 3.14159, p99: 120.6 }),
    replicaStatus(1, 'ready', { reqPerSec: 8, p50: 12.4, p99: 15 }),
    replicaStatus(3, 'starting'),
  ],
  {
    held: 2,
    events: [event(3, 'demo-web-3', 'added', 'container start'), event(75, 'demo-web-2', 'ejected', '3 failures in a row')],
  },
);
const api = serviceStatus([], { service: 'api', route: 'path /api (stripped)' });

describe('statusFrame', () => {
  it('shows each service: its replicas in Compose order, numbers on the right, and what happened lately', () => {
    expect(statusFrame(statusDoc([web, api], at), 'web-lb')).toBe(
      [
        'web-lb (project demo, round-robin) at 2026-01-02T03:04:05Z; replicas from discovery',
        '',
        'web-lb -> web [default route]: 2 of 3 ready, 2 held',
        '  REPLICA     STATE     IN FLIGHT  REQ/S  ERRORS     P50     P99',
        '  demo-web-1  ready             0    8.0       0   12 ms   15 ms',
        '  demo-web-2  ready            12   12.3       3  3.1 ms  121 ms',
        '  demo-web-3  starting          0    0.0       0       -       -',
        '  recent:',
        '    3 s ago    demo-web-3 added: container start',
        '    1 min ago  demo-web-2 ejected: 3 failures in a row',
        '',
        'web-lb -> api [path /api (stripped)]: 0 of 0 ready',
        '  (no replicas)',
        '',
      ].join('\n'),
    );
  });

  it('shows only the service asked about, and says when the view may be stale', () => {
    const doc = { ...statusDoc([web, api], at), replicasFrom: { source: 'discovery' as const, connected: false, since: at - 12_000 } };
    expect(statusFrame(doc, 'web-lb', 'api')).toBe(
      [
        'web-lb (project demo, round-robin) at 2026-01-02T03:04:05Z; replicas from discovery (unreachable for 12 s: the last view it had)',
        '',
        'web-lb -> api [path /api (stripped)]: 0 of 0 ready',
        '  (no replicas)',
        '',
      ].join('\n'),
    );
  });

  it(`shows the newest ${EVENTS_SHOWN} events only, and no held count when nothing waits`, () => {
    const events = Array.from({ length: 8 }, (_, i) => event(i, `demo-web-${i}`, 'removed', 'container die'));
    const frame = statusFrame(statusDoc([{ ...web, held: 0, events }], at), 'web-lb');
    expect(frame).toContain('web-lb -> web [default route]: 2 of 3 ready\n');
    expect(frame.match(/removed: container die/g)).toHaveLength(EVENTS_SHOWN);
    expect(frame).toContain(`    0 s ago  demo-web-0 removed`);
    expect(frame).not.toContain('demo-web-5 removed');
  });
});

describe('parseStatusDocument', () => {
  const doc = statusDoc([web, api], at);

  it('reads what the balancer answers', () => {
    expect(parseStatusDocument(JSON.stringify(doc))).toEqual(doc);
  });

  it.each([
    ['no services', { ...doc, services: undefined }],
    ['a replica without its last minute', { ...doc, services: [{ ...web, replicas: [{ ...web.replicas[0], p99: 'slow' }] }] }],
    ['an event without a reason', { ...doc, services: [{ ...web, events: [{ at, replica: 'x', event: 'added' }] }] }],
    ['no word on where replicas come from', { ...doc, replicasFrom: { source: 'docker' } }],
  ])('refuses an answer with %s', (_what, answer) => {
    const err = thrown(() => parseStatusDocument(JSON.stringify(answer)));
    expect(err).toBeInstanceOf(ComposeRunError);
    expect(err.message).toMatch(/^the balancer's \/status answer has an unexpected shape: /);
  });
});
