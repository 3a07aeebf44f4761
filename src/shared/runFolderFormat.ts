/**
 * The run folder's format: where each file lives and what run.json (the run manifest)
 * holds. The engine writes run folders (src/core/run/runFolder.ts); the extension lists
 * and reads them without loading the engine, so the names and the manifest's schema live
 * here, in one place both sides import.
 *
 *   <run>/run.json                  the manifest: format, version, preset, model, training
 *                                   settings, corpus, seed, created (RunManifest)
 *   <run>/run.lock                  the one writer's pid, host and start time, while it runs
 *   <run>/metrics.jsonl             one MetricsRecord a line (src/shared/metricsRecord.ts)
 *   <run>/vocab.txt                 WordPiece vocabulary (BERT format)
 *   <run>/data/                     packed sequences (src/core/data/dataset.ts)
 *   <run>/checkpoints/latest.json   {"step": N, "dir": "step-0000000N"}
 *   <run>/checkpoints/step-N/       one checkpoint (src/core/run/checkpoint.ts)
 *   <run>/calibration.json          the final checkpoint's flagging threshold, written when a
 *                                   pre-training run ends (src/shared/calibrationFormat.ts)
 *
 * Temporary names, left behind only by a killed writer and removed by the next one:
 * `.<file>.tmp-<pid>-<n>` (src/core/run/atomicFile.ts) and `checkpoints/.tmp-step-N-<pid>`.
 */
import type { CorpusSource, ElectraConfig } from '../core';
import { isObjective, isPresetName, OBJECTIVES, PRESET_NAMES, type Objective, type PresetName } from './defaults';
import { parseRunOrigin, type RunOrigin } from './runOrigin';

export const RUN_FILES = {
  manifest: 'run.json',
  lock: 'run.lock',
  metrics: 'metrics.jsonl',
  vocab: 'vocab.txt',
  data: 'data',
  checkpoints: 'checkpoints',
  /** The calibration of one checkpoint (src/shared/calibrationFormat.ts); a shipped model's folder has it too. */
  calibration: 'calibration.json',
  /** Inside checkpoints/. */
  latest: 'latest.json',
} as const;

/** An experiment's folder (electra-studio experiment) holds this file and one run folder per arm and seed. */
export const EXPERIMENT_FILE = 'experiment.json';

/** A checkpoint's folder name inside checkpoints/: zero-padded so names sort by step. */
export const stepFolderName = (step: number): string => `step-${String(step).padStart(8, '0')}`;
export const STEP_FOLDER = /^step-(\d+)$/;
/** A checkpoint being written: `.tmp-step-N-<pid>` in checkpoints/. */
export const temporaryStepFolderName = (step: number, pid: number): string => `.tmp-${stepFolderName(step)}-${pid}`;
export const TEMPORARY_STEP_FOLDER = /^\.tmp-step-\d+-\d+$/;
/** A file being written atomically: `.<name>.tmp-<pid>-<n>`. */
export const temporaryFileName = (name: string, pid: number, n: number): string => `.${name}.tmp-${pid}-${n}`;
export const TEMPORARY_FILE = /^\..+\.tmp-\d+-\d+$/;

/** Training settings, resolved once when a run starts; saved in the manifest and in every checkpoint. */
export interface TrainingSettings {
  preset: PresetName;
  batchSize: number;
  gradientAccumulation: number;
  learningRate: number;
  /** -1: 10% of totalSteps (at most 10,000), fixed once totalSteps is known. */
  warmupSteps: number;
  /** Steps of the learning-rate schedule (its decay reaches 0 here); 0 until a time-budgeted run knows its pace. */
  totalSteps: number;
  checkpointEvery: number;
  evalEvery: number;
  evalSequences: number;
  dropout: number;
  maxGradNorm: number;
  /** The run's FLOP budget, when it has one: it stops there, and totalSteps is estimated from it. */
  flopBudget?: number;
  /** Share of tokens masked (absent: ELECTRA's 0.15). src/core/model/masking.ts */
  maskProbability?: number;
  /** The replacement curriculum (absent: generator only). src/core/model/replacements.ts */
  curriculum?: { unigramShareStart: number; unigramShareEnd: number; decayFraction: number };
  /** Synthetic real-word errors' share (absent: none). src/core/model/syntheticErrors.ts */
  syntheticErrors?: number;
  /** Share of the run's steps before the synthetic errors begin (absent: 0, from the first step). */
  syntheticErrorsFrom?: number;
  /** Whether the run began with neighbour heads (absent: no). src/core/model/neighbourHeads.ts */
  neighbourHeads?: boolean;
}

