import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addBalancer } from '../../../src/compose/add-balancer';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { parseComposeFile } from '../../../src/compose/compose-file';
import type { ReplicasDocument } from '../../../src/admin/views';
import { ComposeRunError, ScaleTimeoutError } from '../../../src/runtime/runtime-errors';
import { runCommands, writeBalancedProject, type CliRun } from './cli-harness';
import type { Script } from './fake-runner';
import { LB, PROBE, READ_WEB } from './fake-stack';
import { fixture } from './fixtures';
import { replica, replicasDoc } from './replicas-fixtures';
import { useTempDir } from './temp-dir';

// scale and status against a fake Docker: the waiting, progress and table logic
// without containers. The real-engine test of scale is in test/docker.

const tmp = useTempDir();
const compose = (argv: string[], script: Script): Promise<CliRun> => runCommands(tmp(), argv, script);

const balancedProject = (): string => writeBalancedProject(tmp());

/** Docker with the compose plugin, where the balancer answers `docs` in turn, about web or (/services) all it balances. */
function docker(docs: ReplicasDocument[], over: Script = () => undefined): Script {
  let probe = 0;
  const next = (): ReplicasDocument | undefined => docs[Math.min(probe++, docs.length - 1)];
  return (command) => {
    const answer = over(command);
    if (answer) return answer;
    if (command === 'docker compose version') return { stdout: 'Docker Compose version v2.26.1\n' };
    if (command.startsWith('docker compose up')) return {};
    if (command === 'docker compose ps -q web-lb') return { stdout: `${LB}\n` };
    if (command === READ_WEB) return { stdout: JSON.stringify(next()) };
    if (command === `${PROBE} /services`) return { stdout: JSON.stringify({ project: 'demo', services: [next()] }) };
    return undefined;
  };
}

const readyDocs = [
  replicasDoc([replica(1, 'ready'), replica(2, 'starting'), replica(3, 'starting')]),
  replicasDoc([replica(1, 'ready'), replica(2, 'ready'), replica(3, 'starting')]),
  replicasDoc([replica(1, 'ready'), replica(2, 'ready'), replica(3, 'ready')]),
];

