/**
 * Dynamic masking for the generator (pretrain_helpers.mask in google-research/electra):
 * a fresh mask every time a sequence is seen. Of the non-padding tokens, 15% (at least
 * one, at most max_predictions_per_seq) are chosen among the candidates, which exclude
 * [CLS], [SEP], [MASK] and padding; 85% of those become [MASK], 15% keep their token.
 * There is no random-token replacement: the generator provides the replacements.
 */
import { Rng } from '../common/random';
import type { SpecialIds } from '../data/tokenizer';

export interface MaskingOptions {
  maskProbability: number;
  /** Fraction of chosen positions that become [MASK]; the rest keep the original token. */
  maskTokenFraction: number;
  /**
   * Fraction of chosen positions that take a random token from the vocabulary (BERT's 10%;
   * ELECTRA has none: its generator provides the replacements). Needs `vocabSize`.
   */
  randomTokenFraction?: number;
  vocabSize?: number;
  maxPredictionsPerSeq: number;
}

/** ELECTRA's (and BERT's) share of tokens masked for the generator. */
export const ELECTRA_MASK_PROBABILITY = 0.15;

/** ELECTRA's defaults for a sequence length: max_predictions = int((p + 0.005) * length), p = ELECTRA's unless given. */
export function defaultMasking(seqLength: number, maskProbability = ELECTRA_MASK_PROBABILITY): MaskingOptions {
  return { maskProbability, maskTokenFraction: 0.85, maxPredictionsPerSeq: Math.floor((maskProbability + 0.005) * seqLength) };
}

export interface MaskedBatch {
  /** Input to the generator: [B*T] ids with chosen positions [MASK]ed (85%) or kept (15%). */
  maskedIds: Int32Array;
  /** Flat positions (b*T + t) that were chosen, in increasing order. */
  positions: Int32Array;
  /** Original ids at those positions. */
  targets: Int32Array;
  /**
   * Per position: a token that replaces it instead of the generator's sample, or -1 for
   * the generator's (the replacement curriculum, replacements.ts). Absent: all generator.
   */
  overrides?: Int32Array;
  /**
   * [B*T]: 1 where a synthetic error was planted in the batch's ids (syntheticErrors.ts), in
   * sequences that are not masked. The discriminator's labels start from these. Absent: none.
   */
  errorLabels?: Float32Array;
}

/** Masks a batch of sequences ids [B*T] (row-major), except the sequences `skip` holds. */
export function maskBatch(ids: Int32Array, seqLength: number, special: SpecialIds, options: MaskingOptions, rng: Rng, skip?: ReadonlySet<number>): MaskedBatch {
  const maskedIds = ids.slice();
  const positions: number[] = [];
  const batch = ids.length / seqLength;
  const candidates: number[] = [];
  const randomFraction = options.randomTokenFraction ?? 0;
  if (randomFraction > 0 && !(options.vocabSize! > 5)) throw new Error('masking with random tokens needs the vocabulary size');
  for (let b = 0; b < batch; b++) {
    if (skip?.has(b)) continue;
    const row = b * seqLength;
    let realTokens = 0;
    candidates.length = 0;
    for (let t = 0; t < seqLength; t++) {
      const id = ids[row + t];
      if (id === special.pad) continue;
      realTokens++;
      if (id !== special.cls && id !== special.sep && id !== special.mask) candidates.push(row + t);
    }
    if (candidates.length === 0) continue;
    const wanted = Math.max(1, Math.min(options.maxPredictionsPerSeq, Math.round(options.maskProbability * realTokens)));
    const count = Math.min(wanted, candidates.length);
    // Partial Fisher-Yates: the first `count` entries become a uniform sample without replacement.
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(candidates.length - i);
      const tmp = candidates[i];
      candidates[i] = candidates[j];
      candidates[j] = tmp;
    }
    const chosen = candidates.slice(0, count).sort((a, c) => a - c);
    for (const pos of chosen) {
      const u = rng.next();
      if (u < options.maskTokenFraction) maskedIds[pos] = special.mask;
      else if (u < options.maskTokenFraction + randomFraction) maskedIds[pos] = randomToken(rng, options.vocabSize!, special);
      positions.push(pos);
    }
  }
  const pos = Int32Array.from(positions);
  const targets = new Int32Array(pos.length);
  for (let i = 0; i < pos.length; i++) targets[i] = ids[pos[i]];
  return { maskedIds, positions: pos, targets };
}

/** A uniformly drawn vocabulary id that is not a special token ([PAD], [UNK], [CLS], [SEP], [MASK]). */
function randomToken(rng: Rng, vocabSize: number, special: SpecialIds): number {
  const specials = new Set([special.pad, special.unk, special.cls, special.sep, special.mask]);
  for (;;) {
    const id = rng.int(vocabSize);
    if (!specials.has(id)) return id;
  }
}

/**
 * The discriminator's input and labels once the generator has sampled: every chosen
 * position takes the sampled token; a position is labelled replaced (1) only when the
 * sample differs from the original, so a lucky sample counts as original. Labels start from
 * `errorLabels` (synthetic errors already in `ids`) where given.
 */
export function corrupt(ids: Int32Array, positions: Int32Array, sampled: ArrayLike<number>, overrides?: Int32Array, errorLabels?: Float32Array): { fakeIds: Int32Array; labels: Float32Array } {
  const fakeIds = ids.slice();
  const labels = errorLabels ? errorLabels.slice() : new Float32Array(ids.length);
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i];
    const token = overrides && overrides[i] >= 0 ? overrides[i] : sampled[i];
    fakeIds[pos] = token;
    labels[pos] = token !== ids[pos] ? 1 : 0;
  }
  return { fakeIds, labels };
}
