/**
 * ELECTRA: a generator (small masked language model) and a discriminator (replaced-token
 * detector) that share one embedding module, as in Clark et al. 2020 and
 * google-research/electra. Transformer layers are BERT's: post-LayerNorm, GELU.
 *
 * Parameters live in one map keyed by the names they carry in a checkpoint, which are
 * Hugging Face's names under a `discriminator.` / `generator.` prefix; the shared
 * embeddings are stored once as `electra.embeddings.*`. Dense weights are kept in
 * Hugging Face's [out, in] layout and applied with a transposed matmul, so saving and
 * exporting never transposes.
 *
 * Shapes: B batch, T sequence length, E embedding size, H hidden size, V vocabulary,
 * nh heads, hd head size, P masked positions in the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { objectiveOf, type ElectraConfig, type EncoderConfig } from './config';
import { attentionSoftmax } from '../wasm/kernels/attentionSoftmax';
import { dense as denseOp } from '../wasm/kernels/dense';
import { fusedDropout } from '../wasm/kernels/dropout';
import { biasGelu, gelu } from '../wasm/kernels/gelu';
import { layerNorm } from '../wasm/kernels/layerNorm';
import { deriveSeed, fillBernoulli } from '../common/random';

export { gelu };

export type Which = 'discriminator' | 'generator';

/** A parameter's shape and how it is initialised. */
interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  /** AdamW weight decay applies to weights only: never to biases or LayerNorm. */
  decay: boolean;
}

/**
 * Dropout for one forward pass. Each dropout site takes the next seed of the pass, and
 * within a site every example of the batch draws from its own stream, keyed by its index
 * in the global batch (`firstExample` + b). A shard of a batch (data-parallel training)
 * therefore drops exactly the units the whole batch would drop for the same examples.
 * Every tensor passed to `apply` is laid out example-major: [B, ...].
 * `undefined` instead of a stream means evaluation (no dropout).
 */
export class DropoutStream {
  private site = 0;
  constructor(
    private readonly baseSeed: number,
    readonly rate: number,
    /** Examples in the tensors this stream sees (the shard's batch size). */
    private readonly batchSize: number,
    /** Index of the shard's first example in the global batch. */
    private readonly firstExample = 0,
  ) {}

  apply<T extends tf.Tensor>(x: T): T {
    if (this.rate <= 0) return x;
    const siteSeed = deriveSeed(this.baseSeed, this.site++);
    const seedOf = (b: number) => deriveSeed(siteSeed, this.firstExample + b);
    // On wasm: the same mask drawn and applied in one kernel (kernels/dropout.ts).
    const fused = fusedDropout(x, this.rate, Array.from({ length: this.batchSize }, (_, b) => seedOf(b)));
    if (fused) return fused;
    const mask = dropoutMask(x.size, this.batchSize, this.rate, seedOf);
    return tf.mul(x, tf.tensor(mask, x.shape)) as T;
  }
}

/**
 * Inverted-dropout multipliers for `size` values in `batch` equal chunks: 0 with
 * probability `rate`, else 1 / (1 - rate). Chunk b draws from the stream `seedOf(b)`.
 */
export function dropoutMask(size: number, batch: number, rate: number, seedOf: (b: number) => number): Float32Array {
  if (size % batch !== 0) throw new Error(`dropout: ${size} values do not split into ${batch} examples`);
  const mask = new Float32Array(size);
  const chunk = size / batch;
  const keep = 1 / (1 - rate);
  // Compare raw 32-bit draws with an integer threshold: one multiply fewer per value.
  const threshold = Math.floor(rate * 4294967296);
  for (let b = 0; b < batch; b++) fillBernoulli(mask, b * chunk, (b + 1) * chunk, seedOf(b), threshold, 0, keep);
  return mask;
}

