import { join } from 'node:path';
import { request } from 'node:http';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** GET with a Host of the test's choosing (fetch will not send one): status, the answering app, the path it saw. */
function ask(url: string, host: string, path: string): Promise<{ status: number; app: string; path: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers: { host } }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, app: String(res.headers['x-replica'] ?? ''), path: String(res.headers['x-request-path'] ?? '') }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

describeDocker('one balancer in front of a whole stack, routed by labels', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'routes.yaml'), fixtureEnv());

  afterAll(async () => {
    await project.down();
  });

  it('sends each request to the service its host and path name, every service scaled', async () => {
    await project.up({ web: 2, api: 2, admin: 2 });
    const lb = await BalancerHandle.of(project, 'stack-lb');
    await waitFor('6 ready replicas in 3 services', async () => {
      const services = await lb.services();
      return services.length === 3 && services.every((s) => s.ready === 2);
    });
    expect(await ask(lb.url, 'shop.localhost', '/cart')).toEqual({ status: 200, app: 'web', path: '/cart' });
    expect(await ask(lb.url, 'shop.localhost', '/api/users?page=2')).toEqual({ status: 200, app: 'api', path: '/users?page=2' });
    expect(await ask(lb.url, 'admin.localhost', '/api/users')).toEqual({ status: 200, app: 'admin', path: '/api/users' });
    const routes = Object.fromEntries((await lb.services()).map((s) => [s.service, s.route]));
    expect(routes).toEqual({ web: 'default route', api: 'path /api (stripped)', admin: 'host admin.localhost' });
  });
});
