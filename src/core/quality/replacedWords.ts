/**
 * Replaced-word detection against ONE fixed generator, so that runs whose own generators
 * differ in strength are compared on the same replacements: a share of the words of
 * held-out sentences (15% by default, as ELECTRA masks) is replaced by a draw from the
 * two-sided trigram sampler (KneserNeyTrigram.sampleAt) trained on a fixed text. Each draw
 * sees the original sentence, as ELECTRA's generator sees the original context around its
 * masks. A draw equal to the original word is labelled original. The sampler's strength is
 * its top-1 accuracy: how often its most likely word is the original one.
 */
import { Rng } from '../common/random';
import { matchCase } from './confusables';
import type { KneserNeyTrigram } from './ngram';
import type { Paragraphs } from './prose';
import { wordsOf, type WordSpan } from './words';

export interface ReplacedText {
  text: string;
  words: WordSpan[];
  /** 1 where the word was replaced by a different word. */
  replaced: Uint8Array;
  /** Positions that drew a replacement (replaced or not). */
  drawn: number;
  /** Share of drawn positions where the sampler's most likely word was the original. */
  generatorTop1: number;
}

export function replaceWords(paragraphs: Paragraphs, generator: KneserNeyTrigram, options: { seed: number; rate?: number }): ReplacedText {
  const rng = new Rng(options.seed);
  const rate = options.rate ?? 0.15;
  const labels: number[] = [];
  let drawn = 0;
  let top1 = 0;
  const out = paragraphs.map((paragraph) =>
    paragraph.map((sentence) => {
      const spans = wordsOf(sentence);
      const lower = spans.map((w) => w.text.toLowerCase());
      let text = '';
      let at = 0;
      spans.forEach((w, i) => {
        let by = w.text;
        let label = 0;
        if (rng.next() < rate) {
          const { sample, best } = generator.sampleAt(lower, i, rng.next());
          drawn++;
          if (best === lower[i]) top1++;
          if (sample !== lower[i]) {
            by = matchCase(sample, w.text);
            label = 1;
          }
        }
        text += sentence.slice(at, w.start) + by;
        at = w.end;
        labels.push(label);
      });
      return text + sentence.slice(at);
    }),
  );
  const text = out.map((p) => p.join('\n')).join('\n\n') + '\n';
  const words = wordsOf(text);
  if (words.length !== labels.length) throw new Error(`replaceWords: ${words.length} words after replacement, ${labels.length} before`);
  return { text, words, replaced: Uint8Array.from(labels), drawn, generatorTop1: drawn > 0 ? top1 / drawn : NaN };
}
