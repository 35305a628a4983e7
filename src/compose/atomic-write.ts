import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ComposeWriteError } from './compose-errors';

/** The file system calls an atomic write makes; tests pass one that fails on purpose. */
export type WriteFs = Pick<
  typeof nodeFs,
  | 'realpathSync'
  | 'statSync'
  | 'readFileSync'
  | 'openSync'
  | 'writeSync'
  | 'fchmodSync'
  | 'fchownSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'unlinkSync'
>;

export interface WriteOptions {
  /** What the file held when it was read: if it holds something else now, nothing is written. */
  readonly expected?: string;
  readonly fs?: WriteFs;
}

/**
 * Replaces a file's content all at once: a temp file in the same directory (so
 * the rename stays on one file system, where rename(2) is atomic), with the old
 * file's mode and, where allowed, owner, synced, then renamed over it. Readers
 * see the old file or the new one, never half of one; on any failure the temp
 * file goes and the old file stays. A symlink is followed, so it stays a link.
 */
export function writeFileAtomic(path: string, text: string, options: WriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  const target = fs.realpathSync(path);
  const stat = fs.statSync(target);
  if (options.expected !== undefined && fs.readFileSync(target, 'utf8') !== options.expected) {
    throw new ComposeWriteError(`${path} changed while compose-lb was working on it; nothing was written, try again`);
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.compose-lb.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o600);
    fs.writeSync(fd, text);
    fs.fchmodSync(fd, stat.mode & 0o7777);
    keepOwner(fs, fd, stat);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw new ComposeWriteError(`could not write ${path} (${(err as Error).message}); it is unchanged`, { cause: err });
  }
}

function keepOwner(fs: WriteFs, fd: number, stat: nodeFs.Stats): void {
  try {
    fs.fchownSync(fd, stat.uid, stat.gid);
  } catch {
    // Only root may give a file away; anyone else writes files they own anyway.
  }
}
