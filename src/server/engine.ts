/** The engine as the server uses it: src/core's Scorer, checkpoint lookup and calibration files. */
import { findLatestCheckpoint, readCalibration, calibrationPathOf } from '../core';
import { Scorer, SCORING_DEFAULTS } from '../core';
import type { ScorerEngine } from './scorerHost';
import type { ServerSettings } from './settings';

export function coreEngine(backend: ServerSettings['backend']): ScorerEngine {
  return {
    resolve: (path) => findLatestCheckpoint(path),
    // Windows of one edit or of a first scoring are shared between threads, one per core.
    load: (path) => Scorer.load(path, { backend, workers: SCORING_DEFAULTS.workers }),
    calibrationPath: calibrationPathOf,
    calibration: readCalibration,
  };
}
