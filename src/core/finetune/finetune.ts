/**
 * Fine-tuning an encoder on a downstream task, with the pre-training loop's own parts:
 * AdamW (ELECTRA's settings, no decay on biases and LayerNorm), global-norm clipping at 1,
 * linear warm-up over the first 10% of the updates and linear decay to 0, dropout 0.1.
 * Defaults follow ELECTRA-Small's GLUE fine-tuning (lr 3e-4, batch 32, 3 epochs; its
 * layer-wise learning-rate decay is an option, off by default: on Brown POS it hurt every
 * small encoder measured, docs/experiments.md). The electra-vs-mlm experiment fine-tunes
 * with its own recipe (EXPERIMENT_DEFAULTS). Held-out scores after every epoch.
 *
 * Batches are padded to their longest sequence, not to the model's length: a short
 * sentence costs what it holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FinetuneEvalMetrics, FinetuneSource, FinetuneStepMetrics } from '../../shared/metricsRecord';
import { objectiveOf } from '../model/config';
import { DropoutStream, type ElectraModel } from '../model/model';
import { AdamW, clipByGlobalNorm } from '../model/optimizer';
import { learningRateAt } from '../model/schedule';
import { deriveSeed, epochPermutation } from '../common/random';
import { Classifier } from './classifier';
import { layerwiseLrScales } from './layerwiseDecay';
import { classificationScores, type ClassificationScores } from './scores';
import type { LabelledSequence, TaskData } from './task';

export interface FinetuneOptions {
  task: TaskData;
  /** The encoder to fine-tune (its weights change); the caller owns and disposes it. */
  model: ElectraModel;
  source: FinetuneSource;
  /** The checkpoint's pre-training step and FLOPs, recorded with the results (0 from scratch). */
  pretrainStep?: number;
  pretrainFlops?: number;
  padId: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  dropout?: number;
  /** Layer-wise learning-rate decay (layerwiseDecay.ts); 1: one rate for every parameter. */
  layerDecay?: number;
  /** A fine-tuning step record every this many steps (default 10). */
  logEvery?: number;
  onRecord?(r: FinetuneStepMetrics | FinetuneEvalMetrics): void;
  signal?: AbortSignal;
}

export const FINETUNE_DEFAULTS = { epochs: 3, batchSize: 32, learningRate: 3e-4, dropout: 0.1, warmupFraction: 0.1, layerDecay: 1 };

export interface FinetuneResult {
  /** Held-out scores after the last epoch. */
  scores: ClassificationScores;
  /** The task's headline metric after the last epoch. */
  score: number;
  steps: number;
  cancelled: boolean;
}

/** A batch padded to its longest sequence: ids and mask [B, T], and the labels to score. */
interface PaddedBatch {
  ids: Int32Array;
  mask: Float32Array;
  B: number;
  T: number;
  /** token tasks: flat positions (b*T + t) that carry a label; sequence tasks: 0..B-1. */
  scored: Int32Array;
  gold: Int32Array;
}

export function padBatch(examples: LabelledSequence[], padId: number): PaddedBatch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.ids.length));
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  const scored: number[] = [];
  const gold: number[] = [];
  examples.forEach((e, b) => {
    ids.set(e.ids, b * T);
    mask.fill(1, b * T, b * T + e.ids.length);
    if (e.tokenLabels) {
      e.tokenLabels.forEach((label, t) => {
        if (label >= 0) {
          scored.push(b * T + t);
          gold.push(label);
        }
      });
    } else {
      scored.push(b);
      gold.push(e.label!);
    }
  });
  return { ids, mask, B, T, scored: Int32Array.from(scored), gold: Int32Array.from(gold) };
}

/** Logits at the scored items of a batch: [M, L]. */
function scoredLogits(classifier: Classifier, batch: PaddedBatch, dropout?: DropoutStream): tf.Tensor2D {
  const logits = classifier.logits(tf.tensor2d(batch.ids, [batch.B, batch.T], 'int32'), tf.tensor2d(batch.mask, [batch.B, batch.T]), dropout);
  return tf.gather(logits, tf.tensor1d(batch.scored, 'int32'));
}

/** Held-out predictions of the classifier (no dropout). */
export function predict(classifier: Classifier, examples: LabelledSequence[], padId: number, batchSize = 32): { predicted: Int32Array; gold: Int32Array } {
  const predicted: number[] = [];
  const gold: number[] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = padBatch(examples.slice(start, start + batchSize), padId);
    if (batch.scored.length === 0) continue;
    const p = tf.tidy(() => tf.argMax(scoredLogits(classifier, batch), -1).dataSync() as Int32Array);
    predicted.push(...p);
    gold.push(...batch.gold);
  }
  return { predicted: Int32Array.from(predicted), gold: Int32Array.from(gold) };
}

