/**
 * Gather on the wasm backend: rows as blocks, and the gradient of gather.
 */
import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, type WasmBackendLike } from './wasmHeap';

/**
 * Gather of whole rows (axis 0: every embedding lookup). tfjs-backend-wasm's GatherV2
 * computes every element's source index; copying each row as a block takes a small
 * fraction of that time (docs/benchmarks.md, Kernels). Other gathers, and indices out of
 * range, go to the original kernel.
 */
export function registerRowGather(): void {
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

/**
 * tfjs computes the gradient of `gather` (every embedding lookup) with UnsortedSegmentSum,
 * which tfjs-backend-wasm 4.22 does not implement, so without this no embedding can be
 * trained on wasm. The kernel runs in JavaScript on the wasm heap: a scatter-add is
 * memory-bound, and one pass over the rows is all it costs.
 */
export function registerUnsortedSegmentSum(): void {
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
