/**
 * Transposition of the last two axes on the wasm heap: transpose_rows (transpose.wat), or
 * where WebAssembly SIMD is missing the JavaScript loop below.
 *
 * tfjs-backend-wasm 4.22's Transpose takes about as long as the XNNPACK product it feeds
 * (every weight gradient transposes its activations first, see batchMatMul.ts; figures in
 * docs/benchmarks.md, Kernels). Copying in 32 x 32 tiles, so that both the rows read and the
 * columns written stay in cache, takes a fraction of a millisecond.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { kernelOptions, pointer, simdKernels, type WasmBackendLike } from './wasmHeap';

const TILE = 32;
/** Rows per call of transpose_rows. */
const SIMD_ROWS = 16;

/** A new tensor on the heap holding `x` with its last two axes swapped; the caller disposes it. */
export function transposedOnHeap(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const [rows, cols] = x.shape.slice(-2);
  const batch = x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([...x.shape.slice(0, -2), cols, rows], x.dtype);
  const simd = kernelOptions.simd ? simdKernels(backend) : undefined;
  if (simd) {
    const [from, to, size] = [pointer(backend, x), pointer(backend, out), rows * cols * 4];
    for (let i = 0; i < batch; i++) {
      for (let r0 = 0; r0 < rows; r0 += SIMD_ROWS) simd.transpose_rows(from + i * size, to + i * size, rows, cols, r0, Math.min(r0 + SIMD_ROWS, rows));
    }
  } else {
    transposeLastTwo(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), batch, rows, cols);
  }
  return out;
}

/** dst[b, c, r] = src[b, r, c] for `batch` matrices of rows x cols. */
export function transposeLastTwo(src: Float32Array | Int32Array, dst: Float32Array | Int32Array, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const rEnd = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const cEnd = Math.min(c0 + TILE, cols);
        for (let r = r0; r < rEnd; r++) {
          const from = base + r * cols;
          for (let c = c0; c < cEnd; c++) dst[base + c * rows + r] = src[from + c];
        }
      }
    }
  }
}
