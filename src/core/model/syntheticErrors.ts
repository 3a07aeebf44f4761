/**
 * Synthetic real-word errors as training data (`--synthetic-errors <share>` on the CLI; by
 * default in the last fifth of a run from scratch and throughout a continued one, see
 * FROM_SCRATCH_DEFAULTS and CONTINUATION_DEFAULTS), documented in docs/recipes.md with results
 * with and without it. A share of each batch's sequences is not masked for the generator;
 * instead, whole words in it are corrupted the ways people write real-word errors, sparsely
 * (about one word in `ERROR_WORD_RATE`), and the discriminator learns to flag every piece of
 * a corrupted word:
 *   confusable  a one-piece word of a confusable set becomes another member (their -> there)
 *   doubled     a word written twice ("the the"); both copies are labelled
 *   replaced    a word becomes another word drawn from the batch (so, by frequency)
 *   swapped     two adjacent words change places; both are labelled
 * ELECTRA's own task (plausible generator samples at 15% of the tokens) teaches this only
 * slowly on a CPU budget, and its corruption is dense where a user's text has an error
 * every few sentences. The error benchmark (quality/plantErrors.ts) plants these kinds too,
 * in prose of another domain: figures of a model trained with this option say so.
 */
import type { Rng } from '../common/random';
import type { SpecialIds, WordPieceTokenizer } from '../data/tokenizer';
import { CONFUSABLES } from '../quality/confusables';

/**
 * The share of a step's sequences that carry synthetic errors: none before `from` (a share of
 * the run's `totalSteps`), `share` from there on. A run whose length is not yet known
 * (totalSteps 0, a time budget before its first fit) has not reached a later stage.
 */
export function errorShareAt(share: number, from: number, step: number, totalSteps: number): number {
  if (from <= 0) return share;
  return totalSteps > 0 && step >= from * totalSteps ? share : 0;
}

/** One planted error per this many eligible words of an error sequence (at least one a sequence). */
export const ERROR_WORD_RATE = 20;

export const SYNTHETIC_ERROR_KINDS = ['confusable', 'doubled', 'replaced', 'swapped'] as const;

/** What the planter needs to know of a vocabulary, per token id. */
export interface ErrorVocabulary {
  /** 1 for a piece that continues a word ("##ing"). */
  continuation: Uint8Array;
  /** 1 for a piece that starts a word of letters or digits (punctuation and specials are 0). */
  wordStart: Uint8Array;
  /** Token id -> ids it may be confused with (single-WordPiece members only). */
  confusables: ReadonlyMap<number, readonly number[]>;
}

export function errorVocabulary(tokenizer: WordPieceTokenizer): ErrorVocabulary {
  const n = tokenizer.vocabSize;
  const continuation = new Uint8Array(n);
  const wordStart = new Uint8Array(n);
  for (let id = 0; id < n; id++) {
    if (tokenizer.isSpecial(id)) continue;
    const piece = tokenizer.idToToken(id);
    if (piece.startsWith('##')) continuation[id] = 1;
    else if (/^[\p{L}\p{N}]/u.test(piece)) wordStart[id] = 1;
  }
  const confusables = new Map<number, number[]>();
  const idOf = (word: string) => {
    const id = tokenizer.tokenToId(word);
    return id === undefined || tokenizer.isSpecial(id) ? undefined : id;
  };
  for (const [word, others] of CONFUSABLES) {
    const id = idOf(word);
    const ids = others.map(idOf).filter((o): o is number => o !== undefined);
    if (id !== undefined && ids.length > 0) confusables.set(id, ids);
  }
  return { continuation, wordStart, confusables };
}

/** A run of pieces: a word (its first piece a word start, then continuations) or one other token. */
interface Word {
  ids: number[];
  /** A word of letters or digits, which errors may touch. */
  eligible: boolean;
  /** 1 when planted. */
  label: number;
  /** Which planted error it belongs to (a doubled or swapped pair shares one). */
  error?: number;
}

function wordsOf(ids: Int32Array, from: number, to: number, vocab: ErrorVocabulary): Word[] {
  const words: Word[] = [];
  for (let i = from; i < to; i++) {
    const id = ids[i];
    const last = words[words.length - 1];
    if (vocab.continuation[id] && last?.eligible) last.ids.push(id);
    else words.push({ ids: [id], eligible: vocab.wordStart[id] === 1, label: 0 });
  }
  return words;
}

