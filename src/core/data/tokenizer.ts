/**
 * WordPiece, as in BERT and ELECTRA: the BasicTokenizer's words (normalizer.ts) are cut
 * greedily, longest match first, into vocabulary pieces; pieces after the first in a word
 * carry the "##" continuation prefix. A word that cannot be cut completely, or is longer
 * than maxWordPieceChars characters, becomes one [UNK] covering the whole word.
 *
 * Training follows Hugging Face's WordPieceTrainer (a BPE trainer with the "##" prefix):
 * start from the characters (first of a word plain, the others "##c"), then repeatedly
 * merge the most frequent adjacent pair of symbols. Pair counts are kept incrementally,
 * with a pair → words index and a lazy max-heap, so a merge only touches the words that
 * contain its pair.
 *
 * The vocabulary file is BERT's vocab.txt: one token per line, id = line index.
 */
import { NormalizationOptions, forEachWord, preTokenize } from './normalizer';

export type { NormalizationOptions } from './normalizer';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** One WordPiece. start/end: UTF-16 offsets into the ORIGINAL text, end exclusive. */
export interface Token {
  id: number;
  piece: string;
  start: number;
  end: number;
}

export interface WordPieceTrainOptions extends NormalizationOptions {
  /** Target vocabulary size, the 5 special tokens included. */
  vocabSize: number;
  /** Characters and pairs seen fewer times than this are not added. */
  minFrequency: number;
  /** Longer words become [UNK] (BERT's max_input_chars_per_word). Default 100. */
  maxWordPieceChars?: number;
}

export interface SpecialIds {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
  mask: number;
}

export const CONTINUATION_PREFIX = '##';
export const DEFAULT_MAX_WORDPIECE_CHARS = 100;

/** Streaming word counts (BasicTokenizer words, normalized) for vocabulary training. */
export class WordCounter {
  readonly options: NormalizationOptions;
  private readonly counts = new Map<string, number>();
  private total = 0;

  constructor(options: NormalizationOptions) {
    this.options = { lowercase: options.lowercase, stripAccents: options.stripAccents };
  }

  /** Pre-tokenizes `text` and counts its words. */
  add(text: string): void {
    const counts = this.counts;
    let added = 0;
    forEachWord(text, this.options, (w) => {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      added++;
    });
    this.total += added;
  }

  /** Distinct words. */
  get size(): number {
    return this.counts.size;
  }

  /** All words counted, with repetition. */
  get totalWords(): number {
    return this.total;
  }

  /** [word, count] pairs, in insertion order. */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

/** Number of Unicode code points in s (surrogate pairs count once). */
function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0) n++;
    else {
      const prev = s.charCodeAt(i - 1);
      if (prev < 0xd800 || prev > 0xdbff) n++;
    }
  }
  return n;
}

export class WordPieceTokenizer {
  readonly vocabSize: number;
  readonly specialIds: SpecialIds;
  readonly options: NormalizationOptions;
  readonly maxWordPieceChars: number;

  private readonly tokens: string[];
  private readonly ids: Map<string, number>;
  private readonly special: Set<number>;
  /** Longest piece, in UTF-16 units, without the "##" prefix: bounds the greedy search. */
  private readonly maxPieceUnits: number;
  /** word → flattened [id, startUnit, endUnit] triples. */
  private readonly cache = new Map<string, Int32Array>();

