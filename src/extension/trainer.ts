/**
 * The training runs of this window: one TrainingSession (one worker thread) per run,
 * several side by side, each shown in a cancellable progress notification. Commands ask
 * the trainer to launch, stop and resume; the status bar and dashboard listen to it.
 */
import * as vscode from 'vscode';
import type { PretrainOptions, PretrainResult } from '../core';
import type { CorpusSummary } from '../shared/workerProtocol';
import { markReported } from './commandErrors';
import type { Log } from './log';
import { TrainingSession } from './trainingSession';

export interface LaunchResult {
  runName: string;
  runDir: string;
  /** Set when the user declined the confirmation. */
  cancelled?: boolean;
  /** Set once training ended (when the caller waited for it). */
  result?: PretrainResult;
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

/** "112 files, 1.2 MB; skipped: 3 too-large, 10 binary" */
export function describeCorpus(s: CorpusSummary): string {
  const skipped = Object.entries(s.skippedByReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return `${s.files} file${s.files === 1 ? '' : 's'}, ${formatBytes(s.totalBytes)}${skipped ? `; skipped: ${skipped}` : ''}`;
}

export class Trainer implements vscode.Disposable {
  /** Running sessions by run folder. */
  private readonly sessions = new Map<string, TrainingSession>();
  private lastStepEvent = 0;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when a run starts, makes progress, changes state or ends. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly checkpointEmitter = new vscode.EventEmitter<{ runDir: string; step: number; dir: string }>();
  readonly onDidCheckpoint = this.checkpointEmitter.event;
  private readonly endEmitter = new vscode.EventEmitter<{ runDir: string; result?: PretrainResult; error?: Error }>();
  readonly onDidEnd = this.endEmitter.event;

  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
  ) {}

  get running(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  session(runDir: string): TrainingSession | undefined {
    return this.sessions.get(runDir);
  }

  /**
   * Starts a run in its own worker. With `confirm`, first walks the corpus (in the worker)
   * and asks the user. Resolves when training ends if `wait`, else once it has started.
   */
  async launch(runName: string, options: PretrainOptions, opts: { confirm: boolean; wait: boolean }): Promise<LaunchResult> {
    const runDir = options.outDir;
    if (this.sessions.has(runDir)) throw new Error(`run '${runName}' is already training`);
    const session = new TrainingSession(this.workerPath, runName, runDir, {
      onLog: (level, message) => this.log.line(level, message, runName),
      onBackend: (_name, detail) => {
        this.log.info(`backend: ${detail}`, runName);
        this.changeEmitter.fire();
      },
      onStep: (m) => {
        this.log.step(runName, m);
        // Steps of a small model come by the hundred per second: tell listeners at most 4 times a second.
        const now = Date.now();
        if (now - this.lastStepEvent >= 250) {
          this.lastStepEvent = now;
          this.changeEmitter.fire();
        }
      },
      onEval: (m) => this.log.eval(runName, m),
      onCheckpoint: (step, dir) => this.checkpointEmitter.fire({ runDir, step, dir }),
      onStateChange: () => this.changeEmitter.fire(),
    });
    this.sessions.set(runDir, session);
    this.changeEmitter.fire();

    if (opts.confirm) {
      let summary: CorpusSummary;
      try {
        summary = await session.scan(options.corpus);
      } catch (e) {
        this.forget(runDir, session);
        throw e;
      }
      const what = describeCorpus(summary);
      this.log.info(`corpus ${summary.root}: ${what}`, runName);
      if (summary.files === 0 && options.corpus.kind === 'folder') {
        this.forget(runDir, session);
        throw new Error(`no text files matched electraStudio.include in ${summary.root} (${what})`);
      }
      const action = options.resume ? 'Resume' : 'Train';
      const answer = await vscode.window.showInformationMessage(
        `${action} ELECTRA '${options.preset}' on ${what}?`,
        {
          modal: true,
          detail:
            `Run folder: ${runDir}\n` +
            (options.minutes ? `Budget: ${options.minutes} minutes` : `Budget: ${options.steps} steps`) +
            (summary.sample.length ? `\nFirst files: ${summary.sample.slice(0, 8).join(', ')}` : ''),
        },
        action,
      );
      if (answer !== action) {
        this.forget(runDir, session);
        return { runName, runDir, cancelled: true };
      }
    }

    this.log.info(`${options.resume ? 'resuming' : 'starting'} run (preset ${options.preset}, ${options.minutes ? `${options.minutes} min` : `${options.steps} steps`}) in ${runDir}`, runName);
    const training = session.train(options);
    const finished = this.withProgress(session, training).then(
      (result) => {
        this.log.info(`run ended at step ${result.step} (${result.stoppedBecause}); checkpoint ${result.checkpointDir}`, runName);
        this.forget(runDir, session);
        this.endEmitter.fire({ runDir, result });
        void vscode.window.showInformationMessage(`ELECTRA run '${runName}' ended at step ${result.step} (${result.stoppedBecause}).`);
        return result;
      },
      (e: Error) => {
        this.log.error(`run failed: ${e.message}`, runName);
        this.forget(runDir, session);
        this.endEmitter.fire({ runDir, error: e });
        void vscode.window.showErrorMessage(`ELECTRA run '${runName}' failed: ${e.message}`, 'Show Log').then((a) => {
          if (a) this.log.channel.show(true);
        });
        throw markReported(e); // shown here, with its Show Log button: the command does not show it again
      },
    );
    if (!opts.wait) {
      finished.catch(() => undefined);
      return { runName, runDir };
    }
    return { runName, runDir, result: await finished };
  }

  private withProgress(session: TrainingSession, training: Promise<PretrainResult>): Promise<PretrainResult> {
    return new Promise((resolve, reject) => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ELECTRA: training ${session.runName}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => session.stop());
          let reported = 0;
          const sub = this.onDidChange(() => {
            const s = session.lastStep;
            const fraction = session.progress();
            const message = session.state === 'stopping' ? 'stopping: saving a checkpoint…' : s ? `step ${s.step} · loss ${s.loss.toFixed(3)} · ${Math.round(s.tokensPerSec)} tokens/s` : 'preparing data…';
            const increment = fraction !== undefined ? Math.max(0, fraction * 100 - reported) : undefined;
            if (increment !== undefined) reported += increment;
            progress.report({ message, increment });
          });
          try {
            resolve(await training);
          } catch (e) {
            reject(e);
          } finally {
            sub.dispose();
          }
        },
      );
    });
  }

  private forget(runDir: string, session: TrainingSession): void {
    if (this.sessions.get(runDir) === session) this.sessions.delete(runDir);
    session.dispose();
    this.changeEmitter.fire();
  }

  /** Graceful stop (checkpoint first). Returns the names of the runs asked to stop. */
  stop(runDirs: string[]): string[] {
    const names: string[] = [];
    for (const dir of runDirs) {
      const s = this.sessions.get(dir);
      if (!s) continue;
      s.stop();
      names.push(s.runName);
      this.log.info('stopping: the worker saves a checkpoint first', s.runName);
    }
    return names;
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.stop();
    this.changeEmitter.dispose();
    this.checkpointEmitter.dispose();
    this.endEmitter.dispose();
  }
}