function encoderSpecs(prefix: string, c: ElectraConfig, enc: EncoderConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const dense = (name: string, out: number, inp: number) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: 'normal', decay: true });
    specs.push({ name: `${name}.bias`, shape: [out], init: 'zeros', decay: false });
  };
  const layerNorm = (name: string, size: number) => {
    specs.push({ name: `${name}.weight`, shape: [size], init: 'ones', decay: false });
    specs.push({ name: `${name}.bias`, shape: [size], init: 'zeros', decay: false });
  };
  const H = enc.hiddenSize;
  if (c.embeddingSize !== H) dense(`${prefix}.electra.embeddings_project`, H, c.embeddingSize);
  for (let l = 0; l < enc.numHiddenLayers; l++) {
    const p = `${prefix}.electra.encoder.layer.${l}`;
    dense(`${p}.attention.self.query`, H, H);
    dense(`${p}.attention.self.key`, H, H);
    dense(`${p}.attention.self.value`, H, H);
    dense(`${p}.attention.output.dense`, H, H);
    layerNorm(`${p}.attention.output.LayerNorm`, H);
    dense(`${p}.intermediate.dense`, enc.intermediateSize, H);
    dense(`${p}.output.dense`, H, enc.intermediateSize);
    layerNorm(`${p}.output.LayerNorm`, H);
  }
  return specs;
}

/** Every parameter of the pair, in a fixed order (the order of checkpoints and optimizer state). */
export function parameterSpecs(c: ElectraConfig): ParamSpec[] {
  const E = c.embeddingSize;
  const specs: ParamSpec[] = [
    { name: 'electra.embeddings.word_embeddings.weight', shape: [c.vocabSize, E], init: 'normal', decay: true },
    { name: 'electra.embeddings.position_embeddings.weight', shape: [c.maxPositionEmbeddings, E], init: 'normal', decay: true },
    { name: 'electra.embeddings.token_type_embeddings.weight', shape: [c.typeVocabSize, E], init: 'normal', decay: true },
    { name: 'electra.embeddings.LayerNorm.weight', shape: [E], init: 'ones', decay: false },
    { name: 'electra.embeddings.LayerNorm.bias', shape: [E], init: 'zeros', decay: false },
  ];
  // A masked-LM model is ElectraForMaskedLM alone: its one encoder and output layer carry the generator's names.
  if (objectiveOf(c) === 'mlm') return [...specs, ...generatorSpecs(c)];
  specs.push(...encoderSpecs('discriminator', c, c.discriminator));
  const Hd = c.discriminator.hiddenSize;
  specs.push(
    { name: 'discriminator.discriminator_predictions.dense.weight', shape: [Hd, Hd], init: 'normal', decay: true },
    { name: 'discriminator.discriminator_predictions.dense.bias', shape: [Hd], init: 'zeros', decay: false },
    { name: 'discriminator.discriminator_predictions.dense_prediction.weight', shape: [1, Hd], init: 'normal', decay: true },
    { name: 'discriminator.discriminator_predictions.dense_prediction.bias', shape: [1], init: 'zeros', decay: false },
  );
  return [...specs, ...generatorSpecs(c)];
}

/** The generator (ElectraForMaskedLM without the shared embeddings): encoder and output layer. */
function generatorSpecs(c: ElectraConfig): ParamSpec[] {
  const E = c.embeddingSize;
  const specs = encoderSpecs('generator', c, c.generator);
  const Hg = c.generator.hiddenSize;
  specs.push(
    { name: 'generator.generator_predictions.dense.weight', shape: [E, Hg], init: 'normal', decay: true },
    { name: 'generator.generator_predictions.dense.bias', shape: [E], init: 'zeros', decay: false },
    { name: 'generator.generator_predictions.LayerNorm.weight', shape: [E], init: 'ones', decay: false },
    { name: 'generator.generator_predictions.LayerNorm.bias', shape: [E], init: 'zeros', decay: false },
    // The output projection is the word-embedding table itself (tied); only its bias is the generator's own.
    { name: 'generator.generator_lm_head.bias', shape: [c.vocabSize], init: 'zeros', decay: false },
  );
  return specs;
}

