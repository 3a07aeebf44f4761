/**
 * The extension host's side of an import worker (src/worker/importWorker.ts): starts it,
 * relays its progress, resolves with its report. No `vscode`, so tests run it as it is.
 */
import { Worker } from 'node:worker_threads';
import type { ImportReport } from '../core';
import { IMPORT_PROTOCOL_VERSION, importMessageProblem, type ImportRequest, type ImportWorkerMessage } from '../shared/importProtocol';

/** Runs one import in a worker thread; `onProgress` gets its steps. */
export function importInWorker(workerPath: string, options: ImportRequest['options'], onProgress: (message: string) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const request: ImportRequest = { v: IMPORT_PROTOCOL_VERSION, options };
    const worker = new Worker(workerPath, { workerData: request });
    let settled = false;
    const settle = (f: () => void) => {
      if (!settled) {
        settled = true;
        f();
      }
    };
    worker.on('message', (raw: unknown) => {
      const problem = importMessageProblem(raw);
      if (problem) return settle(() => reject(new Error(`import worker: ${problem}`)));
      const m = raw as ImportWorkerMessage;
      if (m.type === 'progress') onProgress(m.message);
      else if (m.type === 'done') settle(() => resolve(m.report));
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the import worker exited (code ${code}) without a result`))));
  });
}

