/**
 * Identity, same-type Cast and identity Transpose share their input's data. tfjs clones
 * every tensor a gradient keeps for the backward pass (engine.saveTensorsForBackwardMode),
 * and the gradient of every multiply casts its other operand to float32; the wasm kernels
 * copy the data each time (hundreds of copies of an activation per training step).
 * Tensors are immutable, so sharing the data with a reference count, as the cpu backend
 * does, is the same thing without the copy.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, type KernelArgs, type WasmBackendLike } from './wasmHeap';

/**
 * Identity, Cast to the same type, and Transpose by the identity permutation (tfjs's gather
 * gradient transposes the embedding table's gradient so, [8192, 128] twice a tiny step)
 * share the input's data instead of copying it.
 */
export function registerSharedCopies(): void {
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
