/**
 * Kernels the wasm backend lacks or runs slowly.
 *
 * BatchMatMul: tfjs-backend-wasm 4.22 hands only untransposed products to XNNPACK; with
 * transposeA or transposeB it takes a naive loop about ten times slower (measured here:
 * 16 GFLOP/s plain, 1.4 with transposeB, 0.9 with transposeA). Every dense layer's
 * gradient is such a product. The wrapper transposes the operand explicitly (a cheap,
 * memory-bound copy, in the SIMD module) and runs an untransposed product. Float32
 * products whose N is a multiple of 8 run the SIMD module's GEMM on the heap
 * (kernels/gemm.ts: 27-31 GFLOP/s here on the model's shapes, against 10-18 for XNNPACK
 * through tfjs); others go to XNNPACK. Products of a batch of matrices (attention) fare
 * worst with XNNPACK: only a batch of one reaches it (1.2 GFLOP/s batched against 9.5 for
 * one matrix), so for those the wrapper runs it once per matrix, staging each pair through
 * fresh heap buffers; the GEMM needs no staging.
 *
 * tfjs computes the gradient of `gather` (every embedding lookup) with UnsortedSegmentSum,
 * which tfjs-backend-wasm 4.22 does not implement, so without this no embedding can be
 * trained on wasm. The kernel runs in JavaScript on the wasm heap: a scatter-add is
 * memory-bound, and one pass over the rows is all it costs.
 *
 * Identity, same-type Cast and identity Transpose: tfjs clones every tensor a gradient
 * keeps for the backward pass (engine.saveTensorsForBackwardMode), and the gradient of
 * every multiply casts its other operand to float32. The wasm kernels copy the data each
 * time (about 240 copies of a [2048, 128] activation per tiny step); tensors are
 * immutable, so sharing the data with a reference count, as the cpu backend does, is the
 * same thing without the copy.
 *
 * Sum over leading axes: see kernels/columnSum.ts. Gather of rows: see registerRowGather.
 * The fused ops of the model (LayerNorm, bias + GELU, dense, attention softmax, dropout,
 * AdamW) register their kernels here too: see kernels/registry.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from './kernels/columnSum';
import { registerFusedKernels } from './kernels/registry';
import { simdProduct } from './kernels/gemm';
import { transposedOnHeap } from './kernels/transpose';
import type { SimdKernels } from './simd/kernels';
import { f32, kernelOptions, pointer, simdKernels, type WasmBackendLike } from './kernels/wasmHeap';

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerFastBatchMatMul();
  registerSharedCopies();
  registerLeadingAxisSum();
  registerRowGather();
  registerFusedKernels();
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return; // a future tfjs may bring its own
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const b = backend as unknown as WasmBackendLike;
      // Allocate first: growing the wasm heap would detach views taken before it.
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = b.makeOutput(outShape, x.dtype);
      const values = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const target = b.typedArrayFromHeap(out);
      // Rows are everything after the segment axes: x is [n, ...rest], segmentIds is [n].
      const rowSize = ids.length > 0 ? x.shape.reduce((a, d) => a * d, 1) / ids.length : 0;
      target.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const segment = ids[i];
        if (segment < 0 || segment >= numSegments) continue; // TensorFlow drops out-of-range ids
        const src = i * rowSize;
        const dst = segment * rowSize;
        for (let k = 0; k < rowSize; k++) target[dst + k] += values[src + k];
      }
      return out;
    },
  });
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Replaces the wasm backend's kernel `kernelName` by `kernel`, which handles the cases it
 * is faster or right for and hands the others to the original (the second argument).
 */
function overrideWasmKernel(kernelName: string, kernel: (args: KernelArgs, original: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[]): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: original.setupFunc, disposeFunc: original.disposeFunc, kernelFunc: (args) => kernel(args, original.kernelFunc) });
}

function registerFastBatchMatMul(): void {
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
 * Float32 products with N a multiple of 8 run the SIMD module's GEMM instead (any M, any
 * batch): 27 to 31 GFLOP/s here on the model's larger shapes (packed, FMA; 13-20 on
 * attention's batches) against 10 to 16 for XNNPACK through
 * tfjs, which also creates an operator and packs B for every matrix of a batch.
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

/**
 * Identity, Cast to the same type, and Transpose by the identity permutation (tfjs's gather
 * gradient transposes the embedding table's gradient so, [8192, 128] twice a tiny step)
 * share the input's data instead of copying it.
 */
function registerSharedCopies(): void {
  const share = (args: KernelArgs, x: tf.TensorInfo): tf.TensorInfo => {
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  overrideWasmKernel('Transpose', (args, original) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as unknown as { perm: number[] }).perm;
    if (x.dtype === 'string' || !perm.every((p, i) => p === i)) return original(args);
    return share(args, x);
  });
  for (const kernelName of ['Identity', 'Cast']) {
    overrideWasmKernel(kernelName, (args, original) => {
      const x = args.inputs.x as tf.TensorInfo;
      const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
      if (dtype !== x.dtype || x.dtype === 'string') return original(args);
      return share(args, x);
    });
  }
}

/** Sum of a float32 tensor over its leading axes in one pass over the rows (kernels/columnSum.ts). */
function registerLeadingAxisSum(): void {
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

/**
 * Gather of whole rows (axis 0: every embedding lookup). tfjs-backend-wasm's GatherV2
 * computes every element's source index (22 ms for 2048 rows of 128 here); copying each
 * row as a block takes a fraction of a millisecond. Other gathers, and indices out of
 * range, go to the original kernel.
 */
function registerRowGather(): void {
  overrideWasmKernel('GatherV2', (args, original) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const b = args.backend as unknown as WasmBackendLike;
    if ((axis !== 0 && axis !== -x.shape.length) || (batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || x.dtype === 'string') return original(args);
    const n = x.shape[0];
    const ids = b.typedArrayFromHeap(indices);
    for (let i = 0; i < ids.length; i++) if (!(ids[i] >= 0 && ids[i] < n)) return original(args);
    const row = x.shape.slice(1).reduce((p, d) => p * d, 1);
    const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const [src, dst, idx] = [b.typedArrayFromHeap(x), b.typedArrayFromHeap(out), b.typedArrayFromHeap(indices)];
    for (let i = 0; i < idx.length; i++) dst.set(src.subarray(idx[i] * row, idx[i] * row + row), i * row);
    return out;
  });
}
