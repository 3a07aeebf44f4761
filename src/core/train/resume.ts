/**
 * Resuming a run from its latest checkpoint. What defines the run (preset, model sizes,
 * sequence length, vocabulary, corpus, seed, batch, learning rate, normalisation) comes
 * from the checkpoint and its manifest; options that contradict it are refused with the
 * list of them, since training on would silently ignore or mix them. What only says how
 * far or how this process trains (steps, minutes, checkpoint and evaluation intervals;
 * workers and backend are never part of a run) may change, and each change is logged.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { CorpusSource } from '../data/dataset';
import type { NormalizationOptions } from '../data/tokenizer';
import { generatorOfWidth, type ElectraConfig } from '../model/config';
import type { PresetName } from '../model/presets';
import type { ElectraModel } from '../model/model';
import type { AdamW } from '../model/optimizer';
import { readRunOrigin } from '../run/runOrigin';
import { loadCheckpoint, type CheckpointContents, type TrainingPosition } from '../run/checkpoint';
import { parseTrainingSettings, type RunFolder, type RunManifest } from '../run/runFolder';
import { optimizerFromArrays, tensorsFromArrays } from '../run/weights';
import type { PretrainOptions, TrainingSettings } from './settings';

export interface ResumedRun {
  checkpoint: CheckpointContents;
  /** Undefined for a run folder written before manifests existed. */
  manifest?: RunManifest;
  preset: PresetName;
  config: ElectraConfig;
  normalization: NormalizationOptions;
  seed: number;
  /** The checkpoint's settings with the allowed changes applied. */
  training: TrainingSettings;
}

/** Loads the run's latest checkpoint and checks `options` against it; throws listing every contradiction. */
export function resumeRun(run: RunFolder, options: PretrainOptions, log: (message: string) => void): ResumedRun {
  const dir = run.latestCheckpoint();
  if (!dir) throw new Error(`cannot resume: no checkpoint in ${run.dir}`);
  // An imported run has weights but no optimizer state or schedule to resume.
  if (readRunOrigin(run.dir)?.kind === 'imported' && dir === run.checkpointDir(0)) {
    throw new Error(`cannot resume ${run.dir}: it was imported and has not been trained; continue pre-training from it in a new run (startFrom / --from)`);
  }
  const checkpoint = loadCheckpoint(dir, { withOptimizer: true });
  const manifest = run.readManifest();
  const { state, config } = checkpoint;
  const saved = parseTrainingSettings(state.training, `${join(dir, 'state.json')}: training`);

  const contradictions = contradictionsOf(options, checkpoint, saved, manifest);
  if (contradictions.length > 0) {
    throw new Error(`cannot resume ${run.dir}: ${contradictions.join('; ')} — leave these out to continue the run as it was, or start a new run`);
  }

  const training: TrainingSettings = { ...saved };
  const changes: string[] = [];
  const change = <K extends 'totalSteps' | 'checkpointEvery' | 'evalEvery'>(key: K, value: number | undefined, what: string) => {
    if (value === undefined || value === training[key]) return;
    changes.push(`${what} ${value} (was ${training[key]})`);
    training[key] = value;
  };
  change('totalSteps', options.steps, 'steps in all');
  change('checkpointEvery', options.checkpointEvery, 'checkpoint every');
  change('evalEvery', options.evalEvery, 'evaluate every');
  // A later stage of a curriculum may add synthetic errors (model/syntheticErrors.ts).
  if (options.syntheticErrors !== undefined && options.syntheticErrors !== (training.syntheticErrors ?? 0)) {
    changes.push(`synthetic errors ${options.syntheticErrors} (was ${training.syntheticErrors ?? 0})`);
    training.syntheticErrors = options.syntheticErrors;
  }
  if (options.syntheticErrorsFrom !== undefined && options.syntheticErrorsFrom !== (training.syntheticErrorsFrom ?? 0)) {
    changes.push(`synthetic errors from ${options.syntheticErrorsFrom} of the run (was ${training.syntheticErrorsFrom ?? 0})`);
    training.syntheticErrorsFrom = options.syntheticErrorsFrom;
  }
  const budget = manifest?.budget.minutes;
  if (options.minutes !== undefined && options.minutes !== budget) changes.push(`${options.minutes} minutes${budget !== undefined ? ` (was ${budget})` : ''}`);
  log(`resuming from ${dir} at step ${state.step}${changes.length ? `; changed on resume: ${changes.join(', ')}` : ''}`);
  return { checkpoint, manifest, preset: saved.preset, config, normalization: state.tokenizer, seed: state.seed, training };
}

