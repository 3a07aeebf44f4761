/**
 * A model's calibration: the flagging threshold fitted to it, and the rule that picks the
 * threshold the editor, the token view and the CLI flag at. A model's scores are not
 * probabilities one threshold serves across models (docs/base-model.md, target 4): each model
 * carries the threshold that flags at most N of every 1,000 words of clean held-out prose of
 * its own corpus, with a stated confidence (src/core/quality/calibration.ts computes it).
 *
 *   <run or model folder>/calibration.json   the calibration of the checkpoint `step`
 *
 * It sits beside checkpoints/ (a run folder's one writer, RunFolder, writes it when a run
 * ends; src/tools/shipModel.ts writes the shipped model's) and applies only to the checkpoint
 * of its step: a later checkpoint of the same run falls back to the default until it has its
 * own. The file is read from folders that may come from anyone: parseCalibration checks
 * every field and reads nothing larger than CALIBRATION_MAX_BYTES.
 */
import { SCORING_DEFAULTS } from './defaults';
import { RUN_FILES } from './runFolderFormat';

export const CALIBRATION_FILE = RUN_FILES.calibration;
export const CALIBRATION_FORMAT = 'electra-studio-calibration';
export const CALIBRATION_VERSION = 1;
/** A calibration is a few hundred bytes; anything much larger is not one. */
export const CALIBRATION_MAX_BYTES = 64 * 1024;

export interface Calibration {
  format: typeof CALIBRATION_FORMAT;
  version: typeof CALIBRATION_VERSION;
  /** Words at or above it are flagged; in (0, 1). */
  threshold: number;
  /** The budget it was fitted for: at most this many flags per 1,000 clean words. */
  falseFlagsPer1000: number;
  /**
   * The confidence with which the budget holds on text like the sample's; absent in files
   * written before it was recorded, which fitted the budget on the sample alone.
   */
  confidence?: number;
  /** Clean words it was fitted on. */
  words: number;
  /** The checkpoint step it belongs to. */
  step: number;
  /** What text it was fitted on, in words. */
  fittedOn: string;
  /** Seconds the calibration took (scoring included). */
  seconds?: number;
}

function need(cond: boolean, where: string, what: string): void {
  if (!cond) throw new Error(`${where}: not a valid calibration (${what})`);
}

/** A calibration from parsed JSON, or an error naming `where` and what is wrong. */
export function parseCalibration(x: unknown, where: string): Calibration {
  need(typeof x === 'object' && x !== null && !Array.isArray(x), where, 'not a JSON object');
  const o = x as Record<string, unknown>;
  need(o.format === CALIBRATION_FORMAT, where, `format is ${JSON.stringify(o.format)}, expected "${CALIBRATION_FORMAT}"`);
  need(o.version === CALIBRATION_VERSION, where, `version ${JSON.stringify(o.version)}; this version of ELECTRA Studio reads version ${CALIBRATION_VERSION}`);
  need(typeof o.threshold === 'number' && o.threshold > 0 && o.threshold < 1, where, `threshold ${JSON.stringify(o.threshold)} is not a number in (0, 1)`);
  need(typeof o.falseFlagsPer1000 === 'number' && o.falseFlagsPer1000 >= 0 && o.falseFlagsPer1000 <= 1000, where, 'falseFlagsPer1000 is not a number in [0, 1000]');
  need(o.confidence === undefined || (typeof o.confidence === 'number' && o.confidence > 0 && o.confidence < 1), where, 'confidence is not a number in (0, 1)');
  need(Number.isSafeInteger(o.words) && (o.words as number) > 0, where, 'words is not a positive integer');
  need(Number.isSafeInteger(o.step) && (o.step as number) >= 0, where, 'step is not a non-negative integer');
  need(typeof o.fittedOn === 'string' && o.fittedOn.length <= 1000, where, 'fittedOn is not a short string');
  need(o.seconds === undefined || (typeof o.seconds === 'number' && o.seconds >= 0), where, 'seconds is not a non-negative number');
  const c: Calibration = {
    format: CALIBRATION_FORMAT,
    version: CALIBRATION_VERSION,
    threshold: o.threshold as number,
    falseFlagsPer1000: o.falseFlagsPer1000 as number,
    ...(o.confidence === undefined ? {} : { confidence: o.confidence as number }),
    words: o.words as number,
    step: o.step as number,
    fittedOn: o.fittedOn as string,
  };
  if (o.seconds !== undefined) c.seconds = o.seconds as number;
  return c;
}

/**
 * "threshold 0.742: at most 5 false flags per 1,000 words with 95% confidence, fitted on
 * held-out prose of ... (19,987 words, step 8000, 2.6 s)": a calibration for a log.
 */
export function summarizeCalibration(c: Calibration): string {
  const confidence = c.confidence === undefined ? 'on its sample' : `with ${Math.round(c.confidence * 100)}% confidence`;
  const seconds = c.seconds === undefined ? '' : `, ${c.seconds} s`;
  return `threshold ${c.threshold.toFixed(3)}: at most ${c.falseFlagsPer1000} false flags per 1,000 words ${confidence}, fitted on ${c.fittedOn} (${c.words} words, step ${c.step}${seconds})`;
}

/** A calibration as its file holds it. */
export function formatCalibration(c: Calibration): string {
  return JSON.stringify(c, null, 2) + '\n';
}

/** Where the threshold in use comes from: the user's setting, the model's calibration, or the fallback. */
export type ThresholdSource = 'setting' | 'calibrated' | 'default';

export interface ThresholdInUse {
  value: number;
  source: ThresholdSource;
  /** The calibration's budget, when source is 'calibrated'. */
  falseFlagsPer1000?: number;
}

/**
 * The threshold rule, the one place it is written: the user's explicit threshold when there
 * is one (a number; null or undefined is "auto"), else the model's calibrated threshold,
 * else SCORING_DEFAULTS.threshold.
 */
export function thresholdInUse(explicit: number | null | undefined, calibration: Pick<Calibration, 'threshold' | 'falseFlagsPer1000'> | undefined): ThresholdInUse {
  if (typeof explicit === 'number' && Number.isFinite(explicit)) return { value: explicit, source: 'setting' };
  if (calibration) return { value: calibration.threshold, source: 'calibrated', falseFlagsPer1000: calibration.falseFlagsPer1000 };
  return { value: SCORING_DEFAULTS.threshold, source: 'default' };
}

/** The threshold rounded as the editor shows it. */
export function formatThreshold(value: number): string {
  return value.toFixed(2);
}

/**
 * "0.62, calibrated for 5 false flags per 1,000 words" and the like: the value and where it
 * came from. `settingName` names the user's explicit choice (the CLI's is --threshold).
 */
export function describeThreshold(t: ThresholdInUse, settingName = 'electraStudio.annotation.threshold'): string {
  const v = formatThreshold(t.value);
  switch (t.source) {
    case 'setting':
      return `${v}, set by ${settingName}`;
    case 'calibrated':
      return `${v}, calibrated for ${t.falseFlagsPer1000} false flags per 1,000 words`;
    case 'default':
      return `${v}, the default (this model has no calibration)`;
  }
}
