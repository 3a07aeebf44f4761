/**
 * Every default of ELECTRA Studio, written once: the choices a setting or option may take,
 * the engine's fallbacks, the CLI's option defaults and the extension's settings. Plain
 * values, so the extension host and the webviews read them without loading the engine; the
 * engine re-exports them from src/core/index.ts. package.json's `contributes.configuration`
 * repeats the settings for VS Code, and test/unit/defaults.test.ts fails when it differs.
 *
 * A preset's own hyperparameters (model shape, batch size, learning rate, warm-up) are not
 * here but in its row of the preset table, src/core/model/presets.ts.
 */

/** Model sizes, smallest first. Their shapes and hyperparameters: src/core/model/presets.ts. */
export type PresetName = 'micro' | 'tiny' | 'small' | 'base';
export const PRESET_NAMES: readonly PresetName[] = ['micro', 'tiny', 'small', 'base'];
export const DEFAULT_PRESET: PresetName = 'tiny';

/**
 * What pre-training optimises: 'electra' trains a generator and a discriminator (replaced-
 * token detection); 'mlm' trains one BERT-style masked language model whose encoder has
 * the discriminator's shapes (its parameters are named like ElectraForMaskedLM's).
 */
export type Objective = 'electra' | 'mlm';
export const OBJECTIVES: readonly Objective[] = ['electra', 'mlm'];
export function isObjective(name: unknown): name is Objective {
  return (OBJECTIVES as readonly unknown[]).includes(name);
}

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** TensorFlow.js backends, best first; 'auto' takes the first that works (src/core/wasm/backend.ts). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_NAMES];
export const DEFAULT_BACKEND: BackendPreference = 'auto';

/** Severities of the language server's diagnostics on likely replaced tokens (LSP's four). */
export type AnnotationSeverity = 'error' | 'warning' | 'information' | 'hint';
export const ANNOTATION_SEVERITIES: readonly AnnotationSeverity[] = ['error', 'warning', 'information', 'hint'];

/** Which files of a folder are a corpus (src/core/data/corpus.ts). */
export const CORPUS_DEFAULTS = {
  /** Text-like files by extension. */
  include: [
    '**/*.txt',
    '**/*.text',
    '**/*.md',
    '**/*.markdown',
    '**/*.mdown',
    '**/*.mdx',
    '**/*.rst',
    '**/*.tex',
    '**/*.adoc',
    '**/*.asciidoc',
    '**/*.org',
    '**/*.wiki',
  ] as readonly string[],
  /** Dependencies, version control, build output and ELECTRA's own run folders. */
  exclude: ['**/node_modules/**', '**/.git/**', '**/.electra/**', '**/out/**', '**/dist/**'] as readonly string[],
  /** Larger files are skipped as 'too-large': a corpus is prose, not data dumps. */
  maxFileBytes: 10 * 1024 * 1024,
} as const;

/** A training run's settings that do not depend on the preset (src/core/train). */
export const TRAINING_DEFAULTS = {
  seed: 42,
  /**
   * Steps between checkpoints and between held-out evaluations. Runs here are short (the
   * extension's default is 1,000 steps of `tiny`) and the language server follows the
   * latest checkpoint, so checkpoints come often enough to see a run improve in the editor;
   * three are kept. An evaluation of `evalSequences` costs a few steps' time.
   */
  checkpointEvery: 200,
  evalEvery: 50,
  /** Held-out sequences per evaluation during training (the first N of the split). */
  evalSequences: 128,
  /** BERT's uncased normalisation, as ELECTRA's English models. */
  lowercase: true,
  stripAccents: true,
  /** Threads per step in the hosts: one per core where the backend computes on one thread. */
  workers: 'auto',
  /**
   * A run from scratch begins with neighbour heads (src/core/model/neighbourHeads.ts): without
   * them short runs never learn word order (docs/recipes.md). A run continued from a model
   * keeps that model's attention unless asked.
   */
  neighbourHeads: true,
} as const;

/**
 * How an ELECTRA run from scratch trains where the options are silent: the short-run recipe of
 * docs/recipes.md ("rB"): a quarter of the tokens masked, a share of the masked positions given
 * a draw from the corpus's unigram distribution instead of the generator's sample (0.5 falling
 * to 0.2 over the first 70% of the run), and no dropout. With neighbour heads it is the recipe
 * that gets past the base rate within minutes; ELECTRA's own (15% masks, generator samples only,
 * dropout 0.1) stays at it (docs/recipes.md, "Neighbour heads"). A masked LM keeps BERT's.
 */
