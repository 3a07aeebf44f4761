/**
 * Attention weights: softmax over keys of scores * scale + mask bias, scores [B, nh, Tq, Tk]
 * and the bias [B, 1, 1, Tk] (0 for tokens, -10000 for padding; no gradient).
 *
 * As tf ops: a multiply, a broadcast add and a softmax forward; backward a multiply, a
 * reduction, a subtract and two more multiplies, each a pass over [B, nh, T, T]. The wasm
 * kernels (attentionSoftmax.wat) do each direction in one pass per row, the exp vectorised.
 * Shapes they do not cover (key count not a multiple of 4, another bias layout), and
 * other backends, run the composite form.
 */
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customOp';
import { kernelOptions, pointer, registerWasmKernel, runKernel, simdKernels, wasmKernelActive, type WasmBackendLike } from './wasmHeap';

const FORWARD = 'ElectraAttentionSoftmax';
const BACKWARD = 'ElectraAttentionSoftmaxGrad';

export function attentionSoftmaxComposite(scores: tf.Tensor4D, maskBias: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.softmax(tf.add(tf.mul(scores, scale), maskBias)) as tf.Tensor4D;
}

export function attentionSoftmax(scores: tf.Tensor4D, maskBias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [B, , , Tk] = scores.shape;
  const covered =
    Tk % 4 === 0 && maskBias.shape.join() === [B, 1, 1, Tk].join() && scores.dtype === 'float32' && wasmKernelActive(FORWARD) &&
    kernelOptions.simd && simdKernels(tf.backend() as unknown as WasmBackendLike) !== undefined;
  if (!covered) return attentionSoftmaxComposite(scores, maskBias, scale);
  const op = customOp(([s], save) => {
    const probs = runKernel<tf.Tensor>(FORWARD, { scores: s, bias: maskBias }, { scale });
    save([probs]);
    return { value: probs, gradFunc: (dp, [p]) => [runKernel<tf.Tensor>(BACKWARD, { dp, p }, { scale })] };
  });
  return op(scores) as tf.Tensor4D;
}

export function registerAttentionSoftmaxKernels(): void {
  registerWasmKernel(FORWARD, (b, { scores, bias }, { scale }) => {
    const [B, nh, Tq, Tk] = scores.shape;
    const probs = b.makeOutput(scores.shape, 'float32');
    simdKernels(b)!.attention_softmax(pointer(b, scores), pointer(b, bias), pointer(b, probs), B, nh * Tq, Tk * 4, scale as number);
    return probs;
  });
  registerWasmKernel(BACKWARD, (b, { dp, p }, { scale }) => {
    const Tk = p.shape[p.shape.length - 1];
    const rows = p.shape.reduce((a, d) => a * d, 1) / Tk;
    const ds = b.makeOutput(p.shape, 'float32');
    simdKernels(b)!.attention_softmax_backward(pointer(b, dp), pointer(b, p), pointer(b, ds), rows, Tk * 4, scale as number);
    return ds;
  });
}
