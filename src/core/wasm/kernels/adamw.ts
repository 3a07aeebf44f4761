/**
 * One AdamW update of one parameter, and the global sum of squares of the gradients that
 * gradient clipping needs.
 *
 * As tf ops the update is about ten kernels per parameter, each a pass over it, and the
 * sum of squares two more; on wasm the kernel does the update in one f32x4 pass with the
 * composite's float32 operations in the composite's order, so it computes the same bits
 * (adamw.wat). The composite form is what other backends run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { f32, kernelOptions, pointer, registerWasmKernel, runKernel, simdKernels, wasmKernelActive, type WasmBackendLike } from './wasmHeap';

const KERNEL = 'ElectraAdamW';

export interface AdamWStep {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Bias corrections 1 - beta^t. */
  c1: number;
  c2: number;
  lr: number;
  /** 0 for parameters without weight decay. */
  weightDecay: number;
}

/** The composite form: new values of the parameter, first and second moments. */
export function adamwComposite(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, h: AdamWStep): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const m1 = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1));
  const v1 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
  let update = tf.div(tf.div(m1, h.c1), tf.add(tf.sqrt(tf.div(v1, h.c2)), h.epsilon));
  if (h.weightDecay > 0) update = tf.add(update, tf.mul(p, h.weightDecay));
  return [tf.sub(p, tf.mul(update, h.lr)), m1, v1];
}

/** [p', m', v'] after one step; new tensors (the caller assigns them to its variables). */
export function adamwUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, h: AdamWStep): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (!wasmKernelActive(KERNEL)) return adamwComposite(p, g, m, v, h);
  return runKernel<tf.Tensor[]>(KERNEL, { p, g, m, v }, { ...h }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Sum over every tensor of the sum of its squared values. */
export function globalSumOfSquares(tensors: tf.Tensor[]): number {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendLike) : undefined;
  const simd = backend && kernelOptions.simd ? simdKernels(backend) : undefined;
  if (!backend || !simd) return tf.tidy(() => tf.addN(tensors.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
  // Four float32 lanes per tensor, added up in double precision.
  const lanes = backend.makeOutput([4], 'float32');
  let total = 0;
  for (const t of tensors) {
    const info = t as unknown as tf.TensorInfo;
    const n = t.size;
    const body = n - (n % 4);
    f32(backend, lanes).fill(0);
    simd.sum_of_squares(pointer(backend, info), body * 4, pointer(backend, lanes));
    const values = f32(backend, info);
    for (const x of f32(backend, lanes)) total += x;
    for (let i = body; i < n; i++) total += values[i] * values[i];
  }
  backend.disposeData(lanes.dataId);
  return total;
}

export function registerAdamWKernel(): void {
  registerWasmKernel(KERNEL, (b, { p, g, m, v }, attrs) => {
    const h = attrs as unknown as AdamWStep;
    const outs = [p, m, v].map((t) => b.makeOutput(t.shape, 'float32'));
    const n = p.shape.reduce((a, d) => a * d, 1);
    const simd = kernelOptions.simd ? simdKernels(b) : undefined;
    const body = simd ? n - (n % 4) : 0;
    if (simd) {
      simd.adamw(pointer(b, p), pointer(b, g), pointer(b, m), pointer(b, v), ...(outs.map((o) => pointer(b, o)) as [number, number, number]), body * 4,
        h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.c1, h.c2, h.epsilon, h.weightDecay, h.lr);
    }
    // The rest (all of it without SIMD) in JavaScript, rounding to float32 after each operation as the kernels do.
    const r = Math.fround;
    const [P, G, M, V, PO, MO, VO] = [p, g, m, v, ...outs].map((t) => f32(b, t));
    const [b1, ob1, b2, ob2, c1, c2, eps, wd, lr] = [h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.c1, h.c2, h.epsilon, h.weightDecay, h.lr].map(r);
    for (let i = body; i < n; i++) {
      const gi = G[i];
      const m1 = r(r(M[i] * b1) + r(gi * ob1));
      const v1 = r(r(V[i] * b2) + r(r(gi * gi) * ob2));
      const u = r(r(r(m1 / c1) / r(r(Math.sqrt(r(v1 / c2))) + eps)) + r(P[i] * wd));
      MO[i] = m1;
      VO[i] = v1;
      PO[i] = r(P[i] - r(u * lr));
    }
    return outs;
  });
}