export const RUN_MANIFEST_FORMAT = 'electra-studio-run';
export const RUN_MANIFEST_VERSION = 2;

/** run.json, version 2. */
export interface RunManifest {
  format: typeof RUN_MANIFEST_FORMAT;
  version: typeof RUN_MANIFEST_VERSION;
  preset: PresetName;
  /** The model trained (vocabSize is the vocabulary's real size). */
  model: ElectraConfig;
  /** The vocabulary size asked for; a small corpus may give fewer WordPieces (model.vocabSize). */
  vocabSizeAsked: number;
  normalization: { lowercase: boolean; stripAccents: boolean };
  training: TrainingSettings;
  corpus: CorpusSource;
  seed: number;
  /** What the run was last asked to train for: steps in all, or minutes of this process. */
  budget: { steps?: number; minutes?: number; flops?: number };
  /** ISO time the run was started (kept across resumes). */
  created: string;
  /** ISO time of the latest start or resume. */
  started: string;
  /** A run that continues another model (continued pre-training): where it started from (src/shared/runOrigin.ts). */
  origin?: RunOrigin;
}

/** The lock file's content: who writes the run folder. */
export interface RunLockOwner {
  pid: number;
  /** The writer's worker thread (worker_threads.threadId; 0: the main thread). */
  thread: number;
  hostname: string;
  /** ISO time the writer took the lock. */
  started: string;
  /** What the writer is doing, e.g. "pretrain". */
  command: string;
}

type Json = Record<string, unknown>;
const isRecord = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

class FormatError extends Error {}

function need(cond: boolean, where: string, what: string): void {
  if (!cond) throw new FormatError(`${where}: ${what}`);
}
const num = (o: Json, key: string, where: string, check: (n: number) => boolean = Number.isFinite): number => {
  const v = o[key];
  need(typeof v === 'number' && check(v), where, `${key} must be a ${check === Number.isFinite ? 'number' : 'valid number'}, got ${JSON.stringify(v)}`);
  return v as number;
};
const int = (n: number) => Number.isInteger(n) && n >= 0;
const positive = (n: number) => Number.isFinite(n) && n > 0;
const bool = (o: Json, key: string, where: string): boolean => {
  need(typeof o[key] === 'boolean', where, `${key} must be true or false`);
  return o[key] as boolean;
};

/** Checks training settings read from a file (a manifest or a checkpoint's state.json). */
export function parseTrainingSettings(x: unknown, where: string): TrainingSettings {
  need(isRecord(x), where, 'training settings must be an object');
  const o = x as Json;
  need(typeof o.preset === 'string' && isPresetName(o.preset), where, `training.preset must be one of ${PRESET_NAMES.join(', ')}, got ${JSON.stringify(o.preset)}`);
  return {
    preset: o.preset as PresetName,
    batchSize: num(o, 'batchSize', where, (n) => int(n) && n > 0),
    gradientAccumulation: num(o, 'gradientAccumulation', where, (n) => int(n) && n > 0),
    learningRate: num(o, 'learningRate', where, positive),
    warmupSteps: num(o, 'warmupSteps', where, (n) => Number.isInteger(n) && n >= -1),
    totalSteps: num(o, 'totalSteps', where, int),
    checkpointEvery: num(o, 'checkpointEvery', where, int),
    evalEvery: num(o, 'evalEvery', where, int),
    evalSequences: num(o, 'evalSequences', where, int),
    dropout: num(o, 'dropout', where, (n) => n >= 0 && n < 1),
    maxGradNorm: num(o, 'maxGradNorm', where, positive),
    ...(o.flopBudget !== undefined ? { flopBudget: num(o, 'flopBudget', where, positive) } : {}),
    ...(o.maskProbability === undefined ? {} : { maskProbability: num(o, 'maskProbability', where, (n) => n > 0 && n < 1) }),
    ...(o.syntheticErrors === undefined ? {} : { syntheticErrors: num(o, 'syntheticErrors', where, (n) => n >= 0 && n <= 1) }),
    ...(o.syntheticErrorsFrom === undefined ? {} : { syntheticErrorsFrom: num(o, 'syntheticErrorsFrom', where, (n) => n >= 0 && n < 1) }),
    ...(o.curriculum === undefined ? {} : { curriculum: parseCurriculum(o.curriculum, where) }),
    ...(o.neighbourHeads === undefined ? {} : { neighbourHeads: bool(o, 'neighbourHeads', where) }),
  };
}

