/**
 * Held-out evaluation: the first N sequences of a split, masked and sampled with fixed
 * seeds so that successive evaluations compare like with like; no dropout. Also the whole
 * job of evaluating a saved checkpoint on a folder (the CLI's `eval`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSource, prepareData, type CorpusSource, type PackedSequences } from '../data/dataset';
import type { SpecialIds } from '../data/tokenizer';
import { defaultMasking, maskBatch } from '../model/masking';
import type { ElectraModel } from '../model/model';
import type { Batch, ObjectiveStats } from '../model/objective';
import { batchStatistics, type ReplicaPool } from '../parallel';
import { DEFAULT_BACKEND } from '../../shared/defaults';
import { findLatestCheckpoint, loadCheckpoint } from '../run/checkpoint';
import { modelFromCheckpoint } from '../run/weights';
import { initBackend, type BackendPreference, type BackendReport } from '../wasm/backend';
import { deriveSeed, Rng } from '../common/random';
import { attentionMaskOf } from './batches';
import { summarizeStats, type EvalMetrics } from './metrics';

export class Evaluator {
  constructor(
    private readonly model: ElectraModel,
    private readonly data: PackedSequences,
    private readonly special: SpecialIds,
    private readonly maxSequences: number,
    private readonly seed: number,
    private readonly seqLength: number,
    /** Data-parallel workers to share each evaluation batch with, if any. */
    private readonly workers?: ReplicaPool,
    private readonly batchSize = 16,
  ) {}

  async evaluate(step: number, elapsedMs: number): Promise<EvalMetrics> {
    const n = Math.min(this.maxSequences, this.data.count);
    const stats: ObjectiveStats[] = [];
    const masking = defaultMasking(this.seqLength);
    for (let start = 0, k = 0; start < n; start += this.batchSize, k++) {
      const size = Math.min(this.batchSize, n - start);
      const ids = new Int32Array(size * this.seqLength);
      for (let b = 0; b < size; b++) this.data.read(start + b, ids, b * this.seqLength);
      const batch: Batch = { ids, attentionMask: attentionMaskOf(ids, this.special.pad), batchSize: size, seqLength: this.seqLength };
      const masked = maskBatch(ids, this.seqLength, this.special, masking, new Rng(deriveSeed(this.seed, 'eval-mask', k)));
      const pass = { seed: deriveSeed(this.seed, 'eval', k), dropoutRate: 0 };
      stats.push(await batchStatistics(this.model, batch, masked, pass, this.workers));
    }
    const { loss: _loss, ...agg } = summarizeStats(stats);
    void _loss;
    return { type: 'eval', step, elapsedMs, time: Date.now(), sequences: n, ...agg };
  }
}

export interface CheckpointEvaluation {
  /** The checkpoint folder evaluated (a run folder resolves to its latest). */
  checkpointDir: string;
  step: number;
  backend: BackendReport;
  metrics: EvalMetrics;
}

/**
 * A checkpoint's metrics on a corpus: its held-out split (by the same rule as training's),
 * or its training split. The corpus is tokenized with the checkpoint's
 * vocabulary into a scratch folder, removed afterwards.
 */
export async function evaluateCheckpoint(o: {
  checkpoint: string;
  corpus: CorpusSource;
  split: 'held-out' | 'training';
  sequences: number;
  seed: number;
  backend?: BackendPreference;
}): Promise<CheckpointEvaluation> {
  const dir = findLatestCheckpoint(o.checkpoint);
  if (!dir) throw new Error(`${o.checkpoint}: no checkpoint found`);
  const backend = await initBackend(o.backend ?? DEFAULT_BACKEND);
  const ckpt = loadCheckpoint(dir);
  const scratch = mkdtempSync(join(tmpdir(), 'electra-eval-'));
  try {
    const seqLength = ckpt.config.maxSeqLength;
    const data = await prepareData({ source: o.corpus, runDir: scratch, seqLength, vocabSize: ckpt.config.vocabSize, normalization: ckpt.state.tokenizer, vocabText: ckpt.vocabText });
    const model = modelFromCheckpoint(ckpt);
    try {
      const split = o.split === 'training' ? data.train : data.heldOut;
      if (split.count === 0) throw new Error(`${describeSource(o.corpus)}: no held-out sequences (evaluate on the training split instead)`);
      const metrics = await new Evaluator(model, split, data.tokenizer.specialIds, o.sequences, o.seed, seqLength).evaluate(ckpt.state.step, 0);
      return { checkpointDir: dir, step: ckpt.state.step, backend, metrics };
    } finally {
      data.train.close();
      data.heldOut.close();
      model.dispose();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
