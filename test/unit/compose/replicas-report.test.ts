import {
  balancerError,
  drainLine,
  parseDrainAnswer,
  parseReplicasDocument,
  parseServicesDocument,
  progressLine,
  replicasTable,
} from '../../../src/runtime/replicas-report';
import { ComposeRunError } from '../../../src/runtime/runtime-errors';
import { thrown } from './fixtures';
import { replica, replicasDoc } from './replicas-fixtures';

describe('parseReplicasDocument', () => {
  it('reads what the admin endpoint writes', () => {
    const doc = replicasDoc([replica(1, 'ready')]);
    expect(parseReplicasDocument(JSON.stringify(doc, null, 2))).toEqual(doc);
  });

  it.each(['not json', '{"service":"web"}', '{"service":"web","ready":1,"replicas":[{"name":1}]}'])(
    'refuses %s',
    (text) => {
      expect(thrown(() => parseReplicasDocument(text))).toBeInstanceOf(ComposeRunError);
    },
  );
});

describe('parseServicesDocument', () => {
  it('reads every service the balancer balances', () => {
    const api = { ...replicasDoc([]), service: 'api', route: 'host api.localhost' };
    const doc = { project: 'demo', services: [replicasDoc([replica(1, 'ready')]), api] };
    expect(parseServicesDocument(JSON.stringify(doc))).toEqual(doc);
  });

  it.each([
    '{"services":[]}',
    '{"project":"demo","services":{}}',
    `{"project":"demo","services":[${JSON.stringify({ ...replicasDoc([]), route: undefined })}]}`,
  ])('refuses %s', (text) => {
    const err = thrown(() => parseServicesDocument(text));
    expect(err.message).toMatch(/^the balancer's \/services answer has an unexpected shape/);
  });
});

describe('progressLine', () => {
  it('counts ready replicas against the wanted number and names the others by state', () => {
    const doc = replicasDoc([
      replica(1, 'ready'),
      replica(2, 'starting'),
      replica(3, 'unhealthy'),
      replica(4, 'starting'),
    ]);
    expect(progressLine(doc, 4)).toBe(
      'web: 1 of 4 ready (2 starting: demo-web-2, demo-web-4; 1 unhealthy: demo-web-3)',
    );
  });

  it('shortens long lists', () => {
    const doc = replicasDoc([1, 2, 3, 4, 5].map((n) => replica(n, 'starting')));
    expect(progressLine(doc, 5)).toBe('web: 0 of 5 ready (5 starting: demo-web-1, demo-web-2, demo-web-3, ...)');
  });
});

describe('replicasTable', () => {
  it('lines up the replicas, number 1 first', () => {
    const doc = replicasDoc([
      replica(10, 'draining', { health: 'healthy', inflight: 3 }),
      replica(2, 'ready', { health: 'healthy' }),
    ]);
    expect(replicasTable(doc, 'web-lb')).toBe(
      [
        'web-lb -> web [default route] (project demo, round-robin): 1 of 2 ready',
        'NAME         STATE     HEALTH   ADDRESS         IN-FLIGHT  SERVED',
        'demo-web-2   ready     healthy  172.18.0.4:80   0          20',
        'demo-web-10  draining  healthy  172.18.0.12:80  3          100',
        '',
      ].join('\n'),
    );
  });

  it('says when there are none', () => {
    expect(replicasTable(replicasDoc([]), 'web-lb')).toBe(
      'web-lb -> web [default route] (project demo, round-robin): 0 of 0 ready\n  (no replicas)\n',
    );
  });
});

describe('parseDrainAnswer', () => {
  it('reads what POST /replicas/REF/drain answers', () => {
    const answer = { changed: true, replica: replica(2, 'drained') };
    expect(parseDrainAnswer(JSON.stringify(answer))).toEqual(answer);
  });

  it.each(['[]', '{"changed":"yes","replica":{}}', '{"changed":true}', 'oops'])('refuses %s', (text) => {
    expect(thrown(() => parseDrainAnswer(text))).toBeInstanceOf(ComposeRunError);
  });
});

describe('balancerError', () => {
  it.each([
    ['{"error":"no replica \\"9\\""}', 'no replica "9"'],
    ['{"status":"ok"}', undefined],
    ['<html>', undefined],
  ])('%s -> %s', (text, error) => {
    expect(balancerError(text)).toBe(error);
  });
});

describe('drainLine', () => {
  it.each([
    [true, true, 3, 'demo-web-2: drained (3 requests in flight finish first)'],
    [true, true, 1, 'demo-web-2: drained (1 request in flight finishes first)'],
    [true, true, 0, 'demo-web-2: drained (no requests in flight)'],
    [true, false, 3, 'demo-web-2: already drained'],
    [false, true, 0, 'demo-web-2: back in rotation'],
    [false, false, 0, 'demo-web-2: was not drained (ready)'],
  ])('drain %s, changed %s, %s in flight', (drain, changed, inflight, line) => {
    const state = drain ? 'drained' : 'ready';
    expect(drainLine({ changed, replica: replica(2, state, { inflight }) }, drain)).toBe(line);
  });
});
