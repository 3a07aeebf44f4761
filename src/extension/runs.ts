/**
 * The workspace's run folders, `<workspace>/<runFolder>/<name>/`, as the engine writes them
 * (layout and manifest: src/shared/runFolderFormat.ts): listing, naming and reading them,
 * asynchronously so the extension host never blocks; no `vscode`, no engine.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EXPERIMENT_FILE, parseLatestPointer, parseLockOwner, parseRunManifest, RUN_FILES, STEP_FOLDER, type RunManifest } from '../shared/runFolderFormat';
import { IMPORTED_RUN_FORMAT, parseRunOrigin, type RunOrigin } from '../shared/runOrigin';
import { BASE_MODEL_START } from '../shared/defaults';

export interface RunInfo {
  name: string;
  dir: string;
  /** run.json (version 1 upgraded); undefined when absent or unreadable (see `problem`). */
  manifest?: RunManifest;
  /** Why run.json could not be read, when it could not. */
  problem?: string;
  latestCheckpoint?: { step: number; dir: string };
  /** Where the run began when not from scratch: imported, or continued from another model. */
  origin?: RunOrigin;
  /** mtime of metrics.jsonl (or of the folder), ms since epoch. */
  updated: number;
}

/** Absolute folder holding the runs of a workspace folder. */
export function runsRoot(workspaceRoot: string, runFolder: string): string {
  return isAbsolute(runFolder) ? runFolder : resolve(workspaceRoot, runFolder);
}

/** The extension's own folder in a workspace (the default runs folder is inside it). */
export const ELECTRA_FOLDER = '.electra';

/**
 * Keeps the extension's folder out of git: when `root` (the runs folder) lies inside
 * `<workspace>/.electra/`, writes `.electra/.gitignore` holding `*` (ignore everything,
 * itself included) unless one is there. A runs folder elsewhere is the user's choice and
 * is left alone. Returns the .gitignore written, if any.
 */
export function ignoreElectraFolder(workspaceRoot: string, root: string): string | undefined {
  const folder = join(workspaceRoot, ELECTRA_FOLDER);
  const rel = relative(folder, root);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '..') return undefined;
  const gitignore = join(folder, '.gitignore');
  if (existsSync(gitignore)) return undefined;
  mkdirSync(folder, { recursive: true });
  try {
    writeFileSync(gitignore, '# Written by ELECTRA Studio: runs and checkpoints stay out of version control.\n*\n', { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined; // written meanwhile
    throw e;
  }
  return gitignore;
}

/** "20250131-142503": sortable, readable, valid as a folder name everywhere. */
export function timestampRunName(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A user-given run name made safe as one folder name; undefined if nothing usable is left. */
export function sanitizeRunName(name: string): string | undefined {
  const cleaned = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 100);
  return cleaned.length > 0 ? cleaned : undefined;
}

/** `base`, or `base-2`, `base-3`... whichever does not exist yet under `root`. */
export function uniqueRunName(root: string, base: string): string {
  if (!existsSync(join(root, base))) return base;
  for (let i = 2; ; i++) if (!existsSync(join(root, `${base}-${i}`))) return `${base}-${i}`;
}

/** run.json and latest.json are a few hundred bytes; a larger one is not the engine's and is not read. */
const MAX_RUN_JSON_BYTES = 1024 * 1024;

async function readJson(file: string): Promise<unknown> {
  try {
    if ((await stat(file)).size > MAX_RUN_JSON_BYTES) return undefined;
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** checkpoints/latest.json with its dir made absolute; undefined when there is none. */
export async function readLatestCheckpoint(runDir: string): Promise<{ step: number; dir: string } | undefined> {
  const latest = parseLatestPointer(await readJson(join(runDir, RUN_FILES.checkpoints, RUN_FILES.latest)));
  if (!latest) return undefined;
  const dir = isAbsolute(latest.dir) ? latest.dir : resolve(runDir, RUN_FILES.checkpoints, latest.dir);
  // latest.json may name the folder relative to the run folder rather than to checkpoints/
  const alt = resolve(runDir, latest.dir);
  return { step: latest.step, dir: existsSync(dir) || !existsSync(alt) ? dir : alt };
}

/** Every checkpoint folder of a run (checkpoints/step-NNNNNNNN), newest first. */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(join(runDir, RUN_FILES.checkpoints));
  } catch {
    return [];
  }
  return names
    .map((n) => STEP_FOLDER.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), dir: join(runDir, RUN_FILES.checkpoints, m[0]) }))
    .sort((a, b) => b.step - a.step);
}