export async function fineTune(o: FinetuneOptions): Promise<FinetuneResult> {
  const { task } = o;
  if (task.train.length === 0) throw new Error(`task ${task.name} has no training examples`);
  if (task.test.length === 0) throw new Error(`task ${task.name} has no held-out examples`);
  const epochs = o.epochs ?? FINETUNE_DEFAULTS.epochs;
  const batchSize = o.batchSize ?? FINETUNE_DEFAULTS.batchSize;
  const peak = o.learningRate ?? FINETUNE_DEFAULTS.learningRate;
  const dropout = o.dropout ?? FINETUNE_DEFAULTS.dropout;
  const seed = o.seed ?? 42;
  const logEvery = o.logEvery ?? 10;
  const stepsPerEpoch = Math.ceil(task.train.length / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const schedule = { peak, warmupSteps: Math.round(FINETUNE_DEFAULTS.warmupFraction * totalSteps), totalSteps };
  const identity = {
    task: task.name,
    source: o.source,
    objective: objectiveOf(o.model.config),
    pretrainStep: o.pretrainStep ?? 0,
    pretrainFlops: o.pretrainFlops ?? 0,
    seed,
  };

  const classifier = new Classifier(o.model, task.kind, task.labels.length, seed);
  const { params, decayed } = classifier.trainable();
  const optimizer = new AdamW(params, decayed);
  const layerDecay = o.layerDecay ?? FINETUNE_DEFAULTS.layerDecay;
  const lrScales = layerDecay === 1 ? undefined : layerwiseLrScales(params.keys(), o.model.config[classifier.which].numHiddenLayers, layerDecay);
  const varList = [...params.values()];
  const nameOf = new Map([...params].map(([name, v]) => [v.name, name]));
  const started = Date.now();
  let step = 0;
  let scores: ClassificationScores = { count: 0, accuracy: 0, macroF1: 0 };
  let cancelled = false;
  try {
    for (let epoch = 0; epoch < epochs && !cancelled; epoch++) {
      const order = epochPermutation(task.train.length, deriveSeed(seed, 'finetune-order'), epoch);
      for (let start = 0; start < order.length; start += batchSize) {
        if (o.signal?.aborted) {
          cancelled = true;
          break;
        }
        const examples = Array.from(order.subarray(start, start + batchSize), (i) => task.train[i]);
        const batch = padBatch(examples, o.padId);
        if (batch.scored.length === 0) continue;
        const stream = new DropoutStream(deriveSeed(seed, 'finetune-dropout', step), dropout, batch.B);
        const { value, grads } = tf.variableGrads(() => {
          const logits = scoredLogits(classifier, batch, stream); // [M, L]
          const logProbs = tf.logSoftmax(logits);
          const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(batch.gold, 'int32'), task.labels.length)));
          return tf.div(tf.neg(picked), batch.scored.length) as tf.Scalar;
        }, varList);
        const named = new Map<string, tf.Tensor>();
        for (const [vname, g] of Object.entries(grads)) named.set(nameOf.get(vname)!, g);
        clipByGlobalNorm(named, 1);
        const lr = learningRateAt(step, schedule);
        optimizer.apply(named, lr, lrScales);
        for (const g of named.values()) g.dispose();
        const loss = value.dataSync()[0];
        value.dispose();
        step++;
        if (step % logEvery === 0 || step === 1) {
          o.onRecord?.({ type: 'finetuneStep', ...identity, step, epoch, loss, learningRate: lr, elapsedMs: Date.now() - started, time: Date.now() });
        }
        await new Promise((r) => setImmediate(r)); // let cancellation and messages through
      }
      if (cancelled) break;
      const { predicted, gold } = predict(classifier, task.test, o.padId);
      scores = classificationScores(predicted, gold);
      o.onRecord?.({
        type: 'finetuneEval',
        ...identity,
        step,
        epoch: epoch + 1,
        examples: scores.count,
        accuracy: scores.accuracy,
        macroF1: scores.macroF1,
        metric: task.metric,
        score: scores[task.metric],
        ...(task.reference ? { reference: { name: task.reference.name, score: task.reference.score } } : {}),
        elapsedMs: Date.now() - started,
        time: Date.now(),
      });
    }
  } finally {
    optimizer.dispose();
    classifier.dispose();
  }
  return { scores, score: scores[task.metric], steps: step, cancelled };
}
