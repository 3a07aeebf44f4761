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
import { listWorkspaceRuns } from './workspaceRuns';

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
  const checkpoints = new CheckpointSelection(context.workspaceState, join(context.extensionPath, 'models', 'base'));
  const statusBar = new StatusBar(trainer);
  const dashboard = new DashboardViewProvider(context.extensionUri, trainer, log);
  const tokens = new TokenConfidencePanel(context.extensionUri, client);
  const t = trainer;
  const c = client;
  /** True while the server scores with the base model because the workspace has no run yet. */
  let servingBase = false;

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
    // The first checkpoint of a workspace: let the server use it (instead of nothing or the
    // base model) without asking the user.
    trainer.onDidCheckpoint(async ({ runDir }) => {
      if (checkpoints.selected) return;
      if (c.status.state === 'no-checkpoint' || servingBase) {
        servingBase = false;
        await c.selectCheckpoint(runDir);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'annotation.languages')) {
        void setLanguagesContext();
        void c.restart();
      }
    }),
  );

  // electraStudio.debug.eventLoopDelay: shows that training and scoring leave the host responsive.
  registerEventLoopProbe(context);
  // For `when` clauses (the editor title's Show Token Confidence button).
  const setLanguagesContext = (): Thenable<unknown> =>
    vscode.commands.executeCommand('setContext', 'electraStudio.annotatedLanguages', readSettings().annotation.languages);
  void setLanguagesContext();

  const checkpoint = await checkpoints.effective();
  servingBase = checkpoint !== undefined && checkpoint === checkpoints.baseModel;
  // Not awaited: activation must not wait for the server (and a failed start is logged).
  // In an untrusted workspace the server is told so and loads nothing from it until the
  // user trusts the workspace (below) or selects a checkpoint themselves.
  client.start(checkpoint).catch(() => undefined);
  log.info(`ELECTRA Studio activated (checkpoint for scoring: ${checkpoint ?? 'none yet'}${checkpoint && !vscode.workspace.isTrusted ? ', not loaded until the workspace is trusted' : ''})`);
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      const trusted = await checkpoints.effective();
      if (trusted) await c.selectCheckpoint(trusted);
    }),
  );

  return {
    runningRuns: () => t.running.map((s) => s.runName),
    checkpoint: () => checkpoints.effective(),
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
