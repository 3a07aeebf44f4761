/**
 * Creating the folders a run or an export writes to. Node's `mkdirSync(path, { recursive:
 * true })` never returns for a path under /proc (mkdir there fails with ENOENT, which the
 * recursive walk takes for a missing parent and retries forever, at 100% CPU), so folders
 * are made one level at a time from the nearest one that exists, and the first failure is
 * reported with the path it concerns.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

function reason(e: unknown): string {
  switch (errorCode(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOENT':
      return 'this file system does not accept new folders here';
    default:
      return (e as Error).message;
  }
}

/**
 * Makes `path` a folder, creating the missing levels; returns its absolute path. Throws a
 * one-line error naming `what` (e.g. "run folder") and the path when a level is a file or
 * cannot be created.
 */
export function ensureFolder(path: string, what = 'folder'): string {
  const target = resolve(path);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let isFolder: boolean;
    try {
      isFolder = statSync(at).isDirectory();
    } catch (e) {
      if (errorCode(e) !== 'ENOENT' && errorCode(e) !== 'ENOTDIR') throw new Error(`cannot create ${what} ${target} (at ${at}): ${reason(e)}`);
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) throw new Error(`cannot create ${what} ${target}: ${reason(e)}`);
      at = parent;
      continue;
    }
    if (!isFolder) throw new Error(`cannot create ${what} ${target}: ${at} is a file`);
    break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (e) {
      if (errorCode(e) === 'EEXIST' && statSync(level).isDirectory()) continue; // made meanwhile
      throw new Error(`cannot create ${what} ${target}${level !== target ? ` (at ${level})` : ''}: ${reason(e)}`);
    }
  }
  return target;
}
