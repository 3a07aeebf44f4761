/**
 * The ELECTRA objective for one batch: the generator's masked-LM loss, Gumbel-max sampling
 * of replacements (outside the gradient: the discriminator's loss never reaches the
 * generator through the samples), and the discriminator's replaced-token-detection loss
 * over every non-padding token. loss = genWeight * MLM + discWeight * BCE (1 and 50).
 */
import * as tf from '@tensorflow/tfjs-core';
import { corrupt, type MaskedBatch } from './masking';
import { DropoutStream, type ElectraModel } from './model';
import { deriveSeed } from './random';

export interface ObjectiveWeights {
  genWeight: number;
  discWeight: number;
  /** Sampling temperature for the generator's logits. */
  temperature: number;
}

export const ELECTRA_WEIGHTS: ObjectiveWeights = { genWeight: 1, discWeight: 50, temperature: 1 };

/** A batch as the objective needs it: ids [B*T] row-major and its attention mask. */
export interface Batch {
  ids: Int32Array;
  /** 1 for a token, 0 for padding. [B*T] */
  attentionMask: Float32Array;
  batchSize: number;
  seqLength: number;
}

/** What one forward pass tells besides the loss, read back to JavaScript for metrics. */
export interface ObjectiveStats {
  genLoss: number;
  discLoss: number;
  loss: number;
  /** Masked positions where the generator's argmax is the original token. */
  genCorrect: number;
  maskedCount: number;
  /** Discriminator probabilities and labels at the non-padding positions, in order. */
  discProbs: Float32Array;
  labels: Float32Array;
}

export interface ObjectiveOptions {
  weights?: ObjectiveWeights;
  /** Base seed for dropout and Gumbel noise of this pass. */
  seed: number;
  /** Dropout rate; 0 for evaluation and gradient checks. */
  dropoutRate: number;
  /** Use these sampled ids instead of sampling (gradient checks). */
  sampledOverride?: Int32Array;
}

/**
 * Builds the scalar loss (inside whatever gradient tape the caller runs) and returns the
 * statistics through `stats`, which is filled once the pass has run.
 */
export function electraLoss(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: ObjectiveOptions, stats: Partial<ObjectiveStats>): tf.Scalar {
  const w = options.weights ?? ELECTRA_WEIGHTS;
  const { batchSize: B, seqLength: T } = batch;
  const V = model.config.vocabSize;
  const attention = tf.tensor2d(batch.attentionMask, [B, T]);
  const genDropout = new DropoutStream(deriveSeed(options.seed, 'generator-dropout'), options.dropoutRate);
  const discDropout = new DropoutStream(deriveSeed(options.seed, 'discriminator-dropout'), options.dropoutRate);

  // Generator: masked-LM cross-entropy at the chosen positions.
  const positions = tf.tensor1d(masked.positions, 'int32');
  const genLogits = model.generatorLogits(tf.tensor2d(masked.maskedIds, [B, T], 'int32'), attention, positions, genDropout); // [P, V]
  const targets = tf.oneHot(tf.tensor1d(masked.targets, 'int32'), V); // [P, V]
  const logProbs = tf.logSoftmax(genLogits);
  const genLoss = tf.neg(tf.mean(tf.sum(tf.mul(logProbs, targets), -1)));

  // Sampling: Gumbel-max on logits / temperature, read back to JavaScript (no gradient).
  let sampled = options.sampledOverride;
  const predicted = tf.argMax(genLogits, -1).dataSync() as Int32Array;
  if (!sampled) {
    sampled = tf.tidy(() => {
      const u = tf.randomUniform(genLogits.shape, 0, 1, 'float32', deriveSeed(options.seed, 'gumbel'));
      const gumbel = tf.neg(tf.log(tf.add(tf.neg(tf.log(tf.add(u, 1e-9))), 1e-9)));
      return tf.argMax(tf.add(tf.div(genLogits, w.temperature), gumbel), -1).dataSync() as Int32Array;
    });
  }
  const { fakeIds, labels } = corrupt(batch.ids, masked.positions, sampled);

  // Discriminator: binary cross-entropy over every non-padding token ([CLS], [SEP] included).
  const discLogits = model.discriminatorLogits(tf.tensor2d(fakeIds, [B, T], 'int32'), attention, discDropout); // [B, T]
  const z = tf.tensor2d(labels, [B, T]);
  // max(x, 0) - x*z + log(1 + exp(-|x|)): the numerically stable form.
  const perToken = tf.add(tf.sub(tf.relu(discLogits), tf.mul(discLogits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(discLogits)))));
  const tokenCount = Math.max(1, batch.attentionMask.reduce((a, m) => a + m, 0));
  const discLoss = tf.div(tf.sum(tf.mul(perToken, attention)), tokenCount);

  const loss = tf.add(tf.mul(genLoss, w.genWeight), tf.mul(discLoss, w.discWeight)) as tf.Scalar;

  // Statistics (read now: the tensors belong to the caller's tidy scope).
  const probs = tf.sigmoid(discLogits).dataSync() as Float32Array;
  const realProbs = new Float32Array(tokenCount);
  const realLabels = new Float32Array(tokenCount);
  let n = 0;
  for (let i = 0; i < probs.length; i++) {
    if (batch.attentionMask[i] === 0) continue;
    realProbs[n] = probs[i];
    realLabels[n] = labels[i];
    n++;
  }
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === masked.targets[i]) correct++;
  stats.genLoss = genLoss.dataSync()[0];
  stats.discLoss = discLoss.dataSync()[0];
  stats.loss = w.genWeight * stats.genLoss + w.discWeight * stats.discLoss;
  stats.genCorrect = correct;
  stats.maskedCount = masked.positions.length;
  stats.discProbs = realProbs.subarray(0, n);
  stats.labels = realLabels.subarray(0, n);
  return loss;
}