  private constructor(tokens: string[], options: NormalizationOptions, maxWordPieceChars: number) {
    this.tokens = tokens;
    this.ids = new Map();
    tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i); // first occurrence wins
    });
    const missing = SPECIAL_TOKENS.filter((t) => !this.ids.has(t));
    if (missing.length > 0) throw new Error(`Vocabulary lacks special token(s) ${missing.join(', ')}`);
    const id = (t: string) => this.ids.get(t)!;
    this.specialIds = { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]'), mask: id('[MASK]') };
    this.special = new Set(Object.values(this.specialIds));
    this.vocabSize = tokens.length;
    this.options = { lowercase: options.lowercase, stripAccents: options.stripAccents };
    this.maxWordPieceChars = maxWordPieceChars;
    let maxUnits = 1;
    for (const t of tokens) {
      const units = t.startsWith(CONTINUATION_PREFIX) ? t.length - CONTINUATION_PREFIX.length : t.length;
      if (units > maxUnits) maxUnits = units;
    }
    this.maxPieceUnits = maxUnits;
  }

  /** Reads a BERT vocab.txt: one token per line, id = line index; "\r\n" accepted. */
  static fromVocabText(vocabTxt: string, options: NormalizationOptions, maxWordPieceChars = DEFAULT_MAX_WORDPIECE_CHARS): WordPieceTokenizer {
    const lines = vocabTxt.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // final newline
    return new WordPieceTokenizer(lines, options, maxWordPieceChars);
  }

  toVocabText(): string {
    return this.tokens.join('\n') + '\n';
  }

  tokenToId(piece: string): number | undefined {
    return this.ids.get(piece);
  }

  idToToken(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new RangeError(`Token id ${id} outside vocabulary of ${this.vocabSize}`);
    return t;
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  /** WordPieces of `text` with source offsets; no [CLS]/[SEP] added. */
  encode(text: string): Token[] {
    const out: Token[] = [];
    for (const word of preTokenize(text, this.options)) {
      const pieces = this.wordPieces(word.text);
      for (let k = 0; k < pieces.length; k += 3) {
        const id = pieces[k];
        out.push({ id, piece: this.tokens[id], start: word.starts[pieces[k + 1]], end: word.ends[pieces[k + 2] - 1] });
      }
    }
    return out;
  }

  /** Ids only: the same as encode(text).map(t => t.id), without building offsets. */
  encodeIds(text: string): number[] {
    const out: number[] = [];
    forEachWord(text, this.options, (w) => {
      const pieces = this.wordPieces(w);
      for (let k = 0; k < pieces.length; k += 3) out.push(pieces[k]);
    });
    return out;
  }

  /** Joins pieces back into space-separated words ("##" pieces glued to the previous). */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const t = this.idToToken(ids[i]);
      if (t.startsWith(CONTINUATION_PREFIX) && out.length > 0) out += t.slice(CONTINUATION_PREFIX.length);
      else out += (out.length > 0 ? ' ' : '') + t;
    }
    return out;
  }

  /**
   * Greedy longest-match-first WordPiece of one normalized word, as flattened
   * [id, startUnit, endUnit] triples (UTF-16 units of the word). Never splits a surrogate pair.
   */
  wordPieces(word: string): Int32Array {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const unk = Int32Array.of(this.specialIds.unk, 0, word.length);
    let result: Int32Array = unk;
    if (charLength(word) <= this.maxWordPieceChars) {
      const pieces: number[] = [];
      const n = word.length;
      let start = 0;
      let ok = true;
      while (start < n) {
        let end = Math.min(n, start + this.maxPieceUnits);
        let found = -1;
        for (; end > start; end--) {
          const lo = word.charCodeAt(end - 1);
          if (end < n && lo >= 0xd800 && lo <= 0xdbff) continue; // would split a surrogate pair
          const sub = word.slice(start, end);
          const id = this.ids.get(start > 0 ? CONTINUATION_PREFIX + sub : sub);
          if (id !== undefined) {
            found = id;
            break;
          }
        }
        if (found < 0) {
          ok = false;
          break;
        }
        pieces.push(found, start, end);
        start = end;
      }
      if (ok) result = Int32Array.from(pieces);
    }
    if (this.cache.size >= 500_000) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }

  /** Trains a vocabulary on counted words (Hugging Face WordPieceTrainer semantics). */
  static train(counter: WordCounter, options: WordPieceTrainOptions): WordPieceTokenizer {
    if (counter.options.lowercase !== options.lowercase || counter.options.stripAccents !== options.stripAccents) {
      throw new Error('WordCounter normalization differs from the training options');
    }
    const maxChars = options.maxWordPieceChars ?? DEFAULT_MAX_WORDPIECE_CHARS;
    const tokens = trainWordPieceVocab(counter, options.vocabSize, options.minFrequency, maxChars);
    return new WordPieceTokenizer(tokens, options, maxChars);
  }
}

// ---------------------------------------------------------------------------------------
// Training

/** Pair key: (a, b) symbol ids packed into one exact double. Ids stay below 2^21. */
const PAIR_SHIFT = 2 ** 21;

/** Max-heap of (count, pair key); ties go to the smaller key, i.e. (a, b) ascending. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the top; returns [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastC = this.counts.pop()!;
    const lastK = this.keys.pop()!;
    const n = this.counts.length;
    if (n > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < n && this.above(l, best)) best = l;
        if (r < n && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/**
 * Returns the vocabulary: the 5 special tokens (ids 0..4), the alphabet, then one token per
 * merge, until vocabSize tokens or no pair occurs minFrequency times.
 */
