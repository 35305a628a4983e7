import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ComposeInputError } from './compose-errors';

/**
 * Compose v2's own search order (compose-go `cli.DefaultFileNames`): the Compose
 * specification prefers compose.yaml, the docker-compose.* names are kept for
 * older projects. Note docker-compose.yml comes before docker-compose.yaml there.
 */
export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

export interface LocatedFile {
  readonly path: string;
  /** The user named it (-f or COMPOSE_FILE); else it was found by the default names. */
  readonly named: boolean;
  readonly warnings: readonly string[];
}

/**
 * Finds the compose file as Compose would: `-f`, else COMPOSE_FILE, else the
 * default names in the working directory and then in each parent directory.
 */
export function locateComposeFile(file: string | undefined, cwd: string, env: NodeJS.ProcessEnv): LocatedFile {
  if (file !== undefined) return { path: resolve(cwd, file), named: true, warnings: [] };
  const fromEnv = env['COMPOSE_FILE'];
  if (fromEnv) {
    const files = fromEnv.split(env['COMPOSE_PATH_SEPARATOR'] || delimiter).filter((f) => f !== '');
    if (files.length !== 1) {
      throw new ComposeInputError(
        'file-missing',
        `COMPOSE_FILE names ${files.length} files; pass -f with the one to edit`,
      );
    }
    return { path: resolve(cwd, files[0] ?? ''), named: true, warnings: [] };
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = DEFAULT_FILE_NAMES.map((name) => join(dir, name)).filter(isFile);
    const [first, ...others] = found;
    if (first !== undefined) {
      const warnings =
        others.length > 0
          ? [`found ${found.map((f) => displayPath(f, cwd)).join(' and ')}; using ${displayPath(first, cwd)}`]
          : [];
      return { path: first, named: false, warnings };
    }
    if (dirname(dir) === dir) break;
  }
  throw new ComposeInputError(
    'file-missing',
    `no compose file in ${cwd} or its parent directories (looked for ${DEFAULT_FILE_NAMES.join(', ')}); pass -f FILE`,
  );
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Reads the file, turning the usual failures into input errors (exit 2). */
export function readComposeSource(path: string, cwd: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw readError(err, displayPath(path, cwd));
  }
}

export function readError(err: unknown, label: string): unknown {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new ComposeInputError('file-missing', `${label}: no such file`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ComposeInputError('file-unreadable', `${label}: cannot read it (permission denied)`, { cause: err });
    case 'EISDIR':
      return new ComposeInputError('file-unreadable', `${label} is a directory, not a compose file`, { cause: err });
    default:
      return err;
  }
}

/** A path as messages show it: relative to the working directory when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
