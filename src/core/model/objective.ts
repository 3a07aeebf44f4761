/**
 * The ELECTRA objective for one batch: the generator's masked-LM loss, sampling of
 * replacements from the generator (outside the gradient: the discriminator's loss never
 * reaches the generator through the samples), and the discriminator's replaced-token-
 * detection loss over every non-padding token. loss = genWeight * MLM + discWeight * BCE (1 and 50).
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatFloat32 } from '../common/arrays';
import { corrupt, type MaskedBatch } from './masking';
import { DropoutStream, type ElectraModel } from './model';
import { attentionSoftmax } from '../wasm/kernels/attentionSoftmax';
import { deriveSeed, Rng } from '../common/random';

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

/**
 * Where a batch sits in a larger one, for data-parallel training: each worker runs the
 * objective on a shard, normalised by the whole batch's counts, so that the shards'
 * gradients sum to the whole batch's gradient and their losses to its loss.
 */
export interface ShardInfo {
  /** Index of the shard's first example in the whole batch (keys dropout and sampling streams). */
  firstExample: number;
  /** Masked positions in the whole batch: the masked-LM loss's denominator. */
  maskedCount: number;
  /** Non-padding tokens in the whole batch: the discriminator loss's denominator. */
  tokenCount: number;
}

export interface ObjectiveOptions {
  weights?: ObjectiveWeights;
  /** Base seed for dropout and sampling of this pass. */
  seed: number;
  /** Dropout rate; 0 for evaluation and gradient checks. */
  dropoutRate: number;
  /** Use these sampled ids instead of sampling (gradient checks). */
  sampledOverride?: Int32Array;
  /** Set when the batch is one shard of a larger batch. */
  shard?: ShardInfo;
}

/**
 * Builds the scalar loss (inside whatever gradient tape the caller runs) and returns the
 * statistics through `stats`, which is filled once the pass has run. For a shard, the
 * loss and statistics are the shard's share of the whole batch's (see `mergeShardStats`).
 */
export function electraLoss(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: ObjectiveOptions, stats: Partial<ObjectiveStats>): tf.Scalar {
  const w = options.weights ?? ELECTRA_WEIGHTS;
  const { batchSize: B, seqLength: T } = batch;
  const firstExample = options.shard?.firstExample ?? 0;
  const attention = tf.tensor2d(batch.attentionMask, [B, T]);
  const genDropout = new DropoutStream(deriveSeed(options.seed, 'generator-dropout'), options.dropoutRate, B, firstExample);
  const discDropout = new DropoutStream(deriveSeed(options.seed, 'discriminator-dropout'), options.dropoutRate, B, firstExample);

  // Generator: masked-LM cross-entropy at the chosen positions.
  const P = masked.positions.length;
  const mlm = new MaskedLmHead(masked.targets, Math.max(1, options.shard?.maskedCount ?? P));
  let genLoss: tf.Scalar = tf.scalar(0);
  if (P > 0) {
    const positions = tf.tensor1d(masked.positions, 'int32');
    const genLogits = model.generatorLogits(tf.tensor2d(masked.maskedIds, [B, T], 'int32'), attention, positions, genDropout); // [P, V]
    genLoss = mlm.loss(genLogits);
  }

  // Sampling from the generator's distribution (no gradient), per example from its own stream.
  const sampled = options.sampledOverride ?? mlm.sample(masked.positions, T, w.temperature, (b) => sampleStream(options.seed, firstExample + b));
  const { fakeIds, labels } = corrupt(batch.ids, masked.positions, sampled, masked.overrides, masked.errorLabels);

  // Discriminator: binary cross-entropy over every non-padding token ([CLS], [SEP] included).
  const discLogits = model.discriminatorLogits(tf.tensor2d(fakeIds, [B, T], 'int32'), attention, discDropout); // [B, T]
  const z = tf.tensor2d(labels, [B, T]);
  // max(x, 0) - x*z + log(1 + exp(-|x|)): the numerically stable form.
  const perToken = tf.add(tf.sub(tf.relu(discLogits), tf.mul(discLogits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(discLogits)))));
  const shardTokens = batch.attentionMask.reduce((a, m) => a + m, 0);
  const discLoss = tf.div(tf.sum(tf.mul(perToken, attention)), Math.max(1, options.shard?.tokenCount ?? shardTokens));

  const loss = tf.add(tf.mul(genLoss, w.genWeight), tf.mul(discLoss, w.discWeight)) as tf.Scalar;

  // Statistics (read now: the tensors belong to the caller's tidy scope).
  const probs = tf.sigmoid(discLogits).dataSync() as Float32Array;
  const realProbs = new Float32Array(shardTokens);
  const realLabels = new Float32Array(shardTokens);
  let n = 0;
  for (let i = 0; i < probs.length; i++) {
    if (batch.attentionMask[i] === 0) continue;
    realProbs[n] = probs[i];
    realLabels[n] = labels[i];
    n++;
  }
  let correct = 0;
  for (let i = 0; i < P; i++) if (mlm.predicted[i] === masked.targets[i]) correct++;
  stats.genLoss = genLoss.dataSync()[0];
  stats.discLoss = discLoss.dataSync()[0];
  stats.loss = w.genWeight * stats.genLoss + w.discWeight * stats.discLoss;
  stats.genCorrect = correct;
  stats.maskedCount = P;
  stats.discProbs = realProbs.subarray(0, n);
  stats.labels = realLabels.subarray(0, n);
  return loss;
}

