/**
 * The worker side of data parallelism, paired with ReplicaPool: keeps a replica of the
 * model, loads the published weights when their version changes, runs its shard and
 * writes the gradients into its shared buffer. src/worker/dataParallelWorker.ts feeds it
 * the messages of src/shared/parallelProtocol.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiscriminatorInference } from '../score/discriminatorInference';
import type { ElectraModel } from '../model/model';
import type { Batch, ObjectiveStats } from '../model/objective';
import type { ParamSlot, PassMode, PassOptions, Shard } from '../../shared/parallelProtocol';
import { discriminatorProbabilities, shardGradients, shardStatistics } from './passes';
import { copyInto } from './sharedWeights';

export class Replica {
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
