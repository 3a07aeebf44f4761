/**
 * The main side of data parallelism: a pool of worker threads, each holding a Replica of
 * the model (ranks 1..N-1; this thread is rank 0), and the buffers they share with this
 * thread. `gradients` and `statistics` split a training or evaluation batch into shards,
 * `discriminate` splits scoring rows; this thread computes the first share while the
 * replicas compute theirs. Messages: src/shared/parallelProtocol.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { concatFloat32 } from '../common/arrays';
import type { BackendPreference } from '../wasm/backend';
import type { MaskedBatch } from '../model/masking';
import type { ElectraModel } from '../model/model';
import { mergeShardStats, type Batch, type ObjectiveStats } from '../model/objective';
import {
  DATA_PARALLEL_PROTOCOL_VERSION as v,
  type FromReplica,
  type ParamSlot,
  type PassMode,
  type PassOptions,
  type Shard,
  type ToReplica,
} from '../../shared/parallelProtocol';
import { discriminatorProbabilities, shardGradients, shardStatistics } from './passes';
import { copyInto, paramSlots, totalFloats } from './sharedWeights';
import { splitBatch, splitRows } from './shards';

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
  resolve(reply: FromReplica): void;
  reject(e: Error): void;
}

/** Worker threads holding replicas of a model (ranks 1..N-1) and the buffers they share with rank 0: for training, evaluation and scoring. */
export class ReplicaPool {
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
      w.on('message', (m: FromReplica) => {
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
  static async start(model: ElectraModel, count: number, backend: BackendPreference, script = defaultWorkerScript()): Promise<ReplicaPool> {
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
          const onMessage = (m: FromReplica) => {
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
          const init: ToReplica = { v, type: 'init', config: model.config, backend, slots, weights, grads: grads[i] };
          w.postMessage(init);
        });
      }
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`could not start data-parallel workers: ${(e as Error).message}`);
    }
    return new ReplicaPool(workers, slots, weights, grads);
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
      const reply = await this.request(i, { v, type: 'discriminate', weightsVersion: this.weightsVersion, batch: part });
      if (reply.type !== 'probabilities') throw new Error(`data-parallel worker ${i + 1}: unexpected reply ${reply.type}`);
      return reply.probs;
    });
    const mine = local(parts[0]);
    return concatFloat32([mine, ...(await Promise.all(remote))]);
  }

  private async run(worker: number, mode: PassMode, shard: Shard, options: PassOptions): Promise<ObjectiveStats> {
    const reply = await this.request(worker, { v, type: 'shard', mode, weightsVersion: this.weightsVersion, shard, options });
    if (reply.type !== 'done') throw new Error(`data-parallel worker ${worker + 1}: unexpected reply ${reply.type}`);
    return reply.stats;
  }

  private request(worker: number, message: ToReplica): Promise<FromReplica> {
    const w = this.workers[worker];
    if (this.failure) return Promise.reject(this.failure);
    // One request per worker at a time: callers await each batch (the server queues its scorings).
    if (this.pending.has(w)) return Promise.reject(new Error(`data-parallel worker ${worker + 1} is busy with another request`));
    return new Promise<FromReplica>((resolve, reject) => {
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
