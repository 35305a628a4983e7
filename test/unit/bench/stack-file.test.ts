import { APP_SERVICE, balancedStack, balancerService, fastReplicaStack } from '../../../bench/docker/stack-file';

const images = { balancer: 'compose-lb:bench', app: 'compose-lb-demo-app:bench' };

describe('bench stack files', () => {
  it('pins every container to CPU 1 and publishes no port (docker-proxy would distort the figures)', () => {
    const stacks = [fastReplicaStack(images), balancedStack(images, { mode: 'serial', delayMs: 100 }, ['round-robin', 'least-conn'], 998)];
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
});
