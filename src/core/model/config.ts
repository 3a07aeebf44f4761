/**
 * Model configuration: the shape of the generator and discriminator. Field names follow
 * Hugging Face's ElectraConfig in spirit (camelCase here, snake_case in config.json via
 * `toHuggingFaceConfig`). The named sizes are in presets.ts.
 */

/** One transformer stack: the discriminator's or the generator's. */
export interface EncoderConfig {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
}

import { OBJECTIVES, type Objective } from '../../shared/defaults';

export { OBJECTIVES, isObjective, type Objective } from '../../shared/defaults';

export interface ElectraConfig {
  /** Absent in configs written before the masked-LM objective existed: 'electra'. */
  objective?: Objective;
  vocabSize: number;
  /** Width of the shared embeddings; each encoder projects it to its own hidden size when they differ. */
  embeddingSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Sequence length used for training and scoring windows ([CLS] ... [SEP] included). */
  maxSeqLength: number;
  discriminator: EncoderConfig;
  generator: EncoderConfig;
}

/**
 * A generator of `fraction` of the discriminator's width, as in the paper
 * (1/4 for Small, 1/3 for Base). Heads shrink with width, at least one.
 */
export function generatorOfWidth(disc: EncoderConfig, fraction: number): EncoderConfig {
  const headSize = disc.hiddenSize / disc.numAttentionHeads;
  const hiddenSize = Math.max(1, Math.round(disc.hiddenSize * fraction));
  const numAttentionHeads = Math.max(1, Math.floor(hiddenSize / Math.max(headSize, 64)));
  return {
    hiddenSize,
    numHiddenLayers: disc.numHiddenLayers,
    numAttentionHeads: hiddenSize % numAttentionHeads === 0 ? numAttentionHeads : 1,
    intermediateSize: Math.max(1, Math.round(disc.intermediateSize * fraction)),
  };
}

/** Throws a one-line error naming the first field that makes no sense. */
export function validateConfig(c: ElectraConfig): void {
  if (c.objective !== undefined && !OBJECTIVES.includes(c.objective)) throw new Error(`config.objective must be one of ${OBJECTIVES.join(', ')}, got ${String(c.objective)}`);
  const positive: Array<[string, number]> = [
    ['vocabSize', c.vocabSize],
    ['embeddingSize', c.embeddingSize],
    ['maxSeqLength', c.maxSeqLength],
    ['maxPositionEmbeddings', c.maxPositionEmbeddings],
  ];
  for (const [which, enc] of [['discriminator', c.discriminator], ['generator', c.generator]] as const) {
    positive.push([`${which}.hiddenSize`, enc.hiddenSize], [`${which}.numHiddenLayers`, enc.numHiddenLayers],
      [`${which}.numAttentionHeads`, enc.numAttentionHeads], [`${which}.intermediateSize`, enc.intermediateSize]);
    if (enc.hiddenSize % enc.numAttentionHeads !== 0) {
      throw new Error(`${which}.hiddenSize (${enc.hiddenSize}) must be divisible by numAttentionHeads (${enc.numAttentionHeads})`);
    }
  }
  for (const [name, v] of positive) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`config.${name} must be a positive integer, got ${v}`);
  }
  if (c.maxSeqLength > c.maxPositionEmbeddings) {
    throw new Error(`maxSeqLength (${c.maxSeqLength}) exceeds maxPositionEmbeddings (${c.maxPositionEmbeddings})`);
  }
}

/** Hugging Face config.json for one half of the pair (the discriminator or the generator). */
export function toHuggingFaceConfig(c: ElectraConfig, which: 'discriminator' | 'generator'): Record<string, unknown> {
  const enc = c[which];
  return {
    architectures: [which === 'discriminator' ? 'ElectraForPreTraining' : 'ElectraForMaskedLM'],
    model_type: 'electra',
    vocab_size: c.vocabSize,
    embedding_size: c.embeddingSize,
    hidden_size: enc.hiddenSize,
    num_hidden_layers: enc.numHiddenLayers,
    num_attention_heads: enc.numAttentionHeads,
    intermediate_size: enc.intermediateSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: c.hiddenDropoutProb,
    attention_probs_dropout_prob: c.attentionProbsDropoutProb,
    max_position_embeddings: c.maxPositionEmbeddings,
    type_vocab_size: c.typeVocabSize,
    layer_norm_eps: c.layerNormEps,
    initializer_range: 0.02,
    pad_token_id: 0,
  };
}

/** The objective of a configuration (configs from before the masked-LM objective are ELECTRA's). */
export function objectiveOf(c: ElectraConfig): Objective {
  return c.objective ?? 'electra';
}

/**
 * The encoder a model is judged by after pre-training: ELECTRA's discriminator, or the
 * masked-LM's single stack (held under 'generator', the ElectraForMaskedLM names).
 */
export function pretrainedEncoder(c: ElectraConfig): 'discriminator' | 'generator' {
  return objectiveOf(c) === 'mlm' ? 'generator' : 'discriminator';
}

/**
 * The configuration of a run of `objective`: a masked-LM model has one encoder with the
 * discriminator's shapes, held under the generator's names (ElectraForMaskedLM), so
 * `generator` is set to `discriminator`'s shapes.
 */
export function withObjective(c: ElectraConfig, objective: Objective): ElectraConfig {
  return objective === 'mlm' ? { ...c, objective, generator: { ...c.discriminator } } : { ...c, objective };
}
