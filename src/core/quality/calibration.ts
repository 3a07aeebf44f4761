/**
 * A model's calibration (the format and the threshold rule: src/shared/calibrationFormat.ts):
 * score clean held-out prose of the model's own corpus (paragraphs drawn in a seeded random
 * order from all the documents training held out, at most CALIBRATION_DEFAULTS.maxWords
 * words; a corpus of a few files has none held out, and its own prose stands in, said so in
 * `fittedOn`) and take the lowest threshold that keeps the false-flag rate at most N per 1,000
 * words with CALIBRATION_DEFAULTS.confidence (metrics.ts's thresholdForFalseFlagBound; N is
 * ERROR_BENCHMARK_DEFAULTS.falseFlagBudget). Any flag on that text is a false one: it holds
 * no planted error. Drawing from every document, rather than taking the first ones, keeps
 * one kind of text (the first folder's) from setting the threshold for all; the confidence
 * bound keeps the sample's own luck from doing so. Written at the end of every pre-training
 * run (RunFolder.writeCalibration) and for the shipped base model (src/tools/shipModel.ts);
 * read here for the hosts.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CALIBRATION_FILE, CALIBRATION_FORMAT, CALIBRATION_MAX_BYTES, CALIBRATION_VERSION, parseCalibration, type Calibration } from '../../shared/calibrationFormat';
import { CALIBRATION_DEFAULTS, ERROR_BENCHMARK_DEFAULTS } from '../../shared/defaults';
import { RUN_FILES } from '../../shared/runFolderFormat';
import { Scorer } from '../score/scoring';
import { findLatestCheckpoint } from '../run/checkpoint';
import { RunFolder } from '../run/runFolder';
import type { BackendPreference } from '../wasm/backend';
import { corpusDocuments, documentParagraphs } from './corpusText';
import { HELD_OUT_FRACTION, listDocuments, type CorpusSource } from '../data/dataset';
import { isHeldOut } from '../data/corpus';
import { thresholdForFalseFlagBound } from './metrics';
import { epochPermutation } from '../common/random';
import { joinParagraphs, type Paragraphs } from './prose';
import { pieceScores, wordScores, wordsOf, type ScoredSpan } from './words';

export interface CalibrationOptions {
  /** Held-out words scored at most (CALIBRATION_DEFAULTS.maxWords). */
  maxWords?: number;
  /** Fewer words than this: no calibration (CALIBRATION_DEFAULTS.minWords). */
  minWords?: number;
  /** The budget (ERROR_BENCHMARK_DEFAULTS.falseFlagBudget). */
  falseFlagsPer1000?: number;
  /** With which the budget holds (CALIBRATION_DEFAULTS.confidence). */
  confidence?: number;
  signal?: AbortSignal;
}

/** A model as the calibration sees it: its checkpoint step and the scored tokens of a text. */
export interface ScoringModel {
  step: number;
  score(text: string, signal?: AbortSignal): Promise<ScoredSpan[]>;
}

export type CalibrationOutcome = { calibration: Calibration } | { skipped: string };

/** The first whole sentences of `paragraphs` holding at most `maxWords` words (wordsOf's words). */
export function takeWords(paragraphs: Paragraphs, maxWords: number): Paragraphs {
  const out: Paragraphs = [];
  let n = 0;
  for (const p of paragraphs) {
    const kept: string[] = [];
    for (const s of p) {
      const w = wordsOf(s).length;
      if (n + w > maxWords) break;
      kept.push(s);
      n += w;
    }
    if (kept.length > 0) out.push(kept);
    if (kept.length < p.length) break;
  }
  return out;
}

/**
 * Clean prose of `source` that training held out: whole paragraphs of all its held-out
 * documents in a random order (seeded: CALIBRATION_DEFAULTS.seed), whole sentences, at most
 * `maxWords` words. A corpus whose files are all held out or none is (a few files) is split
 * by sequence in training (src/core/data/dataset.ts), so no file is unseen: then its prose
 * is used as it is, and `heldOut` says so.
 */
export async function calibrationText(source: CorpusSource, maxWords: number): Promise<{ text: string; heldOut: boolean }> {
  const { docs } = await listDocuments(source);
  const held = docs.filter((d) => isHeldOut(d.relPath, HELD_OUT_FRACTION)).length;
  const heldOut = held > 0 && held < docs.length;
  const paragraphs: Paragraphs = [];
  for (const doc of await corpusDocuments(source, heldOut ? 'heldOut' : 'all')) paragraphs.push(...documentParagraphs(source, doc));
  const drawn = Array.from(epochPermutation(paragraphs.length, CALIBRATION_DEFAULTS.seed, 0), (i) => paragraphs[i]);
  return { text: joinParagraphs(takeWords(drawn, maxWords)), heldOut };
}

