import { readFileSync, writeFileSync } from 'node:fs';
import type { ReplicasDocument } from '../../../src/admin/views';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { runCommands, writeBalancedProject, type CliRun } from './cli-harness';
import { drainCommand, LB, PROBE, probeAnswer } from './fake-stack';
import type { Script } from './fake-runner';
import { replica, replicasDoc } from './replicas-fixtures';
import { useTempDir } from './temp-dir';

// The commands on a balancer in front of several services: add and remove a
// route, and status, scale and drain naming the service they mean to the balancer.

const tmp = useTempDir();
const cli = (argv: string[], script: Script = () => undefined): Promise<CliRun> => runCommands(tmp(), argv, script);

const webDoc = replicasDoc([replica(1, 'ready'), replica(2, 'ready')]);
const apiDoc: ReplicasDocument = {
  ...replicasDoc([replica(1, 'ready', { name: 'demo-api-1' }), replica(2, 'starting', { name: 'demo-api-2' })]),
  service: 'api',
  route: 'path /api (stripped)',
};

/** Compose v2, web-lb running as LB, answering /services and /replicas?service=api. */
function docker(over: Script = () => undefined): Script {
  return (command) => {
    const answer = over(command);
    if (answer) return answer;
    if (command === 'docker compose version') return {};
    if (command === 'docker compose ps -q web-lb') return { stdout: `${LB}\n` };
    if (command.startsWith('docker compose up')) return {};
    if (command === `${PROBE} /services`) return probeAnswer(200, { project: 'demo', services: [webDoc, apiDoc] });
    if (command === `${PROBE} /replicas?service=api`) return probeAnswer(200, apiDoc);
    return undefined;
  };
}

/** web behind web-lb (v38-build-and-image), then api routed through it under /api. */
async function routedProject(): Promise<string> {
  const path = writeBalancedProject(tmp());
  const run = await cli(['add', 'api', '--path-prefix', '/api', '--strip-prefix']);
  expect(run.error).toBeUndefined();
  return path;
}