function parseCurriculum(x: unknown, where: string): NonNullable<TrainingSettings['curriculum']> {
  need(isRecord(x), where, 'training.curriculum must be an object');
  const o = x as Json;
  const share = (n: number) => n >= 0 && n <= 1;
  return { unigramShareStart: num(o, 'unigramShareStart', where, share), unigramShareEnd: num(o, 'unigramShareEnd', where, share), decayFraction: num(o, 'decayFraction', where, share) };
}

function parseCorpus(x: unknown, where: string): CorpusSource {
  need(isRecord(x), where, 'corpus must be an object');
  const o = x as Json;
  if (o.kind === 'brown') return { kind: 'brown' };
  need(o.kind === 'folder', where, `corpus.kind must be "folder" or "brown", got ${JSON.stringify(o.kind)}`);
  need(typeof o.root === 'string' && o.root.length > 0, where, 'corpus.root must be a folder');
  const globs = (key: string): string[] | undefined => {
    if (o[key] === undefined) return undefined;
    need(Array.isArray(o[key]) && (o[key] as unknown[]).every((g) => typeof g === 'string'), where, `corpus.${key} must be a list of globs`);
    return o[key] as string[];
  };
  const include = globs('include');
  const exclude = globs('exclude');
  if (o.maxFileBytes !== undefined) num(o, 'maxFileBytes', where, positive);
  return {
    kind: 'folder',
    root: o.root as string,
    ...(include ? { include } : {}),
    ...(exclude ? { exclude } : {}),
    ...(o.maxFileBytes !== undefined ? { maxFileBytes: o.maxFileBytes as number } : {}),
  };
}

/** Shape only: the engine checks the numbers' sense (validateConfig) before building a model. */
function parseModel(x: unknown, where: string): ElectraConfig {
  need(isRecord(x), where, 'model must be an object');
  const o = x as Json;
  const encoder = (which: 'discriminator' | 'generator') => {
    const e = o[which];
    need(isRecord(e), where, `model.${which} must be an object`);
    const at = `${where} model.${which}`;
    return {
      hiddenSize: num(e as Json, 'hiddenSize', at),
      numHiddenLayers: num(e as Json, 'numHiddenLayers', at),
      numAttentionHeads: num(e as Json, 'numAttentionHeads', at),
      intermediateSize: num(e as Json, 'intermediateSize', at),
    };
  };
  const at = `${where} model`;
  return {
    vocabSize: num(o, 'vocabSize', at),
    embeddingSize: num(o, 'embeddingSize', at),
    maxPositionEmbeddings: num(o, 'maxPositionEmbeddings', at),
    typeVocabSize: num(o, 'typeVocabSize', at),
    layerNormEps: num(o, 'layerNormEps', at),
    hiddenDropoutProb: num(o, 'hiddenDropoutProb', at),
    attentionProbsDropoutProb: num(o, 'attentionProbsDropoutProb', at),
    maxSeqLength: num(o, 'maxSeqLength', at),
    discriminator: encoder('discriminator'),
    generator: encoder('generator'),
    ...(o.objective !== undefined ? { objective: objective(o.objective, at) } : {}),
  };
}

function objective(x: unknown, where: string): Objective {
  need(isObjective(x), where, `objective must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(x)}`);
  return x as Objective;
}

function parseNormalization(x: unknown, where: string): RunManifest['normalization'] {
  need(isRecord(x), where, 'normalization must be an object');
  return { lowercase: bool(x as Json, 'lowercase', where), stripAccents: bool(x as Json, 'stripAccents', where) };
}

function parseBudget(x: unknown, where: string): RunManifest['budget'] {
  if (x === undefined) return {};
  need(isRecord(x), where, 'budget must be an object');
  const o = x as Json;
  return {
    ...(o.steps !== undefined ? { steps: num(o, 'steps', where, int) } : {}),
    ...(o.minutes !== undefined ? { minutes: num(o, 'minutes', where, positive) } : {}),
    ...(o.flops !== undefined ? { flops: num(o, 'flops', where, positive) } : {}),
  };
}

const isoTime = (o: Json, key: string, where: string): string => {
  need(typeof o[key] === 'string' && !Number.isNaN(Date.parse(o[key] as string)), where, `${key} must be an ISO time`);
  return o[key] as string;
};

/**
 * Reads a parsed run.json into a version-2 manifest, or throws one line naming the file and
 * the problem. Version 1 (`{options, config, settings, backend, startedAt}`, the engine's
 * raw options) is upgraded in memory; the file is rewritten only when the run is resumed.
 */
