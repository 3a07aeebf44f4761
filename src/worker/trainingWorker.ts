/**
 * One training run in a worker thread, so the extension host never blocks. It speaks
 * src/shared/workerProtocol.ts over `parentPort`: optionally walks the corpus ('scan') for
 * the user to confirm, then trains ('start') through the engine's `pretrain`, forwarding its
 * events, until the step/minute budget is reached or the host asks it to stop ('stop':
 * the engine saves a checkpoint first). 'done' or 'error' is always its last message.
 */
import { parentPort } from 'node:worker_threads';
import { describeBackend, pretrain, surveyCorpus, type CorpusSource, type PretrainOptions } from '../core';
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

async function scan(corpus: CorpusSource): Promise<CorpusSummary> {
  const survey = await surveyCorpus(corpus);
  const skippedByReason: Record<string, number> = {};
  for (const s of survey.skipped) skippedByReason[s.reason] = (skippedByReason[s.reason] ?? 0) + 1;
  return { root: survey.where, files: survey.files, totalBytes: survey.bytes, skippedByReason, sample: survey.sample };
}

async function train(options: PretrainOptions): Promise<void> {
  const result = await pretrain(
    options,
    {
      onLog: (level, message) => send({ v, type: 'log', level, message }),
      onBackend: (report) => send({ v, type: 'backend', name: report.name, detail: describeBackend(report) }),
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
