/**
 * Messages between the extension and its webviews (the training dashboard and the
 * token-confidence view), typed in this one file that both sides import, and the small
 * RPC layer that carries them: requests with ids answered by responses, and one-way
 * notifications in either direction.
 *
 * A channel is described by three maps (method -> shape):
 *   Requests      webview -> extension, answered with a result (or an error string)
 *   ToWebview     notifications extension -> webview
 *   FromWebview   notifications webview -> extension
 * Nothing here touches `vscode` or the DOM, so the same RpcEndpoint runs on both sides.
 */
import type { MetricsRecord } from './metricsRecord';
import type { ChannelChecks } from './webviewChecks';
import type { ThresholdInUse } from './calibrationFormat';

/**
 * 2: the tokens view's `threshold` notification says where the threshold comes from (ThresholdInUse).
 * 3: TokenView.markup (a Markdown document's code and markup, never flagged).
 */
export const WEBVIEW_PROTOCOL_VERSION = 3 as const;

// ---------------------------------------------------------------------------------------
// Envelope

export type Envelope =
  | { v: typeof WEBVIEW_PROTOCOL_VERSION; kind: 'request'; id: number; method: string; params: unknown }
  | { v: typeof WEBVIEW_PROTOCOL_VERSION; kind: 'response'; id: number; result?: unknown; error?: string }
  | { v: typeof WEBVIEW_PROTOCOL_VERSION; kind: 'notification'; method: string; params: unknown };

