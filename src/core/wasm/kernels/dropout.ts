/**
 * Dropout with model.ts's mask contract (dropoutMask: example b of the tensor draws from
 * `new Rng(seed of b)`, one raw 32-bit draw per value in order, dropped when below
 * floor(rate * 2^32), kept values scaled by 1 / (1 - rate)), drawing the mask and applying
 * it in one pass on the wasm heap.
 *
 * The composite form builds the mask in JavaScript, uploads it, and multiplies, for some
 * six million values a tiny step. The kernel draws the same stream in wasm (dropout.wat:
 * dropout_mask4, four examples' streams in the lanes of one
 * vector, and dropout for the rest) and gives the same mask and product, bit for bit;
 * the backward multiplies by the saved mask, as the composite's gradient does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../common/random';
import { customOp } from './customOp';
import { f32, kernelOptions, pointer, registerWasmKernel, runKernel, simdKernels, wasmKernelActive } from './wasmHeap';

const KERNEL = 'ElectraDropout';

/** The four words of a fresh generator's state: the kernel continues the stream from there. */
function rngState(seed: number): Uint32Array {
  // Rng keeps its xoshiro128** state in `s` (random.ts); kernels.test.ts checks the kernel's
  // mask against dropoutMask's, so a change there cannot go unnoticed.
  return (new Rng(seed) as unknown as { s: Uint32Array }).s;
}

/**
 * x * dropout mask, with `seeds[b]` the stream of example b (x is example-major); undefined
 * where the kernel cannot run (other backends), for the caller's composite form.
 */
export function fusedDropout<T extends tf.Tensor>(x: T, rate: number, seeds: number[]): T | undefined {
  if (!(rate > 0 && rate < 1) || x.dtype !== 'float32' || x.size % seeds.length !== 0 || !wasmKernelActive(KERNEL)) return undefined;
  const op = customOp(([xIn], save) => {
    const [y, mask] = runKernel<tf.Tensor[]>(KERNEL, { x: xIn }, { rate, seeds });
    save([mask]);
    return { value: y, gradFunc: (dy, [m]) => [tf.mul(dy, m)] };
  });
  return op(x) as T;
}

export function registerDropoutKernel(): void {
  registerWasmKernel(KERNEL, (b, { x }, attrs) => {
    const { rate, seeds } = attrs as { rate: number; seeds: number[] };
    const y = b.makeOutput(x.shape, 'float32');
    const mask = b.makeOutput(x.shape, 'float32');
    const size = x.shape.reduce((a, d) => a * d, 1);
    const chunk = size / seeds.length;
    const keep = 1 / (1 - rate);
    const threshold = Math.floor(rate * 4294967296);
    const simd = kernelOptions.simd ? simdKernels(b) : undefined;
    if (simd) {
      // Four examples at a time, one stream per SIMD lane; then one multiply over them all.
      // The rest (batch not a multiple of 4) one example at a time.
      const grouped = seeds.length - (seeds.length % 4);
      const stateInfo = b.makeOutput([16], 'int32');
      const [px, py, pm, ps] = [pointer(b, x), pointer(b, y), pointer(b, mask), pointer(b, stateInfo)];
      for (let e0 = 0; e0 < grouped; e0 += 4) {
        const words = b.typedArrayFromHeap(stateInfo) as Int32Array;
        for (let lane = 0; lane < 4; lane++) rngState(seeds[e0 + lane]).forEach((w, k) => (words[k * 4 + lane] = w));
        simd.dropout_mask4(pm + e0 * chunk * 4, chunk * 4, ps, threshold, keep);
      }
      if (grouped > 0) simd.multiply(px, pm, py, grouped * chunk * 4);
      for (let e = grouped; e < seeds.length; e++) {
        const s = rngState(seeds[e]);
        const at = e * chunk * 4;
        simd.dropout(px + at, py + at, pm + at, chunk * 4, s[0], s[1], s[2], s[3], threshold, keep);
      }
      b.disposeData(stateInfo.dataId);
      return [y, mask];
    }
    const [X, Y, M] = [x, y, mask].map((t) => f32(b, t));
    const keep32 = Math.fround(keep);
    seeds.forEach((seed, e) => {
      const rng = new Rng(seed);
      for (let i = e * chunk, end = i + chunk; i < end; i++) {
        const m = rng.nextUint32() < threshold ? 0 : keep32;
        M[i] = m;
        Y[i] = X[i] * m;
      }
    });
    return [y, mask];
  });
}
