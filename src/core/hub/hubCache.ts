/**
 * The Hugging Face Hub's local cache, laid out as huggingface_hub (Python) lays it out, so a
 * model downloaded by either is found by the other:
 *
 *   <cache>/models--<org>--<name>/blobs/<etag>                 file contents, named by their hash
 *   <cache>/models--<org>--<name>/blobs/<etag>.incomplete      a download in progress (resumed)
 *   <cache>/models--<org>--<name>/snapshots/<commit>/<path>    link (or copy) to the blob
 *   <cache>/models--<org>--<name>/refs/<revision>              the commit a branch or tag names
 *
 * The cache folder is HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../run/atomicFile';

export function defaultHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** A model id as the Hub spells it: "name" or "org/name", letters, digits, '-', '_', '.'. */
const REPO_ID = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function checkRepoId(id: string): void {
  if (!REPO_ID.test(id) || id.includes('..')) throw new Error(`"${id}" is not a Hugging Face model id (expected "org/name", e.g. google/electra-small-discriminator)`);
}

/** A path inside a repository that stays inside the snapshot folder. */
export function checkRepoPath(path: string): void {
  const parts = path.split('/');
  if (path.length === 0 || path.length > 512 || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\') || path.includes('\0')) {
    throw new Error(`the repository lists a file with an unsafe path: ${JSON.stringify(path)}`);
  }
}

export class HubModelCache {
  readonly root: string;

  constructor(cacheDir: string, readonly repoId: string) {
    checkRepoId(repoId);
    this.root = join(cacheDir, `models--${repoId.split('/').join('--')}`);
  }

  blobPath(etag: string): string {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(etag)) throw new Error(`the Hub gave an unusable ETag for a file: ${JSON.stringify(etag)}`);
    return join(this.root, 'blobs', etag);
  }

  snapshotDir(commit: string): string {
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`the Hub gave an unusable commit id: ${JSON.stringify(commit)}`);
    return join(this.root, 'snapshots', commit);
  }

  /** The commit a revision (branch or tag) pointed to when last downloaded, if any. */
  readRef(revision: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    const p = join(this.root, 'refs', revision);
    if (!existsSync(p)) return undefined;
    const commit = readFileSync(p, 'utf8').trim();
    return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
  }

  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    if (!/^[A-Za-z0-9._/-]{1,128}$/.test(revision) || revision.split('/').includes('..')) throw new Error(`unusable revision name ${JSON.stringify(revision)}`);
    const p = join(this.root, 'refs', revision);
    mkdirSync(dirname(p), { recursive: true });
    writeFileAtomic(p, commit);
  }

  /** Points snapshots/<commit>/<path> at the blob: a relative link as huggingface_hub makes, a copy where links are refused. */
  linkSnapshotFile(commit: string, path: string, blob: string): string {
    checkRepoPath(path);
    const target = join(this.snapshotDir(commit), path);
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { force: true });
    try {
      symlinkSync(relative(dirname(target), blob), target);
    } catch {
      copyFileSync(blob, target);
    }
    return target;
  }
}