export function isEnvelope(x: unknown): x is Envelope {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (m.v !== WEBVIEW_PROTOCOL_VERSION) return false;
  switch (m.kind) {
    case 'request':
      return typeof m.id === 'number' && typeof m.method === 'string';
    case 'response':
      return typeof m.id === 'number' && (m.error === undefined || typeof m.error === 'string');
    case 'notification':
      return typeof m.method === 'string';
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Channels

/** Method name -> {params, result}. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;
/** Method name -> params. */
export type NotificationMap = Record<string, unknown>;

export interface Channel<Req extends RequestMap, ToWebview extends NotificationMap, FromWebview extends NotificationMap> {
  requests: Req;
  toWebview: ToWebview;
  fromWebview: FromWebview;
}

// --- Training dashboard ---------------------------------------------------------------

/** One run folder as the dashboard lists it. */
export interface RunSummary {
  /** Folder name under the run folder; unique per workspace folder. */
  id: string;
  /** Absolute path of the run folder. */
  dir: string;
  state: 'training' | 'stopping' | 'idle';
  preset?: string;
  /** Where the run began, when not from scratch: "imported from …", "continued from … (step N)". */
  origin?: string;
  /** Step of checkpoints/latest.json, if any. */
  latestCheckpointStep?: number;
  /** Last modification of metrics.jsonl (ms since epoch), to sort runs. */
  updated?: number;
}

export interface RunMetrics {
  runId: string;
  records: MetricsRecord[];
}

export interface DashboardRequests extends RequestMap {
  listRuns: { params: Record<string, never>; result: RunSummary[] };
  /** Sends every record of these runs and tails them from now on (replacing the previous set). */
  loadRuns: { params: { runIds: string[] }; result: RunMetrics[] };
  /**
   * Saves text where the extension chooses (a save dialog; `suggestedName`, a plain file
   * name, is its default): the webview never names a path. The saved path, or null if cancelled.
   */
  exportCsv: { params: { suggestedName: string; csv: string }; result: { savedTo: string | null } };
  /** Saves a `data:image/png;base64,...` URL as a PNG file, as exportCsv. */
  exportPng: { params: { suggestedName: string; dataUrl: string }; result: { savedTo: string | null } };
}

export interface DashboardToWebview extends NotificationMap {
  runsChanged: { runs: RunSummary[] };
  /** New records of a tailed run; `reset` when the file was truncated or replaced (drop what you had). */
  metricsAppended: { runId: string; records: MetricsRecord[]; reset?: boolean };
  /** The extension asks the webview to export (e.g. from a command); the webview answers with exportCsv/exportPng. */
  exportRequested: { format: 'csv' | 'png' };
}

export interface DashboardFromWebview extends NotificationMap {
  /** The webview has loaded its script and listens. */
  ready: Record<string, never>;
}

export type DashboardChannel = Channel<DashboardRequests, DashboardToWebview, DashboardFromWebview>;

// --- Token confidence -----------------------------------------------------------------

/** One token of the shown document: UTF-16 offsets into `text`, end exclusive. */
export interface TokenView {
  start: number;
  end: number;
  piece: string;
  /** Discriminator's probability that the token was replaced. */
  p: number;
  /** Code or markup of a Markdown document: coloured by its score, never outlined (the editor never flags it). */
  markup?: true;
}

export interface DocumentView {
  uri: string;
  fileName: string;
  languageId: string;
  version: number;
  text: string;
  tokens: TokenView[];
  checkpointStep: number;
  /** The scores are on their way: the text is shown meanwhile (tokens is empty). */
  scoring?: boolean;
}

export interface AlternativesView {
  start: number;
  end: number;
  piece: string;
  p: number;
  alternatives: { piece: string; probability: number }[];
}

export interface TokensRequests extends RequestMap {
  /** The generator's top alternatives for the token at `offset` of document `uri`. */
  alternatives: { params: { uri: string; version: number; offset: number }; result: AlternativesView | null };
}

export interface TokensToWebview extends NotificationMap {
  document: DocumentView;
  /** No scores to show (no editor, no model, a language that is not annotated, an error). */
  status: { kind: 'info' | 'error'; message: string };
  /** The threshold the editor flags at now, and where it came from (src/shared/calibrationFormat.ts). */
  threshold: ThresholdInUse;
}

export interface TokensFromWebview extends NotificationMap {
  ready: Record<string, never>;
  /** Select the token's range in its editor. */
  reveal: { uri: string; start: number; end: number };
  /** The user moved the threshold slider. */
  thresholdChanged: { value: number };
}

export type TokensChannel = Channel<TokensRequests, TokensToWebview, TokensFromWebview>;

// ---------------------------------------------------------------------------------------
// Endpoint

export interface Transport {
  post(message: Envelope): void;
  /** Registers the listener for incoming messages (anything: they are checked here). */
  listen(listener: (message: unknown) => void): { dispose(): void } | void;
}

type Side = 'extension' | 'webview';
type Outgoing<C extends Channel<RequestMap, NotificationMap, NotificationMap>, S extends Side> = S extends 'extension' ? C['toWebview'] : C['fromWebview'];
type Incoming<C extends Channel<RequestMap, NotificationMap, NotificationMap>, S extends Side> = S extends 'extension' ? C['fromWebview'] : C['toWebview'];

/**
 * One side of a channel. The webview side sends requests; the extension side answers them.
 * Unknown methods are answered with an error, so a request never hangs on a typo. With
 * `checks` (webviewChecks.ts; the extension side passes them), incoming requests and
 * notifications whose params fail their check, or that have none, never reach a handler:
 * requests are answered with an error, notifications dropped; `onInvalid` hears of both.
 */
export class RpcEndpoint<C extends Channel<RequestMap, NotificationMap, NotificationMap>, S extends Side> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly requestHandlers = new Map<string, (params: unknown) => unknown>();
  private readonly notificationHandlers = new Map<string, Array<(params: unknown) => void>>();
  private readonly subscription: { dispose(): void } | void;

  constructor(
    private readonly transport: Transport,
    readonly side: S,
    private readonly checks?: ChannelChecks,
    private readonly onInvalid?: (problem: string) => void,
  ) {
    this.subscription = transport.listen((m) => this.receive(m));
  }

  dispose(): void {
    this.subscription?.dispose();
    for (const p of this.pending.values()) p.reject(new Error('endpoint disposed'));
    this.pending.clear();
  }

  notify<M extends keyof Outgoing<C, S> & string>(method: M, params: Outgoing<C, S>[M]): void {
    this.transport.post({ v: WEBVIEW_PROTOCOL_VERSION, kind: 'notification', method, params });
  }

  onNotification<M extends keyof Incoming<C, S> & string>(method: M, handler: (params: Incoming<C, S>[M]) => void): void {
    const list = this.notificationHandlers.get(method) ?? [];
    list.push(handler as (params: unknown) => void);
    this.notificationHandlers.set(method, list);
  }

  /** Webview side: sends a request and resolves with the extension's result. */
  request<M extends keyof C['requests'] & string>(method: M, params: C['requests'][M]['params']): Promise<C['requests'][M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.transport.post({ v: WEBVIEW_PROTOCOL_VERSION, kind: 'request', id, method, params });
    });
  }

  /** Extension side: answers requests of `method`. */
  onRequest<M extends keyof C['requests'] & string>(
    method: M,
    handler: (params: C['requests'][M]['params']) => C['requests'][M]['result'] | Promise<C['requests'][M]['result']>,
  ): void {
    this.requestHandlers.set(method, handler as (params: unknown) => unknown);
  }

  private receive(message: unknown): void {
    if (!isEnvelope(message)) return; // not ours (e.g. a VS Code internal message)
    if (message.kind === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) p.reject(new Error(message.error));
      else p.resolve(message.result);
    } else if (message.kind === 'notification') {
      const problem = this.problemWith('notifications', message.method, message.params);
      if (problem) return this.onInvalid?.(problem);
      for (const h of this.notificationHandlers.get(message.method) ?? []) h(message.params);
    } else {
      const problem = this.problemWith('requests', message.method, message.params);
      if (problem) {
        this.onInvalid?.(problem);
        this.transport.post({ v: WEBVIEW_PROTOCOL_VERSION, kind: 'response', id: message.id, error: problem });
        return;
      }
      void this.answer(message.id, message.method, message.params);
    }
  }

  /** What is wrong with an incoming message, under `checks`; undefined when fine or unchecked. */
  private problemWith(kind: 'requests' | 'notifications', method: string, params: unknown): string | undefined {
    if (!this.checks) return undefined;
    const check = Object.prototype.hasOwnProperty.call(this.checks[kind], method) ? this.checks[kind][method] : undefined;
    if (!check) return `unknown ${kind === 'requests' ? 'request' : 'notification'} '${method.slice(0, 64)}'`;
    const problem = check(params);
    return problem ? `invalid '${method}' ${kind === 'requests' ? 'request' : 'notification'}: ${problem}` : undefined;
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.requestHandlers.get(method);
    try {
      if (!handler) throw new Error(`no handler for request '${method}'`);
      const result = await handler(params);
      this.transport.post({ v: WEBVIEW_PROTOCOL_VERSION, kind: 'response', id, result });
    } catch (e) {
      this.transport.post({ v: WEBVIEW_PROTOCOL_VERSION, kind: 'response', id, error: (e as Error).message ?? String(e) });
    }
  }
}
