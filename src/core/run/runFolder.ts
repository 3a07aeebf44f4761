/**
 * A run folder, as the engine writes it: the one place that knows where a run keeps its
 * manifest, metrics, vocabulary, packed data and checkpoints (the names and the manifest's
 * schema are in src/shared/runFolderFormat.ts, which the extension reads without the
 * engine). It also keeps a run folder to one writer (run.lock) and clears what a killed
 * writer left behind.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { writeFileAtomic } from './atomicFile';
import { findLatestCheckpoint } from './checkpoint';
import { ensureFolder } from './folders';
import {
  parseLockOwner,
  parseRunManifest,
  RUN_FILES,
  stepFolderName,
  TEMPORARY_FILE,
  TEMPORARY_STEP_FOLDER,
  type RunLockOwner,
  type RunManifest,
} from '../../shared/runFolderFormat';
import type { EvalMetrics, StepMetrics } from '../../shared/metricsRecord';
import { formatCalibration, type Calibration } from '../../shared/calibrationFormat';

export { RUN_FILES, RUN_MANIFEST_FORMAT, RUN_MANIFEST_VERSION, parseRunManifest, parseTrainingSettings } from '../../shared/runFolderFormat';
export type { RunLockOwner, RunManifest, TrainingSettings } from '../../shared/runFolderFormat';

/** The files of a run, as opposed to anything else a user keeps in the folder. */
const RUN_ENTRIES = [RUN_FILES.checkpoints, RUN_FILES.data, RUN_FILES.vocab, RUN_FILES.metrics, RUN_FILES.manifest, RUN_FILES.calibration];

