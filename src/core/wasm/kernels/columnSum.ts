/**
 * Sums over leading axes (a bias's gradient, LayerNorm's gamma and beta gradients, any
 * broadcast-add's gradient) in one pass over the rows.
 *
 * tfjs-backend-wasm 4.22 reduces only over the last axes: for any other it first
 * transposes the input (several times the cost of the sum itself: docs/benchmarks.md),
 * and a training step takes about a hundred such sums. Rows whose length is a multiple of
 * 4 run columnSum.wat, others the JavaScript loop below.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { f32, kernelOptions, overrideWasmKernel, pointer, simdKernels, type WasmBackendLike } from './wasmHeap';

/** out[c] = sum over r of src[r * cols + c], accumulated in double precision. */
export function columnSum(src: Float32Array, rows: number, cols: number, out: Float32Array, acc = new Float64Array(cols)): void {
  acc.fill(0);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += src[row + c];
  }
  for (let c = 0; c < cols; c++) out[c] = acc[c];
}

/** Sum of a float32 tensor over its leading axes in one pass over the rows (columnSum above, or columnSum.wat). */
export function registerLeadingAxisSum(): void {
  overrideWasmKernel('Sum', (args, original) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const rank = x.shape.length;
    const axes = (axis === null || axis === undefined ? x.shape.map((_, i) => i) : Array.isArray(axis) ? axis : [axis])
      .map((a) => (a < 0 ? a + rank : a))
      .sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(args);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const kept = x.shape.slice(axes.length);
    const b = args.backend as unknown as WasmBackendLike;
    const out = b.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const cols = kept.reduce((p, d) => p * d, 1);
    const simd = kernelOptions.simd && cols % 4 === 0 ? simdKernels(b) : undefined;
    if (simd) {
      f32(b, out).fill(0);
      simd.column_sum(pointer(b, x), pointer(b, out), rows * cols * 4, cols * 4);
    } else {
      columnSum(f32(b, x), rows, cols, f32(b, out));
    }
    return out;
  });
}
