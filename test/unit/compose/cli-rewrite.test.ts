import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../src/cli/main';
import { FIXTURES, fixture } from './fixtures';
import { useTempDir } from './temp-dir';

// The commands end to end, in process, through main's run() and its exit codes,
// on temp copies of the fixtures.

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const tmp = useTempDir();
const savedGid = process.env['DOCKER_GID'];
beforeEach(() => {
  // The fixtures were written with group 999; DOCKER_GID wins over this machine's socket.
  process.env['DOCKER_GID'] = '999';
});
afterEach(() => {
  if (savedGid === undefined) delete process.env['DOCKER_GID'];
  else process.env['DOCKER_GID'] = savedGid;
});

function copyFixture(name: string, as = 'compose.yaml'): string {
  const path = join(tmp(), as);
  copyFileSync(join(FIXTURES, name, 'input.yml'), path);
  return path;
}

const packageVersion = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('compose-lb add and remove', () => {
  it('add rewrites the file in place, keeping its mode and leaving no temp file, and says what it did', async () => {
    const path = copyFixture('v38-build-and-image');
    chmodSync(path, 0o600);
    const result = await cli('add', 'web', '-f', path, '--image', 'compose-lb:0.1.0');
    expect(result).toEqual({
      code: 0,
      stdout: [
        `updated ${path}:`,
        '  - added web-lb (compose-lb:0.1.0) in front of web, forwarding to its port 80',
        "  - moved web's ports to web-lb: 8080:80",
        '  - added compose-lb-discovery, the only service with the Docker socket: web-lb reads its replicas from it over the new internal network compose-lb',
        '  - web now exposes 80',
        `next: compose-lb scale web=3 -f ${path}`,
        '',
      ].join('\n'),
      stderr:
        'compose-lb: warning: commented out container_name: shop-web in web: a named container cannot be scaled (compose-lb remove web puts it back)\n',
    });
    expect(readFileSync(path, 'utf8')).toBe(fixture('v38-build-and-image').expectedAdd);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp())).toEqual(['compose.yaml']);
  });

  it('add uses the image of this version by default', async () => {
    const path = copyFixture('env-file');
    expect((await cli('add', 'app', '-f', path)).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain(`    image: compose-lb:${packageVersion}\n`);
  });

  it('add --dry-run prints a unified diff and writes nothing', async () => {
    const path = copyFixture('env-file');
    const before = readFileSync(path, 'utf8');
    const result = await cli('add', 'app', '-f', path, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^--- a\/.*compose\.yaml\n\+\+\+ b\/.*compose\.yaml\n@@ -2,7 \+2,57 @@\n/);
    expect(result.stdout).toContain('+  app-lb:\n');
    expect(result.stderr).toMatch(
      /^dry run: .*compose\.yaml was not written; it would be changed so:\n {2}- added app-lb/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('add on a service that already has a balancer is a no-op that says so', async () => {
    const path = copyFixture('already-balanced');
    const before = readFileSync(path, 'utf8');
    expect(await cli('add', 'web', '-f', path)).toEqual({
      code: 0,
      stdout: `${path}: web is already behind a balancer (web-lb); nothing to do\n`,
      stderr: '',
    });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('remove after add gives back the original file byte for byte', async () => {
    const path = copyFixture('anchors-and-merges', 'docker-compose.yml');
    const before = readFileSync(path, 'utf8');
    expect((await cli('add', 'web', '-f', path)).code).toBe(0);
    const removed = await cli('remove', 'web', '-f', path);
    expect(removed).toEqual({
      code: 0,
      stdout: [
        `updated ${path}:`,
        '  - removed web-lb; web publishes its ports again',
        '  - removed compose-lb-discovery: no balancer reads from it any more',
        '  - removed the network compose-lb',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('add --socket direct gives the balancer the socket itself, as compose-lb did before discovery', async () => {
    const path = copyFixture('socket-direct');
    expect((await cli('add', 'site', '-f', path, '--socket', 'direct', '--image', 'compose-lb:0.1.0')).code).toBe(0);
    expect((await cli('add', 'api', '-f', path, '--host', 'api.localhost')).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(fixture('socket-direct').expectedAdd);
  });

  it('takes the port and listen address from --port and --listen', async () => {
    const path = copyFixture('listen-flag');
    expect(
      (await cli('add', 'web', '-f', path, '--port', '80', '--listen', '127.0.0.1:8080', '--image', 'compose-lb:0.1.0'))
        .code,
    ).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(fixture('listen-flag').expectedAdd);
  });
});

describe('bad input: exit code 2, a clear message, the file untouched', () => {
  const errorFile = (name: string): string => {
    const path = join(tmp(), name);
    copyFileSync(join(FIXTURES, 'errors', name), path);
    return path;
  };

  it.each([
    [
      'invalid-yaml.yml',
      'web',
      /^compose-lb: .*invalid-yaml\.yml:4:1: invalid YAML: All mapping items must start at the same column\n/,
    ],
    ['not-compose.yml', 'web', /is not a Compose file: it has no "services" key/],
    ['version-1.yml', 'web', /looks like a version 1 Compose file/],
    ['no-ports.yml', 'web', /no service "web" in .*no-ports\.yml; its services are: worker\n/],
    ['no-ports.yml', 'worker', /worker publishes no ports, so there is no port to balance: pass --port/],
    ['host-network.yml', 'web', /cannot balance web \(network_mode: host\)/],
    ['several-ports.yml', 'web', /more than one container port \(80, 443\)/],
    ['discovery-taken.yml', 'web', /has a service compose-lb-discovery that compose-lb add did not write/],
    ['network-taken.yml', 'web', /has a network compose-lb with settings of its own/],
  ])('%s, service %s', async (name, service, message) => {
    const path = errorFile(name);
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const result = await cli('add', service, '-f', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(readFileSync(path)).toEqual(before);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(tmp())).toEqual([name]);
  });

  it('a missing file', async () => {
    const result = await cli('add', 'web', '-f', join(tmp(), 'compose.yaml'));
    expect(result).toMatchObject({ code: 2, stderr: `compose-lb: ${join(tmp(), 'compose.yaml')}: no such file\n` });
  });

  it('an unreadable file (a directory here: tests run as root, who can read anything)', async () => {
    const dir = join(tmp(), 'compose.yaml');
    mkdirSync(dir);
    expect(await cli('remove', 'web', '-f', dir)).toMatchObject({
      code: 2,
      stderr: `compose-lb: ${dir} is a directory, not a compose file\n`,
    });
  });

  it('a bad --port, --listen, --image or --socket', async () => {
    const path = copyFixture('port-flag');
    const before = readFileSync(path, 'utf8');
    expect(await cli('add', 'web', '-f', path, '--port', '70000')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--port <port>' argument '70000' is invalid. 70000 is out of range/),
    });
    expect(await cli('add', 'web', '-f', path, '--port', '80', '--listen', 'a:b:c')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--listen "a:b:c": expected PORT or HOST:PORT/),
    });
    expect(await cli('add', 'web', '-f', path, '--port', '80', '--image', 'a b')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--image "a b" is not an image reference/),
    });
    expect(await cli('add', 'web', '-f', path, '--port', '80', '--socket', 'tcp')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--socket <where>' argument 'tcp' is invalid. Allowed choices are discovery, direct/),
    });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('remove of a balancer compose-lb did not write', async () => {
    const path = copyFixture('already-balanced');
    expect(await cli('remove', 'web', '-f', path)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/web-lb balances web but was not written by compose-lb add/),
    });
  });

  it('several COMPOSE_FILE entries and no -f', async () => {
    process.env['COMPOSE_FILE'] = 'a.yml:b.yml';
    try {
      expect(await cli('add', 'web')).toMatchObject({
        code: 2,
        stderr: 'compose-lb: COMPOSE_FILE names 2 files; pass -f with the one to edit\n',
      });
    } finally {
      delete process.env['COMPOSE_FILE'];
    }
  });
});

describe('--help', () => {
  it.each(['add', 'remove', 'scale', 'status'])('%s --help exits 0 and shows usage', async (command) => {
    const result = await cli(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: compose-lb ${command} \\[options\\]`));
    expect(result.stdout).toContain('-f, --file <path>');
  });

  it('a missing argument is a usage error', async () => {
    expect(await cli('add')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/missing required argument 'service'/),
    });
  });
});
