/**
 * The passes a thread runs over its share of a batch (the objective with gradients, the
 * objective's statistics alone, the discriminator's probabilities), and `batchGradients` /
 * `batchStatistics`, the entry point of training and evaluation: the whole batch on this
 * thread, or split over a ReplicaPool when one is given. The pool's thread and every
 * Replica run the same functions, so one thread and N threads compute the same thing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedBatch } from '../model/masking';
import type { ElectraModel } from '../model/model';
import { electraLoss, type Batch, type ObjectiveStats } from '../model/objective';
import type { PassOptions, Shard } from '../../shared/parallelProtocol';
import type { ReplicaPool } from './replicaPool';
import { splitBatch } from './shards';

export type { PassMode, PassOptions } from '../../shared/parallelProtocol';

/**
 * Runs the objective on one shard and returns its gradients keyed by parameter name
 * (with the model's own names, not tfjs's variable names).
 */
export function shardGradients(model: ElectraModel, shard: Shard, options: PassOptions): { grads: Map<string, tf.Tensor>; stats: ObjectiveStats } {
  const stats: Partial<ObjectiveStats> = {};
  const { value, grads } = tf.variableGrads(() => electraLoss(model, shard.batch, shard.masked, { ...options, shard: shard.info }, stats));
  value.dispose();
  const named = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) {
    const g = grads[v.name];
    if (g) named.set(name, g);
  }
  return { grads: named, stats: stats as ObjectiveStats };
}

/** The objective's statistics on one shard, without gradients (evaluation). */
export function shardStatistics(model: ElectraModel, shard: Shard, options: PassOptions): ObjectiveStats {
  const stats: Partial<ObjectiveStats> = {};
  tf.tidy(() => {
    electraLoss(model, shard.batch, shard.masked, { ...options, shard: shard.info }, stats);
  });
  return stats as ObjectiveStats;
}

/** Gradients of a whole batch: on this thread alone, or shared with `pool` when given. */
export async function batchGradients(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions, pool?: ReplicaPool): Promise<{ grads: Map<string, tf.Tensor>; stats: ObjectiveStats }> {
  return pool ? pool.gradients(model, batch, masked, options) : shardGradients(model, splitBatch(batch, masked, 1)[0], options);
}

/** The objective's statistics of a whole batch without gradients: on this thread alone, or shared with `pool`. */
export async function batchStatistics(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions, pool?: ReplicaPool): Promise<ObjectiveStats> {
  return pool ? pool.statistics(model, batch, masked, options) : shardStatistics(model, splitBatch(batch, masked, 1)[0], options);
}

/** The discriminator's probability of replacement at every position of a batch ([B*T], no dropout). */
export function discriminatorProbabilities(model: ElectraModel, batch: Batch): Float32Array {
  const { batchSize: B, seqLength: T } = batch;
  return tf.tidy(() => tf.sigmoid(model.discriminatorLogits(tf.tensor2d(batch.ids, [B, T], 'int32'), tf.tensor2d(batch.attentionMask, [B, T]))).dataSync() as Float32Array);
}
