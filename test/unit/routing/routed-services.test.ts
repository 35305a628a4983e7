import { DEFAULT_ROUTE } from '../../../src/routing/route-rule';
import { localReplica } from '../support/proxy-harness';
import { sendRaw } from '../support/raw-http';
import { scopedServers, statusAndBody } from '../support/scoped-servers';

/** "status body" of a GET with a Host of our choosing (fetch will not send one). */
async function withHost(port: number, host: string, path: string): Promise<string> {
  const raw = await sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n(.*)\r\n0\r\n\r\n$/s, '$1');
  return `${status} ${body}`;
}

/** Several services behind one balancer, routed by the labels of their replicas. */

const { upstream, proxy } = scopedServers();

describe('one balancer for a whole stack', () => {
  async function stack() {
    const [web, api, admin] = [await upstream('web'), await upstream('api'), await upstream('admin')];
    const lb = await proxy([], { services: 'web,api,admin' });
    lb.setReplicas([localReplica(web.port)], 'initial list', 'web');
    lb.setReplicas(
      [localReplica(api.port, { route: { hosts: [], pathPrefix: '/api', stripPrefix: true } })],
      'initial list',
      'api',
    );
    lb.setReplicas([localReplica(admin.port, { route: { hosts: ['admin.localhost'], pathPrefix: undefined, stripPrefix: false } })], 'initial list', 'admin');
    return { lb, web, api, admin };
  }

  it('sends each request to the service its host and path name, stripping a prefix that asks for it', async () => {
    const { lb, web, api, admin } = await stack();
    expect(await statusAndBody(`${lb.url}/cart`)).toBe('200 web');
    expect(await statusAndBody(`${lb.url}/api/users?page=2`)).toBe('200 api');
    expect(await withHost(lb.port, 'admin.localhost', '/')).toBe('200 admin');
    expect(web.seen.map((r) => r.url)).toEqual(['/cart']);
    expect(api.seen.map((r) => r.url)).toEqual(['/users?page=2']);
    expect(admin.seen.map((r) => [r.url, r.headers.host])).toEqual([['/', 'admin.localhost']]);
  });

  it('answers 404 naming nothing inside when no rule matches and no service is the default', async () => {
    const { lb } = await stack();
    lb.setReplicas([localReplica(1, { route: { hosts: ['www.localhost'], pathPrefix: undefined, stripPrefix: false } })], 'relabelled', 'web');
    expect(await statusAndBody(`${lb.url}/cart`)).toBe('404 not found\n');
  });

  it('keeps a service routed while it has no replica: its requests are held, not sent to the default', async () => {
    const { lb } = await stack();
    lb.setReplicas([], 'every replica stopped', 'api');
    expect(lb.service('api').rule).not.toEqual(DEFAULT_ROUTE);
    const answer = statusAndBody(`${lb.url}/api/x`);
    const back = await upstream('api again');
    lb.setReplicas([localReplica(back.port, { route: { hosts: [], pathPrefix: '/api', stripPrefix: true } })], 'container start', 'api');
    expect(await answer).toBe('200 api again');
  });

  it('counts requests per service in the metrics', async () => {
    const { lb } = await stack();
    await statusAndBody(`${lb.url}/api/a`);
    await statusAndBody(`${lb.url}/b`);
    const text = await lb.stack.metrics.registry.metrics();
    expect(text).toContain('compose_lb_requests_total{service="api",code="200"} 1');
    expect(text).toContain('compose_lb_requests_total{service="web",code="200"} 1');
  });
});
