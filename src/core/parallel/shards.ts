/**
 * Splitting a batch between threads: consecutive examples per shard, as equal as they can
 * be. A shard carries the whole batch's counts (ShardInfo), so each shard's loss is
 * normalised as the whole batch's would be and the shards' gradients sum to the batch's.
 */
import type { MaskedBatch } from '../model/masking';
import type { Batch } from '../model/objective';
import type { Shard } from '../../shared/parallelProtocol';

export type { Shard } from '../../shared/parallelProtocol';

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
      masked: { maskedIds: masked.maskedIds.slice(from, end * T), positions, targets: masked.targets.slice(start, p), ...(masked.overrides ? { overrides: masked.overrides.slice(start, p) } : {}), ...(masked.errorLabels ? { errorLabels: masked.errorLabels.slice(from, end * T) } : {}) },
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
