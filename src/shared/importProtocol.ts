/**
 * Messages between the extension host and an import worker (worker_threads): reading a
 * Hugging Face model is seconds of parsing and copying for Google's base model, which the
 * extension host must never spend. Typed and versioned here, imported by both sides.
 *
 *   host -> worker: workerData = { v, options } (the worker starts importing at once)
 *   worker -> host: progress*, then done or error (the last message; the worker exits after it)
 */
import type { ImportOptions, ImportReport } from '../core';

export const IMPORT_PROTOCOL_VERSION = 1 as const;
type V = typeof IMPORT_PROTOCOL_VERSION;

/** ImportOptions without the callback, which cannot cross threads. */
export type ImportRequest = { v: V; options: Omit<ImportOptions, 'onProgress'> };

export type ImportWorkerMessage =
  | { v: V; type: 'progress'; message: string }
  | { v: V; type: 'done'; report: ImportReport }
  | { v: V; type: 'error'; message: string };

/** Why `msg` is not a message of this protocol version, or undefined when it is. */
export function importMessageProblem(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return 'not an object';
  const m = msg as Record<string, unknown>;
  if (m.v !== IMPORT_PROTOCOL_VERSION) return `protocol version ${String(m.v)}, expected ${IMPORT_PROTOCOL_VERSION}`;
  switch (m.type) {
    case 'progress':
    case 'error':
      return typeof m.message === 'string' ? undefined : `malformed ${m.type}`;
    case 'done':
      return typeof m.report === 'object' && m.report !== null && typeof (m.report as Record<string, unknown>).runDir === 'string' ? undefined : 'malformed done';
    default:
      return `unknown message type ${String(m.type)}`;
  }
}

export function isImportRequest(data: unknown): data is ImportRequest {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const o = d.options as Record<string, unknown> | undefined;
  return d.v === IMPORT_PROTOCOL_VERSION && typeof o === 'object' && o !== null && typeof o.discriminatorDir === 'string' && typeof o.outDir === 'string';
}