/** The calibration of `model` on held-out prose of `source`, the corpus it was trained on. */
export async function calibrate(model: ScoringModel, source: CorpusSource, o: CalibrationOptions = {}): Promise<CalibrationOutcome> {
  const started = performance.now();
  const maxWords = o.maxWords ?? CALIBRATION_DEFAULTS.maxWords;
  const minWords = o.minWords ?? CALIBRATION_DEFAULTS.minWords;
  const budget = o.falseFlagsPer1000 ?? ERROR_BENCHMARK_DEFAULTS.falseFlagBudget;
  const confidence = o.confidence ?? CALIBRATION_DEFAULTS.confidence;
  const { text, heldOut } = await calibrationText(source, maxWords);
  const words = wordsOf(text);
  const what = heldOut ? 'held-out prose' : 'prose (it has no held-out files)';
  if (words.length < minWords) {
    return { skipped: `${sourceName(source)} has ${words.length} words of ${what}, fewer than the ${minWords} a calibration needs` };
  }
  const scores = wordScores(words, await model.score(text, o.signal));
  const scored = Array.from(scores).filter((s) => !Number.isNaN(s));
  const threshold = thresholdForFalseFlagBound(scored, budget, confidence);
  if (threshold === Infinity) {
    return { skipped: `${scored.length} words of ${what} cannot show a rate of ${budget} false flags per 1,000 with ${Math.round(confidence * 100)}% confidence` };
  }
  if (!(threshold > 0 && threshold < 1)) {
    return { skipped: `the threshold for ${budget} flags per 1,000 words would be ${threshold}: the model's scores saturate on clean text` };
  }
  return {
    calibration: {
      format: CALIBRATION_FORMAT,
      version: CALIBRATION_VERSION,
      threshold,
      falseFlagsPer1000: budget,
      confidence,
      words: scored.length,
      step: model.step,
      fittedOn: heldOut ? `held-out prose of ${sourceName(source)}, no planted errors` : `prose of ${sourceName(source)}, seen in training (no file of it is held out), no planted errors`,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
  };
}

/**
 * The calibration of the checkpoint at `path` (a checkpoint, run or model folder), scored on
 * one thread: the end of a run and shipping a model both call this.
 */
export async function calibrateCheckpoint(path: string, source: CorpusSource, o: CalibrationOptions & { backend?: BackendPreference } = {}): Promise<CalibrationOutcome> {
  const scorer = await Scorer.load(path, { backend: o.backend, workers: 1 });
  try {
    const model: ScoringModel = {
      step: scorer.checkpointStep,
      score: async (text, signal) => pieceScores((await scorer.score(text, { signal })).tokens),
    };
    return await calibrate(model, source, o);
  } finally {
    scorer.dispose();
  }
}

/**
 * Calibrates the latest checkpoint of a run or model folder on `source` and writes the
 * calibration beside its checkpoints, as the folder's one writer (RunFolder.lock: a run still
 * training is refused, and writes its own at its end). For a model that has none (imported or
 * downloaded) or one fitted on other text than the user's.
 */
export async function calibrateFolder(folder: string, source: CorpusSource, o: CalibrationOptions & { backend?: BackendPreference } = {}): Promise<CalibrationOutcome & { path?: string }> {
  const checkpoint = findLatestCheckpoint(folder);
  if (!checkpoint) throw new Error(`${folder}: no checkpoint found`);
  const home = calibrationFolderOf(checkpoint);
  if (!home) throw new Error(`${checkpoint} is not in a run or model folder's checkpoints/: there is nowhere to keep its calibration`);
  const run = new RunFolder(home);
  const lock = run.lock('calibrate');
  try {
    const outcome = await calibrateCheckpoint(checkpoint, source, o);
    if ('skipped' in outcome) return outcome;
    run.writeCalibration(outcome.calibration);
    return { ...outcome, path: run.calibrationPath };
  } finally {
    lock.release();
  }
}

/** The corpus in words, without a local path (a shipped calibration goes to every user). */
function sourceName(source: CorpusSource): string {
  return source.kind === 'brown' ? 'the Brown corpus' : `the corpus folder ${basename(source.root)}`;
}

/**
 * The folder a checkpoint's calibration lives in: the run or model folder above
 * `<folder>/checkpoints/step-N`, or undefined for a checkpoint outside that layout (an
 * imported model): it has none.
 */
export function calibrationFolderOf(checkpointDir: string): string | undefined {
  const checkpoints = dirname(checkpointDir);
  return basename(checkpoints) === RUN_FILES.checkpoints ? dirname(checkpoints) : undefined;
}

/** The calibration file a checkpoint's would be, if its layout has one. */
export function calibrationPathOf(checkpointDir: string): string | undefined {
  const folder = calibrationFolderOf(checkpointDir);
  return folder === undefined ? undefined : join(folder, CALIBRATION_FILE);
}

export interface CalibrationLookup {
  /** The calibration of the checkpoint, when its folder has a valid one for its step. */
  calibration?: Calibration;
  /** Why a calibration file that is there does not apply (damaged, another step), for a log. */
  note?: string;
}

/**
 * The calibration of the checkpoint in `checkpointDir` at `step`. Never throws: a missing
 * file is no calibration, a damaged or crafted one a note, and a file fitted to another
 * step of the same run a note too (the checkpoint falls back to the default threshold).
 */
export function readCalibration(checkpointDir: string, step: number): CalibrationLookup {
  const path = calibrationPathOf(checkpointDir);
  if (path === undefined) return {};
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { note: `${path}: not a file` };
    size = st.size;
  } catch {
    return {};
  }
  if (size > CALIBRATION_MAX_BYTES) return { note: `${path}: ${size} bytes, larger than a calibration can be (${CALIBRATION_MAX_BYTES}); ignored` };
  let calibration: Calibration;
  try {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
    }
    calibration = parseCalibration(json, path);
  } catch (e) {
    return { note: `${(e as Error).message}; ignored` };
  }
  if (calibration.step !== step) return { note: `${path} belongs to step ${calibration.step}, not to the checkpoint in use (step ${step})` };
  return { calibration };
}
