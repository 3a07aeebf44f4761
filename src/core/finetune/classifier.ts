/**
 * A classification head on a pre-trained encoder, named as Hugging Face names it:
 *   token    (ElectraForTokenClassification):    classifier: dense H -> L at every position
 *   sequence (ElectraForSequenceClassification): classifier.dense H -> H, GELU, dropout,
 *            classifier.out_proj H -> L, on the [CLS] position
 * The encoder is the one pre-training judged: ELECTRA's discriminator, or the masked LM's
 * stack (config.ts pretrainedEncoder); a generator and the pre-training heads take no part.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pretrainedEncoder } from '../model/config';
import { DropoutStream, maskBias, type ElectraModel } from '../model/model';
import { deriveSeed } from '../common/random';
import { dense } from '../wasm/kernels/dense';
import { biasGelu } from '../wasm/kernels/gelu';
import type { TaskKind } from './task';

let nextHead = 0;

export class Classifier {
  /** The head's parameters by Hugging Face name. */
  readonly head = new Map<string, tf.Variable>();
  readonly which: 'discriminator' | 'generator';

  constructor(readonly model: ElectraModel, readonly kind: TaskKind, readonly numLabels: number, seed: number) {
    this.which = pretrainedEncoder(model.config);
    const H = model.config[this.which].hiddenSize;
    const instance = nextHead++;
    const add = (name: string, shape: number[], init: 'normal' | 'zeros') => {
      const initial = init === 'zeros' ? tf.zeros(shape) : tf.truncatedNormal(shape, 0, 0.02, 'float32', deriveSeed(seed, 'head', name));
      this.head.set(name, tf.variable(initial, true, `${name}@head${instance}`));
      initial.dispose();
    };
    if (kind === 'token') {
      add('classifier.weight', [numLabels, H], 'normal');
      add('classifier.bias', [numLabels], 'zeros');
    } else {
      add('classifier.dense.weight', [H, H], 'normal');
      add('classifier.dense.bias', [H], 'zeros');
      add('classifier.out_proj.weight', [numLabels, H], 'normal');
      add('classifier.out_proj.bias', [numLabels], 'zeros');
    }
  }

  /** What fine-tuning trains: the shared embeddings, the encoder and the head; and which of them take weight decay. */
  trainable(): { params: Map<string, tf.Variable>; decayed: Set<string> } {
    const params = new Map<string, tf.Variable>();
    const decayed = new Set<string>();
    for (const [name, v] of this.model.params) {
      if (name.startsWith('electra.embeddings.') || name.startsWith(`${this.which}.electra.`)) {
        params.set(name, v);
        if (this.model.decayed.has(name)) decayed.add(name);
      }
    }
    for (const [name, v] of this.head) {
      params.set(name, v);
      if (name.endsWith('.weight')) decayed.add(name);
    }
    return { params, decayed };
  }

  private p(name: string): tf.Variable {
    return this.head.get(name)!;
  }

  /**
   * Logits. ids, attentionMask [B, T] -> token: [B*T, L]; sequence: [B, L].
   * `dropout` undefined: evaluation.
   */
  logits(ids: tf.Tensor2D, attentionMask: tf.Tensor2D, dropout?: DropoutStream): tf.Tensor2D {
    const [B, T] = ids.shape;
    const h = this.model.encode(this.which, this.model.embed(ids, dropout), B, T, maskBias(attentionMask), dropout); // [B*T, H]
    const drop = <X extends tf.Tensor>(x: X): X => (dropout ? dropout.apply(x) : x);
    if (this.kind === 'token') return dense(drop(h), this.p('classifier.weight') as tf.Tensor2D, this.p('classifier.bias') as tf.Tensor1D);
    const H = h.shape[1];
    const cls = tf.reshape(tf.slice(tf.reshape(h, [B, T, H]), [0, 0, 0], [B, 1, H]), [B, H]); // [B, H] at [CLS]
    const d = drop(biasGelu(tf.matMul(drop(cls), this.p('classifier.dense.weight'), false, true), this.p('classifier.dense.bias') as tf.Tensor1D));
    return dense(d as tf.Tensor2D, this.p('classifier.out_proj.weight') as tf.Tensor2D, this.p('classifier.out_proj.bias') as tf.Tensor1D);
  }

  dispose(): void {
    for (const v of this.head.values()) v.dispose();
    this.head.clear();
  }
}

export { DropoutStream };
