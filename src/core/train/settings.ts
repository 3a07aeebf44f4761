/**
 * What a pre-training run is asked for (PretrainOptions) and what it then trains with:
 * options + the preset + the defaults -> resolved settings, written once into the run's
 * manifest and into every checkpoint. A resumed run's settings come from its checkpoint
 * (src/core/train/resume.ts decides which options may still change).
 */
import { generatorOfWidth, objectiveOf, validateConfig, withObjective, type ElectraConfig, type Objective } from '../model/config';
import { presetConfig, presetTraining, type PresetName } from '../model/presets';
import { CONTINUATION_DEFAULTS, FROM_SCRATCH_DEFAULTS, TRAINING_DEFAULTS } from '../../shared/defaults';
import type { BackendPreference } from '../wasm/backend';
import type { CorpusSource } from '../data/dataset';
import type { NormalizationOptions } from '../data/tokenizer';
import type { TrainingSettings } from '../../shared/runFolderFormat';
import { GENERATOR_ONLY, validateCurriculum, type ReplacementCurriculum } from '../model/replacements';
import { ELECTRA_MASK_PROBABILITY } from '../model/masking';

export type { TrainingSettings } from '../../shared/runFolderFormat';

export interface PretrainOptions {
  corpus: CorpusSource;
  /** Run folder: its layout is src/shared/runFolderFormat.ts. */
  outDir: string;
  /** Model size: needed for a new run; on a resume, if given, it must be the run's. */
  preset?: PresetName;
  /** What to pre-train: ELECTRA (generator + discriminator, the default) or a BERT-style masked LM. */
  objective?: Objective;
  /** Stop once the run's training FLOPs (model/flops.ts) reach this budget; the schedule ends there. */
  flops?: number;
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
  /**
   * Held-out words the final checkpoint's calibration scores when the run ends (its flagging
   * threshold, src/core/quality/calibration.ts); 0: none. CALIBRATION_DEFAULTS.maxWords by default.
   */
  calibrationWords?: number;
  /** Start over in a run folder that already holds a run, deleting that run. */
  overwrite?: boolean;
  /**
   * Continue pre-training from this model (a run, a checkpoint, or Hugging Face folders; see
   * startingModel.ts): its configuration, vocabulary, tokenizer settings and weights, with a
   * fresh optimizer and this run's schedule. The preset and config overrides other than
   * maxSeqLength do not apply. Ignored when resuming (the run has its own checkpoint).
   */
  startFrom?: string;
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
  /** Share of tokens masked for the generator (ELECTRA: 0.15; docs/recipes.md). */
  maskProbability?: number;
  /** Replacements from the unigram distribution instead of the generator (model/replacements.ts). */
  curriculum?: ReplacementCurriculum;
  /** Dropout of both networks (default: the config's hiddenDropoutProb). */
  dropout?: number;
  /**
   * Synthetic real-word errors in training (model/syntheticErrors.ts): the share of each
   * batch's sequences that carry sparse planted errors instead of the generator's masks.
   * ELECTRA only. Default: FROM_SCRATCH_DEFAULTS.syntheticErrors from scratch (in the run's
   * last part only, `syntheticErrorsFrom`), CONTINUATION_DEFAULTS.syntheticErrors when
   * continuing; may be changed when resuming (a later stage).
   */
  syntheticErrors?: number;
  /**
   * Share of the run's steps before the synthetic errors begin: an error stage at the end of
   * a run. Default: FROM_SCRATCH_DEFAULTS.syntheticErrorsFrom from scratch, 0 when continuing.
   */
  syntheticErrorsFrom?: number;
  /**
   * Begin with neighbour heads (model/neighbourHeads.ts): attention on the previous and the
   * next token in the first layer, applied to the fresh or starting model once, when the run
   * starts. Default: TRAINING_DEFAULTS.neighbourHeads from scratch, none when continuing.
   */
  neighbourHeads?: boolean;
  /**
   * The generator's width as a fraction of the discriminator's (ELECTRA's generator_hidden_size:
   * the size ratio; model/config.ts generatorOfWidth). Default: the preset's. A new ELECTRA run only.
   */
  generatorSize?: number;
}

/** A new run's choices, before its data exists (the vocabulary may come out smaller than asked). */
export interface ResolvedRun {
  preset: PresetName;
  /** The model asked for: preset + overrides; vocabSize is what the vocabulary may reach. */
  config: ElectraConfig;
  /**
   * The vocabulary's size follows the corpus, up to config.vocabSize (VOCABULARY_FROM_CORPUS):
   * a run from scratch not told its size.
   */
  vocabSizeFromCorpus: boolean;
  normalization: NormalizationOptions;
  seed: number;
  training: TrainingSettings;
}

