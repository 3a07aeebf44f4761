/**
 * The pre-training loop: data, dynamic masking, the ELECTRA objective, gradient
 * accumulation, global-norm clipping, AdamW with warm-up and linear decay, held-out
 * evaluation, metrics (metrics.jsonl) and checkpoints.
 *
 * Every random draw is derived from (seed, step, micro-batch), and the data order from
 * (seed, epoch), so stopping after N steps and resuming gives the same weights as 2N
 * straight steps on the same backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../run/atomicFile';
import { describeBackend, initBackend, type BackendPreference, type BackendReport } from '../wasm/backend';
import { ensureFolder } from '../run/folders';
import { findLatestCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointContents, type TrainingPosition } from '../run/checkpoint';
import { validateConfig, type ElectraConfig } from '../model/config';
import { presetConfig, presetTraining, presetWarmupSteps, type PresetName } from '../model/presets';
import { DEFAULT_BACKEND, TRAINING_DEFAULTS } from '../../shared/defaults';
import { prepareData, type CorpusSource, type PackedSequences } from '../data/dataset';
import { defaultMasking, maskBatch, type MaskingOptions } from '../model/masking';
import { addCounts, countBinary, rocAuc, summarizeCounts, type BinaryCounts, type EvalMetrics, type StepMetrics } from './metrics';
import { batchGradients, batchStatistics, ReplicaPool, resolveWorkers } from '../parallel';
import { ElectraModel } from '../model/model';
import type { Batch, ObjectiveStats } from '../model/objective';
import { AdamW, clipByGlobalNorm } from '../model/optimizer';
import { deriveSeed, epochPermutation, Rng } from '../common/random';
import { learningRateAt } from '../model/schedule';
import type { SpecialIds } from '../data/tokenizer';
import { modelToArrays, optimizerFromArrays, optimizerToArrays, tensorsFromArrays } from '../run/weights';
import { confusableIds, plantSyntheticErrors, type ConfusableIds } from '../model/syntheticErrors';
import { GENERATOR_ONLY, planReplacements, UnigramSampler, unigramShareAt, validateCurriculum, type ReplacementCurriculum } from '../model/replacements';

export type { BackendPreference } from '../wasm/backend';
export type { CorpusSource } from '../data/dataset';

export interface PretrainOptions {
  corpus: CorpusSource;
  /** Run folder: checkpoints/, metrics.jsonl, vocab.txt, data/ and run.json live here. */
  outDir: string;
  preset: PresetName;
  /** Overrides applied on top of the preset (sizes, sequence length, vocabulary size). */
  config?: Partial<ElectraConfig>;
  /** Total optimizer steps of the run (counting steps done before a resume). */
  steps?: number;
  /** Stop after this many minutes of training in this process. */
  minutes?: number;
  batchSize?: number;
  gradientAccumulation?: number;
  learningRate?: number;
  warmupSteps?: number;
  seed?: number;
  backend?: BackendPreference;
  checkpointEvery?: number;
  evalEvery?: number;
  /** Held-out sequences per evaluation (the first N of the split). */
  evalSequences?: number;
  /** Continue from the run folder's latest checkpoint. */
  resume?: boolean;
  /** Start over in a run folder that already holds a run, deleting that run. */
  overwrite?: boolean;
  lowercase?: boolean;
  stripAccents?: boolean;
  /**
   * Threads computing each step (data parallel: this one and workers-1 worker threads,
   * each on a shard of the batch). The result equals one thread's up to float rounding,
   * so a run may resume with another count. 'auto': one per core on the wasm and cpu
   * backends (native TensorFlow threads its own kernels). Default 1.
   */
  workers?: number | 'auto';
  /** The data-parallel worker bundle; by default dist/dataParallelWorker.js beside this bundle. */
  workerScript?: string;
  /** Share of tokens masked for the generator (ELECTRA: 0.15; see recipe.ts). */
  maskProbability?: number;
  /** Replacements from the unigram distribution instead of the generator (replacements.ts). */
  curriculum?: ReplacementCurriculum;
  /** Dropout of both networks (default: the config's hiddenDropoutProb). */
  dropout?: number;
  /**
   * Synthetic real-word errors in training (model/syntheticErrors.ts): the share of masked
   * confusable tokens swapped within their set (other tokens doubled at a quarter of it).
   * Off (0) unless asked for; may be changed when resuming (a later stage of a curriculum).
   */
  syntheticErrors?: number;
}

