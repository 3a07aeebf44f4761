/**
 * The layout of the SharedArrayBuffers through which weights and gradients cross threads:
 * every parameter at a fixed offset (a ParamSlot), in the model's parameter order.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ElectraModel } from '../model/model';
import type { ParamSlot } from '../../shared/parallelProtocol';

export type { ParamSlot } from '../../shared/parallelProtocol';

export function paramSlots(model: ElectraModel): ParamSlot[] {
  const slots: ParamSlot[] = [];
  let offset = 0;
  for (const [name, v] of model.params) {
    slots.push({ name, shape: v.shape.slice(), offset, size: v.size });
    offset += v.size;
  }
  return slots;
}

/** Floats a buffer laid out by `slots` holds. */
export function totalFloats(slots: ParamSlot[]): number {
  const last = slots[slots.length - 1];
  return last ? last.offset + last.size : 0;
}

/**
 * Copies a float32 tensor's values into `target` at `offset`. On wasm straight from the
 * backend's heap: dataSync would copy them into a new array first, and weights and
 * gradients cross threads every step (56 MB each way for the small preset).
 */
export function copyInto(t: tf.Tensor, target: Float32Array, offset: number): void {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?(info: tf.TensorInfo): Float32Array };
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap && t.dtype === 'float32') {
    target.set(backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }), offset);
  } else {
    target.set(t.dataSync() as Float32Array, offset);
  }
}
