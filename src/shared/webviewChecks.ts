/**
 * What the extension accepts from its webviews. A webview renders workspace data (run names,
 * metrics, document text) and is treated like a browser page: every message it sends is
 * untrusted input, checked here for shape, types and sizes before a handler sees it. The
 * checks are strict: a field this file does not name (a `path`, say) makes the message
 * invalid. RpcEndpoint (webviewProtocol.ts) applies them on the extension side.
 */

/** Returns what is wrong with `params`, or undefined when they are acceptable. */
export type ParamsCheck = (params: unknown) => string | undefined;

export interface ChannelChecks {
  requests: Record<string, ParamsCheck>;
  notifications: Record<string, ParamsCheck>;
}

/** The largest export the dashboard may hand over (CSV text, or a PNG data URL). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
/** Runs one loadRuns request may name. */
export const MAX_RUNS_PER_REQUEST = 200;
const MAX_ID_CHARS = 512;
const MAX_URI_CHARS = 8192;
const MAX_FILE_NAME_CHARS = 128;

type Field = (v: unknown) => string | undefined;

const string = (max: number): Field => (v) => (typeof v !== 'string' ? 'not a string' : v.length > max ? `longer than ${max} characters` : undefined);
const nonNegativeInteger: Field = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'not a non-negative integer');
const unitInterval: Field = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'not a number in [0, 1]');
/** A file name to suggest in a save dialog: one plain name, no folders. */
const fileName: Field = (v) => string(MAX_FILE_NAME_CHARS)(v) ?? (/^[\w][\w .-]*$/.test(v as string) ? undefined : 'not a plain file name');
const dataUrl = (mime: string): Field => (v) => string(MAX_EXPORT_CHARS)(v) ?? ((v as string).startsWith(`data:${mime};base64,`) ? undefined : `not a data:${mime};base64 URL`);
const arrayOf = (item: Field, max: number): Field => (v) => {
  if (!Array.isArray(v)) return 'not an array';
  if (v.length > max) return `more than ${max} items`;
  for (let i = 0; i < v.length; i++) {
    const problem = item(v[i]);
    if (problem) return `item ${i}: ${problem}`;
  }
  return undefined;
};

/** An object with exactly these fields (optional ones may be absent). */
function object(fields: Record<string, Field>, optional: readonly string[] = []): ParamsCheck {
  return (params) => {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params are not an object';
    const p = params as Record<string, unknown>;
    for (const key of Object.keys(p)) if (!(key in fields)) return `unexpected field '${key}'`;
    for (const [key, check] of Object.entries(fields)) {
      if (!(key in p)) {
        if (optional.includes(key)) continue;
        return `missing field '${key}'`;
      }
      const problem = check(p[key]);
      if (problem) return `field '${key}': ${problem}`;
    }
    return undefined;
  };
}

const empty = object({});

export const DASHBOARD_CHECKS: ChannelChecks = {
  requests: {
    listRuns: empty,
    loadRuns: object({ runIds: arrayOf(string(MAX_ID_CHARS), MAX_RUNS_PER_REQUEST) }),
    exportCsv: object({ suggestedName: fileName, csv: string(MAX_EXPORT_CHARS) }),
    exportPng: object({ suggestedName: fileName, dataUrl: dataUrl('image/png') }),
  },
  notifications: { ready: empty },
};

export const TOKENS_CHECKS: ChannelChecks = {
  requests: {
    alternatives: object({ uri: string(MAX_URI_CHARS), version: nonNegativeInteger, offset: nonNegativeInteger }),
  },
  notifications: {
    ready: empty,
    reveal: object({ uri: string(MAX_URI_CHARS), start: nonNegativeInteger, end: nonNegativeInteger }),
    thresholdChanged: object({ value: unitInterval }),
  },
};
