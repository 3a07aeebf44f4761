/**
 * Real-word errors planted in prose, one error in a corrupted sentence, deterministic for
 * a seed. The kinds:
 *   confusable  a word swapped for another of its confusable set (their -> there)
 *   doubled     a word written twice ("the the"); both copies are planted words (either is the error)
 *   replaced    a word replaced by another word drawn from the same text, by frequency
 *   swapped     two adjacent words in the other order; both are planted words
 * The first word of a sentence is never touched (a capital letter would give it away).
 * Sentences are picked in a seeded order; each corrupted sentence takes the applicable kind
 * planted least so far, so the kinds stay balanced. The other sentences stay clean: false
 * flags are counted on their words only.
 */
import { Rng } from '../common/random';
import { CONFUSABLES, matchCase } from './confusables';
import type { Paragraphs } from './prose';
import { wordsOf, type WordSpan } from './words';

export type ErrorKind = 'confusable' | 'doubled' | 'replaced' | 'swapped';
export const ERROR_KINDS: readonly ErrorKind[] = ['confusable', 'doubled', 'replaced', 'swapped'];

export interface PlantedError {
  kind: ErrorKind;
  /** Index of the sentence (in reading order over all paragraphs). */
  sentence: number;
  /** The words before and after, for reports: "their" -> "there". */
  before: string;
  after: string;
}

export interface PlantedText {
  text: string;
  words: WordSpan[];
  /** Per word: the index in `errors` of the error it belongs to, or -1 for a clean word. */
  errorOf: Int32Array;
  /** Per word: 1 when its sentence holds no planted error. */
  inCleanSentence: Uint8Array;
  errors: PlantedError[];
}

export interface PlantOptions {
  seed: number;
  /** Share of sentences that get an error (default 0.5). */
  fraction?: number;
}

interface Planted {
  sentence: string;
  /** Character ranges of the planted words in the new sentence. */
  spans: Array<[number, number]>;
  before: string;
  after: string;
}

export function plantErrors(paragraphs: Paragraphs, options: PlantOptions): PlantedText {
  const rng = new Rng(options.seed);
  const sentences = paragraphs.flat();
  const pool = sentences.flatMap((s) => wordsOf(s).map((w) => w.text));
  const order = rng.shuffle(Array.from({ length: sentences.length }, (_, i) => i));
  const wanted = Math.round((options.fraction ?? 0.5) * sentences.length);
  const counts = new Map<ErrorKind, number>(ERROR_KINDS.map((k) => [k, 0]));
  const planted = new Map<number, Planted & { kind: ErrorKind }>();
  for (const index of order) {
    if (planted.size >= wanted) break;
    const kinds = [...ERROR_KINDS].sort((a, b) => counts.get(a)! - counts.get(b)!);
    for (const kind of kinds) {
      const result = PLANTERS[kind](sentences[index], rng, pool);
      if (!result) continue;
      planted.set(index, { ...result, kind });
      counts.set(kind, counts.get(kind)! + 1);
      break;
    }
  }

  // Assemble the text; remember where each planted word landed.
  const errors: PlantedError[] = [];
  const plantedSpans: Array<[number, number, number]> = []; // start, end, error index
  const cleanRanges: Array<[number, number]> = [];
  let text = '';
  let s = 0;
  paragraphs.forEach((paragraph, p) => {
    if (p > 0) text += '\n';
    for (const original of paragraph) {
      const hit = planted.get(s);
      const offset = text.length;
      if (hit) {
        errors.push({ kind: hit.kind, sentence: s, before: hit.before, after: hit.after });
        for (const [a, b] of hit.spans) plantedSpans.push([offset + a, offset + b, errors.length - 1]);
        text += hit.sentence;
      } else {
        text += original;
        cleanRanges.push([offset, text.length]);
      }
      text += '\n';
      s++;
    }
  });

  const words = wordsOf(text);
  const errorOf = new Int32Array(words.length).fill(-1);
  const inCleanSentence = new Uint8Array(words.length);
  const spanKey = new Map(plantedSpans.map(([a, b, e]) => [`${a}:${b}`, e]));
  let c = 0;
  words.forEach((w, i) => {
    const e = spanKey.get(`${w.start}:${w.end}`);
    if (e !== undefined) errorOf[i] = e;
    while (c < cleanRanges.length && cleanRanges[c][1] <= w.start) c++;
    if (c < cleanRanges.length && w.start >= cleanRanges[c][0]) inCleanSentence[i] = 1;
  });
  const labelled = new Set(errorOf);
  if (plantedSpans.some(([, , e]) => !labelled.has(e))) throw new Error('plantErrors: a planted word does not align with a word of the text');
  return { text, words, errorOf, inCleanSentence, errors };
}

type Planter = (sentence: string, rng: Rng, pool: readonly string[]) => Planted | undefined;

const replaceAt = (s: string, w: WordSpan, by: string) => s.slice(0, w.start) + by + s.slice(w.end);

const PLANTERS: Record<ErrorKind, Planter> = {
  confusable(sentence, rng) {
    const candidates = wordsOf(sentence).slice(1).filter((w) => CONFUSABLES.has(w.text.toLowerCase()));
    if (candidates.length === 0) return undefined;
    const w = candidates[rng.int(candidates.length)];
    const others = CONFUSABLES.get(w.text.toLowerCase())!;
    const by = matchCase(others[rng.int(others.length)], w.text);
    return { sentence: replaceAt(sentence, w, by), spans: [[w.start, w.start + by.length]], before: w.text, after: by };
  },
  doubled(sentence, rng) {
    const words = wordsOf(sentence).slice(1);
    if (words.length < 2) return undefined;
    const w = words[rng.int(words.length)];
    const copy = w.text;
    return {
      sentence: sentence.slice(0, w.end) + ' ' + copy + sentence.slice(w.end),
      spans: [[w.start, w.end], [w.end + 1, w.end + 1 + copy.length]],
      before: w.text,
      after: `${w.text} ${copy}`,
    };
  },
  replaced(sentence, rng, pool) {
    const words = wordsOf(sentence).slice(1);
    if (words.length < 2) return undefined;
    const w = words[rng.int(words.length)];
    for (let attempt = 0; attempt < 20; attempt++) {
      const drawn = pool[rng.int(pool.length)];
      if (drawn.toLowerCase() === w.text.toLowerCase()) continue;
      // A capitalised draw keeps its case (a name stays a name); a lowercase one takes the word's.
      const by = drawn[0] !== drawn[0].toLowerCase() ? drawn : matchCase(drawn, w.text);
      return { sentence: replaceAt(sentence, w, by), spans: [[w.start, w.start + by.length]], before: w.text, after: by };
    }
    return undefined;
  },
  swapped(sentence, rng) {
    const words = wordsOf(sentence);
    const pairs: number[] = [];
    for (let i = 1; i + 1 < words.length; i++) {
      const [a, b] = [words[i], words[i + 1]];
      if (sentence.slice(a.end, b.start) === ' ' && a.text.toLowerCase() !== b.text.toLowerCase()) pairs.push(i);
    }
    if (pairs.length === 0) return undefined;
    const i = pairs[rng.int(pairs.length)];
    const [a, b] = [words[i], words[i + 1]];
    const swapped = sentence.slice(0, a.start) + b.text + ' ' + a.text + sentence.slice(b.end);
    const bEnd = a.start + b.text.length;
    return { sentence: swapped, spans: [[a.start, bEnd], [bEnd + 1, bEnd + 1 + a.text.length]], before: `${a.text} ${b.text}`, after: `${b.text} ${a.text}` };
  },
};
