import * as fs from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, type WriteFs } from '../../../src/compose/atomic-write';
import { ComposeWriteError } from '../../../src/compose/compose-errors';
import { thrown } from './fixtures';
import { useTempDir } from './temp-dir';

describe('writeFileAtomic', () => {
  const tmp = useTempDir();
  const file = (): string => join(tmp(), 'compose.yaml');

  beforeEach(() => {
    fs.writeFileSync(file(), 'old\n');
    fs.chmodSync(file(), 0o640);
  });

  it('replaces the content, keeps the mode, and leaves no temp file', () => {
    writeFileAtomic(file(), 'new\n', { expected: 'old\n' });
    expect(fs.readFileSync(file(), 'utf8')).toBe('new\n');
    expect(fs.statSync(file()).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(tmp())).toEqual(['compose.yaml']);
  });

  it('writes through a symlink, which stays a symlink', () => {
    const link = join(tmp(), 'docker-compose.yml');
    fs.symlinkSync('compose.yaml', link);
    writeFileAtomic(link, 'new\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file(), 'utf8')).toBe('new\n');
  });

  it('writes nothing when the file changed since it was read', () => {
    const err = thrown(() => writeFileAtomic(file(), 'new\n', { expected: 'what we read\n' }));
    expect(err).toBeInstanceOf(ComposeWriteError);
    expect(err.message).toMatch(/changed while compose-lb was working on it; nothing was written/);
    expect(fs.readFileSync(file(), 'utf8')).toBe('old\n');
  });

  it.each(['writeSync', 'fsyncSync', 'renameSync'] as const)(
    'leaves the old file and no temp file when %s fails',
    (call) => {
      const failing: WriteFs = {
        ...fs,
        [call]: () => {
          throw Object.assign(new Error(`${call}: no space left on device`), { code: 'ENOSPC' });
        },
      };
      const err = thrown(() => writeFileAtomic(file(), 'new\n', { fs: failing }));
      expect(err).toBeInstanceOf(ComposeWriteError);
      expect(err.message).toMatch(/could not write .*no space left on device\); it is unchanged/);
      expect(fs.readFileSync(file(), 'utf8')).toBe('old\n');
      expect(fs.readdirSync(tmp())).toEqual(['compose.yaml']);
    },
  );
});
