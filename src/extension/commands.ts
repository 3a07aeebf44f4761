/**
 * The commands of the ELECTRA category. Each accepts an optional argument object so tests
 * and other extensions can script it (`executeCommand('electraStudio.pretrain', {preset:
 * 'micro', steps: 20, runName: 'smoke', confirm: false})`) and returns what it did.
 */
import { isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { PresetName } from '../core';
import type { BackendPreference, PretrainOptions } from '../core';
import { TRAINING_DEFAULTS } from '../shared/defaults';
import { describeOrigin } from '../shared/runOrigin';
import { IGNORE_WORD_COMMAND, type IgnoreWordArgs, type ScoreDocumentResult } from '../shared/lspProtocol';
import { describeThreshold } from '../shared/calibrationFormat';
import type { CheckpointSelection } from './checkpointSelection';
import { guardCommand } from './commandErrors';
import { addIgnoredWord, readSettings } from './config';
import type { DashboardViewProvider } from './dashboardView';
import type { ElectraLanguageClient } from './languageClient';
import type { Log } from './log';
import { ignoreElectraFolder, listCheckpoints, resolveStartFrom, sanitizeRunName, timestampRunName, uniqueRunName } from './runs';
import { registerExperimentCommands } from './experimentCommands';
import type { TokenConfidencePanel } from './tokenConfidencePanel';
import { importWithProgress, resolveImportArgs, type ImportModelArgs } from './importModel';
import type { HubImportResult, ImportReport } from '../core';
import { downloadWithProgress, resolveDownloadArgs, type DownloadModelArgs } from './downloadModel';
import type { LaunchResult, Trainer } from './trainer';
import { listWorkspaceRuns, primaryFolder, runsRootOf, workspaceRunsRoots, type WorkspaceRun } from './workspaceRuns';

export const COMMANDS = {
  pretrain: 'electraStudio.pretrain',
  stop: 'electraStudio.stop',
  resume: 'electraStudio.resume',
  openDashboard: 'electraStudio.openDashboard',
  showTokenConfidence: 'electraStudio.showTokenConfidence',
  selectCheckpoint: 'electraStudio.selectCheckpoint',
  scoreCurrentFile: 'electraStudio.scoreCurrentFile',
  exportDashboard: 'electraStudio.exportDashboard',
  importModel: 'electraStudio.importModel',
  downloadModel: 'electraStudio.downloadModel',
  ignoreWord: IGNORE_WORD_COMMAND,
} as const;

export interface PretrainArgs {
  preset?: PresetName;
  steps?: number;
  /** > 0: train for this many minutes instead of `steps`. */
  minutes?: number;
  /** Folder name of the run (default: a timestamp). */
  runName?: string;
  /** Show the corpus summary and ask before training (default: electraStudio.confirmBeforeTraining). */
  confirm?: boolean;
  /** Resolve when training ends (default true) or as soon as it started. */
  wait?: boolean;
  include?: string[];
  exclude?: string[];
  maxFileBytes?: number;
  backend?: BackendPreference;
  seed?: number;
  batchSize?: number;
  checkpointEvery?: number;
  evalEvery?: number;
  /** Train on the Brown Corpus instead of the workspace. */
  corpus?: 'workspace' | 'brown';
  /** Workspace folder (path) to train on; default: the active editor's or the first. */
  folder?: string;
  /** Continue pre-training from this model (default: electraStudio.startFrom): a run name, a folder, or '' from scratch. */
  startFrom?: string;
}


export interface ResumeArgs {
  runName?: string;
  /** Total steps to reach (default: the run's target if not reached, else that plus electraStudio.steps). */
  steps?: number;
  minutes?: number;
  confirm?: boolean;
  wait?: boolean;
}

export interface StopArgs {
  runName?: string;
  all?: boolean;
}

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  trainer: Trainer;
  client: ElectraLanguageClient;
  checkpoints: CheckpointSelection;
  dashboard: DashboardViewProvider;
  tokens: TokenConfidencePanel;
}

function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new Error('ELECTRA does not train in an untrusted workspace: trust the workspace first.');
}

/** A command body whose failure is reported once (commandErrors.ts). */
function guarded<A extends unknown[], R>(log: Log, name: string, body: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return guardCommand({ log: (m) => log.error(m), show: (m) => void vscode.window.showErrorMessage(m) }, name, body);
}

