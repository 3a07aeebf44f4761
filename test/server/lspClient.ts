/**
 * A minimal language client for tests: spawns the server (dist/server.js) with --stdio and
 * talks JSON-RPC to it with vscode-jsonrpc, as vscode-languageclient would. It records every
 * notification, answers the server's requests (workspace/configuration from `configuration`),
 * and lets a test wait for a notification that satisfies a predicate.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type InitializeResult,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { StatusNotification, type InitializationOptions, type StatusParams } from '../../src/shared/lspProtocol';

export interface Recorded {
  method: string;
  params: unknown;
  at: number;
}

export class TestLspClient {
  readonly notifications: Recorded[] = [];
  /** What the server's workspace/configuration requests get, per section. */
  configuration: Record<string, unknown> = {};
  stderr = '';
  private waiters: Array<() => void> = [];

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  /** Starts the server with `--stdio` (JSON-RPC over its stdin/stdout) or `--node-ipc` (Node's IPC channel). */
  static start(serverJs: string, transport: 'stdio' | 'node-ipc' = 'stdio'): TestLspClient {
    let child: ChildProcess;
    let connection: MessageConnection;
    if (transport === 'stdio') {
      child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    } else {
      child = fork(serverJs, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    }
    const client = new TestLspClient(child, connection);
    child.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    connection.onNotification((method, params) => {
      client.notifications.push({ method, params, at: Date.now() });
      for (const w of client.waiters.splice(0)) w();
    });
    connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
      params.items.map((i) => (i.section ? client.configuration[i.section] ?? null : client.configuration)),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    return client;
  }

  async initialize(options: InitializationOptions, rootPath: string): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: `file://${rootPath}`,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          publishDiagnostics: { versionSupport: true, relatedInformation: false },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
        },
      },
      initializationOptions: options,
      workspaceFolders: null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  open(uri: string, languageId: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Resolves with the first notification (recorded after index `since`) matching `pred`. */
  async waitFor<T>(method: string, pred: (p: T) => boolean, timeoutMs: number, what: string, since = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.notifications.slice(since).find((n) => n.method === method && pred(n.params as T));
      if (hit) return hit.params as T;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.notifications.slice(since).map((n) => n.method).join(', ');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${method}); seen since: [${seen}]; server stderr: ${this.stderr.slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean, timeoutMs: number, what: string, since = 0) {
    return this.waitFor<PublishDiagnosticsParams>(PublishDiagnosticsNotification.method, (p) => p.uri === uri && pred(p), timeoutMs, what, since);
  }

  waitForStatus(pred: (s: StatusParams) => boolean, timeoutMs: number, what: string, since = 0) {
    return this.waitFor<StatusParams>(StatusNotification.method, pred, timeoutMs, what, since);
  }

  /** Every diagnostics notification for `uri` since index `since`. */
  diagnosticsFor(uri: string, since = 0): PublishDiagnosticsParams[] {
    return this.notifications
      .slice(since)
      .filter((n) => n.method === PublishDiagnosticsNotification.method && (n.params as PublishDiagnosticsParams).uri === uri)
      .map((n) => n.params as PublishDiagnosticsParams);
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      else this.child.once('exit', (code) => resolve(code));
    });
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 5000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}
