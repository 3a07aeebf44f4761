/** Looking up scored tokens by offset, and the word a token belongs to. */
import { wordSpanAround, type TokenScore } from '../core';

/** The index of the token covering `offset` (or ending exactly at it, so a cursor right after a word finds it), else -1. */
export function tokenIndexAt(tokens: readonly { start: number; end: number }[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid];
    if (offset < t.start) hi = mid - 1;
    else if (offset >= t.end) lo = mid + 1;
    else return mid;
  }
  // lo is the first token starting after offset; the one before may end at it.
  return lo > 0 && tokens[lo - 1].end === offset ? lo - 1 : -1;
}

/** The token covering `offset` (or ending exactly at it). */
export function tokenAt(tokens: readonly TokenScore[], offset: number): TokenScore | undefined {
  const i = tokenIndexAt(tokens, offset);
  return i < 0 ? undefined : tokens[i];
}

/** Tokens overlapping [start, end) (a caret, start === end, touches the token under it). */
export function tokensIn(tokens: readonly TokenScore[], start: number, end: number): TokenScore[] {
  if (start === end) {
    const t = tokenAt(tokens, start);
    return t ? [t] : [];
  }
  return tokens.filter((t) => t.start < end && t.end > start);
}

/**
 * The word of the document text containing the token (wordSpanAround: letters, digits,
 * apostrophes and hyphens around it); a punctuation token is its own word. Lower-cased where compared.
 */
export function wordOf(text: string, token: { start: number; end: number }): string {
  const span = wordSpanAround(text, token);
  return text.slice(span.start, span.end);
}

/** WordPiece special tokens, never offered as a replacement. */
export function isSpecialPiece(piece: string): boolean {
  return /^\[[A-Z]+\]$/.test(piece) || piece.startsWith('[unused');
}

/** Text a piece stands for ("##able" -> "able"). */
export function pieceText(piece: string): string {
  return piece.startsWith('##') ? piece.slice(2) : piece;
}
