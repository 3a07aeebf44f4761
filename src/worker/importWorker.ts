/**
 * One Hugging Face import in a worker thread, so the extension host never blocks on
 * parsing weights. Speaks src/shared/importProtocol.ts: the request comes as workerData;
 * 'done' or 'error' is always its last message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { importHuggingFace } from '../core';
import { IMPORT_PROTOCOL_VERSION as v, isImportRequest, type ImportWorkerMessage } from '../shared/importProtocol';

if (!parentPort) throw new Error('importWorker must run in a worker thread');
const port = parentPort;
const send = (m: ImportWorkerMessage) => port.postMessage(m);

try {
  if (!isImportRequest(workerData)) throw new Error(`import worker: not an import request of protocol version ${v}`);
  const report = importHuggingFace({ ...workerData.options, onProgress: (message) => send({ v, type: 'progress', message }) });
  send({ v, type: 'done', report });
} catch (e) {
  send({ v, type: 'error', message: (e as Error).message ?? String(e) });
}
port.close();
