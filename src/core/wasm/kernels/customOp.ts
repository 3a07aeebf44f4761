/**
 * tf.customGrad with the engine's types loosened: a fused op's forward runs its kernel and
 * saves what its backward kernel needs; the backward returns one gradient per input.
 * Ops run inside the forward are not recorded on the gradient tape, so the op appears to
 * autodiff as one node whatever its kernel does.
 */
import * as tf from '@tensorflow/tfjs-core';

type Forward = (inputs: tf.Tensor[], save: (tensors: tf.Tensor[]) => void) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
};

export function customOp(forward: Forward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = (...args: unknown[]) => {
    const save = args.pop() as (tensors: tf.Tensor[]) => void;
    return forward(args as tf.Tensor[], save);
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
}
