/**
 * One training run: owns its worker thread (dist/trainingWorker.js) and turns the worker's
 * protocol messages into calls on a listener. No `vscode` here: commands.ts adds the UI.
 *
 *   const s = new TrainingSession(workerPath, 'run-1', listener);
 *   const summary = await s.scan(corpus);    // optional: what will be read, for a prompt
 *   const result = await s.train(options);   // resolves when training ends
 *   s.stop();                                // graceful: the engine saves a checkpoint
 */
import { Worker } from 'node:worker_threads';
import { releaseLockOfThread } from './runs';
import type { EvalMetrics, StepMetrics } from '../core';
import type { PretrainOptions, PretrainResult } from '../core';
import {
  WORKER_PROTOCOL_VERSION as v,
  workerMessageProblem,
  type CorpusSummary,
  type HostToWorker,
  type WorkerToHost,
} from '../shared/workerProtocol';

export type SessionState = 'starting' | 'scanning' | 'training' | 'stopping' | 'done' | 'failed';

export interface SessionListener {
  onLog?(level: 'info' | 'warn' | 'error', message: string): void;
  onBackend?(name: string, detail: string): void;
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
  onCheckpoint?(step: number, dir: string): void;
  onStateChange?(state: SessionState): void;
}

export class TrainingSession {
  private readonly worker: Worker;
  private _state: SessionState = 'starting';
  private scanWaiter: { resolve(s: CorpusSummary): void; reject(e: Error): void } | undefined;
  private trainWaiter: { resolve(r: PretrainResult): void; reject(e: Error): void } | undefined;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private exited = false;

  backend: string | undefined;
  lastStep: StepMetrics | undefined;
  lastEval: EvalMetrics | undefined;
  lastCheckpoint: { step: number; dir: string } | undefined;
  result: PretrainResult | undefined;
  readonly startedAt = Date.now();
  /** Step count the run is heading for (when steps are the budget), for progress. */
  targetSteps: number | undefined;
  targetMinutes: number | undefined;

  constructor(
    workerPath: string,
    readonly runName: string,
    readonly runDir: string,
    private readonly listener: SessionListener = {},
    /** How long a stopping worker may take to save its checkpoint before it is terminated. */
    private readonly stopTimeoutMs = 120_000,
  ) {
    this.worker = new Worker(workerPath, { name: `electra-${runName}` });
    const thread = this.worker.threadId;
    this.worker.on('message', (m: unknown) => this.receive(m));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => {
      this.exited = true;
      // A terminated worker cannot release the run folder's lock; its thread is gone for good.
      void releaseLockOfThread(runDir, process.pid, thread);
      if (this.stopTimer) clearTimeout(this.stopTimer);
      if (this.trainWaiter || this.scanWaiter) this.failAll(new Error(`training worker exited (code ${code}) without a result`));
    });
  }

  get state(): SessionState {
    return this._state;
  }

  get running(): boolean {
    return this._state === 'starting' || this._state === 'scanning' || this._state === 'training' || this._state === 'stopping';
  }

  private setState(s: SessionState): void {
    if (this._state === s) return;
    this._state = s;
    this.listener.onStateChange?.(s);
  }

  private post(m: HostToWorker): void {
    this.worker.postMessage(m);
  }

  /** Walks the corpus in the worker and summarises what training would read. */
  scan(corpus: PretrainOptions['corpus']): Promise<CorpusSummary> {
    this.setState('scanning');
    return new Promise((resolve, reject) => {
      this.scanWaiter = { resolve, reject };
      this.post({ v, type: 'scan', corpus });
    });
  }

  /** Trains; resolves when training ends (budget reached or stopped), rejects on failure. */
  train(options: PretrainOptions): Promise<PretrainResult> {
    this.targetSteps = options.steps;
    this.targetMinutes = options.minutes;
    this.setState('training');
    return new Promise((resolve, reject) => {
      this.trainWaiter = { resolve, reject };
      this.post({ v, type: 'start', options });
    });
  }

  /** Asks the worker to save a checkpoint and end; terminates it if it does not in time. */
  stop(): void {
    if (!this.running || this._state === 'stopping') return;
    if (this._state !== 'training') {
      // Nothing trained yet, nothing to save.
      this.dispose();
      return;
    }
    this.setState('stopping');
    this.post({ v, type: 'stop' });
    this.stopTimer = setTimeout(() => {
      this.listener.onLog?.('warn', `worker did not stop within ${this.stopTimeoutMs / 1000} s; terminating it`);
      void this.worker.terminate();
    }, this.stopTimeoutMs);
  }

  /** Ends the worker at once (no checkpoint). */
  dispose(): void {
    if (!this.exited) void this.worker.terminate();
    if (this.running) {
      this.failAll(new Error('training cancelled'));
    }
  }

  /** Fraction of the budget done, in [0, 1], or undefined when unknown. */
  progress(): number | undefined {
    if (this.targetMinutes && this.targetMinutes > 0) return Math.min(1, (Date.now() - this.startedAt) / (this.targetMinutes * 60_000));
    if (this.targetSteps && this.lastStep) return Math.min(1, this.lastStep.step / this.targetSteps);
    return undefined;
  }

  private failAll(e: Error): void {
    const scan = this.scanWaiter;
    const train = this.trainWaiter;
    this.scanWaiter = undefined;
    this.trainWaiter = undefined;
    if (this.running) this.setState('failed');
    scan?.reject(e);
    train?.reject(e);
  }

  private receive(raw: unknown): void {
    const problem = workerMessageProblem(raw);
    if (problem) {
      this.listener.onLog?.('error', `ignored a message from the training worker: ${problem}`);
      return;
    }
    const m = raw as WorkerToHost;
    switch (m.type) {
      case 'ready':
        break;
      case 'scanned': {
        const w = this.scanWaiter;
        this.scanWaiter = undefined;
        w?.resolve(m.summary);
        break;
      }
      case 'backend':
        this.backend = m.name;
        this.listener.onBackend?.(m.name, m.detail);
        break;
      case 'log':
        this.listener.onLog?.(m.level, m.message);
        break;
      case 'step':
        this.lastStep = m.metrics;
        this.listener.onStep?.(m.metrics);
        break;
      case 'eval':
        this.lastEval = m.metrics;
        this.listener.onEval?.(m.metrics);
        break;
      case 'checkpoint':
        this.lastCheckpoint = { step: m.step, dir: m.dir };
        this.listener.onCheckpoint?.(m.step, m.dir);
        break;
      case 'done': {
        this.result = m.result;
        if (this.stopTimer) clearTimeout(this.stopTimer);
        const w = this.trainWaiter;
        this.trainWaiter = undefined;
        this.setState('done');
        w?.resolve(m.result);
        break;
      }
      case 'error':
        this.failAll(new Error(m.message));
        break;
    }
  }
}
