/**
 * Moving parameters and optimizer state between tensors and the plain arrays that
 * checkpoints store. Optimizer moments are named "m/<param>" and "v/<param>".
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CheckpointContents } from './checkpoint';
import { ElectraModel } from '../model/model';
import type { AdamW } from '../model/optimizer';
import type { NamedArray } from './safetensors';

function toArray(t: tf.Tensor): NamedArray {
  return { dtype: 'F32', shape: t.shape.slice(), data: t.dataSync() as Float32Array };
}

export function modelToArrays(model: ElectraModel): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, v] of model.params) out.set(name, toArray(v));
  return out;
}

export function optimizerToArrays(opt: AdamW): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, m] of opt.m) out.set(`m/${name}`, toArray(m));
  for (const [name, v] of opt.v) out.set(`v/${name}`, toArray(v));
  return out;
}

/** Tensors for `model.assign`; call inside tf.tidy. */
export function tensorsFromArrays(arrays: Map<string, NamedArray>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, a] of arrays) out.set(name, tf.tensor(a.data, a.shape, a.dtype === 'I32' ? 'int32' : 'float32'));
  return out;
}

export function optimizerFromArrays(opt: AdamW, arrays: Map<string, NamedArray>, step: number): void {
  for (const [kind, moments] of [['m', opt.m], ['v', opt.v]] as const) {
    for (const [name, variable] of moments) {
      const a = arrays.get(`${kind}/${name}`);
      if (!a) throw new Error(`optimizer state lacks ${kind}/${name}`);
      tf.tidy(() => variable.assign(tf.tensor(a.data, a.shape)));
    }
  }
  opt.step = step;
}

/** The model of a loaded checkpoint, ready for inference or further training. */
export function modelFromCheckpoint(ckpt: CheckpointContents): ElectraModel {
  const model = new ElectraModel(ckpt.config, 0);
  tf.tidy(() => model.assign(tensorsFromArrays(ckpt.weights)));
  return model;
}