export class RunFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get manifestPath(): string {
    return join(this.dir, RUN_FILES.manifest);
  }
  get lockPath(): string {
    return join(this.dir, RUN_FILES.lock);
  }
  get metricsPath(): string {
    return join(this.dir, RUN_FILES.metrics);
  }
  get vocabPath(): string {
    return join(this.dir, RUN_FILES.vocab);
  }
  get dataDir(): string {
    return join(this.dir, RUN_FILES.data);
  }
  get calibrationPath(): string {
    return join(this.dir, RUN_FILES.calibration);
  }
  get checkpointsDir(): string {
    return join(this.dir, RUN_FILES.checkpoints);
  }
  get latestPath(): string {
    return join(this.checkpointsDir, RUN_FILES.latest);
  }
  checkpointDir(step: number): string {
    return join(this.checkpointsDir, stepFolderName(step));
  }

  /** The newest checkpoint's folder, if any. */
  latestCheckpoint(): string | undefined {
    return existsSync(this.dir) ? findLatestCheckpoint(this.dir) : undefined;
  }

  /** The manifest (version 1 upgraded in memory), undefined when there is none; throws one line when it is damaged. */
  readManifest(): RunManifest | undefined {
    if (!existsSync(this.manifestPath)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.manifestPath, 'utf8'));
    } catch (e) {
      throw new Error(`${this.manifestPath}: corrupt (not valid JSON: ${(e as Error).message})`);
    }
    return parseRunManifest(json, this.manifestPath);
  }

  writeManifest(manifest: RunManifest): void {
    writeFileAtomic(this.manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }

  /** The calibration of the run's latest checkpoint (src/core/quality/calibration.ts). */
  writeCalibration(calibration: Calibration): void {
    writeFileAtomic(this.calibrationPath, formatCalibration(calibration));
  }

  appendMetrics(record: StepMetrics | EvalMetrics): void {
    appendFileSync(this.metricsPath, JSON.stringify(record) + '\n');
  }

  /** Drops metrics past a checkpoint's step: a resumed run writes those steps again. */
  truncateMetrics(step: number): void {
    if (!existsSync(this.metricsPath)) return;
    const kept = readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((line) => {
        if (!line.trim()) return false;
        try {
          const r = JSON.parse(line) as { type?: string; step: number };
          // Fine-tuning records count their own steps and describe the checkpoint they name: kept.
          return r.type === 'finetuneStep' || r.type === 'finetuneEval' || r.step <= step;
        } catch {
          return false; // a line torn by a crash
        }
      });
    writeFileAtomic(this.metricsPath, kept.length ? kept.join('\n') + '\n' : '');
  }

  /** The run's entries (checkpoints, data, vocabulary, metrics, manifest) present now. */
  presentEntries(): string[] {
    return RUN_ENTRIES.filter((entry) => existsSync(join(this.dir, entry)));
  }

  /** Deletes the run's entries but those in `keep`; other files stay. */
  removeRun(keep: readonly string[] = []): void {
    for (const entry of RUN_ENTRIES) if (!keep.includes(entry)) rmSync(join(this.dir, entry), { recursive: true, force: true });
  }

  /**
   * Removes what killed writers left: half-written checkpoint folders and temporary files
   * of atomic writes. Call only while holding the lock: then no one else is writing them.
   * Returns the paths removed.
   */
  removeLeftovers(): string[] {
    const removed: string[] = [];
    for (const dir of [this.dir, this.checkpointsDir, this.dataDir]) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!TEMPORARY_FILE.test(name) && !(dir === this.checkpointsDir && TEMPORARY_STEP_FOLDER.test(name))) continue;
        rmSync(join(dir, name), { recursive: true, force: true });
        removed.push(join(dir, name));
      }
    }
    return removed;
  }

  /**
   * Makes this process the folder's one writer, creating the folder if needed, or throws
   * `run folder X is being written by pid N (started ...)`. A lock whose owner is dead (same
   * host, no such process) is taken over. The lock goes when `release` is called or the
   * process exits; a worker thread terminated from outside leaves it to its host to remove
   * (the extension's TrainingSession does).
   */
  lock(command: string): RunLockHandle {
    const createdFolder = outermostMissing(this.dir);
    ensureFolder(this.dir, 'run folder');
    const me: RunLockOwner = { pid: process.pid, thread: threadId, hostname: hostname(), started: new Date().toISOString(), command };
    const text = JSON.stringify(me) + '\n';
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(this.lockPath, text, { flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(this, e);
      }
      const owner = readOwner(this.lockPath);
      if (owner && !isStale(owner)) {
        throw new Error(`run folder ${this.dir} is being written by pid ${owner.pid}${owner.hostname !== me.hostname ? ` on ${owner.hostname}` : ''} (${owner.command}, started ${owner.started}); wait for it to end or stop it (if that process is not ELECTRA Studio, delete ${this.lockPath})`);
      }
      // The owner is dead, or the file is torn (its writer died mid-write): take it over.
      rmSync(this.lockPath, { force: true });
    }
    const release = () => {
      process.removeListener('exit', release);
      // Only our own lock: never one a later writer took over.
      const owner = readOwner(this.lockPath);
      if (owner?.pid === me.pid && owner.thread === me.thread && owner.started === me.started) rmSync(this.lockPath, { force: true });
    };
    process.on('exit', release);
    return { owner: me, createdFolder, release };
  }
}

export interface RunLockHandle {
  owner: RunLockOwner;
  /** The outermost folder that taking the lock created (the run folder or a parent), if any. */
  createdFolder?: string;
  release(): void;
}

/** The outermost level of `path` that does not exist yet (what creating it will make), if any. */
function outermostMissing(path: string): string | undefined {
  let missing: string | undefined;
  for (let at = path; !existsSync(at); at = dirname(at)) {
    missing = at;
    if (dirname(at) === at) break;
  }
  return missing;
}

function readOwner(path: string): RunLockOwner | undefined {
  try {
    return parseLockOwner(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A lock is stale when its owner ran on this host and that process is gone. */
function isStale(owner: RunLockOwner): boolean {
  if (owner.hostname !== hostname()) return false; // another machine's process: cannot tell, so it holds
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockError(run: RunFolder, e: unknown): Error {
  const owner = readOwner(run.lockPath);
  if (owner) return new Error(`run folder ${run.dir} is being written by pid ${owner.pid} (${owner.command}, started ${owner.started})`);
  return new Error(`cannot lock run folder ${run.dir}: ${(e as Error).message}`);
}