export const FROM_SCRATCH_DEFAULTS = {
  maskProbability: 0.25,
  curriculum: { unigramShareStart: 0.5, unigramShareEnd: 0.2, decayFraction: 0.7 },
  dropout: 0,
  /**
   * An error stage at the end: from 80% of the run on, this share of each batch's sequences
   * carries synthetic real-word errors instead of masks (src/core/model/syntheticErrors.ts).
   * Pre-training alone leaves a short run level with a trigram on a small technical corpus;
   * the stage, at the learning rate the decay has reached there, puts it past. Half the
   * sequences, not the continuation's 0.8, so that the other half keep training replaced-token
   * detection on the generator's samples (docs/recipes.md, "An error stage at the end"). From
   * step 0 the stage keeps the discriminator at the base rate instead: the generator's
   * replacements are what teach it context first.
   */
  syntheticErrors: 0.5,
  syntheticErrorsFrom: 0.8,
} as const;

/**
 * The WordPiece vocabulary of a run from scratch whose size is not given: one piece per
 * `wordsPerPiece` words of the training files, at least `minSize`, at most the preset's
 * (src/core/data/vocabularySize.ts). In a short run on a small corpus, a large vocabulary's
 * rare pieces are seen too seldom to learn; fewer pieces took a run on the Rust book from
 * level with a trigram to clearly past it (docs/recipes.md, "A vocabulary that follows the
 * corpus"). Brown and larger corpora keep the preset's. The floor keeps a small workspace's
 * words whole: below it, words split into pieces and whole-word quick fixes disappear.
 */
export const VOCABULARY_FROM_CORPUS = { wordsPerPiece: 128, minSize: 2048 } as const;

/**
 * How a run continued from a model (startFrom: the shipped base model by default in the
 * extension) trains unless told otherwise, in place of the preset's from-scratch choices.
 * A pre-trained discriminator loses its error detection at the presets' 5e-4 on generator
 * samples alone; at a fifth of it, with most of each batch's sequences carrying synthetic
 * real-word errors (src/core/model/syntheticErrors.ts) and no dropout, it keeps it while the
 * generator learns the workspace from the rest (docs/base-model.md, "Ten minutes of continued
 * pre-training": a share of 0.5 lost a little of the error detection, 1 left the generator as
 * it was).
 */
export const CONTINUATION_DEFAULTS = {
  learningRate: 1e-4,
  /** ELECTRA models only: a masked LM has no discriminator to train on them. */
  syntheticErrors: 0.8,
  dropout: 0,
} as const;

/** Scoring text with a trained discriminator (CLI `score`, the language server). */
export const SCORING_DEFAULTS = {
  /**
   * Tokens whose probability of having been replaced is at least this are flagged, when
   * neither the user nor the model's calibration says otherwise (the rule:
   * src/shared/calibrationFormat.ts).
   */
  threshold: 0.5,
  /** The CLI's --threshold word for the rule of src/shared/calibrationFormat.ts (its default). */
  autoThreshold: 'auto',
  /** Generator alternatives offered in a hover and as quick fixes. */
  alternatives: 5,
  /**
   * A swap of a flagged word with its neighbour is offered when the model reads the swapped
   * words, and a word on each side, as this fraction of the threshold or less: clearly
   * original, not merely unflagged, since the model flags only some swaps it is shown
   * (src/core/score/swaps.ts; docs/benchmarks.md, "The swap fix").
   */
  swapConfidence: 1 / 16,
  workers: 'auto',
} as const;

/** The CLI's `eval` command: held-out metrics of a checkpoint on a folder. */
export const EVAL_COMMAND_DEFAULTS = {
  /** More than a training-time evaluation: this one runs once, so it can afford a steadier figure. */
  sequences: 512,
  seed: TRAINING_DEFAULTS.seed,
} as const;

/** The error-detection benchmark (CLI `eval --errors`, bench section `quality`; src/core/quality). */
export const ERROR_BENCHMARK_DEFAULTS = {
  /** Sentences of held-out prose in which errors are planted (half of them get one). */
  sentences: 1000,
  /** False flags per 1,000 clean words the calibrated threshold allows (issue 10's target). */
  falseFlagBudget: 5,
} as const;

