/**
 * Pre-training, orchestrated: take the run folder (one writer), resolve the settings of a
 * new run or resume an old one, prepare the data, build the model and the data-parallel
 * workers, then step, evaluate and checkpoint until the steps or minutes are spent or the
 * caller aborts. Each job has its own file: settings.ts (options -> settings), resume.ts,
 * trainingLoop.ts, evaluator.ts, and the run folder's layout in src/core/run/runFolder.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { rmSync } from 'node:fs';
import { sep } from 'node:path';
import { prepareData, type PreparedData } from '../data/dataset';
import { objectiveOf, type ElectraConfig } from '../model/config';
import { formatFlops } from '../model/flops';
import { ElectraModel } from '../model/model';
import { AdamW } from '../model/optimizer';
import { ReplicaPool, resolveWorkers } from '../parallel';
import { CALIBRATION_DEFAULTS, DEFAULT_BACKEND } from '../../shared/defaults';
import { summarizeCalibration } from '../../shared/calibrationFormat';
import { calibrateCheckpoint } from '../quality/calibration';
import { saveCheckpoint, type TrainingPosition } from '../run/checkpoint';
import { RunFolder, RUN_MANIFEST_FORMAT, RUN_MANIFEST_VERSION, type RunManifest } from '../run/runFolder';
import { implantNeighbourHeads } from '../model/neighbourHeads';
import { modelToArrays, optimizerToArrays, tensorsFromArrays } from '../run/weights';
import { loadStartingModel } from './startingModel';
import { initBackend, type BackendReport } from '../wasm/backend';
import { Evaluator } from './evaluator';
import { TimeBudget } from './timeBudget';
import type { EvalMetrics, StepMetrics } from './metrics';
import { restoreTraining, resumeRun, type ResumedRun } from './resume';
import { resolveNewRun, type PretrainOptions, type TrainingSettings } from './settings';
import { TrainingLoop } from './trainingLoop';
import { errorVocabulary } from '../model/syntheticErrors';

export type { BackendPreference } from '../wasm/backend';
export type { CorpusSource } from '../data/dataset';
export type { PretrainOptions, TrainingSettings } from './settings';

export interface TrainingEvents {
  onLog?(level: 'info' | 'warn' | 'error', message: string): void;
  /** The TensorFlow.js backend the run computes on, once it is initialised. */
  onBackend?(backend: BackendReport): void;
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
  onCheckpoint?(info: { step: number; dir: string }): void;
}

