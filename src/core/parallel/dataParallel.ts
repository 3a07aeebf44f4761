/**
 * Data parallelism on several cores: training, evaluation and scoring. The wasm backend
 * runs on one thread, so a step uses one core unless the batch is split: the training thread (rank 0) and N-1 worker
 * threads (src/worker/dataParallelWorker.ts, each with its own TensorFlow.js) run the
 * objective on consecutive shards of every batch at once. Shard losses are normalised by
 * the whole batch's counts and their random draws are keyed by global example index
 * (objective.ts), so the shards' gradients sum to the gradient one thread would compute
 * for the whole batch, up to float rounding. Rank 0 then clips and applies AdamW as
 * before and publishes the new weights for the next step.
 *
 * Evaluation (the objective without a tape) and scoring (the discriminator's probabilities
 * for the language server) split their batches the same way.
 *
 * Weights and gradients cross threads through SharedArrayBuffers laid out once at start:
 * one for the weights (written by rank 0 between steps, read by every worker at the start
 * of a step) and one per worker for its gradients. Messages only say what to do next.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { concatFloat32 } from '../common/arrays';
import type { BackendPreference } from '../wasm/backend';
import type { ElectraConfig } from '../model/config';
import { DiscriminatorInference } from '../score/discriminatorInference';
import type { MaskedBatch } from '../model/masking';
import type { ElectraModel } from '../model/model';
import { electraLoss, mergeShardStats, type Batch, type ObjectiveStats, type ObjectiveWeights, type ShardInfo } from '../model/objective';

export const DATA_PARALLEL_PROTOCOL_VERSION = 1;

/** Where each parameter sits in the shared buffers, in floats. */
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

export type PassMode = 'gradients' | 'statistics';

/** One shard of a batch: the examples [firstExample, firstExample + batch.batchSize). */
export interface Shard {
  batch: Batch;
  masked: MaskedBatch;
  info: ShardInfo;
}

export type ToReplicaWorker =
  | {
      v: typeof DATA_PARALLEL_PROTOCOL_VERSION;
      type: 'init';
      config: ElectraConfig;
      backend: BackendPreference;
      slots: ParamSlot[];
      weights: SharedArrayBuffer;
      grads: SharedArrayBuffer;
    }
  | {
      v: typeof DATA_PARALLEL_PROTOCOL_VERSION;
      type: 'shard';
      /** 'gradients' for training; 'statistics' runs the objective without a tape (evaluation). */
      mode: PassMode;
      weightsVersion: number;
      shard: Shard;
      options: PassOptions;
    }
  | { v: typeof DATA_PARALLEL_PROTOCOL_VERSION; type: 'discriminate'; weightsVersion: number; batch: Batch };

export type FromReplicaWorker =
  | { v: typeof DATA_PARALLEL_PROTOCOL_VERSION; type: 'ready'; backend: string }
  | { v: typeof DATA_PARALLEL_PROTOCOL_VERSION; type: 'done'; stats: ObjectiveStats; liveTensors: number }
  | { v: typeof DATA_PARALLEL_PROTOCOL_VERSION; type: 'probabilities'; probs: Float32Array; liveTensors: number }
  | { v: typeof DATA_PARALLEL_PROTOCOL_VERSION; type: 'error'; message: string };

export function paramSlots(model: ElectraModel): ParamSlot[] {
  const slots: ParamSlot[] = [];
  let offset = 0;
  for (const [name, v] of model.params) {
    slots.push({ name, shape: v.shape.slice(), offset, size: v.size });
    offset += v.size;
  }
  return slots;
}

function totalFloats(slots: ParamSlot[]): number {
  const last = slots[slots.length - 1];
  return last ? last.offset + last.size : 0;
}

/**
 * Splits a batch into `parts` shards of consecutive examples, as equal as they can be;
 * empty shards are left out, so a batch smaller than `parts` gives fewer shards.
 */
export function splitBatch(batch: Batch, masked: MaskedBatch, parts: number): Shard[] {
  const T = batch.seqLength;
  const maskedCount = masked.positions.length;
  let tokenCount = 0;
  for (let i = 0; i < batch.attentionMask.length; i++) tokenCount += batch.attentionMask[i];
  let p = 0; // index into the sorted masked positions
  return exampleRanges(batch.batchSize, parts).map(([first, end]) => {
    const from = first * T;
    const start = p;
    while (p < maskedCount && masked.positions[p] < end * T) p++;
    const positions = masked.positions.slice(start, p);
    for (let i = 0; i < positions.length; i++) positions[i] -= from;
    return {
      batch: rowsOf(batch, first, end),
      masked: { maskedIds: masked.maskedIds.slice(from, end * T), positions, targets: masked.targets.slice(start, p), ...(masked.overrides ? { overrides: masked.overrides.slice(start, p) } : {}) },
      info: { firstExample: first, maskedCount, tokenCount },
    };
  });
}

