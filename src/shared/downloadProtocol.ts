/**
 * Messages between the extension host and a download worker (worker_threads): fetching a
 * model from the Hugging Face Hub and importing it (hashing hundreds of MB, parsing weights)
 * must never run on the extension host's thread. Typed and versioned here, imported by both
 * sides. The worker reads HF_ENDPOINT, HF_TOKEN, HF_HOME and HF_HUB_OFFLINE from the
 * environment it inherits from the extension host.
 *
 *   host -> worker: workerData = { v, options } (the worker starts at once); later { v, type: 'cancel' }
 *   worker -> host: bytes* and log*, then done or error (the last message; the worker exits after it)
 */
import type { HubImportOptions, HubImportResult } from '../core';

export const DOWNLOAD_PROTOCOL_VERSION = 1 as const;
type V = typeof DOWNLOAD_PROTOCOL_VERSION;

/** What crosses to the worker: the model and the run folder; the Hub settings come from the environment. */
export type DownloadRequest = { v: V; options: Pick<HubImportOptions, 'modelId' | 'generatorId' | 'revision' | 'outDir'> };
export type DownloadCancel = { v: V; type: 'cancel' };

export type DownloadWorkerMessage =
  | { v: V; type: 'bytes'; repoId: string; file: string; bytes: number; totalBytes: number }
  | { v: V; type: 'log'; message: string }
  | { v: V; type: 'done'; result: HubImportResult }
  | { v: V; type: 'error'; message: string };

/** Why `msg` is not a worker message of this protocol version, or undefined when it is. */
export function downloadMessageProblem(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return 'not an object';
  const m = msg as Record<string, unknown>;
  if (m.v !== DOWNLOAD_PROTOCOL_VERSION) return `protocol version ${String(m.v)}, expected ${DOWNLOAD_PROTOCOL_VERSION}`;
  switch (m.type) {
    case 'bytes':
      return typeof m.repoId === 'string' && typeof m.file === 'string' && Number.isFinite(m.bytes) && Number.isFinite(m.totalBytes) ? undefined : 'malformed bytes';
    case 'log':
    case 'error':
      return typeof m.message === 'string' ? undefined : `malformed ${m.type}`;
    case 'done': {
      const r = m.result as Record<string, unknown> | undefined;
      const report = r?.report as Record<string, unknown> | undefined;
      return typeof report?.runDir === 'string' && Array.isArray(r?.warnings) ? undefined : 'malformed done';
    }
    default:
      return `unknown message type ${String(m.type)}`;
  }
}

export function isDownloadRequest(data: unknown): data is DownloadRequest {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const o = d.options as Record<string, unknown> | undefined;
  return d.v === DOWNLOAD_PROTOCOL_VERSION && typeof o === 'object' && o !== null && typeof o.modelId === 'string' && typeof o.outDir === 'string';
}

export function isDownloadCancel(data: unknown): data is DownloadCancel {
  return typeof data === 'object' && data !== null && (data as DownloadCancel).v === DOWNLOAD_PROTOCOL_VERSION && (data as DownloadCancel).type === 'cancel';
}
