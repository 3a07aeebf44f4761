/**
 * Downloads a model repository from the Hugging Face Hub through its documented HTTP API, into
 * the Hub's cache layout (hubCache.ts):
 *
 *   GET {endpoint}/api/models/{id}/revision/{revision}        the commit (sha) a revision names
 *   GET {endpoint}/api/models/{id}/tree/{commit}?recursive=1  files with size, oid and LFS oid
 *   GET {endpoint}/{id}/resolve/{commit}/{path}               the contents (redirects to a CDN)
 *
 * Only what the engine reads is fetched: config.json, the tokenizer files and one weights file
 * (model.safetensors, else pytorch_model.bin). Downloads resume: an interrupted file keeps its
 * bytes in blobs/<etag>.incomplete and the next attempt asks for the rest with a Range request
 * (If-Range on the ETag, so a changed file starts over). Every file is checked against the size
 * the listing gave and against its hash (SHA-256 for LFS files, the git blob id for others)
 * before it enters the cache.
 *
 * HF_ENDPOINT replaces https://huggingface.co, HF_TOKEN is sent as a bearer token (fetch drops
 * it on a redirect to another origin, such as the CDN), HF_HUB_OFFLINE=1 uses the cache only.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkRepoId, checkRepoPath, defaultHubCacheDir, HubModelCache } from './hubCache';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Files of a model repository that the engine reads; the first weights file present is taken. */
export const MODEL_FILES = ['config.json', 'vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;
export const WEIGHTS_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;
/** Larger files are refused before any byte is fetched: ELECTRA-Large's weights are 1.3 GB. */
export const MAX_HUB_FILE_BYTES = 4 * 1024 ** 3;

export interface HubSettings {
  endpoint: string;
  token?: string;
  cacheDir: string;
  offline: boolean;
}

export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  return {
    endpoint: (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, ''),
    token: env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined,
    cacheDir: defaultHubCacheDir(env),
    offline: env.HF_HUB_OFFLINE === '1' || env.HF_HUB_OFFLINE === 'true',
  };
}

export interface DownloadProgress {
  repoId: string;
  file: string;
  /** Bytes of this run's files already in the cache or received. */
  bytes: number;
  totalBytes: number;
}

export interface DownloadOptions extends Partial<HubSettings> {
  revision?: string;
  onProgress?(p: DownloadProgress): void;
  signal?: AbortSignal;
}

export interface DownloadedModel {
  repoId: string;
  commit: string;
  /** The snapshot folder: config.json, tokenizer files and weights, ready to import. */
  dir: string;
  files: string[];
  /** Bytes fetched over the network in this call (0 when everything was cached). */
  fetchedBytes: number;
}

interface TreeEntry {
  type: string;
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
}

/** An error for the user: what failed and what to do, without a stack. */
export class HubError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubError';
  }
}

