import {
  APP_SERVICE,
  balancedStack,
  balancerService,
  churnStack,
  DISCOVERY_FED_BALANCER,
  DISCOVERY_SERVICE,
  fastReplicaStack,
  routedServices,
  routingStack,
} from '../../../bench/docker/stack-file';

const images = { balancer: 'compose-lb:bench', app: 'compose-lb-demo-app:bench' };

describe('bench stack files', () => {
  it('pins every container to CPU 1 and publishes no port (docker-proxy would distort the figures)', () => {
    const stacks = [
      fastReplicaStack(images),
      balancedStack(images, { mode: 'serial', delayMs: 100 }, ['round-robin', 'least-conn'], 998),
      churnStack(images, { delayMs: 100 }, 'round-robin', 998),
      routingStack(images, 3),
    ];
    for (const stack of stacks) {
      for (const service of Object.values(stack.services)) {
        expect(service.cpuset).toBe('1');
        expect(service).not.toHaveProperty('ports');
      }
    }
  });

  it('runs the demo app in the mode asked for', () => {
    expect(fastReplicaStack(images).services[APP_SERVICE]).toMatchObject({
      image: 'compose-lb-demo-app:bench',
      environment: { DEMO_MODE: 'async', DEMO_DELAY_MS: '0' },
      expose: ['80'],
    });
    const serial = balancedStack(images, { mode: 'serial', delayMs: 100 }, [], 0);
    expect(serial.services[APP_SERVICE]?.environment).toEqual({ DEMO_MODE: 'serial', DEMO_DELAY_MS: '100' });
  });

  it('adds one balancer per strategy, each reading the socket with its group', () => {
    const doc = balancedStack(images, { mode: 'async', delayMs: 100 }, ['round-robin', 'least-conn'], 998);
    expect(Object.keys(doc.services)).toEqual([APP_SERVICE, balancerService('round-robin'), balancerService('least-conn')]);
    expect(doc.services[balancerService('least-conn')]).toMatchObject({
      image: 'compose-lb:bench',
      environment: { LB_SERVICE: APP_SERVICE, LB_STRATEGY: 'least-conn' },
      volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro'],
      group_add: ['998'],
    });
  });

  it('runs churn with both layouts: a balancer with the socket, and one fed by discovery, which alone has it', () => {
    const doc = churnStack(images, { delayMs: 100 }, 'round-robin', 998);
    expect(doc.services[balancerService('round-robin')]).toMatchObject({ volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro'] });
    const fed = doc.services[DISCOVERY_FED_BALANCER];
    expect(fed).toMatchObject({ environment: { LB_SERVICE: APP_SERVICE, LB_DISCOVERY_URL: `http://${DISCOVERY_SERVICE}:8082` } });
    expect(fed).not.toHaveProperty('volumes');
    expect(doc.services[DISCOVERY_SERVICE]).toMatchObject({ command: ['discover'], group_add: ['998'], networks: ['compose-lb'] });
    // Its health is asked on discovery's own port, not on the admin port the image's HEALTHCHECK asks.
    expect(doc.services[DISCOVERY_SERVICE]?.healthcheck).toEqual({ test: ['CMD', 'node', '/app/compose-lb.js', 'probe', '--port', '8082', '/healthz'] });
    expect(doc.networks).toEqual({ 'compose-lb': { internal: true } });
  });

  it('routes every service of the routing stack by its own host, in LB_SERVICE order', () => {
    expect(routedServices(3)).toEqual(['r01', 'r02', 'r03']);
    const doc = routingStack(images, 3);
    expect(Object.keys(doc.services)).toEqual(['r01', 'r02', 'r03']);
    expect(doc.services.r03).toMatchObject({ labels: { 'compose-lb.host': 'r03.bench.test' }, environment: { DEMO_DELAY_MS: '0' } });
  });
});