/** Loads the checkpoint's weights and optimizer state; returns where the data reading stood. */
export function restoreTraining(model: ElectraModel, optimizer: AdamW, resumed: ResumedRun): TrainingPosition {
  const { checkpoint } = resumed;
  tf.tidy(() => model.assign(tensorsFromArrays(checkpoint.weights)));
  optimizerFromArrays(optimizer, checkpoint.optimizer!, checkpoint.state.optimizerStep);
  return { step: checkpoint.state.step, epoch: checkpoint.state.epoch, index: checkpoint.state.index, flops: checkpoint.state.flops ?? 0 };
}

/** Every option given that differs from what the run was made with, as "what X (the run's: Y)". */
function contradictionsOf(options: PretrainOptions, checkpoint: CheckpointContents, saved: TrainingSettings, manifest: RunManifest | undefined): string[] {
  const out: string[] = [];
  const { state, config } = checkpoint;
  const differ = (what: string, given: unknown, runs: unknown, same = given === runs) => {
    if (given !== undefined && !same) out.push(`${what} ${fmt(given)} (the run's: ${fmt(runs)})`);
  };
  differ('preset', options.preset, saved.preset);
  const c = options.config ?? {};
  differ('sequence length', c.maxSeqLength, config.maxSeqLength);
  // A small corpus gives fewer WordPieces than asked: asking the same again is no contradiction.
  differ('vocabulary size', c.vocabSize, manifest?.vocabSizeAsked ?? config.vocabSize, c.vocabSize === config.vocabSize || c.vocabSize === manifest?.vocabSizeAsked);
  for (const key of ['embeddingSize', 'maxPositionEmbeddings', 'typeVocabSize', 'layerNormEps', 'hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) differ(key, c[key], config[key]);
  for (const which of ['discriminator', 'generator'] as const) {
    if (c[which] !== undefined) differ(`${which} sizes`, c[which], config[which], JSON.stringify(c[which]) === JSON.stringify(config[which]));
  }
  if (options.generatorSize !== undefined) {
    const given = generatorOfWidth(config.discriminator, options.generatorSize);
    differ('generator size', options.generatorSize, config.generator.hiddenSize / config.discriminator.hiddenSize, JSON.stringify(given) === JSON.stringify(config.generator));
  }
  differ('seed', options.seed, state.seed);
  differ('batch size', options.batchSize, saved.batchSize);
  differ('gradient accumulation', options.gradientAccumulation, saved.gradientAccumulation);
  differ('learning rate', options.learningRate, saved.learningRate);
  differ('warm-up steps', options.warmupSteps, saved.warmupSteps);
  differ('held-out sequences per evaluation', options.evalSequences, saved.evalSequences);
  differ('lowercase', options.lowercase, state.tokenizer.lowercase);
  differ('strip accents', options.stripAccents, state.tokenizer.stripAccents);
  // Neighbour heads are an initialisation: a run has them from its start or not at all.
  differ('neighbour heads', options.neighbourHeads, saved.neighbourHeads ?? false);
  if (manifest) out.push(...corpusContradictions(options.corpus, manifest.corpus));
  return out;
}

function corpusContradictions(given: CorpusSource | undefined, runs: CorpusSource): string[] {
  if (!given) return [];
  if (given.kind !== runs.kind || (given.kind === 'folder' && runs.kind === 'folder' && resolve(given.root) !== resolve(runs.root))) {
    return [`corpus ${describe(given)} (the run's: ${describe(runs)})`];
  }
  if (given.kind !== 'folder' || runs.kind !== 'folder') return [];
  const out: string[] = [];
  const lists = (what: 'include' | 'exclude') => {
    const g = given[what];
    if (g !== undefined && JSON.stringify(g) !== JSON.stringify(runs[what])) out.push(`${what} ${fmt(g)} (the run's: ${fmt(runs[what] ?? 'the defaults')})`);
  };
  lists('include');
  lists('exclude');
  if (given.maxFileBytes !== undefined && given.maxFileBytes !== runs.maxFileBytes) out.push(`largest file ${given.maxFileBytes} bytes (the run's: ${runs.maxFileBytes ?? 'the default'})`);
  return out;
}

const describe = (c: CorpusSource) => (c.kind === 'brown' ? 'the Brown corpus' : c.root);
const fmt = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
