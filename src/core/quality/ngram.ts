/**
 * The error benchmark's baselines, trained on the same text as the model:
 * - rarity: -log of a word's relative frequency (add-one smoothed);
 * - a word trigram model with interpolated Kneser-Ney smoothing (Chen and Goodman 1998,
 *   one discount per order, D = n1 / (n1 + 2 n2) from the count-of-counts).
 * Words are lowercased wordsOf() words; each sentence is padded with <s> <s> ... </s>.
 * A word's trigram score is -log of its probability given the words on both sides
 * (wordScores), as the discriminator sees both sides.
 */
import { wordsOf } from './words';

const BOS = '<s>';
/** Candidates the sampler weighs at a position: the previous word's most frequent followers. */
export const SAMPLER_CANDIDATES = 256;
const EOS = '</s>';

export function sentenceWords(sentence: string): string[] {
  return wordsOf(sentence).map((w) => w.text.toLowerCase());
}

export class KneserNeyTrigram {
  private readonly unigram = new Map<string, number>();
  private totalWords = 0;
  private readonly tri = new Map<string, number>(); // "u v w" -> c
  private readonly biContext = new Map<string, { count: number; types: number }>(); // "u v" -> c(u v .), N1+(u v .)
  private readonly cont2 = new Map<string, number>(); // "v w" -> N1+(. v w)
  private readonly cont2Context = new Map<string, { count: number; types: number }>(); // v -> sum_w N1+(. v w), N1+(v .) over those
  private readonly cont1 = new Map<string, number>(); // w -> N1+(. w)
  private cont1Total = 0;
  /** The most frequent words seen after each word (the candidates of the sampler). */
  readonly followers = new Map<string, string[]>();
  private d1 = 0.75;
  private d2 = 0.75;
  private d3 = 0.75;
  private finished = false;