function trainWordPieceVocab(counter: WordCounter, vocabSize: number, minFrequency: number, maxChars: number): string[] {
  if (!Number.isInteger(vocabSize) || vocabSize < SPECIAL_TOKENS.length) {
    throw new Error(`vocabSize must be an integer >= ${SPECIAL_TOKENS.length}, got ${vocabSize}`);
  }
  const minFreq = Math.max(1, minFrequency);
  const words: string[][] = [];
  const counts: number[] = [];
  // Alphabet units: a word's first character plain, the others "##c", counted by use.
  const unitCount = new Map<string, number>();
  for (const [word, count] of counter.entries()) {
    const chars = Array.from(word);
    if (chars.length === 0 || chars.length > maxChars) continue; // would be [UNK] anyway
    const units = chars.map((c, i) => (i === 0 ? c : CONTINUATION_PREFIX + c));
    for (const u of units) unitCount.set(u, (unitCount.get(u) ?? 0) + count);
    words.push(units);
    counts.push(count);
  }
  const budget = vocabSize - SPECIAL_TOKENS.length;
  const alphabet = [...unitCount.entries()]
    .filter(([, c]) => c >= minFreq)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, budget)
    .map(([u]) => u)
    .sort();

  const tokens: string[] = [...SPECIAL_TOKENS];
  const ids = new Map<string, number>();
  tokens.forEach((t, i) => ids.set(t, i));
  for (const u of alphabet) {
    if (!ids.has(u)) {
      ids.set(u, tokens.length);
      tokens.push(u);
    }
  }

  // Words as symbol-id sequences; characters outside the alphabet are barriers (-1).
  const symbols: number[][] = words.map((units) => units.map((u) => ids.get(u) ?? -1));

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const addPair = (a: number, b: number, w: number, delta: number) => {
    if (a < 0 || b < 0) return;
    const key = a * PAIR_SHIFT + b;
    pairCount.set(key, (pairCount.get(key) ?? 0) + delta);
    if (delta > 0) {
      let list = pairWords.get(key);
      if (!list) pairWords.set(key, (list = []));
      if (list[list.length - 1] !== w) list.push(w);
    }
  };
  for (let w = 0; w < symbols.length; w++) {
    const s = symbols[w];
    for (let i = 0; i + 1 < s.length; i++) addPair(s[i], s[i + 1], w, counts[w]);
  }

  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  const visited = new Int32Array(symbols.length).fill(-1);
  let mergeNo = 0;
  while (tokens.length < vocabSize && heap.size > 0) {
    const [c, key] = heap.pop();
    const current = pairCount.get(key) ?? 0;
    if (current !== c) {
      // Stale entry. Increases were pushed when they happened; decreases are pushed now.
      if (current > 0 && current < c) heap.push(current, key);
      continue;
    }
    if (c < minFreq) break;

    const a = Math.floor(key / PAIR_SHIFT);
    const b = key - a * PAIR_SHIFT;
    const right = tokens[b];
    const merged = tokens[a] + (right.startsWith(CONTINUATION_PREFIX) ? right.slice(CONTINUATION_PREFIX.length) : right);
    let m = ids.get(merged);
    if (m === undefined) {
      m = tokens.length;
      if (m >= PAIR_SHIFT) throw new Error('Vocabulary too large for training');
      ids.set(merged, m);
      tokens.push(merged);
    }

    // Replace every (a, b) in the words that contain it, left to right, updating counts.
    const increased = new Set<number>();
    const bump = (x: number, y: number, w: number, delta: number) => {
      addPair(x, y, w, delta);
      if (delta > 0 && x >= 0 && y >= 0) increased.add(x * PAIR_SHIFT + y);
    };
    for (const w of pairWords.get(key) ?? []) {
      if (visited[w] === mergeNo) continue;
      visited[w] = mergeNo;
      const s = symbols[w];
      const f = counts[w];
      let found = false;
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === a && s[i + 1] === b) {
          found = true;
          break;
        }
      }
      if (!found) continue;
      const out: number[] = [];
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          if (out.length > 0) {
            const prev = out[out.length - 1];
            bump(prev, a, w, -f);
            bump(prev, m, w, f);
          }
          if (i + 2 < s.length) {
            const next = s[i + 2];
            bump(b, next, w, -f);
            bump(m, next, w, f);
          }
          out.push(m);
          i += 2;
        } else {
          out.push(s[i]);
          i++;
        }
      }
      symbols[w] = out;
    }
    pairCount.delete(key);
    pairWords.delete(key);
    for (const k of increased) {
      const n = pairCount.get(k) ?? 0;
      if (n > 0) heap.push(n, k);
    }
    mergeNo++;
  }
  return tokens;
}
