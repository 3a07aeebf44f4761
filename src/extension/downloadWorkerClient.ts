/**
 * The extension host's side of a download worker (src/worker/downloadWorker.ts): starts it,
 * relays its progress, cancels its transfer through an AbortSignal, resolves with its result. No
 * `vscode`, so tests run it as it is.
 */
import { Worker } from 'node:worker_threads';
import type { HubImportResult } from '../core';
import { DOWNLOAD_PROTOCOL_VERSION as v, downloadMessageProblem, type DownloadCancel, type DownloadRequest, type DownloadWorkerMessage } from '../shared/downloadProtocol';

export interface DownloadEvents {
  onBytes?(p: { repoId: string; file: string; bytes: number; totalBytes: number }): void;
  onLog?(message: string): void;
}

export function downloadInWorker(workerPath: string, options: DownloadRequest['options'], events: DownloadEvents, signal?: AbortSignal): Promise<HubImportResult> {
  return new Promise((resolve, reject) => {
    const request: DownloadRequest = { v, options };
    const worker = new Worker(workerPath, { workerData: request });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    // The transfer stops at once; an import already under way finishes (it is not interrupted
    // half-written) and its run is the result.
    const onAbort = () => worker.postMessage({ v, type: 'cancel' } satisfies DownloadCancel);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (raw: unknown) => {
      const problem = downloadMessageProblem(raw);
      if (problem) {
        void worker.terminate();
        return settle(() => reject(new Error(`download worker: ${problem}`)));
      }
      const m = raw as DownloadWorkerMessage;
      if (m.type === 'bytes') events.onBytes?.(m);
      else if (m.type === 'log') events.onLog?.(m.message);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the download worker exited (code ${code}) without a result`))));
  });
}