export interface PretrainResult {
  step: number;
  stoppedBecause: 'steps' | 'minutes' | 'flops' | 'stopped';
  /** Training FLOPs of the whole run (model/flops.ts). */
  flops: number;
  checkpointDir: string;
  backend: string;
  lastEval?: EvalMetrics;
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Everything a started run holds, and how to let it go. */
interface StartedRun {
  backend: BackendReport;
  data: PreparedData;
  config: ElectraConfig;
  settings: TrainingSettings;
  seed: number;
  normalization: { lowercase: boolean; stripAccents: boolean };
  model: ElectraModel;
  optimizer: AdamW;
  position: TrainingPosition;
  workers?: ReplicaPool;
  resumed?: ResumedRun;
  release(): Promise<void>;
}

export async function pretrain(options: PretrainOptions, events: TrainingEvents = {}, signal?: AbortSignal): Promise<PretrainResult> {
  const log: Log = (level, msg) => events.onLog?.(level, msg);
  const run = new RunFolder(options.outDir);
  const lock = run.lock('pretrain');
  try {
    const leftovers = run.removeLeftovers();
    if (leftovers.length > 0) log('info', `removed ${leftovers.length} temporary files left by an interrupted run: ${leftovers.join(', ')}`);
    let started: StartedRun;
    try {
      started = await start(run, options, events, log);
    } catch (e) {
      // A failed start leaves the folder as it found it: no empty run folder, no half-made run.
      if (lock.createdFolder) rmSync(lock.createdFolder, { recursive: true, force: true });
      throw e;
    }
    let result: PretrainResult;
    try {
      result = await train(run, started, options, events, log, signal);
    } finally {
      await started.release();
    }
    if (objectiveOf(started.config) === 'electra') await calibrateRun(run, result.checkpointDir, options, log);
    log('info', `stopped at step ${result.step} (${result.stoppedBecause}); ${tf.memory().numTensors} tensors alive`);
    return result;
  } finally {
    lock.release();
  }
}

/** Everything before the first step. Throws having released what it took; a new run's files are removed then. */
async function start(run: RunFolder, options: PretrainOptions, events: TrainingEvents, log: Log): Promise<StartedRun> {
  const existing = run.latestCheckpoint();
  if (existing && !options.resume && !options.overwrite) {
    throw new Error(`${run.dir} already holds a run (checkpoint ${existing}); resume it, or start over with overwrite, or choose another run folder`);
  }
  const resumed = options.resume ? resumeRun(run, options, (m) => log('info', m)) : undefined;
  // Read before an overwrite clears the run folder, so that a bad starting point loses nothing.
  const startModel = !resumed && options.startFrom ? loadStartingModel(options.startFrom) : undefined;
  const fresh = resumed ? undefined : resolveNewRun(options, startModel && objectiveOf(startModel.config));
  if (startModel && (run.dir === startModel.origin.from || run.dir.startsWith(startModel.origin.from + sep))) {
    throw new Error(`cannot continue pre-training into ${run.dir}: it holds the model the run starts from; choose another run folder`);
  }
  for (const w of startModel?.warnings ?? []) log('warn', w);
  if (fresh && options.overwrite) run.removeRun();
  // What a failed start may remove: only what it made (--out may be a folder with a data/ of its own).
  const present = run.presentEntries();
  let data: PreparedData | undefined;
  let model: ElectraModel | undefined;
  let optimizer: AdamW | undefined;
  let workers: ReplicaPool | undefined;
  const release = async () => {
    await workers?.close();
    data?.train.close();
    data?.heldOut.close();
    optimizer?.dispose();
    model?.dispose();
  };
  try {
    const backend = await initBackend(options.backend ?? DEFAULT_BACKEND);
    events.onBackend?.(backend);
    const seed = resumed?.seed ?? fresh!.seed;
    const normalization = resumed?.normalization ?? startModel?.normalization ?? fresh!.normalization;
    const requested = resumed?.config ??
      (startModel ? { ...startModel.config, ...(options.config?.maxSeqLength ? { maxSeqLength: options.config.maxSeqLength } : {}) } : fresh!.config);
    const settings: TrainingSettings = resumed?.training ?? fresh!.training;
    if (!options.steps && !options.minutes && !settings.totalSteps && !settings.flopBudget) throw new Error('give a number of steps, minutes or FLOPs to train for');
    data = await prepareData({
      source: options.corpus,
      runDir: run.dir,
      seqLength: requested.maxSeqLength,
      vocabSize: requested.vocabSize,
      vocabSizeFromCorpus: fresh?.vocabSizeFromCorpus,
      normalization,
      vocabText: resumed?.checkpoint.vocabText ?? startModel?.vocabText,
      log: (m) => log('info', m),
      warn: (m) => log('warn', m),
    });
    // A small corpus may give fewer WordPieces than asked for: the model takes the vocabulary's size.
    const config: ElectraConfig = { ...requested, vocabSize: data.tokenizer.vocabSize };
    if (data.heldOut.count === 0) log('warn', 'the held-out split is empty: held-out metrics are not available');

    const now = new Date().toISOString();
    const manifest: RunManifest = {
      format: RUN_MANIFEST_FORMAT,
      version: RUN_MANIFEST_VERSION,
      preset: settings.preset,
      model: config,
      vocabSizeAsked: resumed?.manifest?.vocabSizeAsked ?? requested.vocabSize,
      normalization,
      training: settings,
      corpus: options.corpus,
      seed,
      budget: {
        ...(options.steps !== undefined ? { steps: options.steps } : {}),
        ...(options.minutes !== undefined ? { minutes: options.minutes } : {}),
        ...(options.flops !== undefined ? { flops: options.flops } : {}),
      },
      created: resumed?.manifest?.created ?? now,
      started: now,
      ...(resumed?.manifest?.origin ? { origin: resumed.manifest.origin } : startModel ? { origin: startModel.origin } : {}),
    };
    run.writeManifest(manifest);

    model = new ElectraModel(config, seed);
    optimizer = new AdamW(model.params, model.decayed);
    const position: TrainingPosition = resumed ? restoreTraining(model, optimizer, resumed) : { step: 0, epoch: 0, index: 0, flops: 0 };
    if (resumed) run.truncateMetrics(position.step);
    if (startModel) {
      tf.tidy(() => model!.assign(tensorsFromArrays(startModel.weights)));
      log('info', `continuing pre-training from ${startModel.origin.from}${startModel.origin.step ? ` (step ${startModel.origin.step})` : ''}: its vocabulary, tokenizer settings and weights; a fresh optimizer and schedule`);
    }
    if (fresh && settings.neighbourHeads) {
      implantNeighbourHeads(model, seed, { fresh: !startModel });
      log('info', 'neighbour heads: the first layer attends to the previous and the next token from the start, over sinusoidal position embeddings');
    }
    if (objectiveOf(config) === 'mlm') log('info', `model: masked LM ${fmtParams(model.parameterCount())} parameters (the discriminator's shapes), sequence length ${config.maxSeqLength}, vocabulary ${config.vocabSize}`);
    else log('info', `model: discriminator ${fmtParams(model.parameterCount((n) => !n.startsWith('generator.')))} parameters, generator ${fmtParams(model.parameterCount((n) => !n.startsWith('discriminator.')))} (embeddings shared), sequence length ${config.maxSeqLength}, vocabulary ${config.vocabSize}`);
    if (settings.syntheticErrors) {
      const from = settings.syntheticErrorsFrom ?? 0;
      log('info', `synthetic errors: ${settings.syntheticErrors} of each batch's sequences carry real-word errors instead of masks, ${from > 0 ? `from ${Math.round(100 * from)}% of the run on (an error stage at the end)` : 'from the first step'}`);
    }

    const threads = Math.max(1, Math.min(resolveWorkers(options.workers, backend.name), settings.batchSize));
    if (threads > 1) {
      workers = await ReplicaPool.start(model, threads - 1, options.backend ?? DEFAULT_BACKEND, options.workerScript);
      log('info', `data parallel: ${threads} threads, each on ${Math.floor(settings.batchSize / threads)}-${Math.ceil(settings.batchSize / threads)} sequences of every batch`);
    }
    return { backend, data, config, settings, seed, normalization, model, optimizer, position, workers, resumed, release };
  } catch (e) {
    await release();
    if (fresh) run.removeRun(present);
    throw e;
  }
}

/** The steps, with evaluations and checkpoints, until the budget is spent or `signal` aborts. */
async function train(run: RunFolder, s: StartedRun, options: PretrainOptions, events: TrainingEvents, log: Log, signal?: AbortSignal): Promise<PretrainResult> {
  const { data, config, settings, seed, position, model, optimizer, workers } = s;
  const loop = new TrainingLoop(model, optimizer, data.train, data.tokenizer.specialIds, settings, seed, position, config.maxSeqLength, workers, settings.syntheticErrors ? errorVocabulary(data.tokenizer) : undefined);
  const evaluator = new Evaluator(model, data.heldOut, data.tokenizer.specialIds, settings.evalSequences, seed, config.maxSeqLength, workers);

  const save = (): string => {
    const dir = saveCheckpoint({
      runDir: run.dir,
      state: { ...position, seed, optimizerStep: optimizer.step, training: settings, tokenizer: s.normalization },
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
  let lastSaved = s.resumed ? position.step : -1;
  let checkpointDir = s.resumed?.checkpoint.dir ?? '';
  let lastEval: EvalMetrics | undefined;
  // A fresh time-budgeted run fits its schedule's length to its pace as it goes (a resumed one keeps the length it saved).
  const budget = settings.totalSteps === 0 && !settings.flopBudget && Number.isFinite(deadline) ? new TimeBudget(deadline) : undefined;
  let loggedSteps = 0;
  const runEval = async () => {
    if (data.heldOut.count === 0) return;
    lastEval = await evaluator.evaluate(position.step, Date.now() - started);
    run.appendMetrics(lastEval);
    events.onEval?.(lastEval);
  };
  while (true) {
    if (signal?.aborted) {
      stoppedBecause = 'stopped';
      break;
    }
    if (settings.flopBudget && (position.flops ?? 0) >= settings.flopBudget) {
      stoppedBecause = 'flops';
      break;
    }
    if (!settings.flopBudget && settings.totalSteps > 0 && position.step >= settings.totalSteps) {
      stoppedBecause = 'steps';
      break;
    }
    if (Date.now() >= deadline) {
      stoppedBecause = 'minutes';
      break;
    }
    budget?.beforeStep(position.step, Date.now());
    const m = await loop.step(started);
    run.appendMetrics(m);
    events.onStep?.(m);
    // A FLOP-budgeted run sets its schedule's length from the first step's FLOPs (steps differ
    // only by their count of masked positions): the masked LM, with no generator, gets more steps.
    if (settings.flopBudget && settings.totalSteps === 0 && position.step === 1) {
      settings.totalSteps = Math.max(1, Math.ceil(settings.flopBudget / (position.flops ?? 1)));
      log('info', `FLOP budget ${formatFlops(settings.flopBudget)}: about ${settings.totalSteps} steps of ${formatFlops(position.flops ?? 0)}; learning rate decays to 0 there`);
    }
    if (settings.evalEvery > 0 && position.step % settings.evalEvery === 0) await runEval();
    if (settings.checkpointEvery > 0 && position.step % settings.checkpointEvery === 0) {
      checkpointDir = save();
      lastSaved = position.step;
    }
    // Until its first fit (after the second step) the warm-up assumes a short run.
    const fitted = budget?.refit(position.step, Date.now());
    if (fitted !== undefined) {
      settings.totalSteps = fitted;
      if (Math.abs(fitted - loggedSteps) > 0.05 * loggedSteps) {
        log('info', `time budget: about ${fitted} steps in ${options.minutes} minutes${loggedSteps ? ' at the pace of the latest steps' : ''}; learning rate decays to 0 there`);
        loggedSteps = fitted;
      }
    }
    // Let the event loop breathe: cancellation, messages from a parent, timers.
    await new Promise((r) => setImmediate(r));
  }
  if (lastEval?.step !== position.step) await runEval();
  if (lastSaved !== position.step) checkpointDir = save();
  return { step: position.step, stoppedBecause, flops: position.flops ?? 0, checkpointDir, backend: s.backend.name, lastEval };
}

/**
 * Writes the final checkpoint's calibration beside its checkpoints (src/core/quality/calibration.ts):
 * the editor's threshold for this model. Bounded (options.calibrationWords of held-out prose)
 * and done after a stop too, since that checkpoint is what the editor scores with next. A
 * failure costs the run nothing: the model falls back to the default threshold.
 */
async function calibrateRun(run: RunFolder, checkpointDir: string, options: PretrainOptions, log: Log): Promise<void> {
  const maxWords = options.calibrationWords ?? CALIBRATION_DEFAULTS.maxWords;
  if (maxWords <= 0 || !checkpointDir) return;
  try {
    const corpus = run.readManifest()?.corpus ?? options.corpus;
    const outcome = await calibrateCheckpoint(checkpointDir, corpus, { maxWords, backend: options.backend ?? DEFAULT_BACKEND });
    if ('skipped' in outcome) {
      log('info', `no calibration: ${outcome.skipped}; the editor flags this model at the default threshold`);
      return;
    }
    const c = outcome.calibration;
    run.writeCalibration(c);
    log('info', `calibration: ${summarizeCalibration(c)}`);
  } catch (e) {
    log('warn', `calibration failed: ${(e as Error).message}; the editor flags this model at the default threshold`);
  }
}

function fmtParams(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}K`;
}
