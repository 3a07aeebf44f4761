/**
 * How many WordPieces a run's vocabulary may have: the least a run can train with, and the
 * size a run from scratch takes from its corpus when it is not told one.
 */
import { VOCABULARY_FROM_CORPUS } from '../../shared/defaults';

/**
 * The smallest vocabulary a run may train: WordPiece needs room for a text's characters,
 * alone and as "##" continuations, before any longer piece; with fewer, most words of an
 * ordinary English text become [UNK] (5 WordPieces, the special tokens alone: 96.8%).
 */
export const MIN_TRAINING_VOCAB_SIZE = 256;

/**
 * The vocabulary size a run from scratch asks WordPiece for when its size is not given: one
 * piece per VOCABULARY_FROM_CORPUS.wordsPerPiece training words, at least its minSize, at most
 * `ceiling` (the preset's size). WordPiece may still return fewer, as for any size asked.
 */
export function vocabularySizeFor(trainingWords: number, ceiling: number): number {
  const { wordsPerPiece, minSize } = VOCABULARY_FROM_CORPUS;
  return Math.min(ceiling, Math.max(minSize, Math.floor(trainingWords / wordsPerPiece)));
}

/** The rule as a run's log states it, for a ceiling: "one per 128, at least 2048, at most 8192". */
export function describeVocabularySizeRule(ceiling: number): string {
  const { wordsPerPiece, minSize } = VOCABULARY_FROM_CORPUS;
  return `one per ${wordsPerPiece}, at least ${Math.min(minSize, ceiling)}, at most ${ceiling}`;
}
