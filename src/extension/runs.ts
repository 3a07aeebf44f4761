/**
 * Run folders: `<workspace>/<runFolder>/<name>/` holding run.json (the options it was
 * started with), metrics.jsonl, and checkpoints/ (latest.json -> {step, dir}, and one
 * step-NNNNNNNN/ folder per checkpoint), all written by the engine. Listing, naming and
 * reading them; no `vscode`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PretrainOptions } from '../core';

export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.jsonl';

export interface RunInfo {
  name: string;
  dir: string;
  options?: Partial<PretrainOptions>;
  latestCheckpoint?: { step: number; dir: string };
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

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    if ((await stat(file)).size > MAX_RUN_JSON_BYTES) return undefined;
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** checkpoints/latest.json with its dir made absolute; undefined when there is none. */
export async function readLatestCheckpoint(runDir: string): Promise<{ step: number; dir: string } | undefined> {
  const latest = await readJson<{ step?: unknown; dir?: unknown }>(join(runDir, 'checkpoints', 'latest.json'));
  if (!latest || typeof latest.step !== 'number' || typeof latest.dir !== 'string') return undefined;
  const dir = isAbsolute(latest.dir) ? latest.dir : resolve(runDir, 'checkpoints', latest.dir);
  // latest.json may name the folder relative to the run folder rather than to checkpoints/
  const alt = resolve(runDir, latest.dir);
  return { step: latest.step, dir: existsSync(dir) || !existsSync(alt) ? dir : alt };
}

/** Every checkpoint folder of a run (checkpoints/step-NNNNNNNN), newest first. */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(join(runDir, 'checkpoints'));
  } catch {
    return [];
  }
  return names
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), dir: join(runDir, 'checkpoints', m[0]) }))
    .sort((a, b) => b.step - a.step);
}

/** run.json is `{options, config, settings, backend, startedAt}` (the engine writes it); older files hold the options alone. */
function optionsOf(json: Record<string, unknown> | undefined): Partial<PretrainOptions> | undefined {
  if (!json) return undefined;
  const o = typeof json.options === 'object' && json.options !== null ? json.options : json;
  return o as Partial<PretrainOptions>;
}

export async function readRun(dir: string, name: string): Promise<RunInfo | undefined> {
  const hasRunFile = existsSync(join(dir, RUN_FILE));
  const hasMetrics = existsSync(join(dir, METRICS_FILE));
  const hasCheckpoints = existsSync(join(dir, 'checkpoints'));
  if (!hasRunFile && !hasMetrics && !hasCheckpoints) return undefined;
  let updated = 0;
  try {
    updated = (await stat(hasMetrics ? join(dir, METRICS_FILE) : dir)).mtimeMs;
  } catch {
    /* vanished meanwhile */
  }
  return {
    name,
    dir,
    options: hasRunFile ? optionsOf(await readJson<Record<string, unknown>>(join(dir, RUN_FILE))) : undefined,
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
  const runs = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => readRun(join(root, e.name), e.name)));
  return runs.filter((r): r is RunInfo => r !== undefined).sort((a, b) => b.updated - a.updated);
}

/** The most recently updated run that has a checkpoint: what the language server loads by default. */
export async function newestCheckpointedRun(root: string): Promise<RunInfo | undefined> {
  return (await listRuns(root)).find((r) => r.latestCheckpoint !== undefined);
}
