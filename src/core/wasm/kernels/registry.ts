/**
 * Registers the wasm kernels of the model's fused ops. Each op's module holds its kernels
 * and the composite tf implementation it falls back on for other backends.
 */
import { registerAdamWKernel } from './adamw';
import { registerAttentionSoftmaxKernels } from './attentionSoftmax';
import { registerDenseKernel } from './dense';
import { registerDropoutKernel } from './dropout';
import { registerBiasGeluKernels } from './gelu';
import { registerLayerNormKernels } from './layerNorm';

export function registerFusedKernels(): void {
  registerLayerNormKernels();
  registerBiasGeluKernels();
  registerAdamWKernel();
  registerDropoutKernel();
  registerAttentionSoftmaxKernels();
  registerDenseKernel();
}
