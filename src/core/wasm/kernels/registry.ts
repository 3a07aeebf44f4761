/**
 * Every kernel the engine adds to or overrides on tfjs's wasm backend, registered in one
 * place. Each kernel's module says why it exists and holds its fallback: the original
 * kernel for the cases an override does not cover, or, for the model's fused ops, the
 * composite tf form that other backends run.
 *
 * Overrides of tfjs-backend-wasm's own kernels (overrideWasmKernel): BatchMatMul (SIMD GEMM,
 * no transposed products), Identity / Cast / Transpose (shared data instead of copies),
 * Sum over leading axes (one pass), GatherV2 of rows (block copies). Kernels it lacks:
 * UnsortedSegmentSum (the gradient of gather). The fused ops of the model: LayerNorm,
 * bias + GELU, AdamW, dropout, attention softmax, dense.
 */
import { registerAdamWKernel } from './adamw';
import { registerAttentionSoftmaxKernels } from './attentionSoftmax';
import { registerBatchMatMul } from './batchMatMul';
import { registerLeadingAxisSum } from './columnSum';
import { registerDenseKernel } from './dense';
import { registerDropoutKernel } from './dropout';
import { registerRowGather, registerUnsortedSegmentSum } from './gather';
import { registerBiasGeluKernels } from './gelu';
import { registerLayerNormKernels } from './layerNorm';
import { registerSharedCopies } from './sharedCopies';

let registered = false;

/** Registers the engine's wasm kernels, once per process, before the wasm backend starts. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  // Overrides of tfjs-backend-wasm's kernels.
  registerBatchMatMul();
  registerSharedCopies();
  registerLeadingAxisSum();
  registerRowGather();
  // Kernels it lacks.
  registerUnsortedSegmentSum();
  // The model's fused ops.
  registerLayerNormKernels();
  registerBiasGeluKernels();
  registerAdamWKernel();
  registerDropoutKernel();
  registerAttentionSoftmaxKernels();
  registerDenseKernel();
}
