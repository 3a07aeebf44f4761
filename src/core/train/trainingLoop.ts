/**
 * The training loop, one optimizer step at a time: read the micro-batches, mask them,
 * compute the ELECTRA objective's gradients (on this thread and the data-parallel workers),
 * average, clip by global norm, and apply AdamW at the schedule's learning rate.
 *
 * Every random draw is derived from (seed, step, micro-batch), and the data order from
 * (seed, epoch), so stopping after N steps and resuming gives the same weights as 2N
 * straight steps on the same backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PackedSequences } from '../data/dataset';
import type { SpecialIds } from '../data/tokenizer';
import { objectiveOf } from '../model/config';
import { trainingFlops } from '../model/flops';
import { maskBatch, type MaskingOptions } from '../model/masking';
import { maskingFor } from '../model/pretrainingObjective';
import type { ElectraModel } from '../model/model';
import type { Batch, ObjectiveStats } from '../model/objective';
import { clipByGlobalNorm, type AdamW } from '../model/optimizer';
import { learningRateAt } from '../model/schedule';
import { batchGradients, type ReplicaPool } from '../parallel';
import { presetWarmupSteps } from '../model/presets';
import type { TrainingPosition } from '../run/checkpoint';
import { deriveSeed, Rng } from '../common/random';
import { readBatch } from './batches';
import { errorShareAt, plantErrorRows, type ErrorVocabulary } from '../model/syntheticErrors';
import { GENERATOR_ONLY, planReplacements, UnigramSampler, unigramShareAt } from '../model/replacements';

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
import { summarizeStats, type StepMetrics } from './metrics';
import type { TrainingSettings } from './settings';

export class TrainingLoop {
  /** Draws the curriculum's replacements; absent when the generator makes them all. */
  private readonly unigram?: UnigramSampler;
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
    /** The vocabulary as the synthetic errors need it (settings.syntheticErrors). */
    private readonly errorVocabulary?: ErrorVocabulary,
  ) {
    this.masking = maskingFor(model.config, seqLength, settings.maskProbability);
    const c = settings.curriculum ?? GENERATOR_ONLY;
    if (c.unigramShareStart > 0 || c.unigramShareEnd > 0) this.unigram = unigramOf(data, special, UNIGRAM_SEQUENCES);
  }

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
    const now = Date.now();
    return {
      type: 'step',
      step: this.position.step,
      elapsedMs: now - runStarted,
      time: now,
      epoch: this.position.epoch,
      ...summarizeStats(stats),
      learningRate: lr,
      gradNorm,
      tokensPerSec: tokens / Math.max(1e-3, (now - t0) / 1000),
      liveTensors,
      flops: this.position.flops ?? 0,
      objective: objectiveOf(this.model.config),
    };
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
      const errorRows = this.plantErrors(batch, step, micro);
      const masked = maskBatch(batch.ids, this.seqLength, this.special, this.masking, new Rng(deriveSeed(this.seed, 'mask', step, micro)), errorRows.rows);
      if (errorRows.labels) masked.errorLabels = errorRows.labels;
      const shape = { sequences: batch.batchSize, seqLength: batch.seqLength, maskedPositions: masked.positions.length };
      this.position.flops = (this.position.flops ?? 0) + trainingFlops(this.model.config, shape).training;
      if (this.unigram) {
        const share = unigramShareAt(this.settings.curriculum!, step, this.settings.totalSteps > 0 ? this.settings.totalSteps : 100);
        masked.overrides = planReplacements(masked, share, this.unigram, new Rng(deriveSeed(this.seed, 'unigram', step, micro)));
      }
      const pass = { seed: deriveSeed(this.seed, 'step', step, micro), dropoutRate: this.settings.dropout };
      const result = await batchGradients(this.model, batch, masked, pass, this.workers);
      stats.push(result.stats);
      grads = accumulate(grads, result.grads, accum);
    }
    return { grads, stats, tokens };
  }

  /** Synthetic errors in a share of the batch's sequences (in place); those are not masked. */
  private plantErrors(batch: Batch, step: number, micro: number): { rows: Set<number>; labels?: Float32Array } {
    const share = errorShareAt(this.settings.syntheticErrors ?? 0, this.settings.syntheticErrorsFrom ?? 0, step, this.settings.totalSteps);
    const rows = new Set<number>();
    if (share <= 0 || !this.errorVocabulary) return { rows };
    const rng = new Rng(deriveSeed(this.seed, 'synthetic-errors', step, micro));
    for (let b = 0; b < batch.batchSize; b++) if (rng.next() < share) rows.add(b);
    if (rows.size === 0) return { rows };
    return { rows, labels: plantErrorRows(batch.ids, batch.attentionMask, batch.seqLength, [...rows], this.errorVocabulary, this.special, rng) };
  }
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
