/**
 * Messages between a ReplicaPool (src/core/parallel/replicaPool.ts, the thread that owns
 * the model: training, evaluation or scoring) and each of its worker threads, which holds
 * a Replica (src/core/parallel/replica.ts, run by src/worker/dataParallelWorker.ts). Typed
 * and versioned in this one file both sides import; a side that receives another version
 * refuses the message.
 *
 *   pool -> replica: init (once: the architecture, the backend, the shared buffers),
 *                    shard (a pass over a shard of a batch), discriminate (scoring rows)
 *   replica -> pool: ready (after init), done (after shard), probabilities (after
 *                    discriminate), or error
 *
 * Weights and gradients do not travel in messages: they sit in SharedArrayBuffers laid out
 * once by `ParamSlot`s, one for the weights (written by the pool between steps, read by
 * every replica when `weightsVersion` moves) and one per replica for its gradients.
 */
import type { BackendPreference } from './defaults';
import type { Batch, ElectraConfig, MaskedBatch, ObjectiveStats, ObjectiveWeights, ShardInfo } from '../core';

export const DATA_PARALLEL_PROTOCOL_VERSION = 1 as const;
type V = typeof DATA_PARALLEL_PROTOCOL_VERSION;

/** Where one parameter sits in the shared weight and gradient buffers, in floats. */
export interface ParamSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** What a shard's pass needs besides the data. */
export interface PassOptions {
  seed: number;
  dropoutRate: number;
  weights?: ObjectiveWeights;
}

/** 'gradients' for training; 'statistics' runs the objective without a tape (evaluation). */
export type PassMode = 'gradients' | 'statistics';

/** One shard of a batch: the examples [info.firstExample, info.firstExample + batch.batchSize). */
export interface Shard {
  batch: Batch;
  masked: MaskedBatch;
  info: ShardInfo;
}

export type ToReplica =
  | { v: V; type: 'init'; config: ElectraConfig; backend: BackendPreference; slots: ParamSlot[]; weights: SharedArrayBuffer; grads: SharedArrayBuffer }
  | { v: V; type: 'shard'; mode: PassMode; weightsVersion: number; shard: Shard; options: PassOptions }
  | { v: V; type: 'discriminate'; weightsVersion: number; batch: Batch };

export type FromReplica =
  /** `backend`: the replica's TensorFlow.js backend, described in one line. */
  | { v: V; type: 'ready'; backend: string }
  /** Statistics of a shard; for 'gradients' its gradients are in the replica's buffer. `liveTensors` for leak checks. */
  | { v: V; type: 'done'; stats: ObjectiveStats; liveTensors: number }
  | { v: V; type: 'probabilities'; probs: Float32Array; liveTensors: number }
  | { v: V; type: 'error'; message: string };
