/**
 * BatchMatMul on the wasm backend. tfjs-backend-wasm 4.22 hands only untransposed products
 * to XNNPACK; with transposeA or transposeB it takes a naive loop, many times slower,
 * and every dense layer's gradient is such a product. The override transposes the operand
 * explicitly (a cheap, memory-bound copy: transpose.ts) and runs an untransposed product.
 * Float32 products whose N is a multiple of 8 run the SIMD GEMM on the heap (gemm.ts,
 * gemm.wat), faster than XNNPACK through tfjs on the model's shapes; others go to XNNPACK.
 * Products of a batch of matrices (attention) fare worst with XNNPACK, for only a batch of
 * one reaches it, so for those the override runs it once per matrix, staging each pair
 * through fresh heap buffers; the GEMM needs no staging. Figures: docs/benchmarks.md, Kernels.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { simdProduct } from './gemm';
import { transposedOnHeap } from './transpose';
import type { SimdKernels } from '../simd/kernels';
import { kernelOptions, overrideWasmKernel, simdKernels, type KernelArgs, type WasmBackendLike } from './wasmHeap';

/** Overrides BatchMatMul: transposed products transposed first, then perMatrix. */
export function registerBatchMatMul(): void {
  overrideWasmKernel('BatchMatMul', (args, original) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const b = backend as unknown as WasmBackendLike;
    if (!attrs.transposeA && !attrs.transposeB) return perMatrix(args, original, b);
    let { a, b: bIn } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const temporaries: tf.TensorInfo[] = [];
    if (attrs.transposeA) temporaries.push((a = transposedOnHeap(b, a)));
    if (attrs.transposeB) temporaries.push((bIn = transposedOnHeap(b, bIn)));
    const out = perMatrix(
      { inputs: { a, b: bIn }, attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap, backend },
      original,
      b,
    );
    for (const t of temporaries) b.disposeData(t.dataId);
    return out;
  });
}

function simdGemmFor(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmBackendLike): SimdKernels | undefined {
  const N = b.shape[b.shape.length - 1];
  return kernelOptions.simd && a.dtype === 'float32' && b.dtype === 'float32' && N % 8 === 0 && N > 0 ? simdKernels(backend) : undefined;
}

/**
 * [batch, M, K] x [batch, K, N] one matrix at a time; other shapes go to the kernel as they are.
 * Float32 products with N a multiple of 8 run the SIMD GEMM instead (any M, any batch):
 * XNNPACK through tfjs also creates an operator and packs B for every matrix of a batch.
 */
function perMatrix(args: KernelArgs, kernel: tf.KernelFunc, backend: WasmBackendLike): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const rank = a.shape.length;
  if (rank === 2 && b.shape.length === 2) {
    const simd = simdGemmFor(a, b, backend);
    if (simd) return simdProduct(simd, a, b, 1, backend);
    return kernel(args) as tf.TensorInfo;
  }
  if (rank < 3 || b.shape.length !== rank) return kernel(args) as tf.TensorInfo;
  const batchDims = a.shape.slice(0, -2);
  if (batchDims.join() !== b.shape.slice(0, -2).join()) return kernel(args) as tf.TensorInfo; // broadcasting
  const batch = batchDims.reduce((x, d) => x * d, 1);
  const simd = simdGemmFor(a, b, backend);
  if (simd) return simdProduct(simd, a, b, batch, backend);
  if (batch === 1) return kernel(args) as tf.TensorInfo;
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[rank - 1];
  const out = backend.makeOutput([...batchDims, M, N], a.dtype);
  for (let i = 0; i < batch; i++) {
    // Fresh staging tensors for every matrix, never rewritten in place: the wasm backend
    // caches XNNPACK's packed copy of b by tensor id, so refilling one buffer would
    // multiply every matrix by the first b (it did: attention used the first example's
    // keys and values for the whole batch).
    const sliceA = backend.makeOutput([1, M, K], a.dtype);
    const sliceB = backend.makeOutput([1, K, N], b.dtype);
    // Views are taken anew each time: an allocation inside the kernel may grow the heap.
    backend.typedArrayFromHeap(sliceA).set(backend.typedArrayFromHeap(a).subarray(i * M * K, (i + 1) * M * K));
    backend.typedArrayFromHeap(sliceB).set(backend.typedArrayFromHeap(b).subarray(i * K * N, (i + 1) * K * N));
    const product = kernel({ ...args, inputs: { a: sliceA, b: sliceB } }) as tf.TensorInfo;
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(product), i * M * N);
    backend.disposeData(product.dataId);
    backend.disposeData(sliceA.dataId);
    backend.disposeData(sliceB.dataId);
  }
  return out;
}
