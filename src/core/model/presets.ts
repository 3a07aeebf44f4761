/**
 * The preset table: each named size with everything that goes with it, the model's shape
 * and the hyperparameters that train it. One row per preset; the names and the default
 * one are in src/shared/defaults.ts, so the extension can list them without the engine,
 * and package.json's descriptions of them are checked against `description` here.
 */
import type { PresetName } from '../../shared/defaults';
import type { ElectraConfig } from './config';

export { DEFAULT_PRESET, isPresetName, PRESET_NAMES, type PresetName } from '../../shared/defaults';

/** How a preset trains, unless a run overrides it. */
export interface PresetTraining {
  /** Sequences per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer step. */
  gradientAccumulation: number;
  /** Peak learning rate of the warm-up-then-linear-decay schedule (model/schedule.ts). */
  learningRate: number;
  /**
   * Warm-up when the run does not set its own: `fraction` of the run's steps, at most
   * `maxSteps` (ELECTRA's 10,000 for a million-step run; short runs here warm up for a tenth).
   */
  warmup: { fraction: number; maxSteps: number };
  /** Global-norm gradient clipping, as ELECTRA. */
  maxGradNorm: number;
}

export interface Preset {
  /** One line for pickers (package.json's enumDescriptions of electraStudio.preset). */
  description: string;
  model: ElectraConfig;
  training: PresetTraining;
}

/** BERT's layer settings, the same in every size. */
const bert = {
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
};

/**
 * ELECTRA's optimisation. Its Small learning rate, 5e-4, also suits the smaller presets:
 * at a higher rate the micro discriminator collapses to predicting the base rate on real
 * text (the check is in docs/benchmarks.md, "Learning rate of the small presets").
 */
const electra = { gradientAccumulation: 1, warmup: { fraction: 0.1, maxSteps: 10_000 }, maxGradNorm: 1.0 };

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  micro: {
    description: 'For tests: a few thousand parameters per layer, trains in seconds.',
    model: {
      ...bert,
      vocabSize: 1024,
      embeddingSize: 24,
      maxSeqLength: 64,
      discriminator: { hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64 },
      generator: { hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 1, intermediateSize: 32 },
    },
    training: { ...electra, batchSize: 8, learningRate: 5e-4 },
  },
  tiny: {
    description: '4 layers, hidden 128: minutes on a laptop CPU.',
    model: {
      ...bert,
      vocabSize: 8192,
      embeddingSize: 128,
      maxSeqLength: 128,
      discriminator: { hiddenSize: 128, numHiddenLayers: 4, numAttentionHeads: 2, intermediateSize: 512 },
      generator: { hiddenSize: 32, numHiddenLayers: 4, numAttentionHeads: 1, intermediateSize: 128 },
    },
    training: { ...electra, batchSize: 16, learningRate: 5e-4 },
  },
  small: {
    description: 'ELECTRA-Small (12 layers, hidden 256) with its 1/4-width generator.',
    model: {
      ...bert,
      vocabSize: 30522,
      embeddingSize: 128,
      maxSeqLength: 128,
      discriminator: { hiddenSize: 256, numHiddenLayers: 12, numAttentionHeads: 4, intermediateSize: 1024 },
      generator: { hiddenSize: 64, numHiddenLayers: 12, numAttentionHeads: 1, intermediateSize: 256 },
    },
    training: { ...electra, batchSize: 8, learningRate: 5e-4 },
  },
  base: {
    description: 'ELECTRA-Base (12 layers, hidden 768): needs native TensorFlow and a GPU.',
    model: {
      ...bert,
      vocabSize: 30522,
      embeddingSize: 768,
      maxSeqLength: 512,
      // ELECTRA-Base's 1/3-width generator.
      discriminator: { hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072 },
      generator: { hiddenSize: 256, numHiddenLayers: 12, numAttentionHeads: 4, intermediateSize: 1024 },
    },
    training: { ...electra, batchSize: 8, learningRate: 2e-4 },
  },
};

/** A deep copy of a preset's model shape, so callers may adjust it freely. */
export function presetConfig(name: PresetName): ElectraConfig {
  return structuredClone(PRESETS[name].model);
}

/** A preset's training hyperparameters (a copy). */
export function presetTraining(name: PresetName): PresetTraining {
  return structuredClone(PRESETS[name].training);
}

/** The warm-up of a run of `totalSteps` that does not set its own, by the preset's rule. */
export function presetWarmupSteps(name: PresetName, totalSteps: number): number {
  const { fraction, maxSteps } = PRESETS[name].training.warmup;
  return Math.min(maxSteps, Math.round(fraction * totalSteps));
}
