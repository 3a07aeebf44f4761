/**
 * The fixed generators of the replaced-word task (replacedWords.ts): what draws a word for a
 * chosen position of a sentence, and says which word it found most likely there (its top-1
 * accuracy is how often that is the original word: the generator's strength).
 *
 * - The two-sided Kneser-Ney trigram sampler (ngram.ts, KneserNeyTrigram.sampleAt): each
 *   draw sees the original sentence around it. The default, trained on Brown's training split.
 * - A model's own generator (a masked LM, e.g. the shipped base model's): the chosen words of
 *   a sentence are masked together, one [MASK] a word, as ELECTRA masks, and each is drawn
 *   from the generator's distribution restricted to the whole words of its vocabulary (pieces
 *   of letters only: no "##" continuation, punctuation or special token), so that a draw is
 *   a word that can stand in the text. A sentence longer than the model's window gets no draws.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendPreference } from '../wasm/backend';
import { Scorer } from '../score/scoring';
import type { KneserNeyTrigram } from './ngram';
import type { WordSpan } from './words';

/** One sentence's draws: the indices (into `words`) to draw at, with one uniform in [0, 1) each. */
export interface DrawRequest {
  sentence: string;
  words: WordSpan[];
  drawn: number[];
  uniforms: number[];
}

/** A drawn word (lower case) and the generator's most likely word; null where it could not draw. */
export type Draw = { sample: string; best: string } | null;

export interface WordGenerator {
  /** In words, for the report: "two-sided KN trigram sampler on Brown's training split". */
  readonly description: string;
  /** For each request, one draw per drawn index, in order. */
  draw(requests: DrawRequest[]): Promise<Draw[][]>;
  dispose?(): void;
}

/** The trigram sampler as a fixed generator. */
export function trigramWordGenerator(model: KneserNeyTrigram, description: string): WordGenerator {
  return {
    description,
    draw: async (requests) =>
      requests.map((r) => {
        const lower = r.words.map((w) => w.text.toLowerCase());
        return r.drawn.map((i, k) => model.sampleAt(lower, i, r.uniforms[k]));
      }),
  };
}

/** Sentences sent to the generator at once. */
const SENTENCES_PER_BATCH = 32;
const WHOLE_WORD = /^[a-z]+$/;

/** A model's generator as a fixed generator (see the file comment). */
export class ModelWordGenerator implements WordGenerator {
  private constructor(
    private readonly scorer: Scorer,
    /** 1 for the vocabulary ids that are whole words. */
    private readonly wholeWord: Uint8Array,
    readonly description: string,
  ) {}

  static async load(path: string, options: { backend?: BackendPreference } = {}): Promise<ModelWordGenerator> {
    // The scorer serves ELECTRA runs only: a masked LM's one encoder is not loaded as a generator yet.
    const scorer = await Scorer.load(path, { backend: options.backend, workers: 1 }).catch((e: Error) => {
      throw new Error(`cannot draw words with ${path}'s generator: ${e.message}`);
    });
    const size = scorer.config.vocabSize;
    const wholeWord = new Uint8Array(size);
    for (let id = 0; id < size; id++) wholeWord[id] = !scorer.tokenizer.isSpecial(id) && WHOLE_WORD.test(scorer.tokenizer.idToToken(id)) ? 1 : 0;
    return new ModelWordGenerator(scorer, wholeWord, `the generator of ${scorer.checkpointDir} (step ${scorer.checkpointStep}), whole words, the drawn words of a sentence masked together`);
  }

  async draw(requests: DrawRequest[]): Promise<Draw[][]> {
    const out: Draw[][] = [];
    for (let from = 0; from < requests.length; from += SENTENCES_PER_BATCH) out.push(...(await this.drawBatch(requests.slice(from, from + SENTENCES_PER_BATCH))));
    return out;
  }

  dispose(): void {
    this.scorer.dispose();
  }

  private async drawBatch(requests: DrawRequest[]): Promise<Draw[][]> {
    const { cls, sep, mask, pad } = this.scorer.tokenizer.specialIds;
    const window = this.scorer.config.maxSeqLength;
    // Per request: its ids with one [MASK] per drawn word, and where the masks are; undefined if it does not fit.
    const inputs = requests.map((r) => {
      if (r.drawn.length === 0) return undefined;
      const firstPieceOf = new Map<number, number>(); // token index -> drawn k
      const inside = new Set<number>();
      const tokens = this.scorer.tokenize(r.sentence);
      r.drawn.forEach((i, k) => {
        const w = r.words[i];
        const covered = tokens.map((t, j) => (t.end > w.start && t.start < w.end ? j : -1)).filter((j) => j >= 0);
        if (covered.length === 0) return;
        firstPieceOf.set(covered[0], k);
        for (const j of covered) inside.add(j);
      });
      const ids = [cls];
      const maskAt = new Array<number>(r.drawn.length).fill(-1);
      tokens.forEach((t, j) => {
        const k = firstPieceOf.get(j);
        if (k !== undefined) {
          maskAt[k] = ids.length;
          ids.push(mask);
        } else if (!inside.has(j)) ids.push(t.id);
      });
      ids.push(sep);
      return ids.length <= window ? { ids, maskAt } : undefined;
    });
    const fitting = inputs.filter((x) => x !== undefined);
    const draws: Draw[][] = requests.map((r) => r.drawn.map(() => null));
    if (fitting.length === 0) return draws;
    const T = Math.max(...fitting.map((x) => x.ids.length));
    const ids = new Int32Array(fitting.length * T).fill(pad);
    const attention = new Float32Array(fitting.length * T);
    const positions: number[] = [];
    fitting.forEach((x, b) => {
      ids.set(x.ids, b * T);
      attention.fill(1, b * T, b * T + x.ids.length);
      for (const p of x.maskAt) if (p >= 0) positions.push(b * T + p);
    });
    const V = this.scorer.config.vocabSize;
    const probabilities = tf.tidy(() => {
      const logits = this.scorer.model.generatorLogits(tf.tensor2d(ids, [fitting.length, T], 'int32'), tf.tensor2d(attention, [fitting.length, T]), tf.tensor1d(positions, 'int32'));
      return tf.softmax(logits).dataSync() as Float32Array;
    });
    let row = 0;
    requests.forEach((r, n) => {
      const x = inputs[n];
      if (!x) return;
      x.maskAt.forEach((p, k) => {
        if (p < 0) return;
        draws[n][k] = this.sample(probabilities.subarray(row * V, (row + 1) * V), r.uniforms[k]);
        row++;
      });
    });
    return draws;
  }

  /** A whole word drawn from `p` restricted to whole words, and the most likely of them. */
  private sample(p: Float32Array, u01: number): { sample: string; best: string } {
    let total = 0;
    let best = -1;
    for (let id = 0; id < p.length; id++) {
      if (!this.wholeWord[id]) continue;
      total += p[id];
      if (best < 0 || p[id] > p[best]) best = id;
    }
    const target = u01 * total;
    let acc = 0;
    let chosen = best;
    for (let id = 0; id < p.length; id++) {
      if (!this.wholeWord[id]) continue;
      acc += p[id];
      if (acc > target) {
        chosen = id;
        break;
      }
    }
    const word = (id: number) => this.scorer.tokenizer.idToToken(id);
    return { sample: word(chosen), best: word(best) };
  }
}
