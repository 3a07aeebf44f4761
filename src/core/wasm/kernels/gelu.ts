/**
 * Bias add followed by exact GELU, as BERT's intermediate and prediction layers use:
 * y = u * Phi(u) with u = x + bias and Phi the standard normal CDF.
 *
 * tfjs-backend-wasm evaluates erf and exp in scalar code (docs/benchmarks.md, Kernels),
 * and the composite's gradient takes another exp, several multiplies, and a sum over rows
 * for the bias. The wasm kernels take one exp per value forward and one backward, and the
 * backward returns the bias gradient from the same pass.
 *
 * Rows whose length is a multiple of 4 run the f32x4 kernels of gelu.wat; others run the
 * JavaScript loops below, with fastExp.ts's exp. erf is Abramowitz & Stegun 7.1.26
 * (absolute error at most 1.5e-7, the approximation tfjs's own cpu Erf uses). Its exp(-z^2)
 * with z = u / sqrt 2 is exp(-u^2 / 2), which is also the normal density the gradient
 * needs: one exp gives both. For u < 0 the kernels form Phi(u) = erfc(|z|) / 2 directly
 * rather than as 1 - erf(|z|), so no digits cancel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customOp';
import { expNonPositive } from './fastExp';
import { f32, kernelOptions, pointer, registerWasmKernel, runKernel, simdKernels, wasmKernelActive } from './wasmHeap';

const FORWARD = 'ElectraBiasGelu';
const BACKWARD = 'ElectraBiasGeluGrad';

/** Exact GELU, x * Phi(x), in tf ops. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}

/** The composite form: what other backends run, and what the kernels are tested against. */
export function biasGeluComposite<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  return gelu(tf.add(x, bias) as T);
}

/** gelu(x + bias), bias broadcast over the last axis. */
export function biasGelu<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  if (!wasmKernelActive(FORWARD)) return biasGeluComposite(x, bias);
  const op = customOp(([xIn, biasIn], save) => {
    save([xIn, biasIn]);
    return {
      value: runKernel<tf.Tensor>(FORWARD, { x: xIn, bias: biasIn }),
      gradFunc: (dy, [xs, biases]) => runKernel<tf.Tensor[]>(BACKWARD, { dy, x: xs, bias: biases }),
    };
  });
  return op(x, bias) as T;
}

const P = 0.3275911;
const A1 = 0.254829592;
const A2 = -0.284496736;
const A3 = 1.421413741;
const A4 = -1.453152027;
const A5 = 1.061405429;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erfc(|u| / sqrt 2) / exp(-u^2 / 2): the A&S polynomial in t. */
function tailPoly(u: number): number {
  const t = 1 / (1 + P * Math.abs(u) * Math.SQRT1_2);
  return t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
}

export function registerBiasGeluKernels(): void {
  registerWasmKernel(FORWARD, (b, { x, bias }) => {
    const C = x.shape[x.shape.length - 1];
    const size = x.shape.reduce((a, d) => a * d, 1);
    const yInfo = b.makeOutput(x.shape, 'float32');
    const simd = kernelOptions.simd && C % 4 === 0 ? simdKernels(b) : undefined;
    if (simd) {
      simd.gelu_forward(pointer(b, x), pointer(b, bias), pointer(b, yInfo), size * 4, C * 4);
      return yInfo;
    }
    const [X, B, Y] = [x, bias, yInfo].map((t) => f32(b, t));
    for (let o = 0; o < size; o += C) {
      for (let c = 0; c < C; c++) {
        const u = X[o + c] + B[c];
        const half = 0.5 * tailPoly(u) * expNonPositive(-0.5 * u * u); // Phi(-|u|)
        Y[o + c] = u * (u >= 0 ? 1 - half : half);
      }
    }
    return yInfo;
  });

  registerWasmKernel(BACKWARD, (b, { dy, x, bias }) => {
    const C = x.shape[x.shape.length - 1];
    const size = x.shape.reduce((a, d) => a * d, 1);
    const dxInfo = b.makeOutput(x.shape, 'float32');
    const dbInfo = b.makeOutput([C], 'float32');
    const simd = kernelOptions.simd && C % 4 === 0 ? simdKernels(b) : undefined;
    if (simd) {
      f32(b, dbInfo).fill(0);
      simd.gelu_backward(pointer(b, dy), pointer(b, x), pointer(b, bias), pointer(b, dxInfo), pointer(b, dbInfo), size * 4, C * 4);
      return [dxInfo, dbInfo];
    }
    const [DY, X, B, DX, DB] = [dy, x, bias, dxInfo, dbInfo].map((t) => f32(b, t));
    const acc = new Float64Array(C);
    for (let o = 0; o < size; o += C) {
      for (let c = 0; c < C; c++) {
        const u = X[o + c] + B[c];
        const e = expNonPositive(-0.5 * u * u);
        const half = 0.5 * tailPoly(u) * e;
        // d/du u Phi(u) = Phi(u) + u phi(u)
        const g = DY[o + c] * ((u >= 0 ? 1 - half : half) + u * e * INV_SQRT_2PI);
        DX[o + c] = g;
        acc[c] += g;
      }
    }
    for (let c = 0; c < C; c++) DB[c] = acc[c];
    return [dxInfo, dbInfo];
  });
}
