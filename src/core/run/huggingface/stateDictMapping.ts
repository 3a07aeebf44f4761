/**
 * Hugging Face state dicts to the engine's parameters. The engine's names are Hugging
 * Face's under a `discriminator.` / `generator.` prefix, with the shared embeddings
 * (`electra.embeddings.*`) once; a Hugging Face pair stores those embeddings twice, one
 * copy per folder. The discriminator's copy is kept; the generator's is compared with it.
 * Every tensor's shape is checked against the configuration before any is used.
 */
import { parameterSpecs } from '../../model/model';
import type { ElectraConfig } from '../../model/config';
import { deriveSeed, Rng } from '../../common/random';
import type { NamedArray } from '../safetensors';

const SHARED = 'electra.embeddings.';
/** Buffers some transformers versions save with the weights; not parameters. */
const BUFFERS = new Set(['electra.embeddings.position_ids', 'electra.embeddings.token_type_ids']);
const TIED_LM_HEAD = 'generator_lm_head.weight';
const WORD_EMBEDDINGS = `${SHARED}word_embeddings.weight`;

/** Copies of the shared embeddings agree when |a - b| <= ATOL + RTOL * |a| everywhere (half precision rounding passes). */
export const SHARED_EMBEDDINGS_TOLERANCE = { atol: 1e-3, rtol: 1e-2 };

export interface StateDictSource {
  tensors: Map<string, NamedArray>;
  /** The weights file, for messages. */
  path: string;
}

export interface MappedWeights {
  weights: Map<string, NamedArray>;
  warnings: string[];
}

/** Accepts a bare ElectraModel's names (no `electra.` prefix) too. */
function withModelPrefix(name: string): string {
  return name.startsWith('embeddings.') || name.startsWith('encoder.') || name.startsWith('embeddings_project.') ? `electra.${name}` : name;
}

function normalized(source: StateDictSource): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of source.tensors) {
    const n = withModelPrefix(name);
    if (!BUFFERS.has(n)) out.set(n, t);
  }
  return out;
}

function maxDifference(a: Float32Array | Int32Array, b: Float32Array | Int32Array): { max: number; within: boolean } {
  let max = 0;
  let within = true;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    if (!(d <= SHARED_EMBEDDINGS_TOLERANCE.atol + SHARED_EMBEDDINGS_TOLERANCE.rtol * Math.abs(a[i]))) within = false;
  }
  return { max, within };
}

/**
 * The engine's parameters, in the engine's order, from a discriminator state dict and a
 * generator state dict (or, without one, a generator freshly initialised from `seed`).
 */
export function mapStateDicts(config: ElectraConfig, discriminator: StateDictSource, generator: StateDictSource | undefined, seed: number): MappedWeights {
  const warnings: string[] = [];
  const disc = normalized(discriminator);
  const gen = generator ? normalized(generator) : undefined;
  const used = { discriminator: new Set<string>(), generator: new Set<string>() };

  if (gen && generator) {
    const head = gen.get(TIED_LM_HEAD);
    const words = gen.get(WORD_EMBEDDINGS);
    if (head && words && !sameShapeAndClose(head, words)) {
      throw new Error(`${generator.path}: ${TIED_LM_HEAD} differs from ${WORD_EMBEDDINGS}; the engine's generator output is tied to the word embeddings`);
    }
    used.generator.add(TIED_LM_HEAD);
  }

  const weights = new Map<string, NamedArray>();
  const missing: string[] = [];
  for (const spec of parameterSpecs(config)) {
    const which = spec.name.startsWith('generator.') ? 'generator' : spec.name.startsWith('discriminator.') ? 'discriminator' : 'shared';
    const hfName = which === 'shared' ? spec.name : spec.name.slice(which.length + 1);
    const from = which === 'generator' ? generator : discriminator;
    const dict = which === 'generator' ? gen : disc;
    if (which === 'generator' && !dict) {
      weights.set(spec.name, freshParameter(spec.shape, spec.init, seed, spec.name));
      continue;
    }
    const t = dict!.get(hfName);
    if (!t) {
      missing.push(`${from!.path}: ${hfName}`);
      continue;
    }
    used[which === 'generator' ? 'generator' : 'discriminator'].add(hfName);
    if (t.shape.join(',') !== spec.shape.join(',')) {
      throw new Error(`${from!.path}: ${hfName} has shape [${t.shape}] but config.json implies [${spec.shape}] (mismatched shapes)`);
    }
    if (t.dtype !== 'F32') throw new Error(`${from!.path}: ${hfName} holds integers, not weights`);
    if (!t.data.every(Number.isFinite)) throw new Error(`${from!.path}: ${hfName} holds NaN or infinite values`);
    weights.set(spec.name, t);
    if (which === 'shared' && gen) {
      const copy = gen.get(hfName);
      used.generator.add(hfName);
      if (!copy) missing.push(`${generator!.path}: ${hfName}`);
      else if (copy.shape.join(',') !== spec.shape.join(',')) {
        throw new Error(`${generator!.path}: ${hfName} has shape [${copy.shape}] but the discriminator's copy has [${spec.shape}] (mismatched shapes)`);
      } else {
        const { max, within } = maxDifference(t.data, copy.data);
        if (!within) warnings.push(`the generator's copy of ${hfName} differs from the discriminator's (largest difference ${max.toPrecision(3)}); the discriminator's is kept and shared`);
      }
    }
  }
  if (missing.length > 0) {
    throw new Error(`missing weights: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}`);
  }
  for (const [which, dict, source] of [['discriminator', disc, discriminator], ['generator', gen, generator]] as const) {
    if (!dict || !source) continue;
    const extra = [...dict.keys()].filter((n) => !used[which].has(n));
    if (extra.length > 0) {
      throw new Error(`${source.path}: unexpected weights for an ELECTRA ${which} (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ` and ${extra.length - 3} more` : ''}); is this folder ${which === 'discriminator' ? 'ElectraForPreTraining' : 'ElectraForMaskedLM'}?`);
    }
  }
  return { weights, warnings };
}

function sameShapeAndClose(a: NamedArray, b: NamedArray): boolean {
  return a.shape.join(',') === b.shape.join(',') && maxDifference(a.data, b.data).within;
}

/** BERT's initialisation (truncated normal, std 0.02; LayerNorm ones; biases zeros), seeded per parameter. */
function freshParameter(shape: number[], init: 'normal' | 'zeros' | 'ones', seed: number, name: string): NamedArray {
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  if (init === 'ones') data.fill(1);
  if (init === 'normal') {
    const rng = new Rng(deriveSeed(seed, 'import-init', name));
    for (let i = 0; i < data.length; i++) {
      let z: number;
      do {
        const u = 1 - rng.next();
        z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next()); // Box-Muller
      } while (Math.abs(z) > 2); // truncated at two standard deviations, as tf.truncatedNormal
      data[i] = 0.02 * z;
    }
  }
  return { dtype: 'F32', shape, data };
}
