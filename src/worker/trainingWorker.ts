/**
 * One training run in a worker thread, so the extension host never blocks. It speaks
 * src/shared/workerProtocol.ts over `parentPort`: optionally walks the corpus ('scan') for
 * the user to confirm, then trains ('start') through the engine's `pretrain`, forwarding its
 * events, until the step/minute budget is reached or the host asks it to stop ('stop':
 * the engine saves a checkpoint first). 'done' or 'error' is always its last message.
 */
import { parentPort } from 'node:worker_threads';
import { DEFAULT_BACKEND, initBackend, describeBackend } from '../core';
import { walkCorpus } from '../core';
import { pretrain, type PretrainOptions } from '../core';
import {
  WORKER_PROTOCOL_VERSION as v,
  hostMessageProblem,
  type CorpusSummary,
  type HostToWorker,
  type WorkerToHost,
} from '../shared/workerProtocol';

if (!parentPort) throw new Error('trainingWorker must run in a worker thread');
const port = parentPort;

function send(message: WorkerToHost): void {
  port.postMessage(message);
}

const controller = new AbortController();
let started = false;

async function scan(corpus: PretrainOptions['corpus']): Promise<CorpusSummary> {
  if (corpus.kind !== 'folder') {
    return { root: '(Brown Corpus)', files: 500, totalBytes: 0, skippedByReason: {}, sample: [] };
  }
  // The same options the engine passes (src/core/dataset.ts): absent keys keep the defaults.
  const found = await walkCorpus(corpus.root, {
    ...(corpus.include ? { include: corpus.include } : {}),
    ...(corpus.exclude ? { exclude: corpus.exclude } : {}),
    ...(corpus.maxFileBytes ? { maxFileBytes: corpus.maxFileBytes } : {}),
  });
  const skippedByReason: Record<string, number> = {};
  for (const s of found.skipped) skippedByReason[s.reason] = (skippedByReason[s.reason] ?? 0) + 1;
  return {
    root: corpus.root,
    files: found.files.length,
    totalBytes: found.files.reduce((sum, f) => sum + f.bytes, 0),
    skippedByReason,
    sample: found.files.slice(0, 20).map((f) => f.relPath),
  };
}

async function train(options: PretrainOptions): Promise<void> {
  const report = await initBackend(options.backend ?? DEFAULT_BACKEND);
  send({ v, type: 'backend', name: report.name, detail: describeBackend(report) });
  const result = await pretrain(
    options,
    {
      onLog: (level, message) => send({ v, type: 'log', level, message }),
      onStep: (metrics) => send({ v, type: 'step', metrics }),
      onEval: (metrics) => send({ v, type: 'eval', metrics }),
      onCheckpoint: ({ step, dir }) => send({ v, type: 'checkpoint', step, dir }),
    },
    controller.signal,
  );
  send({ v, type: 'done', result });
}

function fail(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  send({ v, type: 'error', message: err.message, stack: err.stack });
}

port.on('message', (raw: unknown) => {
  const problem = hostMessageProblem(raw);
  if (problem) {
    send({ v, type: 'log', level: 'error', message: `ignored a message from the host: ${problem}` });
    return;
  }
  const msg = raw as HostToWorker;
  switch (msg.type) {
    case 'scan':
      scan(msg.corpus).then((summary) => send({ v, type: 'scanned', summary }), fail);
      break;
    case 'start':
      if (started) {
        send({ v, type: 'log', level: 'warn', message: 'already training; second start ignored' });
        break;
      }
      started = true;
      train(msg.options).then(
        () => port.close(),
        (e) => {
          fail(e);
          port.close();
        },
      );
      break;
    case 'stop':
      if (!started) {
        // Nothing to save: end at once.
        send({ v, type: 'error', message: 'stopped before training started' });
        port.close();
      } else controller.abort();
      break;
  }
});

send({ v, type: 'ready' });
