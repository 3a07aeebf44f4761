/**
 * Kernels the wasm backend lacks or runs slowly.
 *
 * BatchMatMul: tfjs-backend-wasm 4.22 hands only untransposed products to XNNPACK; with
 * transposeA or transposeB it takes a naive loop about ten times slower (measured here:
 * 16 GFLOP/s plain, 1.4 with transposeB, 0.9 with transposeA). Every dense layer's
 * gradient is such a product. The wrapper transposes the operand explicitly (a cheap,
 * memory-bound copy) and runs the fast kernel. Products of a batch of matrices (attention)
 * fare worse: only a batch of one reaches XNNPACK (1.2 GFLOP/s batched against 9.5 for
 * one matrix), so the wrapper runs the fast kernel once per matrix, staging each pair
 * through two reused heap buffers.
 * tfjs computes the gradient of `gather` (every embedding
 * lookup) with UnsortedSegmentSum, which tfjs-backend-wasm 4.22 does not implement, so
 * without this no embedding can be trained on wasm. The kernel runs in JavaScript on the
 * wasm heap: a scatter-add is memory-bound, and one pass over the rows is all it costs.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  disposeData(dataId: unknown): boolean;
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerFastBatchMatMul();
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

function registerFastBatchMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend } = args;
      const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const b = backend as unknown as WasmBackendLike;
      if (!attrs.transposeA && !attrs.transposeB) return perMatrix(args, original.kernelFunc, b);
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x }, attrs: { perm } as unknown as tf.NamedAttrMap, backend }) as tf.TensorInfo;
      };
      let { a, b: bIn } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const temporaries: tf.TensorInfo[] = [];
      if (attrs.transposeA) temporaries.push((a = swapLast(a)));
      if (attrs.transposeB) temporaries.push((bIn = swapLast(bIn)));
      const out = perMatrix(
        { inputs: { a, b: bIn }, attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap, backend },
        original.kernelFunc,
        b,
      );
      for (const t of temporaries) b.disposeData(t.dataId);
      return out;
    },
  });
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** [batch, M, K] x [batch, K, N] one matrix at a time; other shapes go to the kernel as they are. */
function perMatrix(args: KernelArgs, kernel: tf.KernelFunc, backend: WasmBackendLike): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const rank = a.shape.length;
  if (rank < 3 || b.shape.length !== rank) return kernel(args) as tf.TensorInfo;
  const batchDims = a.shape.slice(0, -2);
  if (batchDims.join() !== b.shape.slice(0, -2).join()) return kernel(args) as tf.TensorInfo; // broadcasting
  const batch = batchDims.reduce((x, d) => x * d, 1);
  if (batch === 1) return kernel(args) as tf.TensorInfo;
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[rank - 1];
  const out = backend.makeOutput([...batchDims, M, N], a.dtype);
  const sliceA = backend.makeOutput([1, M, K], a.dtype);
  const sliceB = backend.makeOutput([1, K, N], b.dtype);
  for (let i = 0; i < batch; i++) {
    // Views are taken anew each time: an allocation inside the kernel may grow the heap.
    backend.typedArrayFromHeap(sliceA).set(backend.typedArrayFromHeap(a).subarray(i * M * K, (i + 1) * M * K));
    backend.typedArrayFromHeap(sliceB).set(backend.typedArrayFromHeap(b).subarray(i * K * N, (i + 1) * K * N));
    const product = kernel({ ...args, inputs: { a: sliceA, b: sliceB } }) as tf.TensorInfo;
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(product), i * M * N);
    backend.disposeData(product.dataId);
  }
  backend.disposeData(sliceA.dataId);
  backend.disposeData(sliceB.dataId);
  return out;
}