  /** Adds sentences (each a list of lowercase words). */
  add(sentences: Iterable<string[]>): void {
    if (this.finished) throw new Error('KneserNeyTrigram: add() after the model was used');
    for (const words of sentences) {
      if (words.length === 0) continue;
      const seq = [BOS, BOS, ...words, EOS];
      for (const w of words) this.unigram.set(w, (this.unigram.get(w) ?? 0) + 1);
      this.totalWords += words.length;
      for (let i = 2; i < seq.length; i++) {
        const key = `${seq[i - 2]} ${seq[i - 1]} ${seq[i]}`;
        this.tri.set(key, (this.tri.get(key) ?? 0) + 1);
      }
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const n = [[0, 0], [0, 0], [0, 0]]; // per order: count of counts 1 and 2
    for (const [key, c] of this.tri) {
      const [u, v, w] = key.split(' ');
      const ctx = this.biContext.get(`${u} ${v}`) ?? { count: 0, types: 0 };
      ctx.count += c;
      ctx.types++;
      this.biContext.set(`${u} ${v}`, ctx);
      const vw = `${v} ${w}`;
      const prev = this.cont2.get(vw) ?? 0;
      this.cont2.set(vw, prev + 1);
      if (c <= 2) n[2][c - 1]++;
    }
    for (const [vw, c] of this.cont2) {
      const [v, w] = vw.split(' ');
      const ctx = this.cont2Context.get(v) ?? { count: 0, types: 0 };
      ctx.count += c;
      ctx.types++;
      this.cont2Context.set(v, ctx);
      this.cont1.set(w, (this.cont1.get(w) ?? 0) + 1);
      if (c <= 2) n[1][c - 1]++;
      if (v !== BOS && w !== EOS) {
        const list = this.followers.get(v) ?? [];
        list.push(w);
        this.followers.set(v, list);
      }
    }
    // The sampler's candidates: the most frequent followers (by continuation count) of each word.
    for (const [v, list] of this.followers) {
      list.sort((a, b) => (this.cont2.get(`${v} ${b}`) ?? 0) - (this.cont2.get(`${v} ${a}`) ?? 0));
      if (list.length > SAMPLER_CANDIDATES) list.length = SAMPLER_CANDIDATES;
    }
    for (const c of this.cont1.values()) {
      this.cont1Total += c;
      if (c <= 2) n[0][c - 1]++;
    }
    const discount = ([n1, n2]: number[]) => (n1 > 0 ? n1 / (n1 + 2 * n2) : 0.75);
    [this.d1, this.d2, this.d3] = n.map(discount);
  }

  get vocabularySize(): number {
    return this.unigram.size;
  }

  /** P(w) by continuation counts, interpolated with a uniform share for unseen words. */
  private p1(w: string): number {
    const V = this.cont1.size + 1; // + the unknown word
    const c = this.cont1.get(w) ?? 0;
    return (Math.max(c - this.d1, 0) + (this.d1 * this.cont1.size) / V) / this.cont1Total;
  }

  private p2(w: string, v: string): number {
    const ctx = this.cont2Context.get(v);
    if (!ctx) return this.p1(w);
    const c = this.cont2.get(`${v} ${w}`) ?? 0;
    return (Math.max(c - this.d2, 0) + this.d2 * ctx.types * this.p1(w)) / ctx.count;
  }

  /** P(w | u v), interpolated Kneser-Ney. */
  probability(w: string, u: string, v: string): number {
    this.finish();
    const ctx = this.biContext.get(`${u} ${v}`);
    if (!ctx) return this.p2(w, v);
    const c = this.tri.get(`${u} ${v} ${w}`) ?? 0;
    return (Math.max(c - this.d3, 0) + this.d3 * ctx.types * this.p2(w, v)) / ctx.count;
  }

  /**
   * Per word of a sentence: -log of its probability given both sides of its context,
   * P(x | w_i-2 w_i-1) P(w_i+1 | w_i-1 x) P(w_i+2 | x w_i+1) normalised over x in the
   * word itself and the sampler's candidates (see sampleAt): how much less likely the
   * word is than the words that could stand there.
   */
  wordScores(words: string[]): Float64Array {
    this.finish();
    const seq = [BOS, BOS, ...words, EOS];
    const out = new Float64Array(words.length);
    for (let k = 0; k < words.length; k++) {
      const p = k + 2;
      const own = this.twoSided(seq, p, seq[p]);
      let total = own;
      for (const x of this.candidatesAt(seq, p)) if (x !== seq[p]) total += this.twoSided(seq, p, x);
      out[k] = -Math.log(own / total);
    }
    return out;
  }

  private candidatesAt(seq: string[], p: number): string[] {
    const followers = this.followers.get(seq[p - 1]);
    return followers && followers.length > 0 ? followers : this.frequentWords();
  }

  /** P(x | seq[p-2] seq[p-1]) P(seq[p+1] | seq[p-1] x) P(seq[p+2] | x seq[p+1]). */
  private twoSided(seq: string[], p: number, x: string): number {
    let weight = this.probability(x, seq[p - 2], seq[p - 1]);
    if (p + 1 < seq.length) weight *= this.probability(seq[p + 1], seq[p - 1], x);
    if (p + 2 < seq.length) weight *= this.probability(seq[p + 2], x, seq[p + 1]);
    return weight;
  }

  /** Rarity: -log of the word's add-one smoothed relative frequency. */
  rarity(w: string): number {
    return -Math.log(((this.unigram.get(w) ?? 0) + 1) / (this.totalWords + this.unigram.size + 1));
  }

  /**
   * A word for position i of `words`, drawn from P(x | w_i-2 w_i-1) P(w_i+1 | w_i-1 x)
   * P(w_i+2 | x w_i+1) normalised over the SAMPLER_CANDIDATES words seen most often after
   * w_i-1 (or the most frequent words when none was): both sides of the context, as a
   * masked LM sees it.
   * Returns the draw and the argmax.
   */
  sampleAt(words: string[], i: number, u01: number): { sample: string; best: string } {
    this.finish();
    const seq = [BOS, BOS, ...words, EOS];
    const p = i + 2;
    const candidates = this.candidatesAt(seq, p);
    const weights = new Float64Array(candidates.length);
    let total = 0;
    let best = 0;
    candidates.forEach((x, k) => {
      const weight = this.twoSided(seq, p, x);
      weights[k] = weight;
      total += weight;
      if (weight > weights[best]) best = k;
    });
    let acc = 0;
    const target = u01 * total;
    for (let k = 0; k < candidates.length; k++) {
      acc += weights[k];
      if (acc > target) return { sample: candidates[k], best: candidates[best] };
    }
    return { sample: candidates[candidates.length - 1], best: candidates[best] };
  }

  private frequent?: string[];
  private frequentWords(): string[] {
    this.frequent ??= [...this.unigram.entries()].sort((a, b) => b[1] - a[1]).slice(0, SAMPLER_CANDIDATES).map(([w]) => w);
    return this.frequent;
  }
}
