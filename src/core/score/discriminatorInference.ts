/**
 * The discriminator's forward pass for scoring, run straight on the wasm heap with the SIMD
 * kernels: what the language server computes after every edit, where each millisecond shows.
 *
 * model.ts builds the same pass from tf ops, for training, and that is the definition this
 * one is tested against (test/unit/discriminatorInference.test.ts). Scoring has constant
 * weights and needs no gradients, which lets this pass skip work the op-by-op one repeats
 * on every call:
 * - Dense weights are transposed and packed into the GEMM's panels once, at creation; the
 *   ops transpose and pack them again in every product.
 * - Query, key and value are one product with the three weights side by side.
 * - Each head's keys and values are packed for their products straight from that product's
 *   rows, and each head's context is written into its columns of the merged output: no
 *   transposes to split and merge heads.
 * - The residual and the bias are the starting value of the output projections' products,
 *   which accumulate into them: no separate adds.
 * What that saves per window: docs/benchmarks.md, "Scoring's own forward pass".
 *
 * An instance is a snapshot of the weights at creation: after they change, make a new one.
 * It holds wasm heap memory until dispose().
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatFloat32 } from '../common/arrays';
import type { ElectraModel } from '../model/model';
import type { Batch } from '../model/objective';
import { gemmPrepacked, packPanelsStrided, prepackedScratchFloats } from '../wasm/kernels/gemm';
import type { SimdKernels } from '../wasm/simd/kernels';
import { kernelOptions, pointer, simdKernels, type WasmBackendLike } from '../wasm/kernels/wasmHeap';

/** Additive attention bias of a padding key, as model.ts's maskBias. */
const PADDING_BIAS = -10000;

/** A dense layer's weight, packed (byte offset of its panels), and its bias (byte offset). */
interface PackedDense {
  panels: number;
  bias: number;
  K: number;
  N: number;
}

interface Layer {
  qkv: PackedDense;
  output: PackedDense;
  outputNorm: { gamma: number; beta: number };
  intermediate: PackedDense;
  ffnOutput: PackedDense;
  ffnNorm: { gamma: number; beta: number };
}

/**
 * Lays out float arrays in one heap buffer: `add` returns the byte offset an array will
 * have, `write` copies them there once the buffer exists (allocating may move the heap's
 * ArrayBuffer, so nothing is written before).
 */
class HeapLayout {
  private floats = 0;
  private readonly writers: Array<(heap: Float32Array, base: number) => void> = [];

  /** Reserves `size` floats (rounded up to whole 16-byte vectors); `fill` writes them from their float index. */
  reserve(size: number, fill?: (heap: Float32Array, at: number) => void): number {
    const at = this.floats;
    this.floats += Math.ceil(size / 4) * 4;
    if (fill) this.writers.push((heap, base) => fill(heap, base / 4 + at));
    return at * 4; // bytes from the buffer's start; made absolute by the caller
  }

  add(values: Float32Array): number {
    return this.reserve(values.length, (heap, at) => heap.set(values, at));
  }

  get size(): number {
    return this.floats;
  }

  write(heap: Float32Array, base: number): void {
    for (const w of this.writers) w(heap, base);
  }
}

export class DiscriminatorInference {
  private disposed = false;

  private constructor(
    private readonly backend: WasmBackendLike,
    private readonly simd: SimdKernels,
    private readonly weights: tf.TensorInfo,
    private readonly dims: { V: number; E: number; H: number; F: number; nh: number; hd: number; maxPositions: number; eps: number },
    private readonly embeddings: { words: number; positions: number; gamma: number; beta: number },
    private readonly projection: PackedDense | undefined,
    private readonly layers: Layer[],
    private readonly head: { dense: PackedDense; prediction: number; predictionBias: number },
  ) {}

