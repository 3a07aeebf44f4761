/**
 * Messages between the extension host and a training worker (worker_threads), typed and
 * versioned in this one file that both sides import. Every message carries `v`, the
 * protocol version; a side that receives another version refuses the message.
 *
 *   host -> worker: scan (optional, before start: walk the corpus so the user can confirm),
 *                   start (once), stop (graceful: the worker saves a checkpoint, then ends)
 *   worker -> host: ready, scanned, backend, log, step, eval, checkpoint,
 *                   done or error (the last message; the worker exits after it)
 * The corpus walk happens in the worker too: the extension host never does heavy work.
 */
import type { EvalMetrics, StepMetrics } from './metricsRecord';
import type { PretrainOptions, PretrainResult } from '../core';

export const WORKER_PROTOCOL_VERSION = 1 as const;
type V = typeof WORKER_PROTOCOL_VERSION;

/** What the corpus walk found, summarised for a confirmation prompt. */
export interface CorpusSummary {
  root: string;
  files: number;
  totalBytes: number;
  /** Skipped files counted by reason (e.g. 'too-large', 'binary', 'excluded'). */
  skippedByReason: Record<string, number>;
  /** The first few included files (relative paths), to show what was picked. */
  sample: string[];
}

export type HostToWorker =
  | { v: V; type: 'scan'; corpus: PretrainOptions['corpus'] }
  | { v: V; type: 'start'; options: PretrainOptions }
  | { v: V; type: 'stop' };

export type WorkerToHost =
  /** The worker has loaded and waits for 'start'. */
  | { v: V; type: 'ready' }
  | { v: V; type: 'scanned'; summary: CorpusSummary }
  /** The TensorFlow.js backend in use, and why better ones were not (one line). */
  | { v: V; type: 'backend'; name: string; detail: string }
  | { v: V; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { v: V; type: 'step'; metrics: StepMetrics }
  | { v: V; type: 'eval'; metrics: EvalMetrics }
  | { v: V; type: 'checkpoint'; step: number; dir: string }
  /** Training ended (steps or minutes reached, or stopped); the worker exits after this. */
  | { v: V; type: 'done'; result: PretrainResult }
  /** Training failed; the worker exits after this. */
  | { v: V; type: 'error'; message: string; stack?: string };

export type HostToWorkerType = HostToWorker['type'];
export type WorkerToHostType = WorkerToHost['type'];

const HOST_TYPES: readonly HostToWorkerType[] = ['scan', 'start', 'stop'];
const WORKER_TYPES: readonly WorkerToHostType[] = ['ready', 'scanned', 'backend', 'log', 'step', 'eval', 'checkpoint', 'done', 'error'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Why `msg` is not a message of this protocol version, or undefined when it is. */
function problem(msg: unknown, types: readonly string[]): string | undefined {
  if (!isRecord(msg)) return 'not an object';
  if (msg.v !== WORKER_PROTOCOL_VERSION) return `protocol version ${String(msg.v)}, expected ${WORKER_PROTOCOL_VERSION}`;
  if (typeof msg.type !== 'string' || !types.includes(msg.type)) return `unknown message type ${String(msg.type)}`;
  switch (msg.type) {
    case 'scan':
      return isRecord(msg.corpus) && typeof msg.corpus.kind === 'string' ? undefined : 'scan without corpus';
    case 'scanned':
      return isRecord(msg.summary) && typeof msg.summary.files === 'number' ? undefined : 'malformed scanned';
    case 'backend':
      return typeof msg.name === 'string' && typeof msg.detail === 'string' ? undefined : 'malformed backend';
    case 'start':
      return isRecord(msg.options) && typeof msg.options.outDir === 'string' && isRecord(msg.options.corpus) ? undefined : 'start without options';
    case 'log':
      return typeof msg.message === 'string' && ['info', 'warn', 'error'].includes(msg.level as string) ? undefined : 'malformed log';
    case 'step':
    case 'eval':
      return isRecord(msg.metrics) && msg.metrics.type === msg.type && typeof msg.metrics.step === 'number' ? undefined : `malformed ${msg.type}`;
    case 'checkpoint':
      return typeof msg.step === 'number' && typeof msg.dir === 'string' ? undefined : 'malformed checkpoint';
    case 'done':
      return isRecord(msg.result) && typeof msg.result.step === 'number' ? undefined : 'malformed done';
    case 'error':
      return typeof msg.message === 'string' ? undefined : 'malformed error';
    default:
      return undefined;
  }
}

export function workerMessageProblem(msg: unknown): string | undefined {
  return problem(msg, WORKER_TYPES);
}
export function hostMessageProblem(msg: unknown): string | undefined {
  return problem(msg, HOST_TYPES);
}
export function isWorkerToHost(msg: unknown): msg is WorkerToHost {
  return workerMessageProblem(msg) === undefined;
}
export function isHostToWorker(msg: unknown): msg is HostToWorker {
  return hostMessageProblem(msg) === undefined;
}
