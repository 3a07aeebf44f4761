/**
 * The model continued pre-training starts from: a run (its latest checkpoint), a checkpoint
 * folder, or Hugging Face folders (a discriminator folder, or a folder holding
 * discriminator/ and generator/ as `export` writes and the Hub cache keeps). The new run
 * takes its configuration, vocabulary and tokenizer settings and its weights; not its
 * optimizer state or schedule, which start afresh.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findLatestCheckpoint, loadCheckpoint } from '../run/checkpoint';
import { readHuggingFace } from '../run/huggingface/importHuggingFace';
import type { ElectraConfig } from '../model/config';
import type { NormalizationOptions } from '../data/tokenizer';
import type { NamedArray } from '../run/safetensors';
import type { RunOrigin } from '../run/runOrigin';

export interface StartingModel {
  config: ElectraConfig;
  vocabText: string;
  normalization: NormalizationOptions;
  weights: Map<string, NamedArray>;
  origin: RunOrigin;
  /** Said to the user: e.g. a generator initialised because the folder had none. */
  warnings: string[];
}

export function loadStartingModel(path: string): StartingModel {
  const from = resolve(path);
  if (!existsSync(from)) throw new Error(`cannot start from ${path}: it does not exist`);
  const checkpoint = findLatestCheckpoint(from);
  if (checkpoint) {
    const c = loadCheckpoint(checkpoint);
    return { config: c.config, vocabText: c.vocabText, normalization: c.state.tokenizer, weights: c.weights, origin: { kind: 'continued', from, step: c.state.step }, warnings: [] };
  }
  const pair = existsSync(join(from, 'discriminator', 'config.json'));
  if (pair || existsSync(join(from, 'config.json'))) {
    const discriminatorDir = pair ? join(from, 'discriminator') : from;
    const generatorDir = pair && existsSync(join(from, 'generator', 'config.json')) ? join(from, 'generator') : undefined;
    const m = readHuggingFace({ discriminatorDir, generatorDir });
    return { config: m.config, vocabText: m.vocabText, normalization: m.tokenizer, weights: m.weights, origin: { kind: 'continued', from, step: 0 }, warnings: m.warnings };
  }
  throw new Error(`cannot start from ${path}: it is neither a run, a checkpoint, nor a Hugging Face model folder (config.json)`);
}