export interface TrainingEvents {
  onLog?(level: 'info' | 'warn' | 'error', message: string): void;
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
  onCheckpoint?(info: { step: number; dir: string }): void;
}

export interface PretrainResult {
  step: number;
  stoppedBecause: 'steps' | 'minutes' | 'stopped';
  checkpointDir: string;
  backend: string;
  lastEval?: EvalMetrics;
}

/** Settings that must not change across a resume; saved in every checkpoint. */
export interface TrainingSettings {
  preset: PresetName;
  batchSize: number;
  gradientAccumulation: number;
  learningRate: number;
  warmupSteps: number;
  /** Steps of the learning-rate schedule (its decay reaches 0 here). */
  totalSteps: number;
  checkpointEvery: number;
  evalEvery: number;
  evalSequences: number;
  dropout: number;
  maxGradNorm: number;
  /** Absent in checkpoints written before they existed: ELECTRA's 0.15 and generator only. */
  maskProbability?: number;
  curriculum?: ReplacementCurriculum;
  syntheticErrors?: number;
}

export const METRICS_FILE = 'metrics.jsonl';

export async function pretrain(options: PretrainOptions, events: TrainingEvents = {}, signal?: AbortSignal): Promise<PretrainResult> {
  const log = (level: 'info' | 'warn' | 'error', msg: string) => events.onLog?.(level, msg);
  // Before the backend starts: a folder that cannot be made fails the run at once.
  const runDir = ensureFolder(options.outDir, 'run folder');
  const backend = await initBackend(options.backend ?? DEFAULT_BACKEND);
  log('info', `backend: ${describeBackend(backend)}`);

  const existing = findLatestCheckpoint(runDir);
  if (existing && !options.resume && !options.overwrite) {
    throw new Error(`${runDir} already holds a run (checkpoint ${existing}); resume it, or start over with overwrite, or choose another run folder`);
  }
  if (options.overwrite && !options.resume) {
    for (const entry of ['checkpoints', 'data', 'vocab.txt', METRICS_FILE, 'run.json']) rmSync(join(runDir, entry), { recursive: true, force: true });
  }
  let resumed: CheckpointContents | undefined;
  if (options.resume) {
    if (!existing) throw new Error(`cannot resume: no checkpoint in ${runDir}`);
    resumed = loadCheckpoint(existing, { withOptimizer: true });
    log('info', `resuming from ${existing} at step ${resumed.state.step}`);
  }

  const seed = resumed?.state.seed ?? options.seed ?? TRAINING_DEFAULTS.seed;
  const normalization = resumed?.state.tokenizer ?? {
    lowercase: options.lowercase ?? TRAINING_DEFAULTS.lowercase,
    stripAccents: options.stripAccents ?? TRAINING_DEFAULTS.stripAccents,
  };
  const requested: ElectraConfig = resumed?.config ?? { ...presetConfig(options.preset), ...options.config };
  validateConfig(requested);
  const data = await prepareData({
    source: options.corpus,
    runDir,
    seqLength: requested.maxSeqLength,
    vocabSize: requested.vocabSize,
    normalization,
    vocabText: resumed?.vocabText,
    log: (m) => log('info', m),
    warn: (m) => log('warn', m),
  });
  // A small corpus may give fewer WordPieces than asked for: the model takes the vocabulary's size.
  const config: ElectraConfig = { ...requested, vocabSize: data.tokenizer.vocabSize };
  if (data.heldOut.count === 0) log('warn', 'the held-out split is empty: held-out metrics are not available');

  const preset = presetTraining(options.preset);
  const settings: TrainingSettings = (resumed?.state.training as unknown as TrainingSettings) ?? {
    preset: options.preset,
    batchSize: options.batchSize ?? preset.batchSize,
    gradientAccumulation: options.gradientAccumulation ?? preset.gradientAccumulation,
    learningRate: options.learningRate ?? preset.learningRate,
    warmupSteps: options.warmupSteps ?? -1, // the preset's rule, once totalSteps is known
    totalSteps: options.steps ?? 0, // 0: estimated from the time budget after the first steps
    checkpointEvery: options.checkpointEvery ?? TRAINING_DEFAULTS.checkpointEvery,
    evalEvery: options.evalEvery ?? TRAINING_DEFAULTS.evalEvery,
    evalSequences: options.evalSequences ?? TRAINING_DEFAULTS.evalSequences,
    dropout: options.dropout ?? config.hiddenDropoutProb,
    maxGradNorm: preset.maxGradNorm,
    maskProbability: options.maskProbability ?? 0.15,
    curriculum: options.curriculum ?? GENERATOR_ONLY,
    syntheticErrors: options.syntheticErrors ?? 0,
  };
  validateCurriculum(settings.curriculum ?? GENERATOR_ONLY);
  if (options.steps !== undefined) settings.totalSteps = options.steps;
  if (options.syntheticErrors !== undefined) settings.syntheticErrors = options.syntheticErrors;
  if (!options.steps && !options.minutes && !settings.totalSteps) throw new Error('give a number of steps or minutes to train for');

  writeFileAtomic(join(runDir, 'run.json'), JSON.stringify({ options: { ...options, corpus: options.corpus }, config, settings, backend: backend.name, startedAt: new Date().toISOString() }, null, 2) + '\n');

  const model = new ElectraModel(config, seed);
  const optimizer = new AdamW(model.params, model.decayed);
  const position: TrainingPosition = { step: 0, epoch: 0, index: 0 };
  if (resumed) {
    tf.tidy(() => model.assign(tensorsFromArrays(resumed!.weights)));
    optimizerFromArrays(optimizer, resumed.optimizer!, resumed.state.optimizerStep);
    Object.assign(position, { step: resumed.state.step, epoch: resumed.state.epoch, index: resumed.state.index });
    truncateMetrics(join(runDir, METRICS_FILE), position.step);
  }
  log('info', `model: discriminator ${fmtParams(model.parameterCount((n) => !n.startsWith('generator.')))} parameters, generator ${fmtParams(model.parameterCount((n) => !n.startsWith('discriminator.')))} (embeddings shared), sequence length ${config.maxSeqLength}, vocabulary ${config.vocabSize}`);

  const threads = Math.max(1, Math.min(resolveWorkers(options.workers, backend.name), settings.batchSize));
  let workers: ReplicaPool | undefined;
  /** What the run holds, let go when it ends or fails to start. */
  const release = async () => {
    await workers?.close();
    data.train.close();
    data.heldOut.close();
    optimizer.dispose();
    model.dispose();
  };
  if (threads > 1) {
    try {
      workers = await ReplicaPool.start(model, threads - 1, options.backend ?? DEFAULT_BACKEND, options.workerScript);
      log('info', `data parallel: ${threads} threads, each on ${Math.floor(settings.batchSize / threads)}-${Math.ceil(settings.batchSize / threads)} sequences of every batch`);
    } catch (e) {
      await release();
      throw e;
    }
  }
  const loop = new TrainingLoop(model, optimizer, data.train, data.tokenizer.specialIds, settings, seed, position, config.maxSeqLength, workers, confusableIds(data.tokenizer));
  const evaluator = new Evaluator(model, data.heldOut, data.tokenizer.specialIds, settings.evalSequences, seed, config.maxSeqLength, workers);
  const metricsPath = join(runDir, METRICS_FILE);
  const write = (record: StepMetrics | EvalMetrics) => appendFileSync(metricsPath, JSON.stringify(record) + '\n');

  const save = (): string => {
    const dir = saveCheckpoint({
      runDir,
      state: { ...position, seed, optimizerStep: optimizer.step, training: settings as unknown as Record<string, unknown>, tokenizer: normalization },
      config,
      vocabText: data.vocabText,
      weights: modelToArrays(model),
      optimizer: optimizerToArrays(optimizer),
    });
    events.onCheckpoint?.({ step: position.step, dir });
    log('info', `checkpoint saved: ${dir}`);
    return dir;
  };

  const started = Date.now();
  const deadline = options.minutes ? started + options.minutes * 60_000 : Infinity;
  let stoppedBecause: PretrainResult['stoppedBecause'] = 'steps';
  let lastSaved = resumed ? position.step : -1;
  let checkpointDir = resumed?.dir ?? '';
  let lastEval: EvalMetrics | undefined;
  let secondStepStarted = 0;
  const runEval = async () => {
    if (data.heldOut.count === 0) return;
    lastEval = await evaluator.evaluate(position.step, Date.now() - started);
    write(lastEval);
    events.onEval?.(lastEval);
  };
  try {
    while (true) {
      if (signal?.aborted) {
        stoppedBecause = 'stopped';
        break;
      }
      if (settings.totalSteps > 0 && position.step >= settings.totalSteps) {
        stoppedBecause = 'steps';
        break;
      }
      if (Date.now() >= deadline) {
        stoppedBecause = 'minutes';
        break;
      }
      if (position.step === 1) secondStepStarted = Date.now() - started;
      const m = await loop.step(started);
      write(m);
      events.onStep?.(m);
      // A time-budgeted run sets its schedule's length from the pace of its second step
      // (the first pays one-off costs); until then the warm-up assumes a short run.
      if (settings.totalSteps === 0 && Number.isFinite(deadline) && position.step === 2) {
        const perStep = m.elapsedMs - secondStepStarted;
        settings.totalSteps = Math.max(position.step + 1, Math.round((deadline - started) / perStep));
        log('info', `time budget: about ${settings.totalSteps} steps in ${options.minutes} minutes; learning rate decays to 0 there`);
      }
      if (settings.evalEvery > 0 && position.step % settings.evalEvery === 0) await runEval();
      if (settings.checkpointEvery > 0 && position.step % settings.checkpointEvery === 0) {
        checkpointDir = save();
        lastSaved = position.step;
      }
      // Let the event loop breathe: cancellation, messages from a parent, timers.
      await new Promise((r) => setImmediate(r));
    }
    if (lastEval?.step !== position.step) await runEval();
    if (lastSaved !== position.step) checkpointDir = save();
  } finally {
    await release();
  }
  log('info', `stopped at step ${position.step} (${stoppedBecause}); ${tf.memory().numTensors} tensors alive`);
  return { step: position.step, stoppedBecause, checkpointDir, backend: backend.name, lastEval };
}

