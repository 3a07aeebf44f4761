/**
 * LayerNorm over the last axis: y = (x - mean) / sqrt(var + eps) * gamma + beta.
 *
 * As tf ops (moments, subtract, rsqrt, multiply, add) it is about ten kernels forward and
 * twenty backward, each a pass over the activations, and the gradients of gamma and beta
 * are sums over rows. The wasm kernels make one pass per row forward (keeping each row's
 * mean and 1/std for the backward) and one backward that also accumulates the gamma and
 * beta gradients. Rows whose length is a multiple of 4 run the f32x4 kernels of
 * layerNorm.wat, others the JavaScript loops below.
 */
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customOp';
import { f32, kernelOptions, pointer, registerWasmKernel, runKernel, simdKernels, wasmKernelActive, type WasmBackendLike } from './wasmHeap';

const FORWARD = 'ElectraLayerNorm';
const BACKWARD = 'ElectraLayerNormGrad';

/** The composite form: what other backends run, and what the kernels are tested against. */
export function layerNormComposite<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gamma), beta) as T;
}

export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  if (!wasmKernelActive(FORWARD)) return layerNormComposite(x, gamma, beta, eps);
  const op = customOp(([xIn, gammaIn, betaIn], save) => {
    const [y, mean, rstd] = runKernel<tf.Tensor[]>(FORWARD, { x: xIn, gamma: gammaIn, beta: betaIn }, { eps });
    save([xIn, gammaIn, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy, [xs, gammas, means, rstds]) => runKernel<tf.Tensor[]>(BACKWARD, { dy, x: xs, gamma: gammas, mean: means, rstd: rstds }),
    };
  });
  return op(x, gamma, beta) as T;
}

export function registerLayerNormKernels(): void {
  registerWasmKernel(FORWARD, (b: WasmBackendLike, { x, gamma, beta }, { eps }) => {
    const C = x.shape[x.shape.length - 1];
    const N = x.shape.reduce((a, d) => a * d, 1) / C;
    const yInfo = b.makeOutput(x.shape, 'float32');
    const meanInfo = b.makeOutput([N], 'float32');
    const rstdInfo = b.makeOutput([N], 'float32');
    const simd = kernelOptions.simd && C % 4 === 0 ? simdKernels(b) : undefined;
    if (simd) {
      simd.layer_norm_forward(pointer(b, x), pointer(b, gamma), pointer(b, beta), pointer(b, yInfo), pointer(b, meanInfo), pointer(b, rstdInfo), N, C * 4, 1 / C, eps as number);
      return [yInfo, meanInfo, rstdInfo];
    }
    const [X, G, B, Y, M, R] = [x, gamma, beta, yInfo, meanInfo, rstdInfo].map((t) => f32(b, t));
    const e = eps as number;
    for (let r = 0, o = 0; r < N; r++, o += C) {
      let s = 0;
      for (let c = 0; c < C; c++) s += X[o + c];
      const m = s / C;
      let v = 0;
      for (let c = 0; c < C; c++) {
        const d = X[o + c] - m;
        v += d * d;
      }
      const rs = 1 / Math.sqrt(v / C + e);
      for (let c = 0; c < C; c++) Y[o + c] = (X[o + c] - m) * rs * G[c] + B[c];
      M[r] = m;
      R[r] = rs;
    }
    return [yInfo, meanInfo, rstdInfo];
  });

  registerWasmKernel(BACKWARD, (b, { dy, x, gamma, mean, rstd }) => {
    const C = x.shape[x.shape.length - 1];
    const N = x.shape.reduce((a, d) => a * d, 1) / C;
    const dxInfo = b.makeOutput(x.shape, 'float32');
    const dgInfo = b.makeOutput([C], 'float32');
    const dbInfo = b.makeOutput([C], 'float32');
    const simd = kernelOptions.simd && C % 4 === 0 ? simdKernels(b) : undefined;
    if (simd) {
      f32(b, dgInfo).fill(0);
      f32(b, dbInfo).fill(0);
      simd.layer_norm_backward(pointer(b, dy), pointer(b, x), pointer(b, gamma), pointer(b, mean), pointer(b, rstd), pointer(b, dxInfo), pointer(b, dgInfo), pointer(b, dbInfo), N, C * 4, 1 / C);
      return [dxInfo, dgInfo, dbInfo];
    }
    const [DY, X, G, M, R, DX, DG, DB] = [dy, x, gamma, mean, rstd, dxInfo, dgInfo, dbInfo].map((t) => f32(b, t));
    const accG = new Float64Array(C);
    const accB = new Float64Array(C);
    for (let r = 0, o = 0; r < N; r++, o += C) {
      const m = M[r];
      const rs = R[r];
      // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), with g = dy * gamma.
      let sg = 0;
      let sgx = 0;
      for (let c = 0; c < C; c++) {
        const d = DY[o + c];
        const xh = (X[o + c] - m) * rs;
        const g = d * G[c];
        sg += g;
        sgx += g * xh;
        accG[c] += d * xh;
        accB[c] += d;
      }
      sg /= C;
      sgx /= C;
      for (let c = 0; c < C; c++) DX[o + c] = rs * (DY[o + c] * G[c] - sg - (X[o + c] - m) * rs * sgx);
    }
    for (let c = 0; c < C; c++) {
      DG[c] = accG[c];
      DB[c] = accB[c];
    }
    return [dxInfo, dgInfo, dbInfo];
  });
}
