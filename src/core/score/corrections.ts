/**
 * Corrections that a flagged word suggests by its form, offered before the generator's
 * alternatives: the other members of its confusable set ("their" -> "there", "they're"), and
 * deleting a word that repeats its neighbour ("the the"). These are the real-word errors the
 * models are trained and judged on (src/core/quality), and the small generator's alternatives
 * seldom name the word meant. A word that matches neither gets none.
 */
import { CONFUSABLES, matchCase } from '../quality/confusables';

export interface Correction {
  /** "Replace with 'there'", "Delete the repeated 'the'". */
  title: string;
  /** One edit of the text: replace [start, end) with newText. */
  edit: { start: number; end: number; newText: string };
}

const WORD = "[\\p{L}\\p{N}\\p{M}_'’-]";
const WORD_CHAR = new RegExp(WORD, 'u');
const WORD_BEFORE_SPACE = new RegExp(`(${WORD}+)([ \\t]+)$`, 'u');
const SPACE_THEN_WORD = new RegExp(`^([ \\t]+)(${WORD}+)`, 'u');
const EDGE_MARKS = /^['’-]+|['’-]+$/g;

/**
 * The word of `text` containing [start, end): letters, digits, apostrophes and hyphens around
 * it, without leading or trailing apostrophes and hyphens (empty when it is nothing else); a
 * span of punctuation is its own word.
 */
export function wordSpanAround(text: string, span: { start: number; end: number }): { start: number; end: number } {
  if (!WORD_CHAR.test(text.slice(span.start, span.end))) return { start: span.start, end: span.end };
  const { start, end } = wordCharsAround(text, span);
  const word = text.slice(start, end);
  const lead = word.length - word.replace(/^['’-]+/, '').length;
  const trail = word.length - word.replace(/['’-]+$/, '').length;
  return lead >= word.length ? { start, end: start } : { start: start + lead, end: end - trail };
}

/** The corrections of the word at `word` (a span from wordSpanAround). */
export function suggestedCorrections(text: string, word: { start: number; end: number }): Correction[] {
  const original = text.slice(word.start, word.end);
  const key = normalise(original);
  if (!WORD_CHAR.test(key)) return [];
  const out: Correction[] = [];
  const repeated = repeatedNeighbour(text, word, key);
  if (repeated) out.push({ title: `Delete the repeated '${original}'`, edit: { ...repeated, newText: '' } });
  for (const other of CONFUSABLES.get(key) ?? []) {
    const replacement = matchCase(other, original);
    out.push({ title: `Replace with '${replacement}'`, edit: { start: word.start, end: word.end, newText: replacement } });
  }
  return out;
}

/** A word's span of text, as wordCharsAround gives it (edge marks included). */
export interface WordRange {
  start: number;
  end: number;
}

/**
 * The words just before and just after the word at `word`, where only spaces or tabs stand
 * between (a line break, a comma or a bracket makes them not adjacent). Spans as
 * wordCharsAround gives them; `self` is the word's own.
 */
export function adjacentWords(text: string, word: { start: number; end: number }): { self: WordRange; before?: WordRange; after?: WordRange } {
  const self = wordCharsAround(text, word);
  const b = WORD_BEFORE_SPACE.exec(text.slice(Math.max(0, self.start - 64), self.start));
  const a = SPACE_THEN_WORD.exec(text.slice(self.end, self.end + 64));
  const beforeEnd = b ? self.start - b[2].length : 0;
  return {
    self,
    ...(b ? { before: { start: beforeEnd - b[1].length, end: beforeEnd } } : {}),
    ...(a ? { after: { start: self.end + a[1].length, end: self.end + a[0].length } } : {}),
  };
}

/**
 * Where the word repeats the word before it or after it, with only spaces or tabs between:
 * the span to delete, one copy and the space between. The second copy goes when the two are
 * written alike but for case ("The the": the first stays as typed); otherwise the first goes,
 * so that the marks the second carries stay ("drivers drivers' union").
 */
function repeatedNeighbour(text: string, word: { start: number; end: number }, key: string): { start: number; end: number } | undefined {
  const { self, before, after } = adjacentWords(text, word);
  const same = (w: WordRange | undefined): w is WordRange => w !== undefined && normalise(text.slice(w.start, w.end)) === key;
  const pair = same(before) ? [before, self] : same(after) ? [self, after] : undefined;
  if (!pair) return undefined;
  const [first, second] = pair;
  const alike = text.slice(first.start, first.end).toLowerCase() === text.slice(second.start, second.end).toLowerCase();
  return alike ? { start: first.end, end: second.end } : { start: first.start, end: second.start };
}

/** [start, end) grown over the word characters on both sides, edge marks included. */
function wordCharsAround(text: string, span: { start: number; end: number }): { start: number; end: number } {
  let start = span.start;
  let end = span.end;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  while (end < text.length && WORD_CHAR.test(text[end])) end++;
  return { start, end };
}

/** A word as the confusable sets write it: lower case, ASCII apostrophes, no edge marks. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/’/g, "'").replace(EDGE_MARKS, '');
}
