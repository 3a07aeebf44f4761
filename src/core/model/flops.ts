/**
 * Training FLOPs: the compute budget in which ELECTRA and masked-LM pre-training are
 * compared (Clark et al. 2020 compare at equal pre-training FLOPs).
 *
 * Counted: every matrix multiplication the model runs, at 2*m*n*k FLOPs for an
 * [m, k] x [k, n] product, exactly as model.ts computes it:
 *   - each encoder's embeddings_project (when the embedding size differs from its hidden size),
 *   - per layer the query, key, value and attention-output projections, the attention
 *     scores (Q K^T) and context (probs V) over the full padded length T, and the FFN's two
 *     dense layers, over every one of the B*T positions (padding included: it is computed),
 *   - the discriminator head (dense H->H, then H->1) at every position,
 *   - the masked-LM output (dense H->E, then the tied E->V vocabulary projection) at the
 *     masked positions only: model.ts gathers those rows before projecting, for the
 *     generator and for the masked-LM objective alike.
 * Backward = 2x forward (the gradient with respect to each input and each weight is one
 * product of the same size apiece), so a training step is 3x its forward matmuls. Every
 * matmul's input needs its gradient here (the embeddings are trained), so no product is
 * exempt. Not counted: element-wise work, LayerNorm, softmax, GELU, dropout, gathers,
 * the generator's sampling and AdamW: they are O(parameters) or O(B*T*H), a few percent at
 * these sizes, and are not what the FLOP comparisons in the literature count either.
 * Held-out evaluation is not training compute and is not counted.
 */
import { objectiveOf, type ElectraConfig, type EncoderConfig } from './config';

/** What one micro-batch is made of, as the step computes it. */
export interface BatchShape {
  /** Sequences (B). */
  sequences: number;
  /** Padded length of every sequence (T). */
  seqLength: number;
  /** Masked positions in the whole micro-batch (P), where the vocabulary projection runs. */
  maskedPositions: number;
}

/** Forward FLOPs of one part of the model, by name, and their sum. */
export interface FlopBreakdown {
  parts: Record<string, number>;
  forward: number;
  /** forward + backward = 3 x forward. */
  training: number;
}

/** 2*m*n*k: the FLOPs of an [m, k] x [k, n] product. */
export const matMulFlops = (m: number, k: number, n: number): number => 2 * m * k * n;

/** Forward FLOPs of one transformer stack over B sequences of T tokens, embedding size E. */
export function encoderForwardFlops(enc: EncoderConfig, embeddingSize: number, B: number, T: number): number {
  const N = B * T;
  const H = enc.hiddenSize;
  const project = embeddingSize !== H ? matMulFlops(N, embeddingSize, H) : 0;
  const perLayer =
    4 * matMulFlops(N, H, H) + // query, key, value, attention output
    2 * matMulFlops(B * T, H, T) + // scores Q K^T and context probs V: B*nh products of [T, hd] x [hd, T] and [T, T] x [T, hd]
    matMulFlops(N, H, enc.intermediateSize) + // intermediate.dense
    matMulFlops(N, enc.intermediateSize, H); // output.dense
  return project + enc.numHiddenLayers * perLayer;
}

/** Forward FLOPs of the masked-LM output (dense H->E, tied E->V) at P positions. */
export function maskedLmHeadFlops(hidden: number, embeddingSize: number, vocabSize: number, P: number): number {
  return matMulFlops(P, hidden, embeddingSize) + matMulFlops(P, embeddingSize, vocabSize);
}

/** Forward FLOPs of the discriminator head (dense H->H, then H->1) at all N positions. */
export function discriminatorHeadFlops(hidden: number, N: number): number {
  return matMulFlops(N, hidden, hidden) + matMulFlops(N, hidden, 1);
}

/**
 * The FLOPs of one training pass over a micro-batch, for the configuration's objective:
 * ELECTRA, generator + discriminator; masked LM, its encoder + output layer.
 */
export function trainingFlops(c: ElectraConfig, shape: BatchShape): FlopBreakdown {
  const { sequences: B, seqLength: T, maskedPositions: P } = shape;
  const E = c.embeddingSize;
  const parts: Record<string, number> = {};
  if (objectiveOf(c) === 'mlm') {
    // The masked-LM encoder has the discriminator's shapes (held under the generator's names).
    parts.encoder = encoderForwardFlops(c.generator, E, B, T);
    parts.maskedLmHead = maskedLmHeadFlops(c.generator.hiddenSize, E, c.vocabSize, P);
  } else {
    parts.generatorEncoder = encoderForwardFlops(c.generator, E, B, T);
    parts.generatorHead = maskedLmHeadFlops(c.generator.hiddenSize, E, c.vocabSize, P);
    parts.discriminatorEncoder = encoderForwardFlops(c.discriminator, E, B, T);
    parts.discriminatorHead = discriminatorHeadFlops(c.discriminator.hiddenSize, B * T);
  }
  const forward = Object.values(parts).reduce((a, f) => a + f, 0);
  return { parts, forward, training: 3 * forward };
}

/** Formats a FLOP count for people: 1.23e15 FLOPs -> "1.23 PFLOP". */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [[1e18, 'EFLOP'], [1e15, 'PFLOP'], [1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP']];
  // Compared after rounding to 3 digits: 9.9996e11 is "1.00 TFLOP", not "1.00e+3 GFLOP".
  for (const [scale, unit] of units) if (Number((flops / scale).toPrecision(3)) >= 1) return `${(flops / scale).toPrecision(3)} ${unit}`;
  return `${flops.toFixed(0)} FLOP`;
}

/** Parses a FLOP budget: a plain number or one with an SI suffix (2e15, 3P, 500T, 40G). */
export function parseFlops(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([kMGTPE]?)(?:FLOPs?)?\s*$/i.exec(text);
  if (!m) throw new Error(`not a FLOP count: ${JSON.stringify(text)} (write e.g. 2e15, 500T or 3P)`);
  const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, e: 1e18 };
  const value = Number(m[1]) * scale[m[2].toLowerCase()];
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`the FLOP budget must be a positive number, got ${text}`);
  return value;
}