/** Consecutive rows of a batch in `parts` slices as equal as they can be; empty slices left out. */
export function splitRows(batch: Batch, parts: number): Batch[] {
  return exampleRanges(batch.batchSize, parts).map(([first, end]) => rowsOf(batch, first, end));
}

/** [first, end) of each of `parts` runs of consecutive examples out of B, as equal as they can be, empty runs left out. */
function exampleRanges(B: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let k = 0; k < parts; k++) {
    const first = Math.floor((k * B) / parts);
    const end = Math.floor(((k + 1) * B) / parts);
    if (end > first) ranges.push([first, end]);
  }
  return ranges;
}

/** Examples [first, end) of a batch. */
function rowsOf(batch: Batch, first: number, end: number): Batch {
  const T = batch.seqLength;
  return { ids: batch.ids.slice(first * T, end * T), attentionMask: batch.attentionMask.slice(first * T, end * T), batchSize: end - first, seqLength: T };
}

/**
 * Runs the objective on one shard and returns its gradients keyed by parameter name
 * (with the model's own names, not tfjs's variable names). Shared by rank 0 and workers.
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

/** Gradients of a whole batch: on this thread alone, or shared with `workers` when given. */
export async function batchGradients(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions, workers?: ReplicaWorkers): Promise<{ grads: Map<string, tf.Tensor>; stats: ObjectiveStats }> {
  return workers ? workers.gradients(model, batch, masked, options) : shardGradients(model, splitBatch(batch, masked, 1)[0], options);
}

/** The objective's statistics of a whole batch without gradients: on this thread alone, or shared with `workers`. */
export async function batchStatistics(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions, workers?: ReplicaWorkers): Promise<ObjectiveStats> {
  return workers ? workers.statistics(model, batch, masked, options) : shardStatistics(model, splitBatch(batch, masked, 1)[0], options);
}

/** The discriminator's probability of replacement at every position of a batch ([B*T], no dropout). */
export function discriminatorProbabilities(model: ElectraModel, batch: Batch): Float32Array {
  const { batchSize: B, seqLength: T } = batch;
  return tf.tidy(() => tf.sigmoid(model.discriminatorLogits(tf.tensor2d(batch.ids, [B, T], 'int32'), tf.tensor2d(batch.attentionMask, [B, T]))).dataSync() as Float32Array);
}

/**
 * Copies a float32 tensor's values into `target` at `offset`. On wasm straight from the
 * backend's heap: dataSync would copy them into a new array first, and weights and
 * gradients cross threads every step (56 MB each way for the small preset).
 */
function copyInto(t: tf.Tensor, target: Float32Array, offset: number): void {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?(info: tf.TensorInfo): Float32Array };
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap && t.dtype === 'float32') {
    target.set(backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }), offset);
  } else {
    target.set(t.dataSync() as Float32Array, offset);
  }
}

/**
 * Threads for data-parallel work: a count, or 'auto' for one per core (at most 8) on the
 * wasm and cpu backends, which compute on one thread; native TensorFlow threads its own kernels.
 */
export function resolveWorkers(workers: number | 'auto' | undefined, backend: string): number {
  if (workers === 'auto') return backend === 'wasm' || backend === 'cpu' ? Math.min(availableParallelism(), 8) : 1;
  return Math.max(1, Math.floor(workers ?? 1));
}

/** The default worker script: the bundle beside the one running (dist/). */
export function defaultWorkerScript(): string {
  return join(__dirname, 'dataParallelWorker.js');
}

interface Pending {
  resolve(reply: FromReplicaWorker): void;
  reject(e: Error): void;
}

/** Worker threads holding replicas of a model (ranks 1..N-1) and the buffers they share with rank 0: for training, evaluation and scoring. */
export class ReplicaWorkers {
  private weightsVersion = 0;
  private publishedVersion = -1;
  private readonly weightsView: Float32Array;
  private readonly gradViews: Float32Array[];
  private readonly pending = new Map<Worker, Pending>();
  private failure?: Error;
  /** Live tensors in each worker after its last shard (for leak checks). */
  readonly liveTensors: number[];

