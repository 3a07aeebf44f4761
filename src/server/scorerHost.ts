/**
 * Holds the one Scorer of the server: loads the checkpoint that checkpointRule.ts names,
 * follows it (polls `<run>/checkpoints/latest.json` of a selected run, and the runs roots
 * for a newer run when nothing is selected) and its calibration (calibrationFollower.ts),
 * reports its state, and runs the scorer's calls one at a time so a reload never disposes a
 * scorer in the middle of a call.
 */
import { existsSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import type { Alternative, BlockPlan, Calibration, ScoreResult } from '../core';
import { CHECKPOINT_SOURCE_TEXT, type StatusParams } from '../shared/lspProtocol';
import { ruleTarget, type CheckpointChoice } from './checkpointRule';
import { RUN_FILES } from '../shared/runFolderFormat';
import { CalibrationFollower, type CalibrationFiles } from './calibrationFollower';

/** The part of src/core/score/scoring.ts's Scorer the server uses. */
export interface ScorerLike {
  readonly checkpointStep: number;
  readonly checkpointDir: string;
  planBlock(text: string): BlockPlan;
  cachedWindow(key: string): Float32Array | undefined;
  computeWindows(ids: Int32Array[], keys: string[]): Promise<Float32Array[]>;
  windowAlternatives(windowIds: Int32Array, position: number, k: number): Promise<Alternative[]>;
  /** Every token of a short text scored at once (a quick fix checked by the model). */
  score(text: string): Promise<ScoreResult>;
  dispose(): void;
}

export interface ScorerEngine extends CalibrationFiles {
  /** The checkpoint folder `path` (a run folder or a checkpoint folder) resolves to now, if any. */
  resolve(path: string): string | undefined;
  load(path: string): Promise<ScorerLike>;
}

/** Polling interval for latest.json; stat() of one file, negligible. */
const WATCH_INTERVAL_MS = 500;
/** Polling interval for the newest run under the runs roots: a readdir and a stat per run. */
const NEWEST_RUN_INTERVAL_MS = 1000;
/** Wait after latest.json changes before loading, so a checkpoint being written settles. */
const RELOAD_DELAY_MS = 200;

/**
 * The file announcing a run's newest checkpoint, or undefined when `path` names one
 * checkpoint folder (it holds state.json): that one is pinned and never reloaded. A path
 * that does not exist yet is taken as a run folder whose training has not saved anything.
 */
export function latestJsonFor(path: string): string | undefined {
  if (existsSync(join(path, 'state.json'))) return undefined;
  if (basename(path) === RUN_FILES.checkpoints) return join(path, RUN_FILES.latest);
  return join(path, RUN_FILES.checkpoints, RUN_FILES.latest);
}

export class ScorerHost {
  private current: ScorerLike | undefined;
  /** Bumped whenever `current` changes; results computed under another generation are stale. */
  private gen = 0;
  private choice: CheckpointChoice = { runsRoots: [] };
  private watched: string | undefined;
  private newestRunTimer: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  /** Tail of the queue that serialises loads and scorer calls. */
  private queue: Promise<unknown> = Promise.resolve();
  private state: StatusParams = { state: 'no-checkpoint' };
  private readonly calibrations: CalibrationFollower;

  constructor(
    private readonly engine: ScorerEngine,
    private readonly events: {
      onStatus(status: StatusParams): void;
      /** The scorer changed (loaded, reloaded or unloaded): every score is stale. */
      onScorerChanged(): void;
      /** The scorer's calibration appeared, changed or went: the threshold in use may differ. */
      onCalibrationChanged?(): void;
      log(message: string): void;
    },
  ) {
    this.calibrations = new CalibrationFollower(engine, { onChanged: () => events.onCalibrationChanged?.(), log: events.log });
  }

  get scorer(): ScorerLike | undefined {
    return this.current;
  }
  get generation(): number {
    return this.gen;
  }
  get status(): StatusParams {
    return this.state;
  }
  /** The calibration of the checkpoint in use, if it has a valid one for its step (calibrationFollower.ts). */
  get calibration(): Calibration | undefined {
    return this.calibrations.current;
  }

  /**
   * Selects a run folder or checkpoint folder, or (undefined or '') none: then the newest
   * checkpoint of the newest run under `runsRoots` (kept when not given), and loads it.
   */
  /** The shipped base model, scored with when there is neither a selection nor a run (checkpointRule.ts). */
  setBaseModel(path: string | undefined): void {
    this.choice = { ...this.choice, baseModel: path };
  }

  select(path: string | undefined, runsRoots?: readonly string[]): Promise<void> {
    const choice: CheckpointChoice = { selected: path || undefined, runsRoots: runsRoots ?? this.choice.runsRoots, baseModel: this.choice.baseModel };
    this.choice = choice;
    this.watch(choice.selected ? latestJsonFor(choice.selected) : undefined);
    clearInterval(this.newestRunTimer);
    this.newestRunTimer = undefined;
    if (!choice.selected && choice.runsRoots.length > 0) {
      // Another run (this window's or another's) may save a newer checkpoint at any time.
      this.newestRunTimer = setInterval(() => this.followNewestRun(), NEWEST_RUN_INTERVAL_MS);
      this.newestRunTimer.unref();
    }
    return this.enqueue(() => this.load(true));
  }

  /** Runs `fn` with the current scorer once every earlier load or call has finished. */
  withScorer<T>(fn: (scorer: ScorerLike, generation: number) => Promise<T>): Promise<T> {
    return this.enqueue(() => {
      if (!this.current) throw new NoCheckpointError(this.state.message);
      return fn(this.current, this.gen);
    });
  }

  dispose(): void {
    this.watch(undefined);
    this.calibrations.dispose();
    clearInterval(this.newestRunTimer);
    clearTimeout(this.reloadTimer);
    this.current?.dispose();
    this.current = undefined;
  }

  private enqueue<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setStatus(s: StatusParams): void {
    this.state = s;
    this.events.onStatus(s);
  }

  /** No selection: loads the newest run's checkpoint when it is not the one in use. */
  private followNewestRun(): void {
    const rule = ruleTarget(this.choice);
    const target = rule && this.engine.resolve(rule.path);
    if (target && target !== this.current?.checkpointDir && target !== this.failed) void this.enqueue(() => this.load(false));
  }

  /** A checkpoint folder that failed to load: not tried again until the choice changes. */
  private failed: string | undefined;

  private async load(explicit: boolean): Promise<void> {
    const choice = this.choice;
    const rule = ruleTarget(choice);
    if (!rule) {
      if (this.current) this.swap(undefined);
      const where = choice.runsRoots.length > 0 ? `no run with a checkpoint under ${choice.runsRoots.join(', ')} yet` : undefined;
      this.setStatus({ state: 'no-checkpoint', message: where });
      return;
    }
    const target = this.engine.resolve(rule.path);
    if (!target) {
      if (this.current) this.swap(undefined);
      this.setStatus({ state: 'no-checkpoint', source: rule.source, message: `no checkpoint in ${rule.path} yet` });
      return;
    }
    // A latest.json rewrite that names the checkpoint already loaded changes nothing.
    if (!explicit && this.current && this.current.checkpointDir === target) return;
    if (explicit) this.failed = undefined;
    this.setStatus({ state: 'loading', checkpointStep: this.current?.checkpointStep, checkpointDir: this.current?.checkpointDir, source: rule.source });
    const started = Date.now();
    try {
      const scorer = await this.engine.load(target);
      if (this.choice !== choice) {
        // Another checkpoint was selected while this one loaded; its own load is queued.
        scorer.dispose();
        return;
      }
      this.swap(scorer);
      this.events.log(`loaded checkpoint ${scorer.checkpointDir} (step ${scorer.checkpointStep}) in ${Date.now() - started} ms: ${CHECKPOINT_SOURCE_TEXT[rule.source]}`);
      this.setStatus({ state: 'ready', checkpointStep: scorer.checkpointStep, checkpointDir: scorer.checkpointDir, source: rule.source });
    } catch (e) {
      this.failed = target;
      const message = `could not load ${target}: ${(e as Error).message}`;
      this.events.log(message);
      this.setStatus({
        state: 'error',
        checkpointStep: this.current?.checkpointStep,
        checkpointDir: this.current?.checkpointDir,
        source: rule.source,
        message: this.current ? `${message} (still using step ${this.current.checkpointStep})` : message,
      });
    }
  }

  private swap(next: ScorerLike | undefined): void {
    const old = this.current;
    this.current = next;
    this.gen++;
    old?.dispose();
    this.calibrations.follow(next);
    this.events.onScorerChanged();
  }

  private watch(file: string | undefined): void {
    if (file === this.watched) return;
    if (this.watched) unwatchFile(this.watched, this.onLatestChanged);
    this.watched = file;
    if (file) watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, this.onLatestChanged);
  }

  private readonly onLatestChanged = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.enqueue(() => this.load(false)), RELOAD_DELAY_MS);
  };
}

export class NoCheckpointError extends Error {
  constructor(detail?: string) {
    super(detail ? `no checkpoint loaded: ${detail}` : 'no checkpoint loaded');
  }
}