/** The manifest of a run folder, or why it cannot be read. */
async function readManifest(dir: string): Promise<{ manifest?: RunManifest; problem?: string; origin?: RunOrigin }> {
  const path = join(dir, RUN_FILES.manifest);
  let json: unknown;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_RUN_JSON_BYTES) return { problem: `${path}: ${size} bytes, not a run manifest (at most ${MAX_RUN_JSON_BYTES})` };
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? {} : { problem: `${path}: ${(e as Error).message}` };
  }
  // An imported run's run.json records where it came from, not how it was trained.
  if (typeof json === 'object' && json !== null && (json as Record<string, unknown>).format === IMPORTED_RUN_FORMAT) {
    const origin = parseRunOrigin((json as Record<string, unknown>).origin);
    return origin ? { origin } : { problem: `${path}: an imported run without its origin` };
  }
  try {
    const manifest = parseRunManifest(json, path);
    return { manifest, ...(manifest.origin ? { origin: manifest.origin } : {}) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

export async function readRun(dir: string, name: string): Promise<RunInfo | undefined> {
  const hasRunFile = existsSync(join(dir, RUN_FILES.manifest));
  const hasMetrics = existsSync(join(dir, RUN_FILES.metrics));
  const hasCheckpoints = existsSync(join(dir, RUN_FILES.checkpoints));
  if (!hasRunFile && !hasMetrics && !hasCheckpoints) return undefined;
  let updated = 0;
  try {
    updated = (await stat(hasMetrics ? join(dir, RUN_FILES.metrics) : dir)).mtimeMs;
  } catch {
    /* vanished meanwhile */
  }
  return {
    name,
    dir,
    ...(hasRunFile ? await readManifest(dir) : {}),
    latestCheckpoint: await readLatestCheckpoint(dir),
    updated,
  };
}

/** The runs under `root`, most recently updated first. */
export async function listRuns(root: string): Promise<RunInfo[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => ({ dir: join(root, e.name), name: e.name }));
  // An experiment's runs (electra-vs-mlm) are one level down: listed as <experiment>/<run>.
  for (const d of [...dirs]) {
    if (!existsSync(join(d.dir, EXPERIMENT_FILE))) continue;
    const inner = await readdir(d.dir, { withFileTypes: true }).catch(() => []);
    dirs.push(...inner.filter((e) => e.isDirectory()).map((e) => ({ dir: join(d.dir, e.name), name: `${d.name}/${e.name}` })));
  }
  const runs = await Promise.all(dirs.map((d) => readRun(d.dir, d.name)));
  return runs.filter((r): r is RunInfo => r !== undefined).sort((a, b) => b.updated - a.updated);
}

/**
 * electraStudio.startFrom as a path: a run of this workspace folder by name, else a folder
 * (relative to the workspace folder); undefined for '' (from scratch).
 */
export function resolveStartFrom(value: string, workspaceRoot: string, runsRoot: string, baseModelDir?: string): string | undefined {
  if (!value) return undefined;
  if (value === BASE_MODEL_START) {
    if (baseModelDir && existsSync(baseModelDir)) return baseModelDir;
    throw new Error(`electraStudio.startFrom: the base model is not installed with this extension (${baseModelDir ?? 'no folder'}); set it to '' to pre-train from scratch`);
  }
  const asRun = join(runsRoot, value);
  if (!isAbsolute(value) && !value.includes('/') && !value.includes('\\') && existsSync(asRun)) return asRun;
  const path = resolve(workspaceRoot, value);
  if (!existsSync(path)) throw new Error(`electraStudio.startFrom: '${value}' is neither a run under ${runsRoot} nor a folder`);
  return path;
}

/**
 * Removes a run's lock left by a training worker thread that was terminated (it could not
 * release it, and its process, this one, lives on, so the lock would never look stale).
 */
export async function releaseLockOfThread(runDir: string, pid: number, thread: number): Promise<void> {
  const path = join(runDir, RUN_FILES.lock);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  const owner = parseLockOwner(text);
  if (owner?.pid === pid && owner.thread === thread) await rm(path, { force: true });
}
