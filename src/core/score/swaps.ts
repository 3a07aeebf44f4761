/**
 * Two adjacent words in the wrong order ("we went the to store"), the fourth kind of real-word
 * error the models are trained and judged on (src/core/quality). Unlike the corrections of
 * corrections.ts, a word's form does not suggest this one, and a flagged word has two
 * neighbours it might trade places with; so each swap is read by the model, and offered only
 * where the model finds the swapped words and a word on each side clearly original: at most
 * SCORING_DEFAULTS.swapConfidence of the flagging threshold. Merely unflagged is not enough:
 * the model flags only some of the swaps it is shown, so moving a word it flags for another
 * reason (a rare word, an odd phrase) usually leaves both words unflagged too.
 *
 * The generator's pseudo-log-likelihood of the two orders would be the other witness, but the
 * shipped model's generator is too weak to prefer either (docs/benchmarks.md, "The swap fix").
 */
import { SCORING_DEFAULTS } from '../../shared/defaults';
import { adjacentWords, type Correction, type WordRange } from './corrections';

/** What a swap is read with: the discriminator's P(replaced) of every token of a short text, offsets into it (a Scorer). */
export interface SwapReader {
  score(text: string): Promise<{ tokens: ReadonlyArray<{ start: number; end: number; pReplaced: number }> }>;
}

/** Letters, with apostrophes or hyphens inside ("we’re", "well-known"). */
const PLAIN_WORD = /^\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*$/u;

/**
 * Context given to the model on each side of the pair, at most: about a window's worth of
 * words, and never past a blank line (the language server scores blocks, documentPlan.ts).
 */
const CONTEXT_CHARS = 400;

/**
 * The swaps of the word at `word` (a span from wordSpanAround) with the word before it or the
 * word after it that the model reads as clearly original, best first. `threshold` is the
 * flagging threshold in use. A capital at a sentence's start stays at the start ("Went we" ->
 * "We went").
 */
export async function preferredSwaps(text: string, word: { start: number; end: number }, threshold: number, reader: SwapReader): Promise<Correction[]> {
  if (!(threshold > 0)) return []; // at 0 nothing reads as clearly original: no need to ask the model
  const { self, before, after } = adjacentWords(text, word);
  const pairs: Array<[WordRange, WordRange]> = [];
  if (before) pairs.push([before, self]);
  if (after) pairs.push([self, after]);
  const candidates = pairs
    .filter(([first, second]) => text.slice(first.start, first.end).toLowerCase() !== text.slice(second.start, second.end).toLowerCase()) // doubled: corrections.ts
    // Words in the wrong order are words: not a number ("Listing 10-3"), nor a name_with_underscores or _emphasis_.
    .filter(([first, second]) => PLAIN_WORD.test(text.slice(first.start, first.end)) && PLAIN_WORD.test(text.slice(second.start, second.end)))
    .map(([first, second]) => ({
      first,
      second,
      // The pair with a word of context on each side: a swap must not trade a flag for another.
      region: { start: adjacentWords(text, first).before?.start ?? first.start, end: adjacentWords(text, second).after?.end ?? second.end },
    }));
  if (candidates.length === 0) return [];
  const context = contextAround(text, { start: Math.min(...candidates.map((c) => c.region.start)), end: Math.max(...candidates.map((c) => c.region.end)) });
  const asWritten = (await reader.score(text.slice(context.start, context.end))).tokens;
  const found: Array<{ correction: Correction; p: number }> = [];
  for (const { first, second, region } of candidates) {
    const swappedText = swapText(text, first, second);
    const grow = swappedText.length - (second.end - first.start);
    const swapped = text.slice(context.start, first.start) + swappedText + text.slice(second.end, context.end);
    const p = maxWithin((await reader.score(swapped)).tokens, region, context.start, grow);
    if (p <= threshold * SCORING_DEFAULTS.swapConfidence && p < maxWithin(asWritten, region, context.start, 0)) {
      found.push({ p, correction: { title: `Swap to '${swappedText}'`, edit: { start: first.start, end: second.end, newText: swappedText } } });
    }
  }
  return found.sort((x, y) => x.p - y.p).map((f) => f.correction);
}

/**
 * The text of [first.start, second.end) with the two words in the other order. At a sentence's
 * start the capital stays at the start ("Went we" -> "We went"; "I" and acronyms keep theirs).
 */
export function swapText(text: string, first: WordRange, second: WordRange): string {
  const a = text.slice(first.start, first.end);
  const b = text.slice(second.start, second.end);
  const between = text.slice(first.end, second.start);
  if (!(atSentenceStart(text, first.start) && /^\p{Lu}/u.test(a) && b === b.toLowerCase())) return b + between + a;
  return capitalise(b) + between + (/^\p{Lu}\p{Ll}+$/u.test(a) ? a.toLowerCase() : a);
}

/** The largest P(replaced) of the tokens inside `region` (text offsets; its end moved by `grow`) of a context starting at `offset`. */
function maxWithin(tokens: ReadonlyArray<{ start: number; end: number; pReplaced: number }>, region: WordRange, offset: number, grow: number): number {
  const start = region.start - offset;
  const end = region.end + grow - offset;
  let max = 0;
  for (const t of tokens) if (t.start >= start && t.end <= end) max = Math.max(max, t.pReplaced);
  return max;
}

/** Up to CONTEXT_CHARS of text on each side of `region`, cut at whitespace and at blank lines. */
function contextAround(text: string, region: WordRange): WordRange {
  let start = Math.max(0, region.start - CONTEXT_CHARS);
  const blankBefore = text.lastIndexOf('\n\n', region.start);
  if (blankBefore >= start) start = blankBefore + 2;
  else if (start > 0) start = nextWhitespace(text, start, region.start);
  let end = Math.min(text.length, region.end + CONTEXT_CHARS);
  const blankAfter = text.indexOf('\n\n', region.end);
  if (blankAfter >= 0 && blankAfter < end) end = blankAfter;
  else if (end < text.length) end = previousWhitespace(text, end, region.end);
  return { start, end };
}

function nextWhitespace(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit && !/\s/.test(text[i])) i++;
  return i;
}

function previousWhitespace(text: string, from: number, limit: number): number {
  let i = from;
  while (i > limit && !/\s/.test(text[i - 1])) i--;
  return i;
}

/** Nothing but spaces, quotes or brackets between `at` and the text's start or a sentence's end. */
function atSentenceStart(text: string, at: number): boolean {
  let i = at;
  while (i > 0 && /[\s"'“‘(\[]/u.test(text[i - 1])) i--;
  return i === 0 || /[.!?]/.test(text[i - 1]);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
