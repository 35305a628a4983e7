import { StickyCookies } from '../../../src/proxy/sticky-cookie';
import { localReplica } from '../support/proxy-harness';
import { scopedServers } from '../support/scoped-servers';

const ID_A = 'aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa1111bbbb2222';
const ID_B = 'bbbb1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa1111bbbb2222';

/** The cookie pair (name=value) a Set-Cookie value sets. */
const pair = (setCookie: string): string => setCookie.split(';')[0] as string;

describe('StickyCookies', () => {
  const cookies = new StickyCookies('web', 'a shared secret');

  it('names the replica by the start of its container ID, signed, never by its address', () => {
    const set = cookies.setCookie(ID_A);
    expect(set).toMatch(/^clb-web=aaaa1111bbbb\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies.replicaKey(['Cookie', `theme=dark; ${pair(set)}; x=1`])).toBe('aaaa1111bbbb');
  });

  it.each<[string, (good: string) => string]>([
    ['another replica with the signature of this one', (good) => good.replace('aaaa1111bbbb', 'bbbb1111bbbb')],
    ['a signature cut short', (good) => good.slice(0, -3)],
    ['no signature', (good) => good.slice(0, good.indexOf('.'))],
    ['a key that is not hex', (good) => good.replace('aaaa1111bbbb', 'zzzz1111bbbb')],
  ])('ignores a cookie naming %s', (_name, forge) => {
    const forged = forge(pair(cookies.setCookie(ID_A)));
    expect(cookies.replicaKey(['Cookie', forged])).toBeUndefined();
  });

  it('ignores cookies signed by another secret or for another service', () => {
    const other = new StickyCookies('web', 'another secret');
    const api = new StickyCookies('api', 'a shared secret');
    expect(cookies.replicaKey(['Cookie', pair(other.setCookie(ID_A))])).toBeUndefined();
    expect(cookies.replicaKey(['Cookie', pair(api.setCookie(ID_A)).replace('clb-api', 'clb-web')])).toBeUndefined();
  });

  it('finds its cookie in any Cookie header, in any case', () => {
    expect(cookies.replicaKey(['cookie', 'a=1', 'COOKIE', pair(cookies.setCookie(ID_B))])).toBe('bbbb1111bbbb');
  });

  it('pins only a candidate not tried yet', () => {
    const a = { id: ID_A };
    const b = { id: ID_B };
    expect(StickyCookies.pinned([a, b], 'bbbb1111bbbb', undefined)).toBe(b);
    expect(StickyCookies.pinned([a, b], 'bbbb1111bbbb', new Set([b]))).toBeUndefined();
    expect(StickyCookies.pinned([a], 'bbbb1111bbbb', undefined)).toBeUndefined();
  });
});

describe('sticky sessions through the proxy', () => {
  const { upstream, proxy } = scopedServers();

  it('keeps a client on its replica, and moves the cookie cleanly when that replica drains', async () => {
    const one = await upstream('one');
    const two = await upstream('two');
    const [r1, r2] = [localReplica(one.port), localReplica(two.port)];
    const lb = await proxy([r1, r2], { sticky: 'cookie', stickySecret: 's' });

    const first = await fetch(`${lb.url}/`);
    const cookie = pair(first.headers.get('set-cookie') ?? '');
    const pinned = await first.text();
    expect(cookie).toMatch(/^clb-web=/);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${lb.url}/`, { headers: { cookie } });
      expect(await res.text()).toBe(pinned);
      expect(res.headers.get('set-cookie')).toBeNull();
    }

    // The pinned replica drains: the client goes to the other one, with no error, and a new cookie.
    const draining = pinned === 'one' ? r1 : r2;
    lb.setReplicas([r1, r2].map((r) => (r === draining ? { ...r, stopping: true } : r)), 'kill (signal 15)');
    const moved = await fetch(`${lb.url}/`, { headers: { cookie } });
    expect(moved.status).toBe(200);
    expect(await moved.text()).not.toBe(pinned);
    const next = pair(moved.headers.get('set-cookie') ?? '');
    expect(next).toMatch(/^clb-web=/);
    expect(next).not.toBe(cookie);
  });

  it('sets no cookie when stickiness is off', async () => {
    const one = await upstream('one');
    const lb = await proxy([localReplica(one.port)]);
    expect((await fetch(`${lb.url}/`)).headers.get('set-cookie')).toBeNull();
  });
});
