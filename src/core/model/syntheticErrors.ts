/**
 * Synthetic real-word errors as training corruption: an explicit option (off by default;
 * `--synthetic-errors <share>` on the CLI), documented in docs/recipes.md with results
 * with and without it. At a masked position, instead of the generator's sample:
 * - a confusable token (their/there, then/than, its/it's, ...: quality/confusables.ts,
 *   those whose members are single WordPieces) becomes another member of its set, with
 *   probability `share`;
 * - any other token becomes a copy of the token before it (a doubled word, "the the"),
 *   with probability `share` / 4.
 * The discriminator then sees the errors users make, which its ELECTRA task (plausible
 * generator samples) teaches only slowly on a CPU budget. The error benchmark plants
 * these kinds too, so a model trained with this option is scored on errors of kinds it
 * has seen (in other text): say so beside its figures.
 */
import type { Rng } from '../common/random';
import type { SpecialIds, WordPieceTokenizer } from '../data/tokenizer';
import { CONFUSABLE_SETS } from '../quality/confusables';
import type { MaskedBatch } from './masking';

/** Token id -> ids it may be confused with (single-WordPiece members only). */
export type ConfusableIds = ReadonlyMap<number, readonly number[]>;

export function confusableIds(tokenizer: WordPieceTokenizer): ConfusableIds {
  const map = new Map<number, number[]>();
  for (const set of CONFUSABLE_SETS) {
    const ids = set.map((w) => tokenizer.tokenToId(w)).filter((id): id is number => id !== undefined && !tokenizer.isSpecial(id));
    for (const id of ids) {
      const others = map.get(id) ?? [];
      for (const o of ids) if (o !== id && !others.includes(o)) others.push(o);
      if (others.length > 0) map.set(id, others);
    }
  }
  return map;
}

/**
 * Writes synthetic errors into `overrides` (aligned with masked.positions; -1 keeps the
 * generator's sample) at masked positions of `ids` [B*T].
 */
export function plantSyntheticErrors(ids: Int32Array, masked: MaskedBatch, overrides: Int32Array, confusables: ConfusableIds, special: SpecialIds, share: number, rng: Rng): void {
  if (share <= 0) return;
  for (let i = 0; i < masked.positions.length; i++) {
    const pos = masked.positions[i];
    const others = confusables.get(ids[pos]);
    if (others) {
      if (rng.next() < share) overrides[i] = others[rng.int(others.length)];
      continue;
    }
    const previous = ids[pos - 1];
    if (previous === undefined || previous === special.cls || previous === special.sep || previous === special.pad) continue;
    if (rng.next() < share / 4) overrides[i] = previous;
  }
}