/**
 * A new run's settings from its options, its preset and the defaults. A run continued from a
 * model trains that model's objective (`startObjective`), which decides its defaults.
 */
export function resolveNewRun(options: PretrainOptions, startObjective?: Objective): ResolvedRun {
  const preset = options.preset;
  if (!preset) throw new Error('give a preset for a new run');
  const config: ElectraConfig = withObjective({ ...presetConfig(preset), ...options.config }, startObjective ?? options.objective ?? 'electra');
  if (options.generatorSize !== undefined) {
    if (options.startFrom) throw new Error('the generator size is the starting model\'s when continuing from one');
    if (objectiveOf(config) !== 'electra') throw new Error('a masked LM has no separate generator to size');
    config.generator = generatorOfWidth(config.discriminator, options.generatorSize);
  }
  validateConfig(config);
  const defaults = presetTraining(preset);
  // Where the options are silent, a run continued from a model trains by CONTINUATION_DEFAULTS,
  // an ELECTRA run from scratch by FROM_SCRATCH_DEFAULTS.
  const continued = !!options.startFrom;
  const electra = objectiveOf(config) === 'electra';
  const scratchElectra = !continued && electra;
  const training: TrainingSettings = {
    preset,
    batchSize: options.batchSize ?? defaults.batchSize,
    gradientAccumulation: options.gradientAccumulation ?? defaults.gradientAccumulation,
    learningRate: options.learningRate ?? (continued ? CONTINUATION_DEFAULTS.learningRate : defaults.learningRate),
    warmupSteps: options.warmupSteps ?? -1, // the preset's rule, once totalSteps is known
    totalSteps: options.steps ?? 0, // 0: estimated from the time budget after the first steps
    checkpointEvery: options.checkpointEvery ?? TRAINING_DEFAULTS.checkpointEvery,
    evalEvery: options.evalEvery ?? TRAINING_DEFAULTS.evalEvery,
    evalSequences: options.evalSequences ?? TRAINING_DEFAULTS.evalSequences,
    dropout: options.dropout ?? (continued ? CONTINUATION_DEFAULTS.dropout : scratchElectra ? FROM_SCRATCH_DEFAULTS.dropout : config.hiddenDropoutProb),
    maxGradNorm: defaults.maxGradNorm,
    ...(options.flops ? { flopBudget: options.flops } : {}),
    maskProbability: options.maskProbability ?? (scratchElectra ? FROM_SCRATCH_DEFAULTS.maskProbability : ELECTRA_MASK_PROBABILITY),
    curriculum: options.curriculum ?? (scratchElectra ? { ...FROM_SCRATCH_DEFAULTS.curriculum } : GENERATOR_ONLY),
    syntheticErrors: options.syntheticErrors ?? (continued && electra ? CONTINUATION_DEFAULTS.syntheticErrors : scratchElectra ? FROM_SCRATCH_DEFAULTS.syntheticErrors : 0),
    syntheticErrorsFrom: options.syntheticErrorsFrom ?? (scratchElectra ? FROM_SCRATCH_DEFAULTS.syntheticErrorsFrom : 0),
    ...((options.neighbourHeads ?? (!continued && TRAINING_DEFAULTS.neighbourHeads)) ? { neighbourHeads: true } : {}),
  };
  validateCurriculum(training.curriculum!);
  if (training.syntheticErrors! > 0 && !electra) throw new Error('--synthetic-errors trains the discriminator; a masked LM has none');
  if (!(training.syntheticErrorsFrom! >= 0 && training.syntheticErrorsFrom! < 1)) throw new Error(`the synthetic errors' start must be a share of the run from 0 to below 1, got ${training.syntheticErrorsFrom}`);
  if (!options.steps && !options.minutes && !options.flops) throw new Error('give a number of steps, minutes or FLOPs to train for');
  return {
    preset,
    config,
    vocabSizeFromCorpus: !continued && options.config?.vocabSize === undefined,
    normalization: { lowercase: options.lowercase ?? TRAINING_DEFAULTS.lowercase, stripAccents: options.stripAccents ?? TRAINING_DEFAULTS.stripAccents },
    seed: options.seed ?? TRAINING_DEFAULTS.seed,
    training,
  };
}
