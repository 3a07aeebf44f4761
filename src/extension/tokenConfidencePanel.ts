/**
 * The token-confidence view: a webview panel beside the editor showing the active
 * document with every token coloured by the discriminator's probability that it was
 * replaced. Scores come from the language server (electra/scoreDocument); the panel follows
 * the active editor and its edits (debounced), asks for the generator's alternatives when
 * the user hovers a token, and selects a token's range in the editor when it is clicked.
 */
import * as vscode from 'vscode';
import { TOKENS_CHECKS } from '../shared/webviewChecks';
import { RpcEndpoint, type Envelope, type TokensChannel } from '../shared/webviewProtocol';
import { readSettings } from './config';
import type { ElectraLanguageClient } from './languageClient';
import { renderWebviewHtml } from './webviewHtml';
import type { ThresholdInUse } from '../shared/calibrationFormat';

function sameThreshold(a: ThresholdInUse | undefined, b: ThresholdInUse): boolean {
  return a !== undefined && a.value === b.value && a.source === b.source && a.falseFlagsPer1000 === b.falseFlagsPer1000;
}

export const TOKENS_VIEW_TYPE = 'electraStudio.tokenConfidence';
const EDIT_DEBOUNCE_MS = 300;
/** Scores not in by then: the panel shows the document's text while they come. */
const TEXT_FIRST_AFTER_MS = 300;

export class TokenConfidencePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private rpc: RpcEndpoint<TokensChannel, 'extension'> | undefined;
  /** The document shown: the last text editor's, kept while the panel itself has focus. */
  private document: vscode.TextDocument | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** The threshold the server flags at (its answer to the last scoreDocument), shown in the view's legend. */
  private threshold: ThresholdInUse | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: ElectraLanguageClient,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && this.panel) this.show(e.document);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document) this.schedule(EDIT_DEBOUNCE_MS);
      }),
      client.onStatus((s) => {
        if (s.state === 'ready') this.schedule(0);
      }),
    );
  }

  /** Opens (or reveals) the panel for the active editor. Returns the shown document's URI. */
  open(): string | undefined {
    if (this.panel) this.panel.reveal(vscode.ViewColumn.Beside, true);
    else this.attach(vscode.window.createWebviewPanel(TOKENS_VIEW_TYPE, 'Token Confidence', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions()));
    const doc = vscode.window.activeTextEditor?.document ?? this.document;
    if (doc) this.show(doc);
    else this.rpc?.notify('status', { kind: 'info', message: 'Open a text file to see its token confidence.' });
    return doc?.uri.toString();
  }

  /** Restores a panel VS Code kept across a reload (WebviewPanelSerializer). */
  restore(panel: vscode.WebviewPanel): void {
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
    const doc = vscode.window.activeTextEditor?.document;
    if (doc) this.show(doc);
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    const webview = panel.webview;
    // Every message from the webview is untrusted input: checked (webviewChecks.ts) before a handler sees it.
    const rpc = new RpcEndpoint<TokensChannel, 'extension'>(
      { post: (m: Envelope) => void webview.postMessage(m), listen: (f) => webview.onDidReceiveMessage(f) },
      'extension',
      TOKENS_CHECKS,
    );
    this.rpc = rpc;
    rpc.onNotification('ready', () => {
      if (this.threshold) rpc.notify('threshold', this.threshold);
      this.schedule(0);
    });
    // The slider's value is the view's own (kept in its state); the editor's threshold is the server's.
    rpc.onNotification('thresholdChanged', () => undefined);
    rpc.onNotification('reveal', ({ uri, start, end }) => void this.reveal(uri, start, end));
    rpc.onRequest('alternatives', async ({ uri, version, offset }) => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (!doc || doc.version !== version) return null; // stale hover: the view will refresh
      return this.client.alternatives(doc.uri, offset, 5);
    });
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      title: 'Token Confidence',
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'tokens.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'tokens.css')).toString()],
      body: '<div id="app"></div>',
    });
    panel.onDidChangeViewState(() => {
      if (panel.visible) this.schedule(0);
    });
    panel.onDidDispose(() => {
      rpc.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.rpc = undefined;
      }
    });
  }

  private show(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return; // output channels, git views...
    this.document = doc;
    if (this.panel) this.panel.title = `Token Confidence: ${doc.uri.path.split('/').pop()}`;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), ms);
  }

  private async refresh(): Promise<void> {
    const doc = this.document;
    const rpc = this.rpc;
    if (!doc || !rpc || !this.panel?.visible) return;
    const generation = ++this.generation;
    const languages = readSettings(doc.uri).annotation.languages;
    if (!languages.includes(doc.languageId)) {
      rpc.notify('status', { kind: 'info', message: `'${doc.languageId}' is not an annotated language (electraStudio.annotation.languages: ${languages.join(', ')}).` });
      return;
    }
    const view = () => ({
      uri: doc.uri.toString(),
      fileName: vscode.workspace.asRelativePath(doc.uri),
      languageId: doc.languageId,
      version: doc.version,
      text: doc.getText(),
    });
    // A long document's scores take a while: its text is shown meanwhile.
    const early = setTimeout(() => {
      if (generation === this.generation) rpc.notify('document', { ...view(), tokens: [], checkpointStep: 0, scoring: true });
    }, TEXT_FIRST_AFTER_MS);
    try {
      const scored = await this.client.scoreDocument(doc.uri).finally(() => clearTimeout(early));
      if (generation !== this.generation) return; // a newer refresh is on its way
      if (scored.version !== doc.version) {
        this.schedule(EDIT_DEBOUNCE_MS);
        return;
      }
      if (!sameThreshold(this.threshold, scored.threshold)) {
        this.threshold = scored.threshold;
        rpc.notify('threshold', scored.threshold);
      }
      rpc.notify('document', { ...view(), tokens: scored.tokens, checkpointStep: scored.checkpointStep });
    } catch (e) {
      if (generation !== this.generation) return;
      rpc.notify('status', { kind: 'error', message: `No scores: ${(e as Error).message}` });
    }
  }

  /** Selects a range of the shown document; the webview names no other (its messages are untrusted). */
  private async reveal(uri: string, start: number, end: number): Promise<void> {
    const doc = this.document;
    if (!doc || doc.uri.toString() !== uri || start > end || end > doc.getText().length) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
