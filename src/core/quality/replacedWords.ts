/**
 * Replaced-word detection against ONE fixed generator, so that runs whose own generators
 * differ in strength are compared on the same replacements: a share of the words of
 * held-out sentences (15% by default, as ELECTRA masks) is replaced by a draw from a fixed
 * generator (wordGenerator.ts: by default the two-sided trigram sampler trained on a fixed
 * text, or a model's generator). A draw equal to the original word is labelled original.
 * The generator's strength is its top-1 accuracy: how often its most likely word is the
 * original one. Which words are drawn, and the uniforms of the draws, depend on the seed
 * alone, so two generators replace the same positions.
 */
import { Rng } from '../common/random';
import { matchCase } from './confusables';
import type { Paragraphs } from './prose';
import type { DrawRequest, WordGenerator } from './wordGenerator';
import { wordsOf, type WordSpan } from './words';

export interface ReplacedText {
  text: string;
  words: WordSpan[];
  /** 1 where the word was replaced by a different word. */
  replaced: Uint8Array;
  /** Positions that drew a replacement (replaced or not). */
  drawn: number;
  /** Share of drawn positions where the generator's most likely word was the original. */
  generatorTop1: number;
}

export async function replaceWords(paragraphs: Paragraphs, generator: WordGenerator, options: { seed: number; rate?: number }): Promise<ReplacedText> {
  const rng = new Rng(options.seed);
  const rate = options.rate ?? 0.15;
  const requests: DrawRequest[][] = paragraphs.map((paragraph) =>
    paragraph.map((sentence) => {
      const words = wordsOf(sentence);
      const r: DrawRequest = { sentence, words, drawn: [], uniforms: [] };
      words.forEach((_, i) => {
        if (rng.next() < rate) {
          r.drawn.push(i);
          r.uniforms.push(rng.next());
        }
      });
      return r;
    }),
  );
  const flat = requests.flat();
  const draws = await generator.draw(flat);
  const labels: number[] = [];
  let drawn = 0;
  let top1 = 0;
  let n = 0;
  const out = requests.map((paragraph) =>
    paragraph.map((r) => {
      const sentenceDraws = draws[n++];
      const by = new Map<number, string>();
      r.drawn.forEach((i, k) => {
        const d = sentenceDraws[k];
        if (!d) return;
        drawn++;
        const lower = r.words[i].text.toLowerCase();
        if (d.best === lower) top1++;
        if (d.sample !== lower) by.set(i, matchCase(d.sample, r.words[i].text));
      });
      let text = '';
      let at = 0;
      r.words.forEach((w, i) => {
        const replacement = by.get(i);
        text += r.sentence.slice(at, w.start) + (replacement ?? w.text);
        at = w.end;
        labels.push(replacement === undefined ? 0 : 1);
      });
      return text + r.sentence.slice(at);
    }),
  );
  const text = out.map((p) => p.join('\n')).join('\n\n') + '\n';
  const words = wordsOf(text);
  if (words.length !== labels.length) throw new Error(`replaceWords: ${words.length} words after replacement, ${labels.length} before`);
  return { text, words, replaced: Uint8Array.from(labels), drawn, generatorTop1: drawn > 0 ? top1 / drawn : NaN };
}
