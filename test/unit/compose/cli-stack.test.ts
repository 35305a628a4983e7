import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplicasDocument } from '../../../src/admin/views';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { statusFrame } from '../../../src/runtime/live-status';
import { ComposeRunError } from '../../../src/runtime/runtime-errors';
import { runCommands, type CliRun } from './cli-harness';
import { FakeInterrupts } from './fake-interrupts';
import type { Script } from './fake-runner';
import { LB, PROBE, READ_WEB } from './fake-stack';
import { fixture } from './fixtures';
import { replica, replicasDoc, replicaStatus, serviceStatus, statusDoc } from './replicas-fixtures';
import { useTempDir } from './temp-dir';

// scale and status --stack against a fake Docker on a swarm manager: the
// balancer is a task of shop_web-lb on this node, the tasks come from
// `docker service ps`. No Compose is asked anything.

const tmp = useTempDir();
const FIND_LB = 'docker ps -q --filter label=com.docker.swarm.service.name=shop_web-lb';
const SCALE_WEB = 'docker service scale shop_web=3';
const tasksOf = (service: string): string => `docker service ps shop_${service} --format {{json .}}`;

/** web-lb in front of web and api, written by add --swarm; found by the default name. */
function stackProject(name = 'compose.yaml'): string {
  const path = join(tmp(), name);
  writeFileSync(path, fixture('swarm-routes').expectedAdd ?? '');
  return path;
}

/** A replica as the balancer names a task: SERVICE.SLOT in the swarm (src/swarm/task-replica.ts). */
const task = (n: number, state: string, service = 'web'): ReturnType<typeof replica> =>
  replica(n, state, { name: `shop_${service}.${n}`, address: `10.0.1.${n + 4}:80` });
const swarmDoc = (replicas: ReturnType<typeof replica>[], service = 'web'): ReplicasDocument => ({
  ...replicasDoc(replicas),
  service,
  project: 'shop',
});

/** A line of `docker service ps --format '{{json .}}'`, as docker/cli prints one. */
function psLine(name: string, node: string, desired: string, current: string): string {
  const extra = { Error: '', ID: 'x1y2z3', Image: 'shop:2', Ports: '' };
  return JSON.stringify({ CurrentState: current, DesiredState: desired, Name: name, Node: node, ...extra });
}

/** A swarm manager with a web-lb task here answering `docs` in turn. */
function swarm(docs: ReplicasDocument[], over: Script = () => undefined): Script {
  let asked = 0;
  const next = (): ReplicasDocument | undefined => docs[Math.min(asked++, docs.length - 1)];
  return (command) => {
    const answer = over(command);
    if (answer) return answer;
    if (command === FIND_LB) return { stdout: `${LB}\n` };
    if (command === SCALE_WEB) return {};
    if (command === READ_WEB) return { stdout: JSON.stringify(next()) };
    return undefined;
  };
}

const run = (argv: string[], script: Script): Promise<CliRun> => runCommands(tmp(), argv, script);

