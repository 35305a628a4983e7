import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { displayPath, locateComposeFile, readComposeSource, readError } from '../../../src/compose/compose-file-io';
import { thrown } from './fixtures';
import { useTempDir } from './temp-dir';

describe('locateComposeFile', () => {
  const tmp = useTempDir();
  const touch = (...names: string[]): void => {
    for (const name of names) writeFileSync(join(tmp(), name), 'services: {}\n');
  };

  it('takes -f relative to the working directory', () => {
    expect(locateComposeFile('deploy/app.yml', tmp(), {})).toEqual({
      path: join(tmp(), 'deploy/app.yml'),
      named: true,
      warnings: [],
    });
  });

  it.each([
    [['docker-compose.yaml', 'docker-compose.yml'], 'docker-compose.yml'],
    [['docker-compose.yml', 'compose.yml'], 'compose.yml'],
    [['compose.yml', 'compose.yaml'], 'compose.yaml'],
  ])('prefers as Compose v2 does: of %j, %s', (present, chosen) => {
    touch(...present);
    const located = locateComposeFile(undefined, tmp(), {});
    expect(located.path).toBe(join(tmp(), chosen));
    expect(located.warnings).toEqual([`found ${present.slice().reverse().join(' and ')}; using ${chosen}`]);
  });

  it('looks in parent directories, as Compose does', () => {
    touch('compose.yaml');
    const sub = join(tmp(), 'src', 'app');
    mkdirSync(sub, { recursive: true });
    expect(locateComposeFile(undefined, sub, {})).toMatchObject({ path: join(tmp(), 'compose.yaml'), named: false });
  });

  it('takes COMPOSE_FILE when there is no -f, and refuses several files there', () => {
    expect(locateComposeFile(undefined, tmp(), { COMPOSE_FILE: 'a.yml' }).path).toBe(join(tmp(), 'a.yml'));
    expect(locateComposeFile('b.yml', tmp(), { COMPOSE_FILE: 'a.yml' }).path).toBe(join(tmp(), 'b.yml'));
    expect(thrown(() => locateComposeFile(undefined, tmp(), { COMPOSE_FILE: 'a.yml:b.yml' })).message).toBe(
      'COMPOSE_FILE names 2 files; pass -f with the one to edit',
    );
    expect(locateComposeFile(undefined, tmp(), { COMPOSE_FILE: 'a.yml;b.yml', COMPOSE_PATH_SEPARATOR: ',' }).path).toBe(
      join(tmp(), 'a.yml;b.yml'),
    );
  });

  it('says where it looked when there is no file', () => {
    const err = thrown(() => locateComposeFile(undefined, tmp(), {}));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err.message).toMatch(
      /^no compose file in .* or its parent directories \(looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml\); pass -f FILE$/,
    );
  });
});

describe('readComposeSource', () => {
  const tmp = useTempDir();

  it('turns a missing file and a directory into input errors', () => {
    expect(thrown(() => readComposeSource(join(tmp(), 'nope.yml'), tmp())).message).toBe('nope.yml: no such file');
    expect(thrown(() => readComposeSource(tmp(), tmp())).message).toBe(`${tmp()} is a directory, not a compose file`);
  });

  it('turns a permission error into an input error (tests run as root, so the error is made up)', () => {
    const err = readError(Object.assign(new Error('EACCES'), { code: 'EACCES' }), 'compose.yaml');
    expect(err).toBeInstanceOf(ComposeInputError);
    expect((err as ComposeInputError).problem).toBe('file-unreadable');
    expect((err as Error).message).toBe('compose.yaml: cannot read it (permission denied)');
  });

  it('passes other errors through', () => {
    const other = Object.assign(new Error('EIO'), { code: 'EIO' });
    expect(readError(other, 'x')).toBe(other);
  });
});

describe('displayPath', () => {
  it('is relative inside the working directory, absolute outside it', () => {
    expect(displayPath('/a/b/c.yml', '/a')).toBe('b/c.yml');
    expect(displayPath('/x/c.yml', '/a')).toBe('/x/c.yml');
  });
});
