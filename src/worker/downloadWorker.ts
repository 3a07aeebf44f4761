/**
 * One Hugging Face Hub download and import in a worker thread, so the extension host never
 * blocks on the network's callbacks, hashing or parsing weights. Speaks
 * src/shared/downloadProtocol.ts: the request comes as workerData, a 'cancel' message aborts
 * the transfer (what arrived stays in the cache); 'done' or 'error' is always its last message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { downloadAndImport } from '../core';
import { DOWNLOAD_PROTOCOL_VERSION as v, isDownloadCancel, isDownloadRequest, type DownloadWorkerMessage } from '../shared/downloadProtocol';

if (!parentPort) throw new Error('downloadWorker must run in a worker thread');
const port = parentPort;
const send = (m: DownloadWorkerMessage) => port.postMessage(m);
const abort = new AbortController();
port.on('message', (m: unknown) => {
  if (isDownloadCancel(m)) abort.abort();
});

async function run(): Promise<void> {
  try {
    if (!isDownloadRequest(workerData)) throw new Error(`download worker: not a download request of protocol version ${v}`);
    // Progress arrives for every network chunk: at most one message per 100 ms, and the last.
    let last = 0;
    const result = await downloadAndImport({
      ...workerData.options,
      signal: abort.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 100 && p.bytes < p.totalBytes) return;
        last = now;
        send({ v, type: 'bytes', ...p });
      },
      onLog: (message) => send({ v, type: 'log', message }),
    });
    send({ v, type: 'done', result });
  } catch (e) {
    send({ v, type: 'error', message: (e as Error).message ?? String(e) });
  }
  port.close();
}
void run();