/**
 * A model's calibration (src/core/quality/calibration.ts): the threshold that flags at most
 * ERROR_BENCHMARK_DEFAULTS.falseFlagBudget of every 1,000 words of clean held-out prose, with
 * `confidence`.
 */
export const CALIBRATION_DEFAULTS = {
  /** Held-out words scored at most: bounds the cost at the end of every pre-training run. */
  maxWords: 20_000,
  /**
   * The threshold keeps the false-flag rate within the budget with this confidence, not
   * only on the sample it was fitted on (metrics.ts, thresholdForFalseFlagBound): an
   * in-sample fit exceeds the budget on other text of the same kind half the time.
   */
  confidence: 0.95,
  /** Seed of the order in which held-out paragraphs are drawn, so a calibration is reproducible. */
  seed: 1,
  /** Fewer held-out words than this give no calibration: a quantile of 5 in 1,000 needs some. */
  minWords: 1_000,
} as const;

/**
 * The electra-vs-mlm experiment (CLI `experiment`, the palette command; src/core/experiment).
 * Its fine-tuning recipe is the one under which the no-pre-training tagger converges on its
 * data (the plateau of its held-out curve), chosen on a dev split of Brown's training files
 * (docs/experiments.md): more epochs at a higher rate than ELECTRA's GLUE recipe, whose
 * few hundred updates leave a small encoder far from converged.
 */
export const EXPERIMENT_DEFAULTS = {
  seeds: 3,
  tasks: 'pos,genre',
  out: 'runs/electra-vs-mlm',
  /** Fine-tuning sequences per task, and held-out sequences scored (evenly spread). */
  maxTrain: 300,
  maxTest: 400,
  epochs: 10,
  learningRate: 1e-3,
  batchSize: 16,
} as const;

/** The CLI's `pretrain` run folder when --out is not given. */
export const CLI_RUN_FOLDER = 'runs/electra';

/**
 * The `electraStudio.*` settings' defaults, keyed as in package.json without the
 * `electraStudio.` prefix. The extension falls back to these when a value is missing or
 * invalid (src/extension/config.ts).
 */
/**
 * `electraStudio.startFrom`'s word for the base model shipped with the extension (models/base,
 * docs/base-model.md): "Pretrain on Workspace" continues from it unless told otherwise.
 */
export const BASE_MODEL_START = 'base';

export const SETTING_DEFAULTS = {
  preset: DEFAULT_PRESET,
  steps: 1000,
  /** 0: train for `steps` instead. */
  minutes: 0,
  include: CORPUS_DEFAULTS.include,
  exclude: CORPUS_DEFAULTS.exclude,
  maxFileBytes: CORPUS_DEFAULTS.maxFileBytes,
  backend: DEFAULT_BACKEND,
  /** 0: TRAINING_DEFAULTS.workers ('auto'). */
  workers: 0,
  runFolder: '.electra/runs',
  /** BASE_MODEL_START: continue from the shipped base model; '': from scratch; else a run name or folder. */
  startFrom: BASE_MODEL_START,
  confirmBeforeTraining: true,
  /** null ("auto"): the model's calibrated threshold, else SCORING_DEFAULTS.threshold (src/shared/calibrationFormat.ts). */
  'annotation.threshold': null as number | null,
  'annotation.languages': ['plaintext', 'markdown'] as readonly string[],
  'annotation.severity': 'information' as AnnotationSeverity,
  'annotation.ignoredWords': [] as readonly string[],
  /**
   * Diagnostics per document at most: the tokens most likely replaced are kept. A low
   * threshold on a long document would otherwise flag hundreds of thousands of tokens, more
   * than an editor can hold or anyone can read.
   */
  'annotation.maxDiagnostics': 500,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;

/** The choices of the settings that take one of a list. */
export const SETTING_ENUMS: Partial<Record<SettingKey, readonly string[]>> = {
  preset: PRESET_NAMES,
  backend: BACKEND_PREFERENCES,
  'annotation.severity': ANNOTATION_SEVERITIES,
};

/** Bounds of the numeric settings; a value outside them falls back to the default. */
export const SETTING_LIMITS: Partial<Record<SettingKey, { minimum?: number; maximum?: number }>> = {
  steps: { minimum: 1 },
  minutes: { minimum: 0 },
  maxFileBytes: { minimum: 1 },
  workers: { minimum: 0, maximum: 64 },
  'annotation.threshold': { minimum: 0, maximum: 1 },
  'annotation.maxDiagnostics': { minimum: 0 },
};
