/**
 * Hugging Face's ElectraConfig (config.json) to the engine's ElectraConfig. Google's pairs
 * hold two config.json files, the discriminator's and the generator's, which must agree on
 * the shared embeddings; each gives its own encoder. Fields with values the engine does not
 * implement are refused by name, and every size is bounded before anything is allocated.
 */
import type { ElectraConfig, EncoderConfig } from '../../model/config';
import { CHECKPOINT_LIMITS } from '../checkpointValidation';

/** What one config.json says: the shared part and this network's encoder. */
export interface HuggingFaceElectraConfig {
  architectures: string[];
  vocabSize: number;
  embeddingSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  encoder: EncoderConfig;
}

/**
 * Bounds on config.json's sizes, checked before anything is allocated: the limits of every
 * checkpoint (checkpointValidation.ts), under Hugging Face's field names.
 */
export const CONFIG_LIMITS = {
  vocab_size: CHECKPOINT_LIMITS.maxVocabSize,
  embedding_size: CHECKPOINT_LIMITS.maxEmbeddingSize,
  hidden_size: CHECKPOINT_LIMITS.maxHiddenSize,
  num_hidden_layers: CHECKPOINT_LIMITS.maxLayers,
  num_attention_heads: CHECKPOINT_LIMITS.maxAttentionHeads,
  intermediate_size: CHECKPOINT_LIMITS.maxIntermediateSize,
  max_position_embeddings: CHECKPOINT_LIMITS.maxPositionEmbeddings,
  type_vocab_size: CHECKPOINT_LIMITS.maxTypeVocabSize,
} as const;

/** Values the engine implements, for fields whose other values change the network. */
const SUPPORTED: Record<string, { accepted: unknown[]; why: string }> = {
  model_type: { accepted: ['electra'], why: 'only ELECTRA models are imported' },
  hidden_act: { accepted: ['gelu'], why: 'the engine implements the erf GELU ("gelu") only' },
  position_embedding_type: { accepted: ['absolute', undefined], why: 'the engine implements absolute position embeddings only' },
  is_decoder: { accepted: [false, undefined], why: 'decoder (causal) attention is not implemented' },
  add_cross_attention: { accepted: [false, undefined], why: 'cross-attention is not implemented' },
  tie_word_embeddings: { accepted: [true, undefined], why: "the engine's generator output is tied to the word embeddings" },
};

export function parseElectraConfig(text: string, source: string): HuggingFaceElectraConfig {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not a JSON object');
  for (const [field, rule] of Object.entries(SUPPORTED)) {
    if (!rule.accepted.includes(json[field])) fail(`${field} ${JSON.stringify(json[field] ?? null)} is not supported: ${rule.why}`);
  }
  const int = (field: keyof typeof CONFIG_LIMITS, fallback?: number): number => {
    const v = json[field] ?? fallback;
    if (v === undefined) return fail(`${field} is missing`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return fail(`${field} must be a positive integer, got ${JSON.stringify(v)}`);
    if (v > CONFIG_LIMITS[field]) return fail(`${field} ${v} exceeds the limit of ${CONFIG_LIMITS[field]}`);
    return v;
  };
  const prob = (field: string, fallback: number): number => {
    const v = json[field] ?? fallback;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) return fail(`${field} must be a number in [0, 1), got ${JSON.stringify(v)}`);
    return v;
  };
  const hiddenSize = int('hidden_size');
  const numAttentionHeads = int('num_attention_heads');
  if (hiddenSize % numAttentionHeads !== 0) fail(`hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numAttentionHeads}`);
  const eps = json.layer_norm_eps ?? 1e-12;
  if (typeof eps !== 'number' || !(eps > 0 && eps < 1)) fail(`layer_norm_eps must be a small positive number, got ${JSON.stringify(eps)}`);
  const architectures = Array.isArray(json.architectures) ? json.architectures.filter((a): a is string => typeof a === 'string') : [];
  return {
    architectures,
    vocabSize: int('vocab_size'),
    embeddingSize: int('embedding_size', hiddenSize),
    maxPositionEmbeddings: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: eps as number,
    hiddenDropoutProb: prob('hidden_dropout_prob', 0.1),
    attentionProbsDropoutProb: prob('attention_probs_dropout_prob', 0.1),
    encoder: { hiddenSize, numHiddenLayers: int('num_hidden_layers'), numAttentionHeads, intermediateSize: int('intermediate_size') },
  };
}

/** The fields both networks of a pair must share, with their names in config.json. */
const SHARED_FIELDS: Array<[keyof HuggingFaceElectraConfig, string]> = [
  ['vocabSize', 'vocab_size'],
  ['embeddingSize', 'embedding_size'],
  ['maxPositionEmbeddings', 'max_position_embeddings'],
  ['typeVocabSize', 'type_vocab_size'],
  ['layerNormEps', 'layer_norm_eps'],
];

/**
 * The engine's configuration of a pair. `generator` is the generator folder's encoder, or
 * (no generator folder) the one the caller chose.
 */
export function engineConfig(disc: HuggingFaceElectraConfig, generator: HuggingFaceElectraConfig | EncoderConfig, maxSeqLength: number, sources: { discriminator: string; generator?: string }): ElectraConfig {
  if ('encoder' in generator) {
    for (const [key, field] of SHARED_FIELDS) {
      if (disc[key] !== generator[key]) {
        throw new Error(`${sources.generator}: ${field} ${generator[key]} differs from the discriminator's ${disc[key]} (${sources.discriminator}); a generator and discriminator share their embeddings`);
      }
    }
  }
  return {
    vocabSize: disc.vocabSize,
    embeddingSize: disc.embeddingSize,
    maxPositionEmbeddings: disc.maxPositionEmbeddings,
    typeVocabSize: disc.typeVocabSize,
    layerNormEps: disc.layerNormEps,
    hiddenDropoutProb: disc.hiddenDropoutProb,
    attentionProbsDropoutProb: disc.attentionProbsDropoutProb,
    maxSeqLength: Math.min(maxSeqLength, disc.maxPositionEmbeddings),
    discriminator: disc.encoder,
    generator: 'encoder' in generator ? generator.encoder : generator,
  };
}