export function parseRunManifest(json: unknown, where: string): RunManifest {
  try {
    need(isRecord(json), where, 'not a JSON object');
    const o = json as Json;
    if (o.format === undefined && isRecord(o.options)) return upgradeVersion1(o, where);
    need(o.format === RUN_MANIFEST_FORMAT, where, `not an ELECTRA Studio run manifest (format ${JSON.stringify(o.format)})`);
    need(typeof o.version === 'number', where, 'no version');
    need((o.version as number) <= RUN_MANIFEST_VERSION, where, `run manifest version ${o.version} is newer than this ELECTRA Studio reads (${RUN_MANIFEST_VERSION})`);
    need(o.version === RUN_MANIFEST_VERSION, where, `unknown run manifest version ${o.version}`);
    const training = parseTrainingSettings(o.training, where);
    need(o.preset === training.preset, where, `preset ${JSON.stringify(o.preset)} differs from training.preset ${JSON.stringify(training.preset)}`);
    let origin: RunManifest['origin'];
    if (o.origin !== undefined) {
      origin = parseRunOrigin(o.origin);
      need(origin !== undefined, where, 'origin must say how the run began (kind) and from what (from)');
    }
    return {
      format: RUN_MANIFEST_FORMAT,
      version: RUN_MANIFEST_VERSION,
      preset: training.preset,
      model: parseModel(o.model, where),
      vocabSizeAsked: num(o, 'vocabSizeAsked', where, (n) => int(n) && n > 0),
      normalization: parseNormalization(o.normalization, where),
      training,
      corpus: parseCorpus(o.corpus, where),
      seed: num(o, 'seed', where, Number.isInteger),
      budget: parseBudget(o.budget, where),
      created: isoTime(o, 'created', where),
      started: isoTime(o, 'started', where),
      ...(origin ? { origin } : {}),
    };
  } catch (e) {
    if (e instanceof FormatError) throw new Error(e.message);
    throw e;
  }
}

/** Version 1: run.json held the engine's PretrainOptions as they were, beside the resolved config and settings. */
function upgradeVersion1(o: Json, where: string): RunManifest {
  const options = o.options as Json;
  need(isRecord(o.config) && isRecord(o.settings), `${where} (version 1)`, 'written by an early version without the model configuration; start a new run');
  const training = parseTrainingSettings(o.settings, `${where} (version 1)`);
  const model = parseModel(o.config, `${where} (version 1)`);
  const requestedVocab = isRecord(options.config) && typeof options.config.vocabSize === 'number' ? options.config.vocabSize : model.vocabSize;
  const started = typeof o.startedAt === 'string' && !Number.isNaN(Date.parse(o.startedAt)) ? o.startedAt : new Date(0).toISOString();
  return {
    format: RUN_MANIFEST_FORMAT,
    version: RUN_MANIFEST_VERSION,
    preset: training.preset,
    model,
    vocabSizeAsked: requestedVocab,
    normalization: { lowercase: options.lowercase !== false, stripAccents: options.stripAccents !== false },
    training,
    corpus: parseCorpus(options.corpus, `${where} (version 1)`),
    seed: typeof options.seed === 'number' && Number.isInteger(options.seed) ? options.seed : 42,
    budget: parseBudget({ steps: options.steps, minutes: options.minutes }, `${where} (version 1)`),
    created: started,
    started,
  };
}

/** checkpoints/latest.json: the newest checkpoint's step and folder (relative to checkpoints/). */
export interface LatestCheckpointPointer {
  step: number;
  dir: string;
}

/** A parsed latest.json, or undefined when it is not one (a damaged file: callers scan instead). */
export function parseLatestPointer(json: unknown): LatestCheckpointPointer | undefined {
  if (!isRecord(json) || typeof json.step !== 'number' || !Number.isInteger(json.step) || json.step < 0 || typeof json.dir !== 'string') return undefined;
  return { step: json.step, dir: json.dir };
}

/** Parses a lock file's text; undefined when it is torn or not a lock. */
export function parseLockOwner(text: string): RunLockOwner | undefined {
  try {
    const o = JSON.parse(text) as unknown;
    if (!isRecord(o) || typeof o.pid !== 'number' || typeof o.hostname !== 'string' || typeof o.started !== 'string') return undefined;
    return { pid: o.pid, thread: typeof o.thread === 'number' ? o.thread : 0, hostname: o.hostname, started: o.started, command: typeof o.command === 'string' ? o.command : '?' };
  } catch {
    return undefined;
  }
}
