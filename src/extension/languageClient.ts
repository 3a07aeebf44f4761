/**
 * The client of the ELECTRA language server (dist/server.js, src/server): starts it with
 * vscode-languageclient for the annotated languages, hands it the checkpoint to load, the
 * annotation settings, and carries the custom requests of src/shared/lspProtocol.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  AlternativesRequest,
  ELECTRA_PROTOCOL_VERSION,
  ScoreDocumentRequest,
  SelectCheckpointNotification,
  SETTINGS_SECTION,
  StatusNotification,
  VisibleRangesNotification,
  type AlternativesResult,
  type InitializationOptions,
  type ScoreDocumentResult,
  type StatusParams,
} from '../shared/lspProtocol';
import { readSettings } from './config';
import type { Log } from './log';

export class ElectraLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  /** The user's selection (undefined: the server follows the newest run under runsRoots). */
  private checkpointPath: string | undefined;
  private runsRoots: string[] = [];
  private readonly statusEmitter = new vscode.EventEmitter<StatusParams>();
  /** The server's scorer state (no-checkpoint, loading, ready, error). */
  readonly onStatus = this.statusEmitter.event;
  status: StatusParams = { state: 'no-checkpoint' };

  constructor(
    private readonly serverModule: string,
    private readonly log: Log,
  ) {}

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /**
   * Starts the server (once); later calls wait for the same start. `checkpointPath` is the
   * user's selection, if any; `runsRoots` the folders whose newest run is followed without one.
   */
  start(checkpointPath: string | undefined, runsRoots: string[] = this.runsRoots): Promise<void> {
    this.checkpointPath = checkpointPath;
    this.runsRoots = runsRoots;
    this.starting ??= this.doStart().catch((e: Error) => {
      this.log.error(`language server failed to start: ${e.message}`);
      this.client = undefined;
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (!existsSync(this.serverModule)) throw new Error(`${this.serverModule} not found (build the extension first)`);
    const settings = readSettings();
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: InitializationOptions & { checkpointDir?: string } = {
      protocolVersion: ELECTRA_PROTOCOL_VERSION,
      checkpointPath: this.checkpointPath,
      checkpointDir: this.checkpointPath,
      runsRoots: this.runsRoots,
      // The base model ships beside the bundles (models/base, docs/base-model.md).
      ...(existsSync(baseModelBeside(this.serverModule)) ? { baseModel: baseModelBeside(this.serverModule) } : {}),
      threshold: settings.annotation.threshold,
      maxDiagnostics: settings.annotation.maxDiagnostics,
      severity: settings.annotation.severity,
      ignoredWords: settings.annotation.ignoredWords,
      backend: settings.backend,
      // A checkpoint from an untrusted workspace is untrusted input: the server waits for selectCheckpoint.
      workspaceTrusted: vscode.workspace.isTrusted,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: settings.annotation.languages.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      initializationOptions,
      // Sends workspace/didChangeConfiguration with the electraStudio section on every change.
      synchronize: { configurationSection: SETTINGS_SECTION },
      outputChannel: this.log.channel,
    };
    const client = new LanguageClient('electraStudio', 'ELECTRA Language Server', serverOptions, clientOptions);
    client.onNotification(StatusNotification, (s) => {
      this.status = s;
      this.statusEmitter.fire(s);
    });
    this.client = client;
    await client.start();
    this.log.info(`language server started (checkpoint: ${this.checkpointPath ?? 'none yet'})`);
  }

  /** Restarts with a new document selector (electraStudio.annotation.languages changed). */
  async restart(): Promise<void> {
    const path = this.checkpointPath;
    await this.stop();
    await this.start(path);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (c?.isRunning()) await c.stop();
  }

  /**
   * Loads another checkpoint (a run folder, or one checkpoint folder; '' for no selection:
   * the newest checkpoint of the newest run under the runs roots).
   */
  async selectCheckpoint(path: string, runsRoots: string[] = this.runsRoots): Promise<void> {
    this.checkpointPath = path || undefined;
    this.runsRoots = runsRoots;
    if (!this.client) return this.start(this.checkpointPath);
    await this.starting;
    await this.client.sendNotification(SelectCheckpointNotification, { path, runsRoots });
  }

  /** What an editor shows of a document: the server scores those windows first. */
  async visibleRanges(editor: vscode.TextEditor): Promise<void> {
    if (!this.client?.isRunning()) return;
    const ranges = editor.visibleRanges.map((r) => ({
      start: { line: r.start.line, character: r.start.character },
      end: { line: r.end.line, character: r.end.character },
    }));
    await this.client.sendNotification(VisibleRangesNotification, { uri: editor.document.uri.toString(), ranges });
  }

  async scoreDocument(uri: vscode.Uri): Promise<ScoreDocumentResult> {
    const client = await this.ready();
    return client.sendRequest(ScoreDocumentRequest, { uri: uri.toString() });
  }

  async alternatives(uri: vscode.Uri, offset: number, k = 5): Promise<AlternativesResult | null> {
    const client = await this.ready();
    return client.sendRequest(AlternativesRequest, { uri: uri.toString(), offset, k });
  }

  private async ready(): Promise<LanguageClient> {
    if (!this.client) await this.start(this.checkpointPath);
    else await this.starting;
    if (!this.client) throw new Error('the ELECTRA language server is not running');
    return this.client;
  }

  dispose(): void {
    void this.stop();
    this.statusEmitter.dispose();
  }
}

/** The shipped base model's folder: models/base beside the dist/ folder holding the server bundle. */
function baseModelBeside(serverModule: string): string {
  return join(dirname(serverModule), '..', 'models', 'base');
}
