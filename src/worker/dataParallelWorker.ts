/**
 * One data-parallel worker (ranks 1..N-1 of src/core/dataParallel.ts): a TensorFlow.js of
 * its own, a replica of the model, and the shared buffers. It answers every 'shard' with
 * 'done' (statistics, and for training the gradients written to its buffer) or 'error'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { describeBackend, initBackend } from '../core/backend';
import {
  DATA_PARALLEL_PROTOCOL_VERSION as v,
  GradientWorkerReplica,
  type FromGradientWorker,
  type ToGradientWorker,
} from '../core/dataParallel';
import { ElectraModel } from '../core/model';

if (!parentPort) throw new Error('dataParallelWorker must run in a worker thread');
const port = parentPort;
let replica: GradientWorkerReplica | undefined;

function send(message: FromGradientWorker): void {
  port.postMessage(message);
}

port.on('message', async (m: ToGradientWorker) => {
  try {
    if (m.v !== v) throw new Error(`protocol version ${m.v}, this worker speaks ${v}`);
    if (m.type === 'init') {
      const backend = await initBackend(m.backend);
      replica = new GradientWorkerReplica(new ElectraModel(m.config, 0), m.slots, m.weights, m.grads);
      send({ v, type: 'ready', backend: describeBackend(backend) });
    } else if (m.type === 'shard') {
      if (!replica) throw new Error('shard before init');
      const stats = replica.run(m.mode, m.weightsVersion, m.shard, m.options);
      send({ v, type: 'done', stats, liveTensors: tf.memory().numTensors });
    }
  } catch (e) {
    send({ v, type: 'error', message: (e as Error).message });
  }
});
