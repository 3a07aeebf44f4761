/**
 * Fine-tuning a run's checkpoint on a named task, as the CLI, the extension and the
 * experiment call it: loads the checkpoint (or, for the baseline, only its configuration
 * and vocabulary: the same encoder from random weights), builds the task with the run's
 * own tokenizer, fine-tunes, and appends the records to a metrics.jsonl (by default the
 * run's own, where the dashboard reads it).
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { FinetuneEvalMetrics, FinetuneStepMetrics } from '../../shared/metricsRecord';
import { WordPieceTokenizer } from '../data/tokenizer';
import { ElectraModel } from '../model/model';
import { findLatestCheckpoint, loadCheckpoint } from '../run/checkpoint';
import { tensorsFromArrays } from '../run/weights';
import { initBackend, type BackendPreference } from '../wasm/backend';
import { brownGenreTask, brownPosTask } from './brownTasks';
import { fileTask } from './fileTask';
import { fineTune, type FinetuneResult } from './finetune';
import type { TaskData } from './task';

export const BUILTIN_TASKS = ['pos', 'genre'] as const;

export interface FinetuneRunOptions {
  /** A run folder or a checkpoint folder. */
  checkpoint: string;
  /** 'pos', 'genre', or the path of a CSV/JSONL task file. */
  task: string;
  /** Fine-tune the same encoder from random weights (the no-pre-training baseline). */
  fromScratch?: boolean;
  /** Where the records go; default the run folder's metrics.jsonl. */
  metricsPath?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** At most this many training / held-out sequences (evenly spread). */
  maxTrain?: number;
  maxTest?: number;
  /** Brown tasks: score on a dev split of the training files instead of the held-out files (brownTasks.ts). */
  dev?: boolean;
  layerDecay?: number;
  backend?: BackendPreference;
  onRecord?(r: FinetuneStepMetrics | FinetuneEvalMetrics): void;
  onLog?(message: string): void;
  /** The task once built (its sizes and reference baseline). */
  onTask?(task: TaskData): void;
  signal?: AbortSignal;
  /** Tasks already built, by task and vocabulary: runs that share a vocabulary share them (an experiment's). */
  taskCache?: Map<string, TaskData>;
}

export interface FinetuneRunResult extends FinetuneResult {
  task: TaskData;
  checkpointDir: string;
  metricsPath: string;
}

/** A task by name, tokenized with the given tokenizer. */
export function loadTask(task: string, tokenizer: WordPieceTokenizer, seqLength: number, limits: { maxTrain?: number; maxTest?: number; dev?: boolean } = {}): TaskData {
  const o = { tokenizer, seqLength, maxTrain: limits.maxTrain, maxTest: limits.maxTest, heldOut: limits.dev ? ('dev' as const) : ('test' as const) };
  if (limits.dev && task !== 'pos' && task !== 'genre') throw new Error('a dev split is drawn for the Brown tasks only (pos, genre)');
  if (task === 'pos') return brownPosTask(o);
  if (task === 'genre') return brownGenreTask(o);
  return fileTask(task, o);
}

/** The run folder of a checkpoint folder (<run>/checkpoints/step-N), or the folder itself. */
function runFolderOf(checkpointDir: string): string {
  const parent = dirname(checkpointDir);
  return basename(parent) === 'checkpoints' ? dirname(parent) : checkpointDir;
}

export async function finetuneRun(o: FinetuneRunOptions): Promise<FinetuneRunResult> {
  const dir = findLatestCheckpoint(o.checkpoint);
  if (!dir) throw new Error(`${o.checkpoint}: no checkpoint found`);
  await initBackend(o.backend ?? 'auto');
  const ckpt = loadCheckpoint(dir);
  const tokenizer = WordPieceTokenizer.fromVocabText(ckpt.vocabText, ckpt.state.tokenizer);
  const cacheKey = JSON.stringify([o.task, o.maxTrain, o.maxTest, !!o.dev, ckpt.config.maxSeqLength, ckpt.state.tokenizer, createHash('sha256').update(ckpt.vocabText).digest('hex')]);
  const task = o.taskCache?.get(cacheKey) ?? loadTask(o.task, tokenizer, ckpt.config.maxSeqLength, o);
  o.taskCache?.set(cacheKey, task);
  o.onLog?.(`task ${task.name}: ${task.kind} classification, ${task.labels.length} labels, ${task.train.length} training and ${task.test.length} held-out sequences (${task.split})`);
  o.onTask?.(task);
  const model = new ElectraModel(ckpt.config, o.seed ?? 42);
  if (!o.fromScratch) tf.tidy(() => model.assign(tensorsFromArrays(ckpt.weights)));
  const metricsPath = o.metricsPath ?? join(runFolderOf(dir), 'metrics.jsonl');
  try {
    const result = await fineTune({
      task,
      model,
      source: o.fromScratch ? 'scratch' : 'pretrained',
      pretrainStep: o.fromScratch ? 0 : ckpt.state.step,
      pretrainFlops: o.fromScratch ? 0 : (ckpt.state.flops ?? 0),
      padId: tokenizer.specialIds.pad,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      layerDecay: o.layerDecay,
      seed: o.seed,
      signal: o.signal,
      onRecord: (r) => {
        appendFileSync(metricsPath, JSON.stringify(r) + '\n');
        o.onRecord?.(r);
      },
    });
    return { ...result, task, checkpointDir: dir, metricsPath };
  } finally {
    model.dispose();
  }
}