/**
 * Plants errors in the sequences `rows` of ids [B*T] (in place), keeping each sequence's
 * length: an insertion pushes its last tokens out, a shorter word leaves padding (the
 * attention mask, also [B*T], is updated). The final [SEP] stays. Returns the labels [B*T]:
 * 1 on every piece of a planted word. Deterministic for the rng's state.
 */
export function plantErrorRows(ids: Int32Array, attentionMask: Float32Array, seqLength: number, rows: readonly number[], vocab: ErrorVocabulary, special: SpecialIds, rng: Rng): Float32Array {
  const labels = new Float32Array(ids.length);
  // Replacement words come from the whole batch, so they follow the text's word frequencies.
  const pool: number[][] = [];
  for (let b = 0; b * seqLength < ids.length; b++) {
    for (const w of wordsOf(ids, b * seqLength, (b + 1) * seqLength, vocab)) if (w.eligible) pool.push(w.ids);
  }
  if (pool.length < 2) return labels;
  for (const b of rows) {
    const start = b * seqLength;
    let end = start;
    while (end < start + seqLength && ids[end] !== special.pad) end++;
    const endsWithSep = end > start && ids[end - 1] === special.sep;
    const words = wordsOf(ids, start, endsWithSep ? end - 1 : end, vocab);
    const eligible = words.reduce((n, w) => n + (w.eligible ? 1 : 0), 0);
    const wanted = Math.max(1, Math.round(eligible / ERROR_WORD_RATE));
    let planted = 0;
    for (let attempt = 0; attempt < wanted * 8 && planted < wanted && eligible > 2; attempt++) {
      const i = rng.int(words.length);
      // Errors stay apart: a word next to a planted one is not touched.
      if (!words[i].eligible || words[i].label || words[i - 1]?.label || words[i + 1]?.label) continue;
      if (plantOne(words, i, SYNTHETIC_ERROR_KINDS[rng.int(SYNTHETIC_ERROR_KINDS.length)], vocab, pool, rng)) {
        for (let k = Math.max(0, i - 1); k <= i + 2 && k < words.length; k++) if (words[k].label && words[k].error === undefined) words[k].error = planted;
        planted++;
      }
    }
    // Flatten back into the row, at its original length.
    const length = end - start;
    const room = endsWithSep ? length - 1 : length;
    let t = 0;
    const cut = new Set<number>(); // errors that do not fit whole: a doubled word's copy may be the part that fell off
    for (const w of words) {
      if (t + w.ids.length > room && w.error !== undefined) cut.add(w.error);
      for (const id of w.ids) {
        if (t >= room) break;
        ids[start + t] = id;
        labels[start + t] = w.label;
        t++;
      }
    }
    if (cut.size > 0) {
      let k = start;
      for (const w of words) {
        if (k >= start + t) break;
        if (w.error !== undefined && cut.has(w.error)) labels.fill(0, k, Math.min(k + w.ids.length, start + room));
        k += w.ids.length;
      }
    }
    if (endsWithSep) ids[start + t++] = special.sep;
    for (let k = t; k < seqLength; k++) ids[start + k] = special.pad;
    for (let k = 0; k < seqLength; k++) attentionMask[start + k] = k < t ? 1 : 0;
  }
  return labels;
}

/** Applies one error of `kind` at word i; false when the kind does not apply there. */
function plantOne(words: Word[], i: number, kind: (typeof SYNTHETIC_ERROR_KINDS)[number], vocab: ErrorVocabulary, pool: number[][], rng: Rng): boolean {
  const w = words[i];
  switch (kind) {
    case 'confusable': {
      const others = w.ids.length === 1 ? vocab.confusables.get(w.ids[0]) : undefined;
      if (!others) return false;
      words[i] = { ids: [others[rng.int(others.length)]], eligible: true, label: 1 };
      return true;
    }
    case 'doubled':
      w.label = 1;
      words.splice(i + 1, 0, { ids: w.ids.slice(), eligible: true, label: 1 });
      return true;
    case 'replaced': {
      for (let attempt = 0; attempt < 10; attempt++) {
        const drawn = pool[rng.int(pool.length)];
        if (sameIds(drawn, w.ids)) continue;
        words[i] = { ids: drawn.slice(), eligible: true, label: 1 };
        return true;
      }
      return false;
    }
    case 'swapped': {
      const next = words[i + 1];
      if (!next?.eligible || next.label || words[i + 2]?.label || sameIds(next.ids, w.ids)) return false;
      words[i] = { ...next, label: 1 };
      words[i + 1] = { ...w, label: 1 };
      return true;
    }
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}
