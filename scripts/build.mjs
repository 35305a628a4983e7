// Bundles the CLI (which is also the balancer) into one file, dist/compose-lb.js,
// so the image needs only Node and that file: containers here cannot run npm install.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  define: { COMPOSE_LB_VERSION: JSON.stringify(version) },
  // ssh2 (through docker-modem) loads optional native addons inside try/catch; ssh:// DOCKER_HOST is not supported.
  external: ['cpu-features', '*.node'],
};

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/compose-lb.js',
  banner: { js: '#!/usr/bin/env node' },
});

// The benchmark runner (`npm run bench`). It runs from the checkout, never in an
// image, so autocannon stays outside the bundle and loads from node_modules.
await build({
  ...common,
  entryPoints: ['bench/main.ts'],
  outfile: 'dist/bench.js',
  external: [...common.external, 'autocannon'],
});
