/**
 * One data-parallel worker: a Replica (src/core/parallel/replica.ts) of the model a
 * ReplicaPool trains or scores with, on a TensorFlow.js of its own. It speaks
 * src/shared/parallelProtocol.ts: answers 'init' with 'ready', every 'shard' with 'done'
 * (statistics, and for training the gradients written to its buffer), every
 * 'discriminate' with 'probabilities' (scoring), or any of them with 'error'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { describeBackend, ElectraModel, initBackend, Replica } from '../core';
import { DATA_PARALLEL_PROTOCOL_VERSION as v, type FromReplica, type ToReplica } from '../shared/parallelProtocol';

if (!parentPort) throw new Error('dataParallelWorker must run in a worker thread');
const port = parentPort;
let replica: Replica | undefined;

function send(message: FromReplica): void {
  port.postMessage(message);
}

port.on('message', async (m: ToReplica) => {
  try {
    if (m.v !== v) throw new Error(`protocol version ${m.v}, this worker speaks ${v}`);
    if (m.type === 'init') {
      const backend = await initBackend(m.backend);
      replica = new Replica(new ElectraModel(m.config, 0), m.slots, m.weights, m.grads);
      send({ v, type: 'ready', backend: describeBackend(backend) });
    } else if (m.type === 'shard') {
      if (!replica) throw new Error('shard before init');
      const stats = replica.run(m.mode, m.weightsVersion, m.shard, m.options);
      send({ v, type: 'done', stats, liveTensors: tf.memory().numTensors });
    } else if (m.type === 'discriminate') {
      if (!replica) throw new Error('discriminate before init');
      const probs = replica.discriminate(m.weightsVersion, m.batch);
      send({ v, type: 'probabilities', probs, liveTensors: tf.memory().numTensors });
    }
  } catch (e) {
    send({ v, type: 'error', message: (e as Error).message });
  }
});
