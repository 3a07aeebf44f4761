/**
 * Neighbour heads: an initialisation that gives the discriminator's first layer (a masked LM's
 * encoder's, for that objective) one attention head on the previous token and one on the next
 * from step 0, instead of leaving attention to find word order by itself.
 *
 * Why: every real-word error ("the the", two words swapped, "their going") is visible only
 * from the neighbouring words, and with BERT's N(0, 0.02) initialisation a small model trained
 * for minutes or hours on a CPU never builds a head that reads a fixed offset. Its position
 * embeddings stay unstructured and it ranks tokens by their identity alone. The context probe
 * (quality/contextProbe.ts) measures the difference; docs/recipes.md has the figures.
 *
 * How: the position embeddings become sinusoids of random frequencies (one frequency per pair
 * of dimensions, as in the Transformer's fixed encoding, but learnt from there on) in a few
 * dimensions of their own, which the word and token-type embeddings leave empty. For such
 * embeddings the position t-1 is a fixed rotation of the position t, so a query that rotates
 * those dimensions by one step back and a key that reads them unchanged make the attention
 * logit sum_i cos(w_i (t - 1 - s)), which peaks at s = t - 1 whatever the words are. Only
 * values change: the parameters, their names and shapes stay Hugging Face's ELECTRA layout,
 * and training moves them freely from there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ElectraModel } from './model';
import { pretrainedEncoder } from './config';
import { Rng, deriveSeed } from '../common/random';

/** The attention offsets the first heads of layer 0 are given, in head order. */
export const NEIGHBOUR_OFFSETS = [-1, 1] as const;

/**
 * The attention logit at the neighbour, before softmax: high enough that a head starts out
 * looking almost only there (the largest sidelobe is under half of it), low enough that
 * training can still turn it into something else.
 */
const PEAK_LOGIT = 16;
/** Random frequency sets drawn; the one with the lowest largest sidelobe is kept. */
const FREQUENCY_DRAWS = 32;
/** Frequencies below this repeat too slowly to tell adjacent positions apart. */
const MIN_FREQUENCY = 0.3;
/**
 * The share of a head's width (and of the embedding) given to positions. The words keep the
 * rest: the neighbour heads read positions free of them, and the value of the token they find
 * still carries its word. Larger position embeddings mixed into every dimension sharpen the
 * heads too, but squeeze the words in the embedding LayerNorm, and the probe then learns slower
 * than without neighbour heads.
 */
const POSITION_SHARE_OF_HEAD = 0.5;

const POSITIONS = 'electra.embeddings.position_embeddings.weight';
const WORDS = 'electra.embeddings.word_embeddings.weight';
const TOKEN_TYPES = 'electra.embeddings.token_type_embeddings.weight';
const EMBEDDING_NORM = 'electra.embeddings.LayerNorm';

/**
 * Gives `model` neighbour heads in place: the first dimensions of the embeddings hold sinusoidal
 * positions only, and in the encoder's layer 0 the query and key rows of heads 0 and 1
 * (previous and next token) read them. Everything else keeps its value. Throws, changing
 * nothing, when the shapes leave no room for it, or for a trained model with an embedding
 * projection (rewriting it would lose what it learnt).
 */