describe('compose-lb add --swarm', () => {
  const swarmFixture = fixture('swarm-routes');
  const input = (): string => {
    const path = join(tmp(), 'compose.yaml');
    writeFileSync(path, swarmFixture.input);
    return path;
  };
  const add = (argv: string[]): Promise<CliRun> => run(['add', ...argv, '--image', 'compose-lb:0.1.0'], () => undefined);

  it('writes the file for docker stack deploy, and says to deploy it next; a route of it follows without asking', async () => {
    const path = input();
    const web = await add(['web', '--swarm']);
    expect(web.error).toBeUndefined();
    const next = (service: string): string =>
      `\nnext: docker stack deploy -c compose.yaml STACK, then compose-lb scale ${service}=3 --stack STACK\n`;
    expect(web.stdout.endsWith(next('web'))).toBe(true);
    const api = await add(['api', '--host', 'api.localhost']);
    expect(api.stdout.endsWith(next('api'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(swarmFixture.expectedAdd);
    expect(web.runner.calls).toEqual([]);
  });

  it('refuses (exit 2) --swarm with --socket direct, leaving the file as it was', async () => {
    const path = input();
    const result = await add(['web', '--swarm', '--socket', 'direct']);
    expect(result.error).toBeInstanceOf(ComposeInputError);
    expect((result.error as Error).message).toMatch(/^--socket direct does not go with --swarm: /);
    expect(readFileSync(path, 'utf8')).toBe(swarmFixture.input);
  });
});

describe('compose-lb scale --stack', () => {
  const converging = [
    swarmDoc([task(1, 'ready'), task(2, 'starting')]),
    swarmDoc([task(1, 'ready'), task(2, 'ready'), task(3, 'ready')]),
  ];

  it('runs docker service scale, finds the balancer task on this node, then waits for the balancer', async () => {
    stackProject();
    const result = await run(['scale', 'web=3', '--stack', 'shop'], swarm(converging));
    expect(result.error).toBeUndefined();
    expect(result.runner.calls).toEqual([SCALE_WEB, FIND_LB, READ_WEB, READ_WEB]);
    expect(result.stderr).toBe(
      [
        'compose-lb: running docker service scale shop_web=3',
        'compose-lb: web: 1 of 3 ready (1 starting: shop_web.2)',
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe('web: 3 of 3 replicas ready behind web-lb (stack shop)\n');
  });

  it('-f still says where the balancer is named', async () => {
    stackProject('stack.yml');
    const result = await run(['scale', 'web=3', '--stack', 'shop', '-f', 'stack.yml'], swarm(converging.slice(1)));
    expect(result.error).toBeUndefined();
    expect(result.runner.calls[0]).toBe(SCALE_WEB);
  });

  it('with no balancer task on this node (balancers on workers), scales and reports what the swarm ran, saying where to look', async () => {
    stackProject();
    const elsewhere = swarm(converging, (c) => (c === FIND_LB ? { stdout: '' } : undefined));
    const result = await run(['scale', 'web=3', '--stack', 'shop'], elsewhere);
    expect(result.error).toBeUndefined();
    expect(result.runner.calls).toEqual([SCALE_WEB, FIND_LB]);
    expect(result.stdout).toBe(
      'web: 3 tasks running (stack shop); no task of shop_web-lb runs on this node to ask; ' +
        'see its view where one runs (docker service ps shop_web-lb)\n',
    );
  });

  it('fails (exit 1) when docker service scale does, or docker ps', async () => {
    stackProject();
    const refused = swarm(converging, (c) => (c === SCALE_WEB ? { code: 1 } : undefined));
    const failing = await run(['scale', 'web=3', '--stack', 'shop'], refused);
    expect((failing.error as Error).message).toBe('`docker service scale shop_web=3` failed (exit code 1)');
    const noDaemon = swarm(converging, (c) =>
      c === FIND_LB ? { code: 1, stderr: 'Cannot connect to the Docker daemon' } : undefined,
    );
    const ps = await run(['scale', 'web=3', '--stack', 'shop'], noDaemon);
    expect((ps.error as Error).message).toBe(
      '`docker ps -q --filter label=com.docker.swarm.service.name=shop_web-lb` failed: Cannot connect to the Docker daemon',
    );
  });

  it('refuses (exit 2) -p with --stack, and a name no stack can have, before running anything', async () => {
    stackProject();
    const both = await run(['scale', 'web=3', '--stack', 'shop', '-p', 'shop'], swarm(converging));
    expect(both.error).toBeInstanceOf(ComposeInputError);
    expect((both.error as Error).message).toBe('-p names a Compose project and --stack a Swarm stack: give one of them');
    expect(both.runner.calls).toEqual([]);
    for (const name of ['my.shop', '-shop', 'shop_', 'a b']) {
      const bad = await run(['scale', 'web=3', '--stack', name], swarm(converging));
      expect(bad.error).toMatchObject({ code: 'commander.invalidArgument' });
      expect(bad.stderr).toContain(`"${name}" is not a stack name`);
      expect(bad.runner.calls).toEqual([]);
    }
  });
});

describe('compose-lb status --stack', () => {
  const webTasks = [
    psLine('shop_web.1', 'node-a', 'Running', 'Running 2 minutes ago'),
    psLine('shop_web.1', 'node-b', 'Shutdown', 'Shutdown 3 minutes ago'),
    psLine('shop_web.2', 'node-b', 'Shutdown', 'Running 2 minutes ago'),
    psLine('shop_web.3', 'node-b', 'Running', 'Starting 1 second ago'),
  ];
  const webDoc = swarmDoc([task(1, 'ready'), task(2, 'stopping'), task(3, 'starting'), task(4, 'ready')]);
  const apiDoc = { ...swarmDoc([task(1, 'ready', 'api')], 'api'), route: 'host api.localhost' };
  const manager = (over: Script = () => undefined): Script =>
    swarm([webDoc], (command) => {
      const answer = over(command);
      if (answer) return answer;
      if (command === `${PROBE} /services`) return { stdout: JSON.stringify({ project: 'shop', services: [webDoc, apiDoc] }) };
      if (command === tasksOf('web')) return { stdout: `${webTasks.join('\n')}\n` };
      if (command === tasksOf('api')) return { stdout: `${psLine('shop_api.1', 'node-a', 'Running', 'Running 1 hour ago')}\n` };
      return undefined;
    });

  it("shows each service's tasks and their nodes beside what the balancer says of them", async () => {
    stackProject();
    const result = await run(['status', '--stack', 'shop'], manager());
    expect(result.error).toBeUndefined();
    expect(result.runner.calls).toEqual([FIND_LB, `${PROBE} /services`, tasksOf('web'), tasksOf('api')]);
    expect(result.stdout).toBe(
      [
        'web-lb -> web [default route] (stack shop, round-robin): 2 of 4 ready; swarm: 1 of 2 tasks running',
        'TASK        NODE    DESIRED   CURRENT                BALANCER  ADDRESS      IN-FLIGHT  SERVED',
        'shop_web.1  node-a  Running   Running 2 minutes ago  ready     10.0.1.5:80  0          10',
        'shop_web.2  node-b  Shutdown  Running 2 minutes ago  stopping  10.0.1.6:80  0          20',
        'shop_web.3  node-b  Running   Starting 1 second ago  starting  10.0.1.7:80  0          30',
        'shop_web.4  -       -         -                      ready     10.0.1.8:80  0          40',
        '',
        'web-lb -> api [host api.localhost] (stack shop, round-robin): 1 of 1 ready; swarm: 1 of 1 tasks running',
        'TASK        NODE    DESIRED  CURRENT             BALANCER  ADDRESS      IN-FLIGHT  SERVED',
        'shop_api.1  node-a  Running  Running 1 hour ago  ready     10.0.1.5:80  0          10',
        '',
      ].join('\n'),
    );
  });

  it('still shows the tasks (exit 1) when no balancer task runs here, of the service asked about', async () => {
    stackProject();
    const result = await run(['status', 'web', '--stack', 'shop'], manager((c) => (c === FIND_LB ? { stdout: '' } : undefined)));
    expect(result.error).toBeInstanceOf(ComposeRunError);
    expect((result.error as Error).message).toMatch(/^no task of shop_web-lb runs on this node/);
    expect(result.runner.calls).toEqual([FIND_LB, tasksOf('web')]);
    expect(result.stdout).toBe(
      [
        'web-lb -> web (stack shop): no answer from the balancer; swarm: 1 of 2 tasks running',
        'TASK        NODE    DESIRED   CURRENT                BALANCER  ADDRESS  IN-FLIGHT  SERVED',
        'shop_web.1  node-a  Running   Running 2 minutes ago  -         -        -          -',
        'shop_web.2  node-b  Shutdown  Running 2 minutes ago  -         -        -          -',
        'shop_web.3  node-b  Running   Starting 1 second ago  -         -        -          -',
        '',
      ].join('\n'),
    );
  });

  it('still shows the balancer (exit 1) away from a manager, where docker service ps fails', async () => {
    stackProject();
    const worker = manager((c) =>
      c.startsWith('docker service ps') ? { code: 1, stderr: 'Error: This node is not a swarm manager.' } : undefined,
    );
    const result = await run(['status', 'web', '--stack', 'shop'], worker);
    expect((result.error as Error).message).toBe(
      '`docker service ps shop_web --format {{json .}}` failed: Error: This node is not a swarm manager.',
    );
    const title = 'web-lb -> web [default route] (stack shop, round-robin): 2 of 4 ready; swarm: 0 of 0 tasks running\n';
    expect(result.stdout.startsWith(title)).toBe(true);
    expect(result.stdout).toContain('shop_web.4  -     -        -        ready     10.0.1.8:80');
  });

  it('--watch asks the balancer task here, found once', async () => {
    stackProject();
    const interrupts = new FakeInterrupts();
    const live = statusDoc([serviceStatus([replicaStatus(1, 'ready', { name: 'shop_web.1' })])]);
    let asked = 0;
    const script = manager((c) => {
      if (c !== `${PROBE} /status`) return undefined;
      // Ctrl-C while the second frame is read: that frame is not drawn.
      if (++asked === 2) interrupts.press();
      return { stdout: JSON.stringify(live) };
    });
    const result = await runCommands(tmp(), ['status', '--watch', '--stack', 'shop'], script, { interrupts });
    expect(result.error).toBeUndefined();
    expect(result.runner.calls).toEqual([FIND_LB, `${PROBE} /status`, `${PROBE} /status`]);
    expect(result.stdout).toBe(statusFrame(live, 'web-lb'));
  });
});
