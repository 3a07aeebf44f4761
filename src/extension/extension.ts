/**
 * ELECTRA Studio: wires the parts together and delegates. Training runs in worker threads
 * (trainer.ts), scoring in the language server (languageClient.ts), the dashboard and the
 * token-confidence view are webviews (dashboardView.ts, tokenConfidencePanel.ts).
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CheckpointSelection } from './checkpointSelection';
import { registerCommands } from './commands';
import { affects, readSettings } from './config';
import { DASHBOARD_VIEW_ID, DashboardViewProvider } from './dashboardView';
import { registerEventLoopProbe } from './diagnosticsProbe';
import { ElectraLanguageClient } from './languageClient';
import { Log } from './log';
import { StatusBar } from './statusBar';
import { TOKENS_VIEW_TYPE, TokenConfidencePanel } from './tokenConfidencePanel';
import { Trainer } from './trainer';
import { listWorkspaceRuns, workspaceRunsRoots } from './workspaceRuns';

/** What `activate` returns: for tests and other extensions. */
export interface ElectraStudioApi {
  /** Names of the runs training now. */
  runningRuns(): string[];
  /** The checkpoint path the language server was told to use. */
  checkpoint(): Promise<string | undefined>;
  serverState(): string;
  runs(): Promise<{ id: string; dir: string; latestCheckpointStep?: number }[]>;
  /** The runs the dashboard last listed in its webview, with their states. */
  dashboardRuns(): { id: string; state: string }[];
}

let client: ElectraLanguageClient | undefined;
let trainer: Trainer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ElectraStudioApi> {
  const dist = join(context.extensionPath, 'dist');
  const log = new Log();
  trainer = new Trainer(join(dist, 'trainingWorker.js'), log);
  client = new ElectraLanguageClient(join(dist, 'server.js'), log);
  const checkpoints = new CheckpointSelection(context.workspaceState);
  const statusBar = new StatusBar(trainer);
  const dashboard = new DashboardViewProvider(context.extensionUri, trainer, log);
  const tokens = new TokenConfidencePanel(context.extensionUri, client);
  const t = trainer;
  const c = client;

  context.subscriptions.push(
    log,
    trainer,
    client,
    statusBar,
    dashboard,
    tokens,
    vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW_ID, dashboard, { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.window.registerWebviewPanelSerializer(TOKENS_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => tokens.restore(panel) }),
    ...registerCommands({ context, log, trainer, client, checkpoints, dashboard, tokens }),
    trainer.onDidChange(() => statusBar.update()),
    client.onStatus((s) => statusBar.setServerStatus(s)),
    // Without a selection the server follows the newest run under these folders (src/server/checkpointRule.ts).
    vscode.workspace.onDidChangeWorkspaceFolders(() => void c.selectCheckpoint(checkpoints.selected ?? '', workspaceRunsRoots())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'annotation.languages')) {
        void setLanguagesContext();
        void c.restart();
      }
      if (affects(e, 'runFolder')) void c.selectCheckpoint(checkpoints.selected ?? '', workspaceRunsRoots());
    }),
    // What the editors show is scored first.
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => void c.visibleRanges(e.textEditor).catch(() => undefined)),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const editor of editors) void c.visibleRanges(editor).catch(() => undefined);
    }),
  );

  // electraStudio.debug.eventLoopDelay: shows that training and scoring leave the host responsive.
  registerEventLoopProbe(context);
  // For `when` clauses (the editor title's Show Token Confidence button).
  const setLanguagesContext = (): Thenable<unknown> =>
    vscode.commands.executeCommand('setContext', 'electraStudio.annotatedLanguages', readSettings().annotation.languages);
  void setLanguagesContext();

  const selected = checkpoints.selected;
  // Not awaited: activation must not wait for the server (and a failed start is logged).
  // In an untrusted workspace the server is told so and loads nothing from it until the
  // user trusts the workspace (below) or selects a checkpoint themselves.
  client.start(selected, workspaceRunsRoots()).catch(() => undefined);
  log.info(
    `ELECTRA Studio activated (checkpoint for scoring: ${selected ?? 'the newest checkpoint of the newest run'}${!vscode.workspace.isTrusted ? ', not loaded until the workspace is trusted' : ''})`,
  );
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => c.selectCheckpoint(checkpoints.selected ?? '', workspaceRunsRoots())));

  return {
    runningRuns: () => t.running.map((s) => s.runName),
    checkpoint: async () => c.status.checkpointDir ?? checkpoints.selected,
    serverState: () => c.status.state,
    runs: async () => (await listWorkspaceRuns()).map((r) => ({ id: r.id, dir: r.dir, latestCheckpointStep: r.latestCheckpoint?.step })),
    dashboardRuns: () => dashboard.shownRuns.map((r) => ({ id: r.id, state: r.state })),
  };
}

export async function deactivate(): Promise<void> {
  // Ask running workers to save a checkpoint; the host gives deactivate a few seconds.
  trainer?.dispose();
  await client?.stop();
}