export function implantNeighbourHeads(model: ElectraModel, seed: number, options: { fresh: boolean }): void {
  const c = model.config;
  // ELECTRA's discriminator, or a masked LM's one encoder: the network whose attention is judged.
  const encoder = pretrainedEncoder(c);
  const LAYER0 = `${encoder}.electra.encoder.layer.0.attention.self`;
  const PROJECT = `${encoder}.electra.embeddings_project`;
  const E = c.embeddingSize;
  const H = c[encoder].hiddenSize;
  const heads = c[encoder].numAttentionHeads;
  const headSize = H / heads;
  const dims = 2 * Math.floor((headSize * POSITION_SHARE_OF_HEAD) / 2);
  const projected = model.params.has(`${PROJECT}.weight`);
  if (dims < 2 || dims >= E) throw new Error(`neighbour heads need heads at least 4 wide and narrower than the embeddings (${E}); this model's are ${headSize}`);
  if (projected && !options.fresh) {
    throw new Error('neighbour heads can be given to a trained model only when its embeddings are as wide as its hidden layers (no embedding projection)');
  }

  const frequencies = neighbourFrequencies(dims / 2, c.maxPositionEmbeddings, seed);
  const words = model.p(WORDS).dataSync().slice() as Float32Array;
  const types = model.p(TOKEN_TYPES).dataSync().slice() as Float32Array;
  // Positions as large per dimension as the words are in theirs.
  const scale = rms(words);
  for (const table of [words, types]) for (let row = 0; row < table.length; row += E) table.fill(0, row, row + dims);
  const P = c.maxPositionEmbeddings;
  const positions = new Float32Array(P * E);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < dims / 2; i++) {
      positions[p * E + 2 * i] = Math.SQRT2 * scale * Math.sin(p * frequencies[i]);
      positions[p * E + 2 * i + 1] = Math.SQRT2 * scale * Math.cos(p * frequencies[i]);
    }
  }

  // The embedding LayerNorm's gains and biases in the position dimensions go back to 1 and 0: in
  // a trained model they served words that are no longer there, and unequal gains would distort
  // the rotation. The norm divides by a spread of about `scale` (words and positions alike), so after
  // it a pair (sin, cos) has a squared length of about 2; the query's gain g turns the sum over
  // the pairs into the peak logit.
  const normGain = model.p(`${EMBEDDING_NORM}.weight`).dataSync().slice() as Float32Array;
  const normBias = model.p(`${EMBEDDING_NORM}.bias`).dataSync().slice() as Float32Array;
  normGain.fill(1, 0, dims);
  normBias.fill(0, 0, dims);
  const pairLength = 2;
  const g = (PEAK_LOGIT * Math.sqrt(headSize)) / ((dims / 2) * pairLength);

  const query = model.p(`${LAYER0}.query.weight`).dataSync().slice() as Float32Array; // [out H, in H]
  const key = model.p(`${LAYER0}.key.weight`).dataSync().slice() as Float32Array;
  const queryBias = model.p(`${LAYER0}.query.bias`).dataSync().slice() as Float32Array;
  const keyBias = model.p(`${LAYER0}.key.bias`).dataSync().slice() as Float32Array;
  for (const [head, offset] of NEIGHBOUR_OFFSETS.slice(0, heads).entries()) {
    const rows = head * headSize;
    query.fill(0, rows * H, (rows + headSize) * H);
    key.fill(0, rows * H, (rows + headSize) * H);
    queryBias.fill(0, rows, rows + headSize);
    keyBias.fill(0, rows, rows + headSize);
    for (let i = 0; i < dims / 2; i++) {
      // (sin wt, cos wt) -> (sin w(t+k), cos w(t+k)): a rotation by w k.
      const cos = Math.cos(frequencies[i] * offset);
      const sin = Math.sin(frequencies[i] * offset);
      const a = 2 * i;
      const b = a + 1;
      query[(rows + a) * H + a] = g * cos;
      query[(rows + a) * H + b] = g * sin;
      query[(rows + b) * H + a] = -g * sin;
      query[(rows + b) * H + b] = g * cos;
      key[(rows + a) * H + a] = 1;
      key[(rows + b) * H + b] = 1;
    }
  }

  tf.tidy(() => {
    model.p(WORDS).assign(tf.tensor2d(words, model.p(WORDS).shape as [number, number]));
    model.p(TOKEN_TYPES).assign(tf.tensor2d(types, model.p(TOKEN_TYPES).shape as [number, number]));
    model.p(POSITIONS).assign(tf.tensor2d(positions, [P, E]));
    model.p(`${EMBEDDING_NORM}.weight`).assign(tf.tensor1d(normGain));
    model.p(`${EMBEDDING_NORM}.bias`).assign(tf.tensor1d(normBias));
    model.p(`${LAYER0}.query.weight`).assign(tf.tensor2d(query, [H, H]));
    model.p(`${LAYER0}.key.weight`).assign(tf.tensor2d(key, [H, H]));
    model.p(`${LAYER0}.query.bias`).assign(tf.tensor1d(queryBias));
    model.p(`${LAYER0}.key.bias`).assign(tf.tensor1d(keyBias));
    if (projected) {
      // The position dimensions pass through the projection unchanged into the same hidden
      // dimensions, which the heads read; the rest of the projection keeps its random values.
      const w = model.p(`${PROJECT}.weight`).dataSync().slice() as Float32Array; // [H, E]
      const b = model.p(`${PROJECT}.bias`).dataSync().slice() as Float32Array;
      for (let d = 0; d < dims; d++) {
        w.fill(0, d * E, (d + 1) * E);
        w[d * E + d] = 1;
        b[d] = 0;
      }
      model.p(`${PROJECT}.weight`).assign(tf.tensor2d(w, [H, E]));
      model.p(`${PROJECT}.bias`).assign(tf.tensor1d(b));
    }
  });
}

/**
 * `count` frequencies in (MIN_FREQUENCY, pi) whose attention kernel sum_i cos(w_i d) stays
 * lowest away from d = 0 over the distances positions can have: random sets have no exact
 * aliasing, and the best of a few draws halves the worst sidelobe of evenly spaced ones.
 */
function neighbourFrequencies(count: number, maxPositions: number, seed: number): number[] {
  const rng = new Rng(deriveSeed(seed, 'neighbour-heads', 'frequencies'));
  let best: number[] = [];
  let bestSidelobe = Infinity;
  for (let draw = 0; draw < FREQUENCY_DRAWS; draw++) {
    const w = Array.from({ length: count }, () => MIN_FREQUENCY + rng.next() * (Math.PI - MIN_FREQUENCY));
    let sidelobe = -Infinity;
    for (let d = 1; d < maxPositions; d++) {
      let k = 0;
      for (const f of w) k += Math.cos(f * d);
      sidelobe = Math.max(sidelobe, k);
    }
    if (sidelobe < bestSidelobe) {
      best = w;
      bestSidelobe = sidelobe;
    }
  }
  return best;
}

function rms(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s / values.length);
}