async function pickRun(runs: WorkspaceRun[], placeHolder: string, runName?: string): Promise<WorkspaceRun | undefined> {
  if (runName !== undefined) {
    const run = runs.find((r) => r.id === runName || r.name === runName);
    if (!run) throw new Error(`no run named '${runName}'`);
    return run;
  }
  if (runs.length === 0) throw new Error('no runs found under the run folder');
  if (runs.length === 1) return runs[0];
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.id,
      description: r.latestCheckpoint ? `checkpoint step ${r.latestCheckpoint.step}` : 'no checkpoint',
      detail: `${r.origin ? describeOrigin(r.origin) : (r.manifest?.preset ?? '?')} · ${new Date(r.updated).toLocaleString()}`,
      run: r,
    })),
    { placeHolder },
  );
  return pick?.run;
}

export function registerCommands(s: Services): vscode.Disposable[] {
  const { log, trainer, client, checkpoints } = s;

  const pretrain = async (args: PretrainArgs = {}, interactive = args === undefined): Promise<LaunchResult | undefined> => {
    requireTrust();
    const folder = args.folder
      ? vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === args.folder)
      : primaryFolder();
    if (!folder) throw new Error(args.folder ? `${args.folder} is not a workspace folder` : 'open a folder to train on its text');
    const settings = readSettings(folder);
    const root = runsRootOf(folder);
    let name = args.runName !== undefined ? sanitizeRunName(args.runName) : undefined;
    if (args.runName !== undefined && !name) throw new Error(`'${args.runName}' is not usable as a run name`);
    if (!name && interactive) {
      const typed = await vscode.window.showInputBox({
        title: 'ELECTRA: Pretrain on Workspace',
        prompt: `Run name (a folder under ${vscode.workspace.asRelativePath(root)})`,
        value: timestampRunName(),
        validateInput: (v) => (sanitizeRunName(v) ? undefined : 'letters, digits, . _ -'),
      });
      if (typed === undefined) return undefined;
      name = sanitizeRunName(typed);
    }
    name = uniqueRunName(root, name ?? timestampRunName());
    const minutes = args.minutes ?? settings.minutes;
    // The run folder itself is never training text.
    const exclude = [...(args.exclude ?? settings.exclude)];
    const rel = relative(folder.uri.fsPath, root);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) exclude.push(`${rel.split('\\').join('/')}/**`);
    const include = args.include ?? settings.include;
    const startFrom = resolveStartFrom(args.startFrom ?? settings.startFrom, folder.uri.fsPath, root, join(s.context.extensionPath, 'models', 'base'));
    const options: PretrainOptions = {
      corpus:
        args.corpus === 'brown'
          ? { kind: 'brown' }
          : {
              kind: 'folder',
              root: folder.uri.fsPath,
              // An empty include list means the engine's default text globs.
              ...(include.length > 0 ? { include } : {}),
              exclude,
              maxFileBytes: args.maxFileBytes ?? settings.maxFileBytes,
            },
      outDir: join(root, name),
      preset: args.preset ?? settings.preset,
      steps: minutes > 0 ? undefined : (args.steps ?? settings.steps),
      minutes: minutes > 0 ? minutes : undefined,
      backend: args.backend ?? settings.backend,
      workers: settings.workers > 0 ? settings.workers : TRAINING_DEFAULTS.workers,
      seed: args.seed,
      batchSize: args.batchSize,
      checkpointEvery: args.checkpointEvery,
      evalEvery: args.evalEvery,
      ...(startFrom ? { startFrom } : {}),
    };
    const ignored = ignoreElectraFolder(folder.uri.fsPath, root);
    if (ignored) log.info(`wrote ${ignored}: the runs stay out of git`);
    return trainer.launch(name, options, { confirm: args.confirm ?? settings.confirmBeforeTraining, wait: args.wait ?? true });
  };

  const resume = async (args: ResumeArgs = {}): Promise<LaunchResult | undefined> => {
    requireTrust();
    const runs = (await listWorkspaceRuns()).filter((r) => r.latestCheckpoint && !trainer.session(r.dir));
    const run = await pickRun(runs, 'Resume which run?', args.runName);
    if (!run) return undefined;
    if (run.origin?.kind === 'imported' && run.latestCheckpoint?.step === 0) {
      throw new Error(`${run.id} was imported and has not been trained: set electraStudio.startFrom to '${run.name}' and run Pretrain on Workspace to continue pre-training from it`);
    }
    const manifest = run.manifest;
    if (!manifest) throw new Error(run.problem ?? `${run.dir} has no run manifest (run.json): it does not say how the run was started`);
    const settings = readSettings(run.folder);
    const reached = run.latestCheckpoint!.step;
    const { budget } = manifest;
    const minutes = args.minutes ?? (budget.minutes && !budget.steps ? budget.minutes : undefined);
    const steps = minutes ? undefined : (args.steps ?? (budget.steps && budget.steps > reached ? budget.steps : reached + settings.steps));
    // The rest (preset, model, seed, batch...) comes from the run's checkpoint; backend and
    // workers are this machine's current settings.
    const options: PretrainOptions = {
      corpus: manifest.corpus,
      outDir: run.dir,
      preset: manifest.preset,
      steps,
      minutes,
      resume: true,
      backend: settings.backend,
      workers: settings.workers > 0 ? settings.workers : 'auto',
    };
    return trainer.launch(run.name, options, { confirm: args.confirm ?? false, wait: args.wait ?? true });
  };

  const stop = async (args: StopArgs = {}): Promise<string[]> => {
    const running = trainer.running.filter((x) => x.state === 'training' || x.state === 'scanning');
    if (running.length === 0) {
      void vscode.window.showInformationMessage('ELECTRA: no run is training.');
      return [];
    }
    let dirs: string[];
    if (args.all) dirs = running.map((x) => x.runDir);
    else if (args.runName !== undefined) dirs = running.filter((x) => x.runName === args.runName).map((x) => x.runDir);
    else if (running.length === 1) dirs = [running[0].runDir];
    else {
      const picks = await vscode.window.showQuickPick(
        running.map((x) => ({ label: x.runName, description: x.lastStep ? `step ${x.lastStep.step}` : x.state, picked: true, dir: x.runDir })),
        { canPickMany: true, placeHolder: 'Stop which runs? (each saves a checkpoint first)' },
      );
      dirs = picks?.map((p) => p.dir) ?? [];
    }
    return trainer.stop(dirs);
  };

  const selectCheckpoint = async (args: { path?: string } = {}): Promise<string | undefined> => {
    let path = args.path;
    if (path === undefined) {
      type Item = vscode.QuickPickItem & { path?: string; browse?: boolean };
      const items: Item[] = [];
      for (const run of await listWorkspaceRuns()) {
        if (!run.latestCheckpoint) continue;
        items.push({ label: run.id, kind: vscode.QuickPickItemKind.Separator });
        items.push({ label: `$(folder) ${run.id}`, description: `latest checkpoint (now step ${run.latestCheckpoint.step}), follows new ones`, path: run.dir });
        for (const c of (await listCheckpoints(run.dir)).slice(0, 20)) items.push({ label: `$(pinned) step ${c.step}`, description: run.id, path: c.dir });
      }
      items.unshift({
        label: '$(sparkle) Newest checkpoint of the newest run',
        description: 'the default: follows new checkpoints and new runs',
        path: '',
      });
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse…', browse: true });
      const pick = await vscode.window.showQuickPick(items, { placeHolder: `Checkpoint for scoring (now: ${client.status.checkpointDir ?? 'none'})` });
      if (!pick) return undefined;
      if (pick.browse) {
        const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Checkpoint' });
        path = chosen?.[0]?.fsPath;
      } else path = pick.path;
      if (path === undefined) return undefined;
    }
    await checkpoints.select(path || undefined);
    await client.selectCheckpoint(path, workspaceRunsRoots());
    log.info(`checkpoint selected for scoring: ${path || 'none (the newest checkpoint of the newest run)'}`);
    return path;
  };

  const scoreCurrentFile = async (args: { uri?: string } = {}): Promise<(ScoreDocumentResult & { flagged: number }) | undefined> => {
    const uri = args.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('open a file to score');
    await vscode.workspace.openTextDocument(uri); // the server only scores open documents
    const result = await client.scoreDocument(uri);
    // The server's threshold: the setting, else the checkpoint's calibration, else the default.
    const flagged = result.tokens.filter((t) => t.p >= result.threshold.value).length;
    void vscode.window.showInformationMessage(
      `ELECTRA: ${result.tokens.length} tokens scored with checkpoint step ${result.checkpointStep}; ${flagged} at or above ${describeThreshold(result.threshold)}.`,
    );
    return { ...result, flagged };
  };

  const openDashboard = async (): Promise<void> => {
    await vscode.commands.executeCommand('electraStudio.dashboard.focus');
  };

  const exportDashboard = async (args: { format?: 'csv' | 'png'; path?: string } = {}): Promise<boolean> => {
    await openDashboard();
    return s.dashboard.requestExport(args.format ?? 'csv', args.path);
  };

  /** Where an imported or downloaded model's run goes: the trusted workspace's run folder. */
  const runsRootForImport = (): string => {
    requireTrust();
    const folder = primaryFolder();
    if (!folder) throw new Error('open a folder: imported and downloaded models become runs under its run folder');
    return runsRootOf(folder);
  };

  const importModel = async (args: ImportModelArgs = {}): Promise<ImportReport | undefined> => {
    const runsRoot = runsRootForImport();
    const chosen = await resolveImportArgs(args);
    if (!chosen) return undefined;
    const report = await importWithProgress(join(s.context.extensionPath, 'dist', 'importWorker.js'), runsRoot, chosen);
    await adoptImportedRun(report, report.warnings, chosen.discriminator, runsRoot);
    return report;
  };

  const downloadModel = async (args: DownloadModelArgs = {}): Promise<HubImportResult | undefined> => {
    const runsRoot = runsRootForImport();
    const chosen = await resolveDownloadArgs(args);
    if (!chosen) return undefined;
    const result = await downloadWithProgress(join(s.context.extensionPath, 'dist', 'downloadWorker.js'), runsRoot, chosen, (m) => log.info(`download: ${m}`));
    for (const m of [result.discriminator, result.generator]) {
      if (m) log.info(`${m.repoId} at ${m.commit}: ${m.fetchedBytes > 0 ? `${m.fetchedBytes} bytes downloaded` : 'from the cache'} (${m.dir})`);
    }
    await adoptImportedRun(result.report, result.warnings, chosen.modelId, runsRoot);
    return result;
  };

  /** An imported run: warnings shown, then selected so that annotations come from it at once. */
  const adoptImportedRun = async (report: ImportReport, warnings: string[], source: string, runsRoot: string): Promise<void> => {
    for (const w of warnings) {
      log.warn(`import: ${w}`);
      void vscode.window.showWarningMessage(`ELECTRA: ${w}`);
    }
    log.info(`imported ${report.weightsFiles.discriminator}${report.weightsFiles.generator ? ` and ${report.weightsFiles.generator}` : ''} as ${report.runDir}`);
    await checkpoints.select(report.runDir);
    await client.selectCheckpoint(report.runDir);
    void vscode.window.showInformationMessage(`ELECTRA: imported ${source} as run '${relative(runsRoot, report.runDir)}'; scoring with it now.`);
  };

  const ignoreWord = async (args: IgnoreWordArgs | string): Promise<void> => {
    const word = typeof args === 'string' ? args : args?.word;
    if (!word) throw new Error('no word to ignore');
    await addIgnoredWord(word);
    log.info(`ignoring '${word}' (electraStudio.annotation.ignoredWords)`);
  };

  const reg = vscode.commands.registerCommand;
  return [
    // A palette invocation passes no argument: that is the interactive path.
    reg(COMMANDS.pretrain, guarded(log, 'Pretrain', (args?: PretrainArgs) => pretrain(args ?? {}, args === undefined))),
    reg(COMMANDS.resume, guarded(log, 'Resume', (args?: ResumeArgs) => resume(args ?? {}))),
    reg(COMMANDS.stop, guarded(log, 'Stop', (args?: StopArgs) => stop(args ?? {}))),
    reg(COMMANDS.selectCheckpoint, guarded(log, 'Select Checkpoint', (args?: { path?: string }) => selectCheckpoint(args ?? {}))),
    reg(COMMANDS.scoreCurrentFile, guarded(log, 'Score Current File', (args?: { uri?: string }) => scoreCurrentFile(args ?? {}))),
    reg(COMMANDS.openDashboard, guarded(log, 'Open Dashboard', openDashboard)),
    reg(COMMANDS.showTokenConfidence, guarded(log, 'Show Token Confidence', async () => s.tokens.open())),
    reg(COMMANDS.exportDashboard, guarded(log, 'Export Dashboard', (args?: { format?: 'csv' | 'png'; path?: string }) => exportDashboard(args ?? {}))),
    reg(COMMANDS.ignoreWord, guarded(log, 'Ignore Word', ignoreWord)),
    ...registerExperimentCommands(s.context, log, (name, body) => guarded(log, name, body)),
    reg(COMMANDS.importModel, guarded(log, 'Import Model', (args?: ImportModelArgs) => importModel(args ?? {}))),
    reg(COMMANDS.downloadModel, guarded(log, 'Download Model', (args?: DownloadModelArgs) => downloadModel(args ?? {}))),
  ];
}