describe('compose-lb add SERVICE --host / --path-prefix', () => {
  it('routes SERVICE through the balancer in the file, and remove takes only that route out', async () => {
    const path = writeBalancedProject(tmp());
    const before = readFileSync(path, 'utf8');
    const run = await cli(['add', 'api', '--path-prefix', '/api', '--strip-prefix']);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe(
      [
        'updated compose.yaml:',
        '  - added api to web-lb (path /api (stripped)), forwarding to its port 80',
        '  - api publishes no ports: web-lb reaches it on 80, as every service it balances',
        '  - api now exposes 80',
        '  - web-lb now balances web, api',
        'next: docker compose up -d web-lb (so it balances api too), then compose-lb scale api=3',
        '',
      ].join('\n'),
    );
    const routed = readFileSync(path, 'utf8');
    expect(routed).toContain('      LB_SERVICE: web,api\n');
    expect(routed).toContain('    labels:\n      compose-lb.path-prefix: /api\n      compose-lb.strip-prefix: "true"\n');
    const removed = await cli(['remove', 'api']);
    expect(removed.stdout).toBe(
      [
        'updated compose.yaml:',
        '  - took api out of web-lb, which goes on balancing web',
        '  - recreate web-lb (docker compose up -d web-lb) so it stops balancing api',
        '',
      ].join('\n'),
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('with -f, the next step names the file; --pin asks Docker nothing: a route keeps its balancer image', async () => {
    writeBalancedProject(tmp());
    const run = await cli(['add', 'api', '--host', 'api.localhost', '-f', 'compose.yaml', '--pin']);
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toEqual([]);
    expect(run.stdout.split('\n').slice(-2)).toEqual([
      'next: docker compose -f compose.yaml up -d web-lb (so it balances api too), then compose-lb scale api=3 -f compose.yaml',
      '',
    ]);
  });

  it.each([
    [['add', 'api'], /^web-lb already sends web every request no rule matches \(its default route\), so api needs a rule/],
    [['add', 'api', '--mode', 'tcp', '--host', 'api.localhost'], /^--host, --path-prefix and --balancer are for HTTP/],
    [['add', 'api', '--host', 'api.localhost', '--balancer', 'nope'], /^--balancer nope: no such balancer in compose.yaml/],
  ])('refuses %j (exit 2), the file untouched', async (argv, message) => {
    const path = writeBalancedProject(tmp());
    const before = readFileSync(path, 'utf8');
    const run = await cli(argv);
    expect(run.error).toBeInstanceOf(ComposeInputError);
    expect((run.error as Error).message).toMatch(message);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('takes http or tcp for --mode, nothing else', async () => {
    writeBalancedProject(tmp());
    const run = await cli(['add', 'db', '--mode', 'udp']);
    expect(run.error).toMatchObject({ code: 'commander.invalidArgument' });
    expect(run.stderr).toMatch(/Allowed choices are http, tcp/);
  });

  it('--mode tcp writes a balancer of its own next to the HTTP one', async () => {
    const path = writeBalancedProject(tmp());
    const db = '  db:\n    image: postgres:16-alpine\n';
    writeFileSync(path, readFileSync(path, 'utf8').replace(db, `${db}    ports:\n      - "5432:5432"\n`));
    const run = await cli(['add', 'db', '--mode', 'tcp']);
    expect(run.error).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toMatch(/ {2}db-lb:\n {4}image: .*\n {4}environment:\n {6}LB_SERVICE: db\n {6}LB_MODE: tcp\n/);
  });
});

describe('the commands that ask a balancer of several services name theirs', () => {
  it('status: one table per service of each balancer, titled with its route', async () => {
    await routedProject();
    const run = await cli(['status'], docker());
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toContain(`${PROBE} /services`);
    expect(run.stdout).toBe(
      [
        'web-lb -> web [default route] (project demo, round-robin): 2 of 2 ready',
        'NAME        STATE  HEALTH  ADDRESS        IN-FLIGHT  SERVED',
        'demo-web-1  ready  none    172.18.0.3:80  0          10',
        'demo-web-2  ready  none    172.18.0.4:80  0          20',
        '',
        'web-lb -> api [path /api (stripped)] (project demo, round-robin): 1 of 2 ready',
        'NAME        STATE     HEALTH  ADDRESS        IN-FLIGHT  SERVED',
        'demo-api-1  ready     none    172.18.0.3:80  0          10',
        'demo-api-2  starting  none    172.18.0.4:80  0          20',
        '',
      ].join('\n'),
    );
  });

  it('status SERVICE: that service only; status BALANCER: all it balances', async () => {
    await routedProject();
    const one = await cli(['status', 'api'], docker());
    expect(one.runner.calls.filter((c) => c.startsWith('docker exec'))).toEqual([`${PROBE} /replicas?service=api`]);
    expect(one.stdout).toMatch(/^web-lb -> api \[path \/api \(stripped\)\] .*\n(.*\n){3}$/);
    const all = await cli(['status', 'web-lb'], docker());
    expect(all.runner.calls.filter((c) => c.startsWith('docker exec'))).toEqual([`${PROBE} /services`]);
  });

  it('status says what the balancer says about a service it does not balance yet (until `up` recreates it)', async () => {
    await routedProject();
    const refusal = probeAnswer(404, { error: 'this balancer does not balance "api"' });
    const stale = docker((c) => (c === `${PROBE} /replicas?service=api` ? refusal : undefined));
    const run = await cli(['status', 'api'], stale);
    expect((run.error as Error).message).toBe(
      'cannot read the balancer\'s replicas of api (docker exec f00dfeedbeef): this balancer does not balance "api"',
    );
  });

  it('scale SERVICE waits for that service of the balancer', async () => {
    await routedProject();
    const ready = { ...apiDoc, ready: 2, replicas: apiDoc.replicas.map((r) => ({ ...r, state: 'ready' })) };
    const answer = probeAnswer(200, ready);
    const run = await cli(['scale', 'api=2'], docker((c) => (c === `${PROBE} /replicas?service=api` ? answer : undefined)));
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toContain('docker compose up -d --no-recreate --scale api=2');
    expect(run.stdout).toBe('api: 2 of 2 replicas ready behind web-lb\n');
  });

  it('drain and undrain SERVICE ask about that service', async () => {
    await routedProject();
    const answer = probeAnswer(200, { changed: true, replica: replica(2, 'drained', { name: 'demo-api-2' }) });
    const answers = new Map([
      [drainCommand('2', 'drain', 'api'), answer],
      [drainCommand('2', 'undrain', 'api'), answer],
    ]);
    for (const verb of ['drain', 'undrain']) {
      const run = await cli([verb, 'api', '2'], docker((c) => answers.get(c)));
      expect(run.error).toBeUndefined();
      expect(run.runner.calls).toContain(drainCommand('2', verb, 'api'));
    }
  });
});
