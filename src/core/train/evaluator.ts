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
import { maskBatch } from '../model/masking';
import { maskingFor } from '../model/pretrainingObjective';
import type { ElectraModel } from '../model/model';
import { generatorSamples, type Batch, type ObjectiveStats } from '../model/objective';
import { batchStatistics, type ReplicaPool } from '../parallel';
import { DEFAULT_BACKEND } from '../../shared/defaults';
import { findLatestCheckpoint, loadCheckpoint } from '../run/checkpoint';
import { modelFromCheckpoint } from '../run/weights';
import { objectiveOf } from '../model/config';
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

  /** ELECTRA's held-out measure: the model's discriminator against its own generator's samples. */
  async evaluate(step: number, elapsedMs: number): Promise<EvalMetrics> {
    return (await this.run(step, elapsedMs)).metrics;
  }

  /**
   * The same masks, with the replacements drawn from `generator`'s generator instead (the
   * same uniforms): runs whose own generators differ are compared on the same task. Its
   * accuracy at the masked positions says how strong it is beside the model's own
   * (`metrics.genAccuracy`). The two must share a vocabulary.
   */
  async evaluateAgainst(generator: ElectraModel, step: number): Promise<{ metrics: EvalMetrics; generatorAccuracy: number }> {
    if (generator.config.vocabSize !== this.model.config.vocabSize) throw new Error(`the fixed generator's vocabulary has ${generator.config.vocabSize} tokens, the model's ${this.model.config.vocabSize}: token-level replacement needs one vocabulary`);
    return this.run(step, 0, generator);
  }

  private async run(step: number, elapsedMs: number, fixed?: ElectraModel): Promise<{ metrics: EvalMetrics; generatorAccuracy: number }> {
    const n = Math.min(this.maxSequences, this.data.count);
    const stats: ObjectiveStats[] = [];
    const masking = maskingFor(this.model.config, this.seqLength);
    let fixedCorrect = 0;
    let maskedCount = 0;
    for (let start = 0, k = 0; start < n; start += this.batchSize, k++) {
      const size = Math.min(this.batchSize, n - start);
      const ids = new Int32Array(size * this.seqLength);
      for (let b = 0; b < size; b++) this.data.read(start + b, ids, b * this.seqLength);
      const batch: Batch = { ids, attentionMask: attentionMaskOf(ids, this.special.pad), batchSize: size, seqLength: this.seqLength };
      const masked = maskBatch(ids, this.seqLength, this.special, masking, new Rng(deriveSeed(this.seed, 'eval-mask', k)));
      const pass = { seed: deriveSeed(this.seed, 'eval', k), dropoutRate: 0 };
      if (fixed) {
        const { sampled, predicted } = generatorSamples(fixed, batch, masked, pass.seed);
        masked.overrides = sampled; // corrupt() puts these where the model's own samples would go
        predicted.forEach((token, i) => (fixedCorrect += token === masked.targets[i] ? 1 : 0));
      }
      maskedCount += masked.positions.length;
      stats.push(await batchStatistics(this.model, batch, masked, pass, this.workers));
    }
    const { loss: _loss, ...agg } = summarizeStats(stats);
    void _loss;
    const metrics: EvalMetrics = { type: 'eval', step, elapsedMs, time: Date.now(), sequences: n, ...agg };
    return { metrics, generatorAccuracy: fixed ? fixedCorrect / Math.max(1, maskedCount) : metrics.genAccuracy };
  }
}

export interface CheckpointEvaluation {
  /** The checkpoint folder evaluated (a run folder resolves to its latest). */
  checkpointDir: string;
  step: number;
  backend: BackendReport;
  metrics: EvalMetrics;
  /** With `fixedGenerator`: where its generator came from, and its accuracy at the same masked positions. */
  fixedGenerator?: { checkpointDir: string; step: number; accuracy: number };
}

/**
 * A checkpoint's metrics on a corpus: its held-out split (by the same rule as training's),
 * or its training split. The corpus is tokenized with the checkpoint's
 * vocabulary into a scratch folder, removed afterwards. With `fixedGenerator` (a run,
 * checkpoint or model folder of the same vocabulary), the replacements are that model's
 * generator's samples (Evaluator.evaluateAgainst).
 */
export async function evaluateCheckpoint(o: {
  checkpoint: string;
  corpus: CorpusSource;
  split: 'held-out' | 'training';
  sequences: number;
  seed: number;
  backend?: BackendPreference;
  fixedGenerator?: string;
}): Promise<CheckpointEvaluation> {
  const dir = findLatestCheckpoint(o.checkpoint);
  if (!dir) throw new Error(`${o.checkpoint}: no checkpoint found`);
  const fixedDir = o.fixedGenerator === undefined ? undefined : findLatestCheckpoint(o.fixedGenerator);
  if (o.fixedGenerator !== undefined && !fixedDir) throw new Error(`${o.fixedGenerator}: no checkpoint found for the fixed generator`);
  const backend = await initBackend(o.backend ?? DEFAULT_BACKEND);
  const ckpt = loadCheckpoint(dir);
  const fixedCkpt = fixedDir ? loadCheckpoint(fixedDir) : undefined;
  if (fixedCkpt) {
    if (objectiveOf(ckpt.config) !== 'electra') throw new Error(`${dir}: a masked LM has no discriminator to evaluate against a fixed generator`);
    if (objectiveOf(fixedCkpt.config) !== 'electra') throw new Error(`${fixedDir}: a masked LM has no separate generator to replace tokens with`);
    if (fixedCkpt.vocabText !== ckpt.vocabText) throw new Error(`${fixedDir}: its vocabulary differs from ${dir}'s; token-level replacement needs one vocabulary (eval --errors --fixed-generator compares whole words across vocabularies)`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'electra-eval-'));
  try {
    const seqLength = ckpt.config.maxSeqLength;
    if (fixedCkpt && fixedCkpt.config.maxPositionEmbeddings < seqLength) throw new Error(`${fixedDir}: its generator takes at most ${fixedCkpt.config.maxPositionEmbeddings} positions, the evaluation's sequences have ${seqLength}`);
    const data = await prepareData({ source: o.corpus, runDir: scratch, seqLength, vocabSize: ckpt.config.vocabSize, normalization: ckpt.state.tokenizer, vocabText: ckpt.vocabText });
    const model = modelFromCheckpoint(ckpt);
    const fixed = fixedCkpt ? modelFromCheckpoint(fixedCkpt) : undefined;
    try {
      const split = o.split === 'training' ? data.train : data.heldOut;
      if (split.count === 0) throw new Error(`${describeSource(o.corpus)}: no held-out sequences (evaluate on the training split instead)`);
      const evaluator = new Evaluator(model, split, data.tokenizer.specialIds, o.sequences, o.seed, seqLength);
      if (!fixed) return { checkpointDir: dir, step: ckpt.state.step, backend, metrics: await evaluator.evaluate(ckpt.state.step, 0) };
      const { metrics, generatorAccuracy } = await evaluator.evaluateAgainst(fixed, ckpt.state.step);
      return { checkpointDir: dir, step: ckpt.state.step, backend, metrics, fixedGenerator: { checkpointDir: fixedDir!, step: fixedCkpt!.state.step, accuracy: generatorAccuracy } };
    } finally {
      data.train.close();
      data.heldOut.close();
      model.dispose();
      fixed?.dispose();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
