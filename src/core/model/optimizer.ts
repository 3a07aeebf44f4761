/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, bias-corrected moments.
 * ELECTRA's settings: beta1 0.9, beta2 0.999, eps 1e-6, weight decay 0.01, not applied to
 * biases and LayerNorm parameters. Its state (moments and step) is plain tensors keyed by
 * parameter name so that checkpoints save and restore it exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate, globalSumOfSquares } from '../wasm/kernels/adamw';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export const ELECTRA_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-6, weightDecay: 0.01 };

export class AdamW {
  /** Number of updates applied so far (the bias correction's t). */
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly decayed: Set<string>,
    readonly options: AdamWOptions = ELECTRA_ADAMW,
  ) {
    for (const [name, p] of params) {
      for (const moments of [this.m, this.v]) {
        // The variable shares the zeros' data; the zeros tensor itself would otherwise stay allocated.
        const zeros = tf.zerosLike(p);
        moments.set(name, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  /** Applies one update with learning rate `lr`, times `lrScales` of a parameter where given (fine-tuning's layer-wise decay). */
  apply(grads: Map<string, tf.Tensor>, lr: number, lrScales?: ReadonlyMap<string, number>): void {
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    this.step++;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      // One fused pass on wasm, the same float32 operations as tf ops elsewhere (kernels/adamw.ts).
      tf.tidy(() => {
        const [p1, m1, v1] = adamwUpdate(p, g, m, v, { beta1, beta2, epsilon, c1, c2, lr: lr * (lrScales?.get(name) ?? 1), weightDecay: this.decayed.has(name) ? weightDecay : 0 });
        m.assign(m1);
        v.assign(v1);
        p.assign(p1);
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Scales gradients in place so that their global L2 norm is at most `maxNorm`;
 * returns the norm before clipping.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = Math.sqrt(globalSumOfSquares([...grads.values()]));
  if (norm > maxNorm && Number.isFinite(norm)) {
    const scale = maxNorm / norm;
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return norm;
}
