/**
 * "ELECTRA: Fine-tune and Evaluate…" and "ELECTRA: Compare ELECTRA and Masked LM…".
 * Both are long CPU jobs, so they run the command-line tool (dist/cli.js) in a child
 * process, never in the extension host: the editor stays responsive, the progress
 * notification's Cancel stops the child, and its output goes to the ELECTRA channel.
 * Fine-tuning appends its records to the run's metrics.jsonl, where the dashboard's
 * downstream panel picks them up; the experiment's report opens in the Markdown preview.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { Log } from './log';
import { timestampRunName, uniqueRunName } from './runs';
import { listWorkspaceRuns, primaryFolder, runsRootOf, type WorkspaceRun } from './workspaceRuns';
import { EXPERIMENT_DEFAULTS } from '../shared/defaults';

export const EXPERIMENT_COMMANDS = {
  finetune: 'electraStudio.finetune',
  experiment: 'electraStudio.experiment',
} as const;

export interface FinetuneArgs {
  runName?: string;
  /** 'pos', 'genre' or a task file path. */
  task?: string;
  fromScratch?: boolean;
  epochs?: number;
  maxTrain?: number;
  maxTest?: number;
}

export interface ExperimentArgs {
  /** Training FLOPs per pre-training run, e.g. "1e12". */
  flops?: string;
  seeds?: number;
  tasks?: string[];
  corpus?: 'workspace' | 'brown';
  preset?: string;
}

/** Runs dist/cli.js with `args` under a cancellable progress notification; resolves with its stdout. */
function runCli(context: vscode.ExtensionContext, log: Log, title: string, args: string[]): Promise<string> {
  const cli = join(context.extensionPath, 'dist', 'cli.js');
  if (!existsSync(cli)) return Promise.reject(new Error(`the command-line tool is missing: ${cli}`));
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
      new Promise<string>((resolve, reject) => {
        log.info(`${title}: electra-studio ${args.join(' ')}`);
        // The extension host is Electron: ELECTRON_RUN_AS_NODE makes its binary a plain Node.
        const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let lastError = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n').filter((l) => l.trim())) {
            log.info(line);
            progress.report({ message: line.slice(0, 120) });
            if (line.startsWith('electra-studio: error:')) lastError = line.slice('electra-studio: error:'.length).trim();
          }
        });
        token.onCancellationRequested(() => child.kill('SIGINT'));
        child.on('error', reject);
        child.on('close', (code) => {
          if (token.isCancellationRequested) reject(new Error(`${title}: cancelled`));
          else if (code === 0) resolve(stdout);
          else reject(new Error(lastError || `${title} failed (exit code ${code}); see the ELECTRA output`));
        });
      }),
    ),
  );
}

async function pickRunWithCheckpoint(runName?: string): Promise<WorkspaceRun | undefined> {
  const runs = (await listWorkspaceRuns()).filter((r) => r.latestCheckpoint);
  if (runName !== undefined) {
    const run = runs.find((r) => r.id === runName || r.name === runName);
    if (!run) throw new Error(`no run with a checkpoint named '${runName}'`);
    return run;
  }
  if (runs.length === 0) throw new Error('no run has a checkpoint yet: pre-train first');
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.id, description: `checkpoint step ${r.latestCheckpoint!.step}`, run: r })),
    { placeHolder: 'Fine-tune which run?' },
  );
  return pick?.run;
}

async function pickTask(): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'pos', description: 'part-of-speech tagging on Brown\'s tags (accuracy)' },
      { label: 'genre', description: 'Brown genre of a passage (macro-F1)' },
      { label: 'File…', description: 'a CSV (text,label) or JSONL ({"text","label"}) file' },
    ],
    { placeHolder: 'Task' },
  );
  if (!pick) return undefined;
  if (pick.label !== 'File…') return pick.label;
  const chosen = await vscode.window.showOpenDialog({ canSelectFiles: true, filters: { 'Task files': ['csv', 'jsonl'] }, openLabel: 'Use Task File' });
  return chosen?.[0]?.fsPath;
}

