/**
 * BERT's masked-language-model objective (Devlin et al. 2019), the baseline ELECTRA is
 * compared with: 15% of the tokens are chosen (as many as ELECTRA's generator sees, at
 * most max_predictions_per_seq); of those 80% become [MASK], 10% a random token and 10%
 * keep their own; the loss is the cross-entropy of the original token at the chosen
 * positions only. The model is one encoder with the discriminator's shapes and the
 * generator's output layer (dense + GELU + LayerNorm, tied vocabulary projection): BERT's
 * MLM head, stored under ElectraForMaskedLM's names.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedBatch, MaskingOptions } from './masking';
import { defaultMasking, ELECTRA_MASK_PROBABILITY } from './masking';
import { DropoutStream, type ElectraModel } from './model';
import { MaskedLmHead, type Batch, type ObjectiveOptions, type ObjectiveStats } from './objective';
import { deriveSeed } from '../common/random';

/** BERT's 80/10/10 split of the chosen positions, with ELECTRA's rate and cap per sequence. */
export function bertMasking(seqLength: number, vocabSize: number, maskProbability = ELECTRA_MASK_PROBABILITY): MaskingOptions {
  return { ...defaultMasking(seqLength, maskProbability), maskTokenFraction: 0.8, randomTokenFraction: 0.1, vocabSize };
}

/**
 * The masked-LM loss of one batch (or shard: normalised by the whole batch's masked
 * count). Statistics fill the generator's fields; the discriminator's stay empty.
 */
export function maskedLmLoss(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: ObjectiveOptions, stats: Partial<ObjectiveStats>): tf.Scalar {
  const { batchSize: B, seqLength: T } = batch;
  const firstExample = options.shard?.firstExample ?? 0;
  const dropout = new DropoutStream(deriveSeed(options.seed, 'mlm-dropout'), options.dropoutRate, B, firstExample);
  const P = masked.positions.length;
  const head = new MaskedLmHead(masked.targets, Math.max(1, options.shard?.maskedCount ?? P));
  let loss: tf.Scalar = tf.scalar(0);
  if (P > 0) {
    const attention = tf.tensor2d(batch.attentionMask, [B, T]);
    const positions = tf.tensor1d(masked.positions, 'int32');
    loss = head.loss(model.generatorLogits(tf.tensor2d(masked.maskedIds, [B, T], 'int32'), attention, positions, dropout)); // [P, V] -> scalar
  }
  let correct = 0;
  for (let i = 0; i < P; i++) if (head.predicted[i] === masked.targets[i]) correct++;
  stats.genLoss = loss.dataSync()[0];
  stats.discLoss = 0;
  stats.loss = stats.genLoss;
  stats.genCorrect = correct;
  stats.maskedCount = P;
  stats.discProbs = new Float32Array(0);
  stats.labels = new Float32Array(0);
  return loss;
}
