import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const COMPOSE_LB_VERSION: string | undefined;

/**
 * The package version: compiled into the bundle by scripts/build.mjs; read from
 * package.json when running from source (tests), where the define is absent.
 */
export function packageVersion(): string {
  if (typeof COMPOSE_LB_VERSION === 'string') return COMPOSE_LB_VERSION;
  const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const version = (pkg as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'dev';
}
