/**
 * Words of a text and their scores from token-level scores. The error benchmark works on
 * words (letters and digits, with inner apostrophes: "they're" is one word), not on
 * WordPieces: a word's score is the MAXIMUM of the scores of the tokens that overlap it,
 * so a word is flagged when any of its pieces is (the editor flags pieces the same way).
 * Punctuation is not a word and gets no score.
 */
export interface WordSpan {
  /** UTF-16 offsets into the text, end exclusive. */
  start: number;
  end: number;
  text: string;
}

const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function wordsOf(text: string): WordSpan[] {
  const out: WordSpan[] = [];
  for (const m of text.matchAll(WORD_RE)) out.push({ start: m.index!, end: m.index! + m[0].length, text: m[0] });
  return out;
}

/** A scored span of the text: a token with its probability, or any scored range. */
export interface ScoredSpan {
  start: number;
  end: number;
  score: number;
}

/** A scorer's tokens as scored spans: each WordPiece's character range and its probability of having been replaced. */
export function pieceScores(tokens: ReadonlyArray<{ start: number; end: number; pReplaced: number }>): ScoredSpan[] {
  return tokens.map((t) => ({ start: t.start, end: t.end, score: t.pReplaced }));
}

/**
 * Each word's score: the maximum over the spans (tokens) overlapping it, or NaN when
 * none does. Both lists are in text order; one pass over each.
 */
export function wordScores(words: readonly WordSpan[], spans: readonly ScoredSpan[]): Float64Array {
  const out = new Float64Array(words.length).fill(Number.NaN);
  let s = 0;
  for (let w = 0; w < words.length; w++) {
    const { start, end } = words[w];
    while (s < spans.length && spans[s].end <= start) s++;
    for (let k = s; k < spans.length && spans[k].start < end; k++) {
      if (spans[k].end <= start) continue;
      const v = spans[k].score;
      if (Number.isNaN(out[w]) || v > out[w]) out[w] = v;
    }
  }
  return out;
}
