/**
 * The objective a run pre-trains with, chosen by its configuration: ELECTRA's replaced-
 * token detection (objective.ts) or BERT's masked LM (mlmObjective.ts). The training loop,
 * its evaluation and the data-parallel workers ask here, so they serve both alike.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { objectiveOf, type ElectraConfig } from './config';
import { defaultMasking, ELECTRA_MASK_PROBABILITY, type MaskedBatch, type MaskingOptions } from './masking';
import { bertMasking, maskedLmLoss } from './mlmObjective';
import type { ElectraModel } from './model';
import { electraLoss, type Batch, type ObjectiveOptions, type ObjectiveStats } from './objective';

/** How the objective masks a batch of sequences of the configuration's length. */
export function maskingFor(config: ElectraConfig, seqLength = config.maxSeqLength, maskProbability = ELECTRA_MASK_PROBABILITY): MaskingOptions {
  return objectiveOf(config) === 'mlm' ? bertMasking(seqLength, config.vocabSize, maskProbability) : defaultMasking(seqLength, maskProbability);
}

/** The model's pre-training loss on one batch or shard, statistics in `stats` (see electraLoss). */
export function pretrainingLoss(model: ElectraModel, batch: Batch, masked: MaskedBatch, options: ObjectiveOptions, stats: Partial<ObjectiveStats>): tf.Scalar {
  return objectiveOf(model.config) === 'mlm' ? maskedLmLoss(model, batch, masked, options, stats) : electraLoss(model, batch, masked, options, stats);
}