  private constructor(
    private readonly workers: Worker[],
    private readonly slots: ParamSlot[],
    weights: SharedArrayBuffer,
    grads: SharedArrayBuffer[],
  ) {
    this.weightsView = new Float32Array(weights);
    this.gradViews = grads.map((g) => new Float32Array(g));
    this.liveTensors = workers.map(() => 0);
    workers.forEach((w, i) => {
      w.on('message', (m: FromReplicaWorker) => {
        const p = this.pending.get(w);
        if (!p) return;
        this.pending.delete(w);
        if (m.type === 'error') p.reject(new Error(`data-parallel worker ${i + 1}: ${m.message}`));
        else {
          if (m.type === 'done' || m.type === 'probabilities') this.liveTensors[i] = m.liveTensors;
          p.resolve(m);
        }
      });
      const fail = (e: Error) => {
        this.failure ??= e;
        const p = this.pending.get(w);
        this.pending.delete(w);
        p?.reject(e);
      };
      w.on('error', (e) => fail(new Error(`data-parallel worker ${i + 1} failed: ${e.message}`)));
      w.on('exit', (code) => fail(new Error(`data-parallel worker ${i + 1} exited (code ${code})`)));
    });
  }

  /** Starts `count` workers holding a replica of `model`'s architecture; resolves once each has its backend. */
  static async start(model: ElectraModel, count: number, backend: BackendPreference, script = defaultWorkerScript()): Promise<ReplicaWorkers> {
    if (!existsSync(script)) throw new Error(`data-parallel worker script not found: ${script}`);
    const slots = paramSlots(model);
    const floats = totalFloats(slots);
    const weights = new SharedArrayBuffer(floats * 4);
    const grads = Array.from({ length: count }, () => new SharedArrayBuffer(floats * 4));
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const w = new Worker(script);
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          const onMessage = (m: FromReplicaWorker) => {
            cleanup();
            if (m.type === 'ready') resolve();
            else reject(new Error(m.type === 'error' ? m.message : `unexpected ${m.type}`));
          };
          const onError = (e: Error) => {
            cleanup();
            reject(e);
          };
          const onExit = (code: number) => {
            cleanup();
            reject(new Error(`exited with code ${code} while starting`));
          };
          const cleanup = () => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
          };
          w.on('message', onMessage);
          w.on('error', onError);
          w.on('exit', onExit);
          const init: ToReplicaWorker = { v: DATA_PARALLEL_PROTOCOL_VERSION, type: 'init', config: model.config, backend, slots, weights, grads: grads[i] };
          w.postMessage(init);
        });
      }
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`could not start data-parallel workers: ${(e as Error).message}`);
    }
    return new ReplicaWorkers(workers, slots, weights, grads);
  }

  get count(): number {
    return this.workers.length;
  }

  /** Marks the model's weights as changed (after an optimizer step): the next step publishes them. */
  weightsChanged(): void {
    this.weightsVersion++;
  }

  /**
   * Gradients of the whole batch: shard 0 on this thread, the others on the workers, summed
   * here in shard order. The caller owns the returned tensors.
   */
  async gradients(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions): Promise<{ grads: Map<string, tf.Tensor>; stats: ObjectiveStats }> {
    if (this.failure) throw this.failure;
    const shards = splitBatch(batch, masked, this.workers.length + 1);
    this.publishIfStale(model, shards.length);
    const remote = shards.slice(1).map((shard, i) => this.run(i, 'gradients', shard, options));
    // Rank 0 works while the workers do; a failed worker surfaces after this shard.
    const local = shardGradients(model, shards[0], options);
    let remoteStats: ObjectiveStats[];
    try {
      remoteStats = await Promise.all(remote);
    } catch (e) {
      tf.dispose([...local.grads.values()]);
      throw e;
    }
    const grads = new Map<string, tf.Tensor>();
    for (const slot of this.slots) {
      let g = local.grads.get(slot.name) ?? tf.zeros(slot.shape);
      for (let i = 0; i < remoteStats.length; i++) {
        const part = this.gradViews[i].subarray(slot.offset, slot.offset + slot.size);
        const sum = tf.tidy(() => tf.add(g, tf.tensor(part, slot.shape)));
        g.dispose();
        g = sum;
      }
      grads.set(slot.name, g);
    }
    return { grads, stats: mergeShardStats([local.stats, ...remoteStats]) };
  }

  /** The objective's statistics of the whole batch without gradients (evaluation), shards as in `gradients`. */
  async statistics(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: PassOptions): Promise<ObjectiveStats> {
    if (this.failure) throw this.failure;
    const shards = splitBatch(batch, masked, this.workers.length + 1);
    this.publishIfStale(model, shards.length);
    const remote = shards.slice(1).map((shard, i) => this.run(i, 'statistics', shard, options));
    const local = shardStatistics(model, shards[0], options);
    return mergeShardStats([local, ...(await Promise.all(remote))]);
  }

  /**
   * The discriminator's probabilities for a batch ([B*T]), its rows shared between this
   * thread and the workers: what the language server computes after an edit. `local`
   * computes this thread's share (by default with the model's tf ops).
   */
  async discriminate(model: ElectraModel, batch: Batch, local: (part: Batch) => Float32Array = (part) => discriminatorProbabilities(model, part)): Promise<Float32Array> {
    if (this.failure) throw this.failure;
    const parts = splitRows(batch, this.workers.length + 1);
    this.publishIfStale(model, parts.length);
    const remote = parts.slice(1).map(async (part, i) => {
      const reply = await this.request(i, { v: DATA_PARALLEL_PROTOCOL_VERSION, type: 'discriminate', weightsVersion: this.weightsVersion, batch: part });
      if (reply.type !== 'probabilities') throw new Error(`data-parallel worker ${i + 1}: unexpected reply ${reply.type}`);
      return reply.probs;
    });
    const mine = local(parts[0]);
    return concatFloat32([mine, ...(await Promise.all(remote))]);
  }

  private async run(worker: number, mode: PassMode, shard: Shard, options: PassOptions): Promise<ObjectiveStats> {
    const reply = await this.request(worker, { v: DATA_PARALLEL_PROTOCOL_VERSION, type: 'shard', mode, weightsVersion: this.weightsVersion, shard, options });
    if (reply.type !== 'done') throw new Error(`data-parallel worker ${worker + 1}: unexpected reply ${reply.type}`);
    return reply.stats;
  }

  private request(worker: number, message: ToReplicaWorker): Promise<FromReplicaWorker> {
    const w = this.workers[worker];
    if (this.failure) return Promise.reject(this.failure);
    // One request per worker at a time: callers await each batch (the server queues its scorings).
    if (this.pending.has(w)) return Promise.reject(new Error(`data-parallel worker ${worker + 1} is busy with another request`));
    return new Promise<FromReplicaWorker>((resolve, reject) => {
      this.pending.set(w, { resolve, reject });
      w.postMessage(message);
    });
  }

  /** Writes the model's weights to the shared buffer if they changed since last written and a worker will read them. */
  private publishIfStale(model: ElectraModel, parts: number): void {
    if (this.publishedVersion === this.weightsVersion || parts < 2) return;
    for (const slot of this.slots) copyInto(model.p(slot.name), this.weightsView, slot.offset);
    this.publishedVersion = this.weightsVersion;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('data-parallel workers closed');
    for (const w of this.workers) w.removeAllListeners('exit');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The worker side: keeps a replica of the model, loads the published weights when their
 * version changes, runs its shard and writes the gradients into its shared buffer.
 */
export class WorkerReplica {
  private loadedVersion = -1;
  private inference?: { version: number; pass?: DiscriminatorInference };
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;

  constructor(
    private readonly model: ElectraModel,
    private readonly slots: ParamSlot[],
    weights: SharedArrayBuffer,
    grads: SharedArrayBuffer,
  ) {
    this.weights = new Float32Array(weights);
    this.grads = new Float32Array(grads);
  }

  discriminate(weightsVersion: number, batch: Batch): Float32Array {
    this.load(weightsVersion);
    // Scoring's pass on the wasm heap, made once per version of the weights.
    if (this.inference?.version !== weightsVersion) {
      this.inference?.pass?.dispose();
      this.inference = { version: weightsVersion, pass: DiscriminatorInference.create(this.model) };
    }
    return this.inference.pass ? this.inference.pass.probabilities(batch) : discriminatorProbabilities(this.model, batch);
  }

  run(mode: PassMode, weightsVersion: number, shard: Shard, options: PassOptions): ObjectiveStats {
    this.load(weightsVersion);
    if (mode === 'statistics') return shardStatistics(this.model, shard, options);
    const { grads, stats } = shardGradients(this.model, shard, options);
    for (const slot of this.slots) {
      const g = grads.get(slot.name);
      if (g) copyInto(g, this.grads, slot.offset);
      else this.grads.fill(0, slot.offset, slot.offset + slot.size);
    }
    tf.dispose([...grads.values()]);
    return stats;
  }

  /** Takes the published weights if they are newer than the replica's. */
  private load(weightsVersion: number): void {
    if (weightsVersion === this.loadedVersion) return;
    tf.tidy(() => {
      for (const slot of this.slots) this.model.p(slot.name).assign(tf.tensor(this.weights.subarray(slot.offset, slot.offset + slot.size), slot.shape));
    });
    this.loadedVersion = weightsVersion;
  }
}