describe('compose-lb scale', () => {
  it('runs docker compose up with --scale, then waits for the balancer to report the replicas ready', async () => {
    balancedProject();
    const run = await compose(['scale', 'web=3'], docker(readyDocs));
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toEqual([
      'docker compose version',
      'docker compose up -d --no-recreate --scale web=3',
      'docker compose ps -q web-lb',
      READ_WEB,
      READ_WEB,
      READ_WEB,
    ]);
    expect(run.stderr).toBe(
      [
        'compose-lb: running docker compose up -d --no-recreate --scale web=3',
        'compose-lb: web: 1 of 3 ready (2 starting: demo-web-2, demo-web-3)',
        'compose-lb: web: 2 of 3 ready (1 starting: demo-web-3)',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toBe('web: 3 of 3 replicas ready behind web-lb\n');
  });

  it('passes -f on to Compose, and falls back to docker-compose without the plugin', async () => {
    const path = balancedProject();
    const v1 = docker(readyDocs.slice(2), (command) => {
      if (command === 'docker-compose version') return { stdout: 'docker-compose version 1.29.2\n' };
      if (command === `docker-compose -f ${path} ps -q web-lb`) return { stdout: 'f00dfeedbeef1234\n' };
      if (command.startsWith('docker-compose -f')) return {};
      if (command === 'docker compose version') {
        return { code: 125, stderr: "docker: 'compose' is not a docker command." };
      }
      return undefined;
    });
    const run = await compose(['scale', 'web=3', '-f', 'compose.yaml'], v1);
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toContain(`docker-compose -f ${path} up -d --no-recreate --scale web=3`);
  });

  it('passes -p NAME on to every Compose command, before the subcommand', async () => {
    balancedProject();
    const v2 = docker(readyDocs.slice(2), (command) => {
      if (command === 'docker compose -p shop ps -q web-lb') return { stdout: 'f00dfeedbeef1234\n' };
      return command.startsWith('docker compose -p shop up') ? {} : undefined;
    });
    const run = await compose(['scale', 'web=3', '-p', 'shop'], v2);
    expect(run.error).toBeUndefined();
    expect(run.runner.calls.slice(0, 3)).toEqual([
      'docker compose version',
      'docker compose -p shop up -d --no-recreate --scale web=3',
      'docker compose -p shop ps -q web-lb',
    ]);
    const bad = await compose(['scale', 'web=3', '-p', 'My Shop'], v2);
    expect(bad.error).toMatchObject({ code: 'commander.invalidArgument' });
    expect(bad.runner.calls).toEqual([]);
  });

  it('times out with what the balancer saw last (exit 1)', async () => {
    balancedProject();
    const run = await compose(['scale', 'web=3', '--timeout', '5s'], docker(readyDocs.slice(1, 2)));
    expect(run.error).toBeInstanceOf(ScaleTimeoutError);
    expect((run.error as Error).message).toBe(
      'gave up after 5s waiting for 3 ready replicas of web; last: web: 2 of 3 ready (1 starting: demo-web-3)',
    );
  });

  it('fails (exit 1) when Compose fails, or is not installed', async () => {
    balancedProject();
    const failing = await compose(
      ['scale', 'web=3'],
      docker(readyDocs, (c) => (c.startsWith('docker compose up') ? { code: 18 } : undefined)),
    );
    expect(failing.error).toBeInstanceOf(ComposeRunError);
    expect((failing.error as Error).message).toBe(
      '`docker compose up -d --no-recreate --scale web=3` failed (exit code 18)',
    );
    const missing = await compose(['scale', 'web=3'], () => undefined);
    expect((missing.error as Error).message).toBe(
      'neither `docker compose` nor `docker-compose` runs here; install Docker Compose',
    );
  });

  it('fails when the balancer is not running after up', async () => {
    balancedProject();
    const run = await compose(
      ['scale', 'web=3'],
      docker(readyDocs, (c) => (c.endsWith('ps -q web-lb') ? { stdout: '' } : undefined)),
    );
    expect((run.error as Error).message).toBe('web-lb is not running after `up`; see its logs');
  });

  it('refuses (exit 2) a service without a balancer, an unknown one, or a bad SERVICE=N, before running anything', async () => {
    balancedProject();
    for (const [argv, message] of [
      [['scale', 'api=2'], 'api has no balancer in compose.yaml; run `compose-lb add api` first'],
      [['scale', 'wbe=2'], 'no service "wbe" in compose.yaml; its services are: web, web-lb, compose-lb-discovery, api, db'],
      [['scale', 'web'], '"web" is not SERVICE=REPLICAS (e.g. web=3, at most 1000)'],
    ] as const) {
      const run = await compose([...argv], docker(readyDocs));
      expect(run.error).toBeInstanceOf(ComposeInputError);
      expect((run.error as Error).message).toBe(message);
      expect(run.runner.calls).toEqual([]);
    }
  });
});

describe('compose-lb status', () => {
  it('prints a table of the replicas of each balancer', async () => {
    balancedProject();
    const run = await compose(['status'], docker(readyDocs.slice(1)));
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe(
      [
        'web-lb -> web [default route] (project demo, round-robin): 2 of 3 ready',
        'NAME        STATE     HEALTH  ADDRESS        IN-FLIGHT  SERVED',
        'demo-web-1  ready     none    172.18.0.3:80  0          10',
        'demo-web-2  ready     none    172.18.0.4:80  0          20',
        'demo-web-3  starting  none    172.18.0.5:80  0          30',
        '',
      ].join('\n'),
    );
  });

  it('shows replicas drained by hand as drained, and counts them in the title', async () => {
    balancedProject();
    const doc = replicasDoc([replica(1, 'ready'), replica(2, 'drained', { inflight: 2 })]);
    const run = await compose(['status'], docker([doc]));
    expect(run.stdout).toBe(
      [
        'web-lb -> web [default route] (project demo, round-robin): 1 of 2 ready, 1 drained by hand',
        'NAME        STATE    HEALTH  ADDRESS        IN-FLIGHT  SERVED',
        'demo-web-1  ready    none    172.18.0.3:80  0          10',
        'demo-web-2  drained  none    172.18.0.4:80  2          20',
        '',
      ].join('\n'),
    );
  });

  it('passes -f and -p on to Compose (v1 here)', async () => {
    const path = balancedProject();
    const v1 = docker(readyDocs, (command) => {
      if (command === 'docker compose version') return { code: 125 };
      if (command === 'docker-compose version') return {};
      return command === `docker-compose -f ${path} -p shop ps -q web-lb` ? { stdout: 'f00dfeedbeef1234\n' } : undefined;
    });
    const run = await compose(['status', 'web', '-f', 'compose.yaml', '-p', 'shop'], v1);
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toContain(`docker-compose -f ${path} -p shop ps -q web-lb`);
  });

  it('fails (exit 1) when the balancer is not running', async () => {
    balancedProject();
    const run = await compose(
      ['status', 'web'],
      docker([], (c) => (c.endsWith('ps -q web-lb') ? { stdout: '' } : undefined)),
    );
    expect(run.error).toBeInstanceOf(ComposeRunError);
    expect((run.error as Error).message).toBe('web-lb is not running');
  });

  it('refuses (exit 2) a service without a balancer', async () => {
    balancedProject();
    const run = await compose(['status', 'db'], docker([]));
    expect(run.error).toBeInstanceOf(ComposeInputError);
    expect((run.error as Error).message).toBe('db has no balancer in compose.yaml; add one with `compose-lb add db`');
  });
});

describe('either layout', () => {
  // Both talk to the balancer's container through docker exec, never to the socket.
  it.each(['discovery', 'direct'] as const)('scale and status ask a balancer of --socket %s the same', async (socket) => {
    const f = fixture('v38-build-and-image');
    const added = addBalancer(parseComposeFile(f.input, 'compose.yaml'), { ...f.request, socket }).text;
    writeFileSync(join(tmp(), 'compose.yaml'), added);
    const scaled = await compose(['scale', 'web=3'], docker(readyDocs.slice(2)));
    const status = await compose(['status'], docker(readyDocs.slice(2)));
    expect([scaled.error, status.error]).toEqual([undefined, undefined]);
    expect(scaled.runner.calls).toEqual([
      'docker compose version',
      'docker compose up -d --no-recreate --scale web=3',
      'docker compose ps -q web-lb',
      READ_WEB,
    ]);
    expect(status.runner.calls).toEqual(['docker compose version', 'docker compose ps -q web-lb', `${PROBE} /services`]);
    expect(status.stdout).toMatch(/^web-lb -> web \[default route\] \(project demo, round-robin\): 3 of 3 ready\n/);
  });
});