const INIT_STDDEV = 0.02; // BERT/ELECTRA initializer_range
let nextModelInstance = 0;

export class ElectraModel {
  readonly params = new Map<string, tf.Variable>();
  /** Names of parameters that take weight decay. */
  readonly decayed = new Set<string>();

  constructor(readonly config: ElectraConfig, seed = 0) {
    const modelInstance = nextModelInstance++;
    for (const spec of parameterSpecs(config)) {
      const initial = tf.tidy(() => {
        if (spec.init === 'zeros') return tf.zeros(spec.shape);
        if (spec.init === 'ones') return tf.ones(spec.shape);
        return tf.truncatedNormal(spec.shape, 0, INIT_STDDEV, 'float32', deriveSeed(seed, 'init', spec.name));
      });
      // tfjs variable names are global to the process: suffix them so that several models can coexist.
      this.params.set(spec.name, tf.variable(initial, true, `${spec.name}@${modelInstance}`));
      initial.dispose();
      if (spec.decay) this.decayed.add(spec.name);
    }
  }

  /** A parameter by name; throws on a typo rather than failing later inside a kernel. */
  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  /** Number of scalar parameters (shared embeddings counted once). */
  parameterCount(filter?: (name: string) => boolean): number {
    let n = 0;
    for (const [name, v] of this.params) if (!filter || filter(name)) n += v.size;
    return n;
  }

  /** Replaces every parameter's value; shapes must match. */
  assign(values: Map<string, tf.Tensor>): void {
    for (const [name, v] of this.params) {
      const t = values.get(name);
      if (!t) throw new Error(`missing parameter ${name}`);
      if (t.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`parameter ${name} has shape [${t.shape}] but the model expects [${v.shape}]`);
      }
      v.assign(t);
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  // ---- building blocks ------------------------------------------------------------

  /** x [N, in] -> [N, out] with weight [out, in], bias fused on wasm (kernels/dense.ts). */
  private dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return denseOp(x, this.p(`${name}.weight`) as tf.Tensor2D, this.p(`${name}.bias`) as tf.Tensor1D);
  }

  /** gelu(dense(x)): the bias add and the activation in one fused op (kernels/gelu.ts). */
  private denseGelu(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return biasGelu(tf.matMul(x, this.p(`${name}.weight`), false, true), this.p(`${name}.bias`) as tf.Tensor1D);
  }

