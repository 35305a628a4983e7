/**
 * What the global setup (test/docker/global-setup.ts) found, passed to the test
 * files through the environment. Under CI=true the setup fails instead of
 * letting anything be skipped.
 */
export type ComposeFlavor = 'v2' | 'v1';

export const ENV = {
  skip: 'COMPOSE_LB_DOCKER_SKIP',
  flavors: 'COMPOSE_LB_COMPOSE_FLAVORS',
  lbImage: 'LB_IMAGE',
  appImage: 'APP_IMAGE',
  busyboxImage: 'BUSYBOX_IMAGE',
  pythonImage: 'PYTHON_IMAGE',
  nginxImage: 'NGINX_IMAGE',
  lighttpdImage: 'LIGHTTPD_IMAGE',
  redisImage: 'REDIS_IMAGE',
  dockerGid: 'DOCKER_GID',
} as const;

export interface DockerTestEnv {
  /** Why Docker tests cannot run here, when they cannot (never under CI). */
  readonly skipReason: string | undefined;
  readonly flavors: readonly ComposeFlavor[];
}

export function dockerTestEnv(): DockerTestEnv {
  const skipReason = process.env[ENV.skip] || undefined;
  const flavors = (process.env[ENV.flavors] ?? '').split(',').filter((f): f is ComposeFlavor => f === 'v1' || f === 'v2');
  return { skipReason, flavors };
}

/** True under CI=true or CI=1, as CI systems set it. */
export function inCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * `describe` for Docker tests: skipped, loudly, only when the global setup allowed it (never in CI).
 * A skipped body is not even run: it would reach for images the setup did not build.
 */
export function describeDocker(name: string, body: (flavor: ComposeFlavor) => void): void {
  const env = dockerTestEnv();
  if (env.skipReason !== undefined) {
    describe(`${name} (skipped: ${env.skipReason})`, () => {
      it.skip('needs a Docker engine and Compose', () => {});
    });
    return;
  }
  describe.each(env.flavors.map((f) => [f]))(`${name} [compose %s]`, (flavor) => body(flavor));
}

/** `describe` for Docker tests that use no Compose (Swarm stacks): once, skipped as describeDocker is. */
export function describeEngine(name: string, body: () => void): void {
  const env = dockerTestEnv();
  if (env.skipReason !== undefined) {
    describe(`${name} (skipped: ${env.skipReason})`, () => {
      it.skip('needs a Docker engine', () => {});
    });
    return;
  }
  describe(name, body);
}

/**
 * The `describe` for a file of Docker tests that change the host beyond its containers (restarting
 * dockerd, network namespaces): `describeFn` under CI or when `variable` is 1; else one skipped test
 * that says how to run them, since jest fails a file that has no test at all.
 */
export function describeHostChanging<Body>(variable: string, describeFn: (name: string, body: Body) => void): (name: string, body: Body) => void {
  if (inCi() || process.env[variable] === '1') return describeFn;
  return (name) => {
    describe(`${name} (set ${variable}=1)`, () => {
      it.skip(`changes the host beyond containers: runs under CI, or with ${variable}=1`, () => {});
    });
  };
}