/** Downloads (or finds in the cache) the files of one model repository. */
export async function downloadModel(repoId: string, options: DownloadOptions = {}): Promise<DownloadedModel> {
  checkRepoId(repoId);
  const settings = { ...hubSettingsFromEnv(), ...stripUndefined(options) };
  const revision = options.revision ?? 'main';
  const cache = new HubModelCache(settings.cacheDir, repoId);
  const http = new HubHttp(settings, options.signal);

  let commit: string | undefined;
  let tree: TreeEntry[] | undefined;
  if (!settings.offline) {
    try {
      commit = await http.commitOf(repoId, revision);
      tree = await http.tree(repoId, commit);
    } catch (e) {
      // Offline, or the Hub unreachable: a snapshot downloaded before still serves.
      const cached = cachedSnapshot(cache, revision);
      if (!(e instanceof HubUnreachable) || !cached) throw e;
      return cached;
    }
  } else {
    const cached = cachedSnapshot(cache, revision);
    if (!cached) throw new HubError(`HF_HUB_OFFLINE is set and ${repoId} (${revision}) is not in the cache ${settings.cacheDir}`);
    return cached;
  }

  const files = chooseFiles(repoId, tree!);
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  let done = 0;
  let fetchedBytes = 0;
  for (const f of files) {
    const etag = f.lfs?.oid ?? f.oid;
    const blob = cache.blobPath(etag);
    if (!(existsSync(blob) && statSync(blob).size === f.size)) {
      const base = done;
      fetchedBytes += await http.fetchFile(repoId, commit!, f, blob, (received) =>
        options.onProgress?.({ repoId, file: f.path, bytes: base + received, totalBytes }),
      );
    }
    done += f.size;
    options.onProgress?.({ repoId, file: f.path, bytes: done, totalBytes });
  }
  // The snapshot appears only once every file is in: a half-downloaded model is never imported.
  for (const f of files) cache.linkSnapshotFile(commit!, f.path, cache.blobPath(f.lfs?.oid ?? f.oid));
  cache.writeRef(revision, commit!);
  return { repoId, commit: commit!, dir: cache.snapshotDir(commit!), files: files.map((f) => f.path), fetchedBytes };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function chooseFiles(repoId: string, tree: TreeEntry[]): TreeEntry[] {
  const byPath = new Map(tree.filter((e) => e.type === 'file').map((e) => [e.path, e]));
  if (!byPath.has('config.json')) throw new HubError(`${repoId} has no config.json: not a transformers model repository`);
  const weights = WEIGHTS_FILES.find((w) => byPath.has(w));
  if (!weights) throw new HubError(`${repoId} has neither ${WEIGHTS_FILES.join(' nor ')} (TensorFlow- or Flax-only repositories cannot be imported)`);
  const chosen = [...MODEL_FILES.filter((f) => byPath.has(f)), weights].map((p) => byPath.get(p)!);
  for (const f of chosen) {
    checkRepoPath(f.path);
    if (!Number.isSafeInteger(f.size) || f.size < 0 || f.size > MAX_HUB_FILE_BYTES) throw new HubError(`${repoId}/${f.path}: unusable size ${f.size}`);
    if (f.lfs && f.lfs.size !== f.size) throw new HubError(`${repoId}/${f.path}: listing gives two sizes (${f.size}, LFS ${f.lfs.size})`);
  }
  return chosen;
}

function cachedSnapshot(cache: HubModelCache, revision: string): DownloadedModel | undefined {
  const commit = cache.readRef(revision);
  if (!commit) return undefined;
  const dir = cache.snapshotDir(commit);
  if (!existsSync(join(dir, 'config.json')) || !WEIGHTS_FILES.some((w) => existsSync(join(dir, w)))) return undefined;
  const files = [...MODEL_FILES, ...WEIGHTS_FILES].filter((f) => existsSync(join(dir, f)));
  return { repoId: cache.repoId, commit, dir, files, fetchedBytes: 0 };
}

/** The Hub could not be reached at all (as opposed to answering with an error). */
class HubUnreachable extends HubError {}

/** The Hub has no such repository, revision or file (404). */
export class HubNotFound extends HubError {}

/** The Hub refuses access (401, 403): gated or private, or (unauthenticated) no such repository. */
export class HubForbidden extends HubError {}

class HubHttp {
  constructor(
    private readonly settings: HubSettings,
    private readonly signal?: AbortSignal,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'user-agent': 'electra-studio', ...(this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {}), ...extra };
  }

  private async get(url: string, what: string, extra?: Record<string, string>): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(extra), redirect: 'follow', signal: this.signal });
    } catch (e) {
      if (this.signal?.aborted) throw new HubError('download cancelled');
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new HubUnreachable(
        `cannot reach ${this.settings.endpoint} (${cause?.code ?? cause?.message ?? (e as Error).message}): offline? Set HF_ENDPOINT for a mirror, or import a model folder you already have (electra-studio import)`,
      );
    }
    if (res.ok) return res;
    await res.body?.cancel();
    if (res.status === 401 || res.status === 403) {
      throw new HubForbidden(`${what}: the Hub answered ${res.status}: the repository is gated or private${this.settings.token ? ' and HF_TOKEN does not grant access' : ' (or does not exist: the Hub says 401 for both); set HF_TOKEN to a token that grants access'}`);
    }
    if (res.status === 404) throw new HubNotFound(`${what}: not found on ${this.settings.endpoint} (check the model id and revision)`);
    throw new HubError(`${what}: the Hub answered ${res.status} ${res.statusText}`);
  }

  private async json(url: string, what: string): Promise<unknown> {
    const res = await this.get(url, what);
    const text = await res.text();
    if (text.length > 16 * 1024 * 1024) throw new HubError(`${what}: answer of ${text.length} bytes is too large`);
    try {
      return JSON.parse(text);
    } catch {
      throw new HubError(`${what}: the answer is not JSON`);
    }
  }

  async commitOf(repoId: string, revision: string): Promise<string> {
    const info = (await this.json(`${this.settings.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`, `${repoId} (${revision})`)) as { sha?: unknown };
    if (typeof info?.sha !== 'string' || !/^[0-9a-f]{40}$/.test(info.sha)) throw new HubError(`${repoId}: the Hub gave no commit for revision ${revision}`);
    return info.sha;
  }

  async tree(repoId: string, commit: string): Promise<TreeEntry[]> {
    const list = await this.json(`${this.settings.endpoint}/api/models/${repoId}/tree/${commit}?recursive=1`, `${repoId}: file list`);
    if (!Array.isArray(list)) throw new HubError(`${repoId}: the file list is not a list`);
    return list.filter((e): e is TreeEntry => typeof e?.path === 'string' && typeof e?.type === 'string' && typeof e?.size === 'number' && typeof e?.oid === 'string');
  }

  /** Fetches one file into `blob`, resuming `blob.incomplete`; returns the bytes received. */
  async fetchFile(repoId: string, commit: string, f: TreeEntry, blob: string, onBytes: (received: number) => void): Promise<number> {
    const partial = `${blob}.incomplete`;
    mkdirSync(dirname(blob), { recursive: true });
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > f.size) {
      rmSync(partial);
      have = 0;
    }
    const etag = f.lfs?.oid ?? f.oid;
    const url = `${this.settings.endpoint}/${repoId}/resolve/${commit}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
    const range: Record<string, string> = have > 0 ? { range: `bytes=${have}-`, 'if-range': `"${etag}"` } : {};
    const res = await this.get(url, `${repoId}/${f.path}`, range);
    if (have > 0 && res.status !== 206) have = 0; // the server sent the whole file: start over
    const fd = openSync(partial, have > 0 ? 'a' : 'w');
    let received = 0;
    try {
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          if (have + received + chunk.length > f.size) throw new HubError(`${repoId}/${f.path}: more bytes than the ${f.size} listed`);
          writeSync(fd, chunk);
          received += chunk.length;
          onBytes(have + received);
        }
      }
    } catch (e) {
      if (this.signal?.aborted) throw new HubError(`download cancelled; ${have + received} of ${f.size} bytes of ${f.path} kept for the next attempt`);
      if (e instanceof HubError) throw e;
      throw new HubUnreachable(`${repoId}/${f.path}: the connection broke after ${have + received} of ${f.size} bytes (kept; run the download again to resume): ${(e as Error).message}`);
    } finally {
      closeSync(fd);
    }
    const size = statSync(partial).size;
    if (size !== f.size) throw new HubError(`${repoId}/${f.path}: received ${size} of ${f.size} bytes (kept; run the download again to resume)`);
    // LFS files are named by their SHA-256, other files by their git blob id (SHA-1 of "blob <size>\0" + contents).
    const digest = f.lfs ? await hashFile(partial, 'sha256') : await hashFile(partial, 'sha1', `blob ${size}\0`);
    const expected = f.lfs ? f.lfs.oid : f.oid;
    if (digest !== expected) {
      rmSync(partial);
      throw new HubError(`${repoId}/${f.path}: contents hash to ${digest}, the listing says ${expected}; the download was discarded`);
    }
    renameSync(partial, blob);
    return received;
  }
}

function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm).update(prefix);
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}