/** The seed of example `example`'s generator samples in a pass seeded `seed`. */
function sampleStream(seed: number, example: number): number {
  return deriveSeed(seed, 'sample', example);
}

/**
 * A generator's samples at a whole batch's masked positions, drawn as `electraLoss` draws
 * them in a pass with the same seed (the same uniforms), and its argmax there. Evaluation
 * against ONE fixed generator puts these in the place of each model's own samples.
 */
export function generatorSamples(model: ElectraModel, batch: Batch, masked: MaskedBatch, seed: number, temperature = ELECTRA_WEIGHTS.temperature): { sampled: Int32Array; predicted: Int32Array } {
  const P = masked.positions.length;
  if (P === 0) return { sampled: new Int32Array(0), predicted: new Int32Array(0) };
  const { batchSize: B, seqLength: T } = batch;
  const head = new MaskedLmHead(masked.targets, P);
  const sampled = tf.tidy(() => {
    const ids = tf.tensor2d(masked.maskedIds, [B, T], 'int32');
    head.loss(model.generatorLogits(ids, tf.tensor2d(batch.attentionMask, [B, T]), tf.tensor1d(masked.positions, 'int32')));
    return head.sample(masked.positions, T, temperature, (b) => sampleStream(seed, b));
  });
  return { sampled, predicted: head.predicted };
}

/**
 * The statistics of a whole batch from those of its shards, in shard order: losses add
 * up (each shard's is normalised by the whole batch's counts), counts add, and the
 * per-token probabilities and labels concatenate.
 */
export function mergeShardStats(parts: ObjectiveStats[]): ObjectiveStats {
  if (parts.length === 1) return parts[0];
  const concat = (pick: (s: ObjectiveStats) => Float32Array) => concatFloat32(parts.map(pick));
  const sum = (pick: (s: ObjectiveStats) => number) => parts.reduce((a, s) => a + pick(s), 0);
  return {
    genLoss: sum((s) => s.genLoss),
    discLoss: sum((s) => s.discLoss),
    loss: sum((s) => s.loss),
    genCorrect: sum((s) => s.genCorrect),
    maskedCount: sum((s) => s.maskedCount),
    discProbs: concat((s) => s.discProbs),
    labels: concat((s) => s.labels),
  };
}

