/**
 * The calibration of the checkpoint the server scores with (its model's calibration.json,
 * src/shared/calibrationFormat.ts), followed as the file changes: a pre-training run writes
 * it when it ends, after the server has already loaded that run's last checkpoint. A
 * damaged file or one fitted to another step is no calibration, said once in the log.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Calibration, CalibrationLookup } from '../core';

export interface CalibrationFiles {
  /** The calibration file of a checkpoint folder's model, if its layout has one. */
  calibrationPath(checkpointDir: string): string | undefined;
  /** The calibration of the checkpoint at `step` (never throws; src/core/quality/calibration.ts). */
  calibration(checkpointDir: string, step: number): CalibrationLookup;
}

/** Polling interval of the file: one stat(), as for latest.json (scorerHost.ts). */
const WATCH_INTERVAL_MS = 500;

export class CalibrationFollower {
  private calib: Calibration | undefined;
  private checkpoint: { checkpointDir: string; checkpointStep: number } | undefined;
  private watched: string | undefined;
  private lastNote: string | undefined;

  constructor(
    private readonly files: CalibrationFiles,
    private readonly events: {
      /** The calibration appeared, changed or went while the same checkpoint is in use. */
      onChanged(): void;
      log(message: string): void;
    },
  ) {}

  /** The calibration of the checkpoint in use, if it has a valid one for its step. */
  get current(): Calibration | undefined {
    return this.calib;
  }

  /** Reads and then follows the calibration of `checkpoint` (undefined: none in use). */
  follow(checkpoint: { checkpointDir: string; checkpointStep: number } | undefined): void {
    this.checkpoint = checkpoint;
    this.lastNote = undefined;
    this.read();
    this.watch(checkpoint && this.files.calibrationPath(checkpoint.checkpointDir));
  }

  dispose(): void {
    this.watch(undefined);
  }

  /** Reads the calibration; true when the threshold it gives changed. */
  private read(): boolean {
    const c = this.checkpoint;
    const found = c ? this.files.calibration(c.checkpointDir, c.checkpointStep) : {};
    if (found.note && found.note !== this.lastNote) this.events.log(found.note);
    this.lastNote = found.note;
    const before = this.calib;
    this.calib = found.calibration;
    return before?.threshold !== this.calib?.threshold || before?.falseFlagsPer1000 !== this.calib?.falseFlagsPer1000;
  }

  private watch(file: string | undefined): void {
    if (file === this.watched) return;
    if (this.watched) unwatchFile(this.watched, this.onFileChanged);
    this.watched = file;
    if (file) watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, this.onFileChanged);
  }

  private readonly onFileChanged = (): void => {
    if (!this.read()) return;
    if (this.calib) this.events.log(`calibration of step ${this.calib.step}: threshold ${this.calib.threshold.toFixed(3)}`);
    this.events.onChanged();
  };
}
