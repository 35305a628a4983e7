import { detectCompose } from '../../../src/compose/compose-tool';
import { FakeRunner } from './fake-runner';

const both = (): FakeRunner => new FakeRunner(() => ({ code: 0 }));
const onlyV1 = (): FakeRunner => new FakeRunner((c) => (c === 'docker-compose version' ? { code: 0 } : undefined));

describe('detectCompose', () => {
  it('prefers the v2 plugin when both run', async () => {
    expect(await detectCompose(both(), 'c.yaml')).toEqual({ program: 'docker', prefix: ['compose', '-f', 'c.yaml'] });
  });

  it('falls back to docker-compose, passing -f only when a file was named', async () => {
    expect(await detectCompose(onlyV1(), undefined)).toEqual({ program: 'docker-compose', prefix: [] });
  });

  it.each([
    ['docker-compose', { program: 'docker-compose', prefix: [] }],
    ['docker compose', { program: 'docker', prefix: ['compose'] }],
  ])('takes the flavour COMPOSE_LB_COMPOSE names (%s) without probing', async (choice, tool) => {
    const runner = both();
    expect(await detectCompose(runner, undefined, choice)).toEqual(tool);
    expect(runner.calls).toEqual([]);
  });

  it('refuses any other choice with a message naming the variable', async () => {
    await expect(detectCompose(both(), undefined, 'podman-compose')).rejects.toThrow(/COMPOSE_LB_COMPOSE/);
  });

  it('says what to install when neither runs', async () => {
    await expect(detectCompose(new FakeRunner(() => undefined), undefined)).rejects.toThrow(/install Docker Compose/);
  });
});
