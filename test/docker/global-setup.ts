import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ENV, inCi, type ComposeFlavor } from './support/env';
import { run } from './support/exec';
import { composeCommand } from './support/compose';

const ROOT = join(__dirname, '..', '..');
const TAG = 'test';

async function works(file: string, args: string[]): Promise<boolean> {
  return run(file, args, { timeoutMs: 20_000 }).then(
    () => true,
    () => false,
  );
}

/**
 * Before any Docker test: checks the engine and both Compose flavours, builds
 * the bundle and the images the fixtures use, and tells the test files through
 * the environment. Under CI=true anything missing is an error, never a skip.
 */
export default async function globalSetup(): Promise<void> {
  const ci = inCi();
  const missing: string[] = [];
  if (!(await works('docker', ['info']))) missing.push('a Docker engine (`docker info` failed)');
  const flavors: ComposeFlavor[] = [];
  for (const flavor of ['v2', 'v1'] as const) {
    const [cmd, pre] = composeCommand(flavor);
    if (await works(cmd, [...pre, 'version'])) flavors.push(flavor);
    else missing.push(`Compose ${flavor} (\`${[cmd, ...pre].join(' ')} version\` failed)`);
  }
  const noEngine = missing.some((m) => m.startsWith('a Docker engine'));
  if (missing.length > 0 && (ci || noEngine)) {
    const message = `Docker tests need ${missing.join(' and ')}. Run scripts/setup-docker.sh (as root) first.`;
    if (ci) throw new Error(`CI=true: ${message}`);
    process.env[ENV.skip] = message;
    process.stderr.write(`\n*** SKIPPING DOCKER TESTS: ${message} ***\n\n`);
    return;
  }
  if (missing.length > 0) process.stderr.write(`\n*** Docker tests run without ${missing.join(', ')} ***\n\n`);

  await run('node', [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  await run('bash', [join(ROOT, 'scripts', 'build-images.sh'), TAG], { cwd: ROOT, timeoutMs: 300_000 });
  await run('bash', [join(ROOT, 'scripts', 'build-replica-images.sh'), TAG], { cwd: ROOT, timeoutMs: 300_000 });
  process.env[ENV.flavors] = flavors.join(',');
  process.env[ENV.lbImage] = `compose-lb:${TAG}`;
  process.env[ENV.appImage] = `compose-lb-demo-app:${TAG}`;
  process.env[ENV.busyboxImage] = `compose-lb-replica-busybox:${TAG}`;
  process.env[ENV.pythonImage] = `compose-lb-replica-python:${TAG}`;
  process.env[ENV.nginxImage] = `compose-lb-replica-nginx:${TAG}`;
  process.env[ENV.lighttpdImage] = `compose-lb-replica-lighttpd:${TAG}`;
  process.env[ENV.redisImage] = `compose-lb-replica-redis:${TAG}`;
  process.env[ENV.dockerGid] = String(statSync('/var/run/docker.sock').gid);
}