  /**
   * A snapshot of `model`'s discriminator, or undefined where this pass cannot run: another
   * backend than wasm, no WebAssembly SIMD, or sizes the GEMM does not take (widths not a
   * multiple of 8). Callers then use the tf ops.
   */
  static create(model: ElectraModel): DiscriminatorInference | undefined {
    if (tf.getBackend() !== 'wasm' || !kernelOptions.simd) return undefined;
    const backend = tf.backend() as unknown as WasmBackendLike;
    const simd = simdKernels(backend);
    const c = model.config;
    const { hiddenSize: H, intermediateSize: F, numAttentionHeads: nh, numHiddenLayers: L } = c.discriminator;
    const E = c.embeddingSize;
    const hd = H / nh;
    if (!simd || !Number.isInteger(hd) || [H, F, hd].some((n) => n % 8 !== 0)) return undefined;

    const values = (name: string) => model.p(name).dataSync() as Float32Array;
    const layout = new HeapLayout();
    // A dense weight [N, K] (Hugging Face's [out, in]), or several stacked along N, packed as B = W^T.
    const dense = (names: string[]): PackedDense => {
      const stacked = concatFloat32(names.map((n) => values(`${n}.weight`)));
      const bias = concatFloat32(names.map((n) => values(`${n}.bias`)));
      const K = (model.p(`${names[0]}.weight`).shape as [number, number])[1];
      const N = bias.length;
      return { panels: layout.reserve(N * K, (heap, to) => packPanelsStrided(stacked, 0, 1, K, K, N, heap, to)), bias: layout.add(bias), K, N };
    };
    const norm = (name: string) => ({ gamma: layout.add(values(`${name}.weight`)), beta: layout.add(values(`${name}.bias`)) });

    // Position and token-type embeddings summed once: every token is of type 0.
    const positions = values('electra.embeddings.position_embeddings.weight').slice();
    const type0 = values('electra.embeddings.token_type_embeddings.weight').subarray(0, E);
    for (let i = 0; i < positions.length; i++) positions[i] += type0[i % E];
    const embNorm = norm('electra.embeddings.LayerNorm');
    const embeddings = { words: layout.add(values('electra.embeddings.word_embeddings.weight')), positions: layout.add(positions), ...embNorm };
    const projection = E !== H ? dense(['discriminator.electra.embeddings_project']) : undefined;
    const layers: Layer[] = [];
    for (let l = 0; l < L; l++) {
      const p = `discriminator.electra.encoder.layer.${l}`;
      layers.push({
        qkv: dense([`${p}.attention.self.query`, `${p}.attention.self.key`, `${p}.attention.self.value`]),
        output: dense([`${p}.attention.output.dense`]),
        outputNorm: norm(`${p}.attention.output.LayerNorm`),
        intermediate: dense([`${p}.intermediate.dense`]),
        ffnOutput: dense([`${p}.output.dense`]),
        ffnNorm: norm(`${p}.output.LayerNorm`),
      });
    }
    const head = {
      dense: dense(['discriminator.discriminator_predictions.dense']),
      prediction: layout.add(values('discriminator.discriminator_predictions.dense_prediction.weight')),
      predictionBias: layout.add(values('discriminator.discriminator_predictions.dense_prediction.bias')),
    };

    const weights = backend.makeOutput([layout.size], 'float32');
    const base = pointer(backend, weights);
    layout.write(heapF32(backend), base);
    // Offsets were relative to the buffer: make them absolute.
    const abs = (d: PackedDense): PackedDense => ({ ...d, panels: d.panels + base, bias: d.bias + base });
    const absNorm = (n: { gamma: number; beta: number }) => ({ gamma: n.gamma + base, beta: n.beta + base });
    return new DiscriminatorInference(
      backend,
      simd,
      weights,
      { V: c.vocabSize, E, H, F, nh, hd, maxPositions: c.maxPositionEmbeddings, eps: c.layerNormEps },
      { words: embeddings.words + base, positions: embeddings.positions + base, ...absNorm(embNorm) },
      projection && abs(projection),
      layers.map((l) => ({ qkv: abs(l.qkv), output: abs(l.output), outputNorm: absNorm(l.outputNorm), intermediate: abs(l.intermediate), ffnOutput: abs(l.ffnOutput), ffnNorm: absNorm(l.ffnNorm) })),
      { dense: abs(head.dense), prediction: head.prediction + base, predictionBias: head.predictionBias + base },
    );
  }

  /** The probability of replacement at every position of `batch` ([B*T]), as discriminatorProbabilities computes it. */
  probabilities(batch: Batch): Float32Array {
    if (this.disposed) throw new Error('DiscriminatorInference used after dispose()');
    const { batchSize: B, seqLength: T } = batch;
    const { V, E, H, F, nh, hd, maxPositions, eps } = this.dims;
    if (T > maxPositions) throw new Error(`sequences of ${T} tokens exceed the model's ${maxPositions} positions`);
    // Keys padded to a multiple of 8 (the GEMM's panel width), masked like any padding.
    const Tp = Math.ceil(T / 8) * 8;
    const M = B * Tp;
    const layout = new HeapLayout();
    const x = layout.reserve(M * E);
    const h = layout.reserve(M * H);
    const residual = layout.reserve(M * H);
    const qkv = layout.reserve(M * 3 * H);
    const context = layout.reserve(M * H);
    const inter = layout.reserve(M * F);
    const scores = layout.reserve(Tp * Tp);
    const probs = layout.reserve(Tp * Tp);
    const keyPanels = layout.reserve(hd * Tp);
    const valuePanels = layout.reserve(Tp * hd);
    const keyBias = layout.reserve(B * Tp);
    const stats = layout.reserve(2 * M);
    const scratch = layout.reserve(Math.max(prepackedScratchFloats(Math.max(E, H, F)), prepackedScratchFloats(hd), prepackedScratchFloats(Tp)));
    const buffer = this.backend.makeOutput([layout.size], 'float32');
    try {
      const base = pointer(this.backend, buffer);
      const at = (offset: number) => base + offset;
      const heap = heapF32(this.backend);
      const simd = this.simd;
      const gemm = (a: number, lda: number, d: PackedDense, c: number, accumulate: boolean) =>
        gemmPrepacked(simd, a, lda, d.panels, c, d.N * 4, M, d.K, d.N, accumulate, at(scratch));
      const layerNorm = (from: number, to: number, norm: { gamma: number; beta: number }) =>
        simd.layer_norm_forward(from, norm.gamma, norm.beta, to, at(stats), at(stats) + M * 4, M, H * 4, 1 / H, eps);
      // out = residual + bias, into which a product then accumulates.
      const residualPlusBias = (from: number, bias: number, to: number) => simd.add_rows(from, bias, to, M * H * 4, H * 4);

      // Embeddings: word + position + type 0, and padding rows set to the pad token's (they are masked anyway).
      const [xf, words, positions] = [at(x) / 4, this.embeddings.words / 4, this.embeddings.positions / 4];
      const biasf = at(keyBias) / 4;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < Tp; t++) {
          const real = t < T;
          const id = real ? batch.ids[b * T + t] : batch.ids[b * T];
          if (id < 0 || id >= V) throw new Error(`token id ${id} is outside the vocabulary of ${V}`);
          const row = xf + (b * Tp + t) * E;
          for (let k = 0; k < E; k++) heap[row + k] = heap[words + id * E + k] + heap[positions + t * E + k];
          heap[biasf + b * Tp + t] = real && batch.attentionMask[b * T + t] !== 0 ? 0 : PADDING_BIAS;
        }
      }
      simd.layer_norm_forward(at(x), this.embeddings.gamma, this.embeddings.beta, this.projection ? at(x) : at(h), at(stats), at(stats) + M * 4, M, E * 4, 1 / E, eps);
      if (this.projection) {
        this.fillBias(heap, this.projection, at(h), M);
        gemm(at(x), E * 4, this.projection, at(h), true);
      }

