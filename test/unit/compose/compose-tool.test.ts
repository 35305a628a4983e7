import { ComposeInputError } from '../../../src/compose/compose-errors';
import { detectCompose, parseProjectName, scaleUpArgs } from '../../../src/runtime/compose-tool';
import { FakeRunner } from './fake-runner';
import { thrown } from './fixtures';

const both = (): FakeRunner => new FakeRunner(() => ({ code: 0 }));
const onlyV1 = (): FakeRunner => new FakeRunner((c) => (c === 'docker-compose version' ? { code: 0 } : undefined));

describe('detectCompose', () => {
  it('prefers the v2 plugin when both run', async () => {
    expect(await detectCompose(both(), { file: 'c.yaml' })).toEqual({
      program: 'docker',
      prefix: ['compose', '-f', 'c.yaml'],
    });
  });

  it('falls back to docker-compose, passing -f only when a file was named', async () => {
    expect(await detectCompose(onlyV1(), {})).toEqual({ program: 'docker-compose', prefix: [] });
  });

  it('puts -p NAME before the subcommand, after -f, for both flavours', async () => {
    const target = { file: 'c.yaml', projectName: 'shop' };
    expect(await detectCompose(both(), target)).toEqual({
      program: 'docker',
      prefix: ['compose', '-f', 'c.yaml', '-p', 'shop'],
    });
    expect(await detectCompose(onlyV1(), target)).toEqual({
      program: 'docker-compose',
      prefix: ['-f', 'c.yaml', '-p', 'shop'],
    });
    expect(await detectCompose(both(), { projectName: 'shop' })).toEqual({
      program: 'docker',
      prefix: ['compose', '-p', 'shop'],
    });
  });

  it.each([
    ['docker-compose', { program: 'docker-compose', prefix: [] }],
    ['docker compose', { program: 'docker', prefix: ['compose'] }],
  ])('takes the flavour COMPOSE_LB_COMPOSE names (%s) without probing', async (choice, tool) => {
    const runner = both();
    expect(await detectCompose(runner, {}, choice)).toEqual(tool);
    expect(runner.calls).toEqual([]);
  });

  it('refuses any other choice with a message naming the variable', async () => {
    await expect(detectCompose(both(), {}, 'podman-compose')).rejects.toThrow(/COMPOSE_LB_COMPOSE/);
  });

  it('says what to install when neither runs', async () => {
    await expect(detectCompose(new FakeRunner(() => undefined), {})).rejects.toThrow(/install Docker Compose/);
  });
});

describe('scaleUpArgs', () => {
  it('scales the whole project for `scale`, only the service for `rollout`', () => {
    expect(scaleUpArgs('web', 3)).toEqual(['up', '-d', '--no-recreate', '--scale', 'web=3']);
    expect(scaleUpArgs('web', 6, true)).toEqual(['up', '-d', '--no-recreate', '--scale', 'web=6', 'web']);
  });
});

describe('parseProjectName', () => {
  it.each(['demo', 'shop_2', '0-staging'])('accepts %s', (name) => {
    expect(parseProjectName(name)).toBe(name);
  });

  it.each(['Demo', '-x', '_x', 'a.b', 'a b', ''])('refuses %j as Compose would', (name) => {
    expect(thrown(() => parseProjectName(name))).toBeInstanceOf(ComposeInputError);
  });
});