/**
 * The generator's output at the masked positions: softmax cross-entropy with its gradient
 * (softmax - one-hot) / count. The softmax is one fused kernel (kernels/attentionSoftmax:
 * SIMD exp, one pass per row) where the backend has it; as separate tensor ops (log-softmax,
 * one-hot, multiply, sum, and the Gumbel noise's two logarithms over [P, V]) it was a tenth
 * of a tiny step on wasm, and as a JavaScript loop still a twentieth. The loss reads the
 * probabilities of the targets; the same softmax serves the sampling: drawing from
 * softmax(logits) by its inverse CDF has the same distribution as the paper's Gumbel-max
 * trick, with one uniform draw per position instead of V.
 */
export class MaskedLmHead {
  /** Argmax of the logits at each masked position, once `loss` has run. */
  predicted: Int32Array;
  private logits?: tf.Tensor2D;
  private softmax?: Float32Array;
  private vocab = 0;

  constructor(private readonly targets: Int32Array, private readonly denominator: number) {
    this.predicted = new Int32Array(targets.length);
  }

  loss(logits: tf.Tensor2D): tf.Scalar {
    const [P, V] = logits.shape;
    this.logits = logits;
    this.vocab = V;
    const run = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
      const probs = tf.reshape(attentionSoftmax(tf.reshape(x, [1, 1, P, V]), tf.zeros([1, 1, 1, V]), 1), [P, V]);
      save([probs]);
      const softmax = probs.dataSync() as Float32Array;
      this.softmax = softmax;
      this.predicted = tf.argMax(x, -1).dataSync() as Int32Array;
      let total = 0;
      // float32's smallest normal: a probability the softmax rounded to 0 costs at most 87 nats.
      for (let r = 0; r < P; r++) total -= Math.log(Math.max(softmax[r * V + this.targets[r]], 1.1754944e-38));
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const scale = tf.div(dy, this.denominator);
        return tf.mul(tf.sub(saved[0], tf.oneHot(tf.tensor1d(this.targets, 'int32'), V)), scale);
      };
      return { value: tf.scalar(total / this.denominator), gradFunc };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return run(logits) as tf.Scalar;
  }

  /** One draw per masked position from softmax(logits / temperature); example b draws from stream `seedOf(b)`. */
  sample(positions: Int32Array, seqLength: number, temperature: number, seedOf: (example: number) => number): Int32Array {
    const out = new Int32Array(positions.length);
    if (positions.length === 0) return out;
    const V = this.vocab;
    const probs = temperature === 1 ? this.softmax! : softmaxAt(this.logits!.dataSync() as Float32Array, V, temperature);
    let rng: Rng | undefined;
    let example = -1;
    for (let r = 0; r < positions.length; r++) {
      const b = Math.floor(positions[r] / seqLength);
      if (b !== example) {
        example = b;
        rng = new Rng(seedOf(b));
      }
      out[r] = inverseCdf(probs, r * V, V, rng!.next());
    }
    return out;
  }
}

/**
 * The first j with p[0] + ... + p[j] > u in the row of V probabilities at `row`, or the
 * last token when rounding leaves the total just under u. Whole blocks of 32 are skipped
 * by their sums first.
 */
function inverseCdf(p: Float32Array, row: number, V: number, u: number): number {
  let acc = 0;
  let j = 0;
  for (; j + 32 <= V; j += 32) {
    let block = 0;
    for (let k = row + j, end = k + 32; k < end; k++) block += p[k];
    if (acc + block > u) break;
    acc += block;
  }
  for (; j < V - 1; j++) {
    acc += p[row + j];
    if (u < acc) return j;
  }
  return V - 1;
}

function softmaxAt(logits: Float32Array, V: number, temperature: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += V) {
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, logits[row + j] / temperature);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += out[row + j] = Math.exp(logits[row + j] / temperature - max);
    for (let j = 0; j < V; j++) out[row + j] /= sum;
  }
  return out;
}
