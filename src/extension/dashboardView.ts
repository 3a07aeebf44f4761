/**
 * The training dashboard, a webview view in the ELECTRA activity-bar container. The
 * webview asks (src/shared/webviewProtocol.ts, DashboardChannel) for the list of runs and
 * for the records of the runs it shows; this side reads their metrics.jsonl and tails them
 * while the view is visible, so runs started elsewhere (the CLI, another window) and runs
 * from before a restart show the same way as live ones.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { DASHBOARD_CHECKS } from '../shared/webviewChecks';
import { RpcEndpoint, type DashboardChannel, type Envelope, type RunMetrics, type RunSummary } from '../shared/webviewProtocol';
import type { Log } from './log';
import { MetricsTail } from './metricsTail';
import { RUN_FILES } from '../shared/runFolderFormat';
import type { Trainer } from './trainer';
import { renderWebviewHtml } from './webviewHtml';
import { listWorkspaceRuns, primaryFolder } from './workspaceRuns';

export const DASHBOARD_VIEW_ID = 'electraStudio.dashboard';

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private rpc: RpcEndpoint<DashboardChannel, 'extension'> | undefined;
  private readonly tails = new Map<string, MetricsTail>();
  private readonly disposables: vscode.Disposable[] = [];
  private runsRefresh: ReturnType<typeof setTimeout> | undefined;
  /** The run list last sent to the webview (for tests, through the extension's API). */
  shownRuns: RunSummary[] = [];
  /** Where the next export of this format goes, when a command named the path (else a save dialog asks). */
  private exportTarget: { format: 'csv' | 'png'; path: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly trainer: Trainer,
    private readonly log: Log,
  ) {
    // Refresh the list when a run's state changes, and when it reports its first step: a run
    // folder gets its files (run.json, metrics.jsonl) only after data preparation, so at
    // the start of training it cannot be listed yet.
    let last = '';
    this.disposables.push(
      trainer.onDidChange(() => {
        const states = trainer.running.map((s) => `${s.runDir}:${s.state}:${s.lastStep ? 'stepping' : 'preparing'}`).join('|');
        if (states !== last) {
          last = states;
          this.scheduleRunsChanged();
        }
      }),
      trainer.onDidEnd(() => this.scheduleRunsChanged()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    this.rpc?.dispose();
    // Every message from the webview is untrusted input: checked (webviewChecks.ts) before a handler sees it.
    const rpc = new RpcEndpoint<DashboardChannel, 'extension'>(
      { post: (m: Envelope) => void webview.postMessage(m), listen: (f) => webview.onDidReceiveMessage(f) },
      'extension',
      DASHBOARD_CHECKS,
      (problem) => this.log.warn(`dashboard webview: ${problem}`),
    );
    this.rpc = rpc;
    rpc.onNotification('ready', () => this.scheduleRunsChanged());
    rpc.onRequest('listRuns', () => this.runSummaries());
    rpc.onRequest('loadRuns', ({ runIds }) => this.loadRuns(runIds));
    rpc.onRequest('exportCsv', ({ suggestedName, csv }) => this.save(suggestedName, Buffer.from(csv, 'utf8'), 'CSV', 'csv'));
    rpc.onRequest('exportPng', ({ suggestedName, dataUrl }) => {
      const m = /^data:image\/png;base64,(.*)$/.exec(dataUrl);
      if (!m) throw new Error('not a PNG data URL');
      return this.save(suggestedName, Buffer.from(m[1], 'base64'), 'PNG image', 'png');
    });
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      title: 'ELECTRA Training',
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'dashboard.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dashboard.css')).toString()],
      body: '<div id="app"></div>',
    });
    // retainContextWhenHidden is false: a hidden view loses its page, and reloads (and asks again) when shown.
    view.onDidChangeVisibility(() => {
      if (!view.visible) this.stopTails();
    });
    view.onDidDispose(() => {
      this.stopTails();
      rpc.dispose();
      if (this.view === view) {
        this.view = undefined;
        this.rpc = undefined;
      }
    });
  }

  /**
   * Asks the webview to export its charts (used by commands and tests). `path`, given by
   * the extension's caller (never by the webview), replaces the save dialog for this export.
   */
  requestExport(format: 'csv' | 'png', path?: string): boolean {
    if (!this.rpc || !this.view?.visible) return false;
    this.exportTarget = path ? { format, path } : undefined;
    this.rpc.notify('exportRequested', { format });
    return true;
  }

  private async runSummaries(): Promise<RunSummary[]> {
    const runs = await listWorkspaceRuns();
    return runs.map((r) => ({
      id: r.id,
      dir: r.dir,
      state: this.trainer.session(r.dir)?.state === 'stopping' ? 'stopping' : this.trainer.session(r.dir)?.running ? 'training' : 'idle',
      preset: r.manifest?.preset,
      latestCheckpointStep: r.latestCheckpoint?.step,
      updated: r.updated,
    }));
  }

  private scheduleRunsChanged(): void {
    if (this.runsRefresh) return;
    this.runsRefresh = setTimeout(() => {
      this.runsRefresh = undefined;
      if (!this.rpc) return;
      void this.runSummaries().then((runs) => {
        this.shownRuns = runs;
        this.rpc?.notify('runsChanged', { runs });
      });
    }, 200);
  }

  private async loadRuns(runIds: string[]): Promise<RunMetrics[]> {
    const runs = await listWorkspaceRuns();
    const byId = new Map(runs.map((r) => [r.id, r]));
    this.stopTails();
    const out: RunMetrics[] = [];
    for (const id of runIds) {
      const run = byId.get(id);
      if (!run) continue;
      const tail = new MetricsTail(join(run.dir, RUN_FILES.metrics));
      const first = await tail.read();
      out.push({ runId: id, records: first.records });
      tail.follow((u) => this.rpc?.notify('metricsAppended', { runId: id, records: u.records, reset: u.reset || undefined }));
      this.tails.set(id, tail);
    }
    return out;
  }

  private stopTails(): void {
    for (const t of this.tails.values()) t.unfollow();
    this.tails.clear();
  }

  /** Writes an export where the extension chooses: the path a command gave, else the user's choice in a save dialog. */
  private async save(suggestedName: string, bytes: Uint8Array, label: string, ext: 'csv' | 'png'): Promise<{ savedTo: string | null }> {
    let uri: vscode.Uri | undefined;
    const target = this.exportTarget?.format === ext ? this.exportTarget : undefined;
    if (target) {
      this.exportTarget = undefined;
      uri = vscode.Uri.file(target.path);
    } else {
      const folder = primaryFolder();
      uri = await vscode.window.showSaveDialog({
        // The webview's name is only a suggestion, and only a file name.
        defaultUri: folder ? vscode.Uri.joinPath(folder.uri, basename(suggestedName)) : undefined,
        filters: { [label]: [ext] },
        title: `Export ${label}`,
      });
    }
    if (!uri) return { savedTo: null };
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.log.info(`exported ${label} to ${uri.fsPath}`);
    return { savedTo: uri.fsPath };
  }

  dispose(): void {
    this.stopTails();
    this.rpc?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
