/**
 * The context probe: can a fresh discriminator learn to look one token back, at a given
 * learning rate, within a number of steps? Every real-word error (a doubled word, two words
 * swapped, "there house") is visible only from the neighbouring tokens, so a model that
 * cannot build a previous-token attention head ranks tokens by their identity alone: the
 * base-rate predictor that short ELECTRA runs end at.
 *
 * The task: random token sequences; a token is labelled 1 when the token before it is one of
 * a fixed eighth of the vocabulary. Nothing about the token itself tells, so the held-out AUC
 * leaves 0.5 only once an attention head reads the previous position. The same task in
 * PyTorch (scripts/reference/context_probe.py) gives the independent reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ElectraModel } from '../model/model';
import { implantNeighbourHeads } from '../model/neighbourHeads';
import { presetConfig, type PresetName } from '../model/presets';
import { AdamW, clipByGlobalNorm } from '../model/optimizer';
import { batchGradients } from '../parallel';
import { rocAuc } from '../train/metrics';
import { Rng } from '../common/random';

export interface ContextProbeOptions {
  preset: PresetName;
  learningRate: number;
  steps: number;
  batchSize?: number;
  seqLength?: number;
  vocabSize?: number;
  /** Linear warm-up steps, then the rate stays constant (default 30). */
  warmupSteps?: number;
  seed?: number;
  /** AUC on the probe's fixed evaluation batch every this many steps (default 100). */
  evalEvery?: number;
  /** Start from neighbour heads (model/neighbourHeads.ts) instead of BERT's initialisation alone. */
  neighbourHeads?: boolean;
}

export interface ContextProbeResult {
  curve: Array<{ step: number; auc: number }>;
  /** The first evaluated step with AUC >= 0.9, if any. */
  learnedAt?: number;
}

/** Token ids start after the five special tokens; [CLS] opens every sequence. */
const FIRST_TOKEN = 5;
const CLS = 2;

/** B random sequences of T tokens and their labels: 1 where the token before is a cue (one of the first eighth). */
export function contextProbeBatch(rng: Rng, B: number, T: number, V: number): { ids: Int32Array; labels: Float32Array } {
  const ids = new Int32Array(B * T);
  const labels = new Float32Array(B * T);
  const cue = FIRST_TOKEN + Math.floor((V - FIRST_TOKEN) / 8);
  for (let i = 0; i < ids.length; i++) {
    const t = i % T;
    ids[i] = t === 0 ? CLS : FIRST_TOKEN + rng.int(V - FIRST_TOKEN);
    if (t > 1 && ids[i - 1] < cue) labels[i] = 1;
  }
  return { ids, labels };
}

export async function contextProbe(o: ContextProbeOptions): Promise<ContextProbeResult> {
  const B = o.batchSize ?? 16;
  const T = o.seqLength ?? 64;
  const V = o.vocabSize ?? 200;
  const evalEvery = o.evalEvery ?? 100;
  const seed = o.seed ?? 1;
  const model = new ElectraModel({ ...presetConfig(o.preset), vocabSize: V, maxSeqLength: T }, seed);
  if (o.neighbourHeads) implantNeighbourHeads(model, seed, { fresh: true });
  const optimizer = new AdamW(model.params, model.decayed);
  const rng = new Rng(seed);
  const held = contextProbeBatch(new Rng(seed + 1), 64, T, V);
  // A constant rate after a short warm-up: the probe asks whether a rate lets attention learn,
  // not what a decaying schedule reaches by its end.
  const warmup = o.warmupSteps ?? 30;
  const curve: ContextProbeResult['curve'] = [];
  const evaluate = (step: number) => {
    const mask = tf.ones([64, T]);
    const probs = tf.tidy(() => tf.sigmoid(model.discriminatorLogits(tf.tensor2d(held.ids, [64, T], 'int32'), mask as tf.Tensor2D)).dataSync() as Float32Array);
    mask.dispose();
    curve.push({ step, auc: rocAuc(probs, held.labels) });
  };
  try {
    for (let step = 0; step < o.steps; step++) {
      const { ids, labels } = contextProbeBatch(rng, B, T, V);
      const batch = { ids, attentionMask: new Float32Array(ids.length).fill(1), batchSize: B, seqLength: T };
      // No masked positions: the discriminator alone, on labels given with the batch.
      const masked = { maskedIds: ids, positions: new Int32Array(0), targets: new Int32Array(0), errorLabels: labels };
      const { grads } = await batchGradients(model, batch, masked, { seed: seed + step, dropoutRate: 0 });
      clipByGlobalNorm(grads, 1);
      optimizer.apply(grads, o.learningRate * Math.min(1, (step + 1) / warmup));
      for (const g of grads.values()) g.dispose();
      if ((step + 1) % evalEvery === 0) evaluate(step + 1);
      if (step % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return { curve, learnedAt: curve.find((p) => p.auc >= 0.9)?.step };
}
