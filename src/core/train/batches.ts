/**
 * Batches from packed sequences: the training order (a seeded permutation per epoch,
 * read in turn from a position that checkpoints save) and the attention mask of a batch.
 */
import type { PackedSequences } from '../data/dataset';
import type { Batch } from '../model/objective';
import type { TrainingPosition } from '../run/checkpoint';
import { epochPermutation } from '../common/random';

/** Reads batches in a seeded per-epoch order, advancing `position`. */
export function readBatch(data: PackedSequences, position: TrainingPosition, batchSize: number, seed: number, padId: number, permutation: { epoch: number; order: Uint32Array }): Batch {
  const seqLength = data.seqLength;
  const ids = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    if (position.index >= data.count) {
      position.epoch++;
      position.index = 0;
    }
    if (permutation.epoch !== position.epoch) {
      permutation.epoch = position.epoch;
      permutation.order = epochPermutation(data.count, seed, position.epoch);
    }
    data.read(permutation.order[position.index++], ids, b * seqLength);
  }
  return { ids, attentionMask: attentionMaskOf(ids, padId), batchSize, seqLength };
}

/** 1 for every token, 0 for padding. */
export function attentionMaskOf(ids: Int32Array, padId: number): Float32Array {
  const m = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) m[i] = ids[i] === padId ? 0 : 1;
  return m;
}