function fmtParams(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}K`;
}

/** Drops metrics past a checkpoint's step: a resumed run writes those steps again. */
function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      if (!line.trim()) return false;
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false; // a line torn by a crash
      }
    });
  writeFileAtomic(path, kept.length ? kept.join('\n') + '\n' : '');
}

/** Reads batches in a seeded per-epoch order, advancing `position`. */
export function readBatch(data: PackedSequences, position: TrainingPosition, batchSize: number, seed: number, padId: number, permutation: { epoch: number; order: Uint32Array }): Batch {
  const seqLength = data.seqLength;
  const ids = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    if (position.index >= data.count) {
      position.epoch++;
      position.index = 0;
    }
    if (permutation.epoch !== position.epoch) {
      permutation.epoch = position.epoch;
      permutation.order = epochPermutation(data.count, seed, position.epoch);
    }
    data.read(permutation.order[position.index++], ids, b * seqLength);
  }
  return { ids, attentionMask: attentionMaskOf(ids, padId), batchSize, seqLength };
}

export function attentionMaskOf(ids: Int32Array, padId: number): Float32Array {
  const m = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) m[i] = ids[i] === padId ? 0 : 1;
  return m;
}

/** One optimizer step at a time, with its metrics. */
export class TrainingLoop {
  private readonly masking: MaskingOptions;
  private readonly permutation = { epoch: -1, order: new Uint32Array(0) };

  constructor(
    private readonly model: ElectraModel,
    private readonly optimizer: AdamW,
    private readonly data: PackedSequences,
    private readonly special: SpecialIds,
    private readonly settings: TrainingSettings,
    private readonly seed: number,
    readonly position: TrainingPosition,
    private readonly seqLength: number,
    /** Data-parallel workers sharing each batch with this thread, if any. */
    private readonly workers?: ReplicaPool,
    /** The vocabulary's confusable tokens, for synthetic errors (settings.syntheticErrors). */
    private readonly confusables: ConfusableIds = new Map(),
  ) {
    this.masking = defaultMasking(seqLength, settings.maskProbability ?? 0.15);
    const c = settings.curriculum ?? GENERATOR_ONLY;
    if (c.unigramShareStart > 0 || c.unigramShareEnd > 0) this.unigram = unigramOf(data, special, UNIGRAM_SEQUENCES);
  }

  /** Draws the curriculum's replacements; absent when the generator makes them all. */
  private readonly unigram?: UnigramSampler;

  /** Learning rate of the next update. */
  learningRate(): number {
    const s = this.settings;
    // totalSteps is 0 only in the first steps of a time-budgeted run, before its pace is known.
    const total = s.totalSteps > 0 ? s.totalSteps : 100;
    const warmup = s.warmupSteps >= 0 ? s.warmupSteps : presetWarmupSteps(s.preset, total);
    return learningRateAt(this.position.step, { peak: s.learningRate, warmupSteps: warmup, totalSteps: total });
  }

  async step(runStarted: number): Promise<StepMetrics> {
    const t0 = Date.now();
    const { grads, stats, tokens } = await this.gradients();
    const gradNorm = clipByGlobalNorm(grads, this.settings.maxGradNorm);
    const lr = this.learningRate();
    if (Number.isFinite(gradNorm)) {
      this.optimizer.apply(grads, lr);
      this.workers?.weightsChanged();
    }
    for (const g of grads.values()) g.dispose();
    this.position.step++;
    const liveTensors = tf.memory().numTensors + (this.workers?.liveTensors.reduce((n, k) => n + k, 0) ?? 0);
    return { ...stepMetrics(this.position, stats, lr, gradNorm, tokens, t0, runStarted), liveTensors };
  }

  /**
   * The next step's gradients, before clipping: the mean of those of its
   * `gradientAccumulation` micro-batches, read from the data in turn (the position moves
   * past them). The caller disposes the tensors.
   */
  async gradients(): Promise<{ grads: Map<string, tf.Tensor>; stats: ObjectiveStats[]; tokens: number }> {
    const { step } = this.position;
    const accum = this.settings.gradientAccumulation;
    const stats: ObjectiveStats[] = [];
    let grads = new Map<string, tf.Tensor>();
    let tokens = 0;
    for (let micro = 0; micro < accum; micro++) {
      const batch = readBatch(this.data, this.position, this.settings.batchSize, this.seed, this.special.pad, this.permutation);
      tokens += batch.attentionMask.reduce((a, m) => a + m, 0);
      const masked = maskBatch(batch.ids, this.seqLength, this.special, this.masking, new Rng(deriveSeed(this.seed, 'mask', step, micro)));
      const errors = this.settings.syntheticErrors ?? 0;
      if (this.unigram || errors > 0) {
        const share = this.unigram ? unigramShareAt(this.settings.curriculum!, step, this.settings.totalSteps > 0 ? this.settings.totalSteps : 100) : 0;
        const rng = new Rng(deriveSeed(this.seed, 'unigram', step, micro));
        masked.overrides = this.unigram ? planReplacements(masked, share, this.unigram, rng) : new Int32Array(masked.positions.length).fill(-1);
        plantSyntheticErrors(batch.ids, masked, masked.overrides, this.confusables, this.special, errors, rng);
      }
      const pass = { seed: deriveSeed(this.seed, 'step', step, micro), dropoutRate: this.settings.dropout };
      const result = await batchGradients(this.model, batch, masked, pass, this.workers);
      stats.push(result.stats);
      grads = accumulate(grads, result.grads, accum);
    }
    return { grads, stats, tokens };
  }
}

/** Training sequences counted for the unigram distribution (the first ones on disk). */
const UNIGRAM_SEQUENCES = 4096;

function unigramOf(data: PackedSequences, special: SpecialIds, maxSequences: number): UnigramSampler {
  const n = Math.min(maxSequences, data.count);
  const ids = new Int32Array(n * data.seqLength);
  for (let i = 0; i < n; i++) data.read(i, ids, i * data.seqLength);
  let vocab = 0;
  for (let i = 0; i < ids.length; i++) vocab = Math.max(vocab, ids[i] + 1);
  return UnigramSampler.fromIds(ids, vocab, special);
}

/** Sums gradients of micro-batches, each scaled by 1/accum; disposes what it replaces. */
function accumulate(sum: Map<string, tf.Tensor>, g: Map<string, tf.Tensor>, accum: number): Map<string, tf.Tensor> {
  for (const [name, grad] of g) {
    const scaled = accum === 1 ? grad : tf.mul(grad, 1 / accum);
    if (scaled !== grad) grad.dispose();
    const prev = sum.get(name);
    if (prev) {
      sum.set(name, tf.add(prev, scaled));
      prev.dispose();
      scaled.dispose();
    } else sum.set(name, scaled);
  }
  return sum;
}

function stepMetrics(pos: TrainingPosition, stats: ObjectiveStats[], lr: number, gradNorm: number, tokens: number, t0: number, runStarted: number): StepMetrics {
  const now = Date.now();
  const agg = aggregate(stats);
  return {
    type: 'step',
    step: pos.step,
    elapsedMs: now - runStarted,
    time: now,
    epoch: pos.epoch,
    ...agg,
    learningRate: lr,
    gradNorm,
    tokensPerSec: tokens / Math.max(1e-3, (now - t0) / 1000),
  };
}

/** Averages losses over micro-batches and pools classification counts and AUC inputs. */
function aggregate(stats: ObjectiveStats[]) {
  let counts: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  let genCorrect = 0;
  let masked = 0;
  let replaced = 0;
  let total = 0;
  const probs: number[] = [];
  const labels: number[] = [];
  for (const s of stats) {
    counts = addCounts(counts, countBinary(s.discProbs, s.labels));
    genCorrect += s.genCorrect;
    masked += s.maskedCount;
    for (let i = 0; i < s.labels.length; i++) {
      replaced += s.labels[i];
      probs.push(s.discProbs[i]);
      labels.push(s.labels[i]);
    }
    total += s.labels.length;
  }
  const mean = (f: (s: ObjectiveStats) => number) => stats.reduce((a, s) => a + f(s), 0) / stats.length;
  const summary = summarizeCounts(counts);
  return {
    genLoss: mean((s) => s.genLoss),
    genAccuracy: masked > 0 ? genCorrect / masked : 0,
    discLoss: mean((s) => s.discLoss),
    loss: mean((s) => s.loss),
    discAccuracy: summary.accuracy,
    precision: summary.precision,
    recall: summary.recall,
    f1: summary.f1,
    auc: rocAuc(probs, labels),
    replacedRate: total > 0 ? replaced / total : 0,
  };
}

/**
 * Held-out evaluation: the first N held-out sequences, masked and sampled with fixed seeds
 * so that successive evaluations compare like with like; no dropout.
 */
export class Evaluator {
  constructor(
    private readonly model: ElectraModel,
    private readonly data: PackedSequences,
    private readonly special: SpecialIds,
    private readonly maxSequences: number,
    private readonly seed: number,
    private readonly seqLength: number,
    /** Data-parallel workers to share each evaluation batch with, if any. */
    private readonly workers?: ReplicaPool,
    private readonly batchSize = 16,
  ) {}

  async evaluate(step: number, elapsedMs: number): Promise<EvalMetrics> {
    const n = Math.min(this.maxSequences, this.data.count);
    const stats: ObjectiveStats[] = [];
    const masking = defaultMasking(this.seqLength);
    for (let start = 0, k = 0; start < n; start += this.batchSize, k++) {
      const size = Math.min(this.batchSize, n - start);
      const ids = new Int32Array(size * this.seqLength);
      for (let b = 0; b < size; b++) this.data.read(start + b, ids, b * this.seqLength);
      const batch: Batch = { ids, attentionMask: attentionMaskOf(ids, this.special.pad), batchSize: size, seqLength: this.seqLength };
      const masked = maskBatch(ids, this.seqLength, this.special, masking, new Rng(deriveSeed(this.seed, 'eval-mask', k)));
      const pass = { seed: deriveSeed(this.seed, 'eval', k), dropoutRate: 0 };
      stats.push(await batchStatistics(this.model, batch, masked, pass, this.workers));
    }
    const { loss: _loss, ...agg } = aggregate(stats);
    void _loss;
    return { type: 'eval', step, elapsedMs, time: Date.now(), sequences: n, ...agg };
  }
}

export type { BackendReport };