  private layerNorm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return layerNorm(x, this.p(`${name}.weight`) as tf.Tensor1D, this.p(`${name}.bias`) as tf.Tensor1D, this.config.layerNormEps);
  }

  /**
   * Shared embeddings: word + position + token type (all type 0), LayerNorm, dropout.
   * ids [B, T] -> [B*T, E]
   */
  embed(ids: tf.Tensor2D, dropout?: DropoutStream): tf.Tensor2D {
    const [B, T] = ids.shape;
    const E = this.config.embeddingSize;
    const words = tf.gather(this.p('electra.embeddings.word_embeddings.weight'), tf.reshape(ids, [B * T])); // [B*T, E]
    const positions = tf.slice(this.p('electra.embeddings.position_embeddings.weight'), [0, 0], [T, E]); // [T, E]
    const tokenType = tf.slice(this.p('electra.embeddings.token_type_embeddings.weight'), [0, 0], [1, E]); // [1, E]
    const summed: tf.Tensor2D = tf.reshape(tf.add(tf.reshape(words, [B, T, E]), tf.add(positions, tokenType)), [B * T, E]);
    const normed = this.layerNorm(summed, 'electra.embeddings.LayerNorm');
    return dropout ? dropout.apply(normed) : normed;
  }

  /**
   * One stack of BERT layers. x [B*T, E] (shared embeddings) -> [B*T, H].
   * maskBias [B, 1, 1, T]: 0 for real tokens, -10000 for padding (keys only).
   */
  encode(which: Which, x: tf.Tensor2D, B: number, T: number, maskBias: tf.Tensor4D, dropout?: DropoutStream): tf.Tensor2D {
    const enc = this.config[which];
    const H = enc.hiddenSize;
    const nh = enc.numAttentionHeads;
    const hd = H / nh;
    const scale = 1 / Math.sqrt(hd);
    const drop = <T extends tf.Tensor>(t: T): T => (dropout ? dropout.apply(t) : t);
    let h = this.config.embeddingSize !== H ? this.dense(x, `${which}.electra.embeddings_project`) : x;
    // [B*T, H] -> [B, nh, T, hd] and back. With one head the transpose moves nothing, but
    // tfjs copies the tensor anyway (and again in the backward pass): reshape instead.
    const heads = (t: tf.Tensor2D) => (nh === 1 ? tf.reshape(t, [B, 1, T, hd]) : tf.transpose(tf.reshape(t, [B, T, nh, hd]), [0, 2, 1, 3]));
    const merge = (t: tf.Tensor4D): tf.Tensor2D => tf.reshape(nh === 1 ? t : tf.transpose(t, [0, 2, 1, 3]), [B * T, H]);
    for (let l = 0; l < enc.numHiddenLayers; l++) {
      const p = `${which}.electra.encoder.layer.${l}`;
      const q = heads(this.dense(h, `${p}.attention.self.query`));
      const k = heads(this.dense(h, `${p}.attention.self.key`));
      const v = heads(this.dense(h, `${p}.attention.self.value`));
      const probs = drop(attentionSoftmax(tf.matMul(q, k, false, true), maskBias, scale)); // [B, nh, T, T]
      const context = merge(tf.matMul(probs, v)); // [B*T, H]
      const attended = drop(this.dense(context, `${p}.attention.output.dense`));
      h = this.layerNorm(tf.add(attended, h), `${p}.attention.output.LayerNorm`);
      const intermediate = this.denseGelu(h, `${p}.intermediate.dense`); // [B*T, FFN]
      const out = drop(this.dense(intermediate, `${p}.output.dense`));
      h = this.layerNorm(tf.add(out, h), `${p}.output.LayerNorm`);
    }
    return h;
  }

  /** Discriminator logits (replaced = positive) for every position. ids [B, T] -> [B, T]. */
  discriminatorLogits(ids: tf.Tensor2D, attentionMask: tf.Tensor2D, dropout?: DropoutStream): tf.Tensor2D {
    const [B, T] = ids.shape;
    const h = this.encode('discriminator', this.embed(ids, dropout), B, T, maskBias(attentionMask), dropout);
    const d = this.denseGelu(h, 'discriminator.discriminator_predictions.dense');
    return tf.reshape(this.dense(d, 'discriminator.discriminator_predictions.dense_prediction'), [B, T]);
  }

  /**
   * Generator logits over the vocabulary at the given flat positions (index b*T + t).
   * ids [B, T], positions [P] -> [P, V]
   */
  generatorLogits(ids: tf.Tensor2D, attentionMask: tf.Tensor2D, positions: tf.Tensor1D, dropout?: DropoutStream): tf.Tensor2D {
    const [B, T] = ids.shape;
    const h = this.encode('generator', this.embed(ids, dropout), B, T, maskBias(attentionMask), dropout);
    const atMasked = tf.gather(h, positions); // [P, Hg]: the vocabulary projection only where it is needed
    const g = this.layerNorm(this.denseGelu(atMasked, 'generator.generator_predictions.dense'), 'generator.generator_predictions.LayerNorm');
    const tied = this.p('electra.embeddings.word_embeddings.weight'); // [V, E]
    return denseOp(g, tied as tf.Tensor2D, this.p('generator.generator_lm_head.bias') as tf.Tensor1D);
  }
}

/** attentionMask [B, T] of 1 (token) / 0 (padding) -> additive bias [B, 1, 1, T]. */
export function maskBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [B, T] = attentionMask.shape;
  return tf.reshape(tf.mul(tf.sub(1, attentionMask), -10000), [B, 1, 1, T]);
}
