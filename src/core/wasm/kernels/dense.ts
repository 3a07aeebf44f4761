/**
 * A dense layer with Hugging Face's [out, in] weight: y = x w^T + b.
 *
 * As tf ops: a transposed matMul (the wrapper transposes w, then the product) and a
 * broadcast add over [N, out]. The wasm kernel transposes w, starts the output as the bias
 * in every row and lets the SIMD GEMM accumulate the product into it (kernels/gemm.ts): no
 * separate pass for the bias. The backward is the composite's: dx = dy w, dw = dy^T x,
 * db = column sums of dy. Outputs not a multiple of 8 wide, and other backends, run the
 * composite form.
 */
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customOp';
import { simdProduct } from './gemm';
import { transposedOnHeap } from './transpose';
import { kernelOptions, registerWasmKernel, runKernel, simdKernels, wasmKernelActive, type WasmBackendLike } from './wasmHeap';

const KERNEL = 'ElectraDense';

export function denseComposite(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, w, false, true), b);
}

export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const covered =
    w.shape[0] % 8 === 0 && x.dtype === 'float32' && wasmKernelActive(KERNEL) && kernelOptions.simd && simdKernels(tf.backend() as unknown as WasmBackendLike) !== undefined;
  if (!covered) return denseComposite(x, w, b);
  const op = customOp(([xIn, wIn, bIn], save) => {
    save([xIn, wIn]);
    return {
      value: runKernel<tf.Tensor>(KERNEL, { x: xIn, w: wIn, bias: bIn }),
      gradFunc: (dy, [xs, ws]) => [tf.matMul(dy, ws), tf.matMul(dy, xs, true, false), tf.sum(dy, 0)],
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

export function registerDenseKernel(): void {
  registerWasmKernel(KERNEL, (b, { x, w, bias }) => {
    const simd = simdKernels(b)!;
    const wT = transposedOnHeap(b, w);
    const y = simdProduct(simd, x, wT, 1, b, bias);
    b.disposeData(wT.dataId);
    return y;
  });
}