export function registerExperimentCommands(context: vscode.ExtensionContext, log: Log, guarded: <A extends unknown[], R>(name: string, body: (...a: A) => Promise<R>) => (...a: A) => Promise<R | undefined>): vscode.Disposable[] {
  const finetune = async (args: FinetuneArgs = {}): Promise<string | undefined> => {
    if (!vscode.workspace.isTrusted) throw new Error('ELECTRA does not train in an untrusted workspace: trust the workspace first.');
    const run = await pickRunWithCheckpoint(args.runName);
    if (!run) return undefined;
    const task = args.task ?? (await pickTask());
    if (!task) return undefined;
    const cliArgs = ['finetune', run.dir, '--task', task];
    if (args.fromScratch) cliArgs.push('--from-scratch');
    if (args.epochs) cliArgs.push('--epochs', String(args.epochs));
    if (args.maxTrain) cliArgs.push('--max-train', String(args.maxTrain));
    if (args.maxTest) cliArgs.push('--max-test', String(args.maxTest));
    const out = (await runCli(context, log, `Fine-tuning ${run.id} on ${task}`, cliArgs)).trim();
    void vscode.window.showInformationMessage(`ELECTRA: ${out.split('\n').at(-1)}`);
    await vscode.commands.executeCommand('electraStudio.dashboard.focus');
    return out;
  };

  const experiment = async (args: ExperimentArgs = {}): Promise<string | undefined> => {
    if (!vscode.workspace.isTrusted) throw new Error('ELECTRA does not train in an untrusted workspace: trust the workspace first.');
    const folder = primaryFolder();
    if (!folder) throw new Error('open a folder: the experiment is written under its run folder');
    const corpus = args.corpus ?? (await vscode.window.showQuickPick(['workspace', 'brown'], { placeHolder: 'Pre-train on the workspace\'s text or on the Brown corpus?' }));
    if (!corpus) return undefined;
    const flops =
      args.flops ??
      (await vscode.window.showInputBox({
        title: 'ELECTRA vs masked LM',
        prompt: 'Training FLOPs of each pre-training run (e.g. 6e11: about 180 steps of the tiny preset at batch 8 x 64)',
        value: '6e11',
        validateInput: (v) => (/^\s*[0-9.]+(e[+-]?\d+)?\s*[kMGTPE]?\s*$/i.test(v) ? undefined : 'a number such as 6e11 or 500T'),
      }));
    if (!flops) return undefined;
    const root = runsRootOf(folder);
    const outDir = join(root, uniqueRunName(root, `electra-vs-mlm-${timestampRunName()}`));
    // The run folder itself is never training text.
    const rel = relative(folder.uri.fsPath, root).split('\\').join('/');
    const exclude = rel && !rel.startsWith('..') && !isAbsolute(rel) ? ['--exclude', `${rel}/**`] : [];
    const cliArgs = ['experiment', 'electra-vs-mlm', ...(corpus === 'brown' ? ['--brown'] : ['--corpus', folder.uri.fsPath, ...exclude]), '--flops', flops.trim(), '--seeds', String(args.seeds ?? EXPERIMENT_DEFAULTS.seeds), '--tasks', args.tasks?.join(',') ?? EXPERIMENT_DEFAULTS.tasks, '--out', outDir];
    if (args.preset) cliArgs.push('--preset', args.preset);
    await runCli(context, log, 'ELECTRA vs masked LM', cliArgs);
    const report = vscode.Uri.file(join(outDir, 'report.md'));
    await vscode.commands.executeCommand('markdown.showPreview', report);
    return report.fsPath;
  };

  const reg = vscode.commands.registerCommand;
  return [
    reg(EXPERIMENT_COMMANDS.finetune, guarded('Fine-tune and Evaluate', (a?: FinetuneArgs) => finetune(a ?? {}))),
    reg(EXPERIMENT_COMMANDS.experiment, guarded('Compare ELECTRA and Masked LM', (a?: ExperimentArgs) => experiment(a ?? {}))),
  ];
}
