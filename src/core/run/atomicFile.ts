/**
 * Atomic file writes: write a temporary file in the same folder, flush it to disk, then
 * rename it over the target. A crash or a full disk at any point leaves either the old
 * file or the new one, never a torn mix; the temporary file is removed on failure.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { temporaryFileName } from '../../shared/runFolderFormat';

let counter = 0;

/** `.<name>.tmp-<pid>-<n>` beside the target: a run folder's next writer removes those a killed one left. */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), temporaryFileName(basename(target), process.pid, counter++));
}

/** Writes `data` to `path` atomically. Throws (having cleaned up) on any failure, e.g. ENOSPC. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporaryPathFor(path);
  try {
    writeAndSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncFolder(dirname(path));
}

/** Writes a file and flushes it to the disk before returning. */
export function writeAndSync(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (a rename's durability). Not supported on every platform. */
export function syncFolder(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* Windows cannot open folders for fsync; the rename itself is still atomic */
  }
}
