/**
 * A curriculum for the replacements the discriminator learns from. ELECTRA takes every
 * replacement from the generator; on a CPU budget the generator learns the corpus's word
 * frequencies within a few hundred steps, its samples become frequent words in plausible
 * places, and a discriminator that has not yet learned any context falls back to predicting
 * the replacement rate (docs/recipes.md). Here a share of the masked positions instead takes
 * a token drawn from the corpus's unigram distribution: a frequent token in a random place,
 * which only context tells apart (rarity does not), so the discriminator gets a signal it
 * can learn from while the generator's samples are still too hard. The share decays
 * linearly from `unigramShareStart` to `unigramShareEnd` over the first `decayFraction`
 * of the run. A drawn token equal to the original is labelled original, as a generator's.
 */
import type { Rng } from '../common/random';
import type { SpecialIds } from '../data/tokenizer';
import type { MaskedBatch } from './masking';

export interface ReplacementCurriculum {
  unigramShareStart: number;
  unigramShareEnd: number;
  /** Share of the run's steps over which the unigram share goes from start to end. */
  decayFraction: number;
}

/** ELECTRA's own: every replacement from the generator. */
export const GENERATOR_ONLY: ReplacementCurriculum = { unigramShareStart: 0, unigramShareEnd: 0, decayFraction: 1 };

export function unigramShareAt(c: ReplacementCurriculum, step: number, totalSteps: number): number {
  const span = Math.max(1, c.decayFraction * Math.max(1, totalSteps));
  const t = Math.min(1, step / span);
  return c.unigramShareStart + (c.unigramShareEnd - c.unigramShareStart) * t;
}

export function validateCurriculum(c: ReplacementCurriculum): void {
  for (const [name, v] of Object.entries(c)) {
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`replacement curriculum: ${name} must be between 0 and 1, got ${v}`);
  }
}

/** Draws token ids in proportion to their counts (special tokens never). */
export class UnigramSampler {
  private constructor(private readonly cumulative: Float64Array) {}

  /** From token ids as they occur (padding and special tokens are skipped). */
  static fromIds(ids: ArrayLike<number>, vocabSize: number, special: SpecialIds): UnigramSampler {
    const counts = new Float64Array(vocabSize);
    const skip = new Set([special.pad, special.cls, special.sep, special.mask, special.unk]);
    for (let i = 0; i < ids.length; i++) if (!skip.has(ids[i]) && ids[i] >= 0 && ids[i] < vocabSize) counts[ids[i]]++;
    let acc = 0;
    for (let i = 0; i < vocabSize; i++) counts[i] = acc += counts[i];
    if (acc === 0) throw new Error('unigram sampler: no tokens to count');
    return new UnigramSampler(counts);
  }

  sample(rng: Rng): number {
    const total = this.cumulative[this.cumulative.length - 1];
    const u = rng.next() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Per masked position, the token that replaces it instead of the generator's sample, or -1
 * for the generator's: each position independently with probability `share`.
 */
export function planReplacements(masked: MaskedBatch, share: number, sampler: UnigramSampler, rng: Rng): Int32Array {
  const overrides = new Int32Array(masked.positions.length).fill(-1);
  if (share <= 0) return overrides;
  for (let i = 0; i < overrides.length; i++) if (rng.next() < share) overrides[i] = sampler.sample(rng);
  return overrides;
}