      const scale = 1 / Math.sqrt(hd);
      for (const layer of this.layers) {
        this.fillBias(heap, layer.qkv, at(qkv), M);
        gemm(at(h), H * 4, layer.qkv, at(qkv), true);
        // Attention, head by head: scores = Q K^T, softmax with the key bias, context = P V.
        for (let b = 0; b < B; b++) {
          for (let head = 0; head < nh; head++) {
            const row0 = at(qkv) / 4 + b * Tp * 3 * H;
            packPanelsStrided(heap, row0 + H + head * hd, 1, 3 * H, hd, Tp, heap, at(keyPanels) / 4);
            packPanelsStrided(heap, row0 + 2 * H + head * hd, 3 * H, 1, Tp, hd, heap, at(valuePanels) / 4);
            gemmPrepacked(simd, at(qkv) + (b * Tp * 3 * H + head * hd) * 4, 3 * H * 4, at(keyPanels), at(scores), Tp * 4, Tp, hd, Tp, false, at(scratch));
            simd.attention_softmax(at(scores), at(keyBias) + b * Tp * 4, at(probs), 1, Tp, Tp * 4, scale);
            gemmPrepacked(simd, at(probs), Tp * 4, at(valuePanels), at(context) + (b * Tp * H + head * hd) * 4, H * 4, Tp, Tp, hd, false, at(scratch));
          }
        }
        residualPlusBias(at(h), layer.output.bias, at(residual));
        gemm(at(context), H * 4, layer.output, at(residual), true);
        layerNorm(at(residual), at(h), layer.outputNorm);
        gemm(at(h), H * 4, layer.intermediate, at(inter), false);
        simd.gelu_forward(at(inter), layer.intermediate.bias, at(inter), M * F * 4, F * 4);
        residualPlusBias(at(h), layer.ffnOutput.bias, at(residual));
        gemm(at(inter), F * 4, layer.ffnOutput, at(residual), true);
        layerNorm(at(residual), at(h), layer.ffnNorm);
      }

      // Head: gelu(dense(h)), then one logit per token and its sigmoid.
      gemm(at(h), H * 4, this.head.dense, at(residual), false);
      simd.gelu_forward(at(residual), this.head.dense.bias, at(residual), M * H * 4, H * 4);
      const [d, w] = [at(residual) / 4, this.head.prediction / 4];
      const bias = heap[this.head.predictionBias / 4];
      const out = new Float32Array(B * T);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const row = d + (b * Tp + t) * H;
          let logit = bias;
          for (let k = 0; k < H; k++) logit += heap[row + k] * heap[w + k];
          out[b * T + t] = 1 / (1 + Math.exp(-logit));
        }
      }
      return out;
    } finally {
      this.backend.disposeData(buffer.dataId);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.disposeData(this.weights.dataId);
  }

  /** Every one of M rows of the product's output set to the layer's bias. */
  private fillBias(heap: Float32Array, d: PackedDense, to: number, M: number): void {
    const row = heap.subarray(d.bias / 4, d.bias / 4 + d.N);
    for (let r = 0; r < M; r++) heap.set(row, to / 4 + r * d.N);
  }
}

/** The whole wasm heap as floats (taken after any allocation: growth replaces its buffer). */
function heapF32(backend: WasmBackendLike): Float32Array {
  return new Float32Array(backend.wasm!.asm!.memory!.buffer);
}
