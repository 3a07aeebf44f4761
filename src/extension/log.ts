/**
 * The "ELECTRA" output channel (language `electra-log`, coloured by
 * syntaxes/electra-log.tmLanguage.json). Lines look like
 *   2025-01-31 14:25:03 INFO  [run-1] step 120 loss=3.2101 genLoss=5.1 discLoss=0.41 ...
 *   2025-01-31 14:25:03 WARN  [run-1] ...
 * Step lines are throttled: at most one per run per second, evaluations always.
 */
import * as vscode from 'vscode';
import type { EvalMetrics, StepMetrics } from '../core';

export type Level = 'info' | 'warn' | 'error';

function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}

/** `step 120 loss=3.2101 genLoss=... tokens/s=1234` — the format the grammar colours. */
export function formatStep(m: StepMetrics): string {
  return (
    `step ${m.step} loss=${fmt(m.loss)} genLoss=${fmt(m.genLoss)} discLoss=${fmt(m.discLoss)} ` +
    `genAcc=${fmt(m.genAccuracy)} discAcc=${fmt(m.discAccuracy)} f1=${fmt(m.f1)} auc=${fmt(m.auc)} ` +
    `lr=${fmt(m.learningRate)} tokens/s=${Math.round(m.tokensPerSec)}`
  );
}

export function formatEval(m: EvalMetrics): string {
  return (
    `eval step ${m.step} genLoss=${fmt(m.genLoss)} discLoss=${fmt(m.discLoss)} genAcc=${fmt(m.genAccuracy)} ` +
    `discAcc=${fmt(m.discAccuracy)} precision=${fmt(m.precision)} recall=${fmt(m.recall)} f1=${fmt(m.f1)} auc=${fmt(m.auc)}`
  );
}

export class Log implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private readonly lastStepLine = new Map<string, number>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('ELECTRA', 'electra-log');
  }

  line(level: Level, message: string, run?: string): void {
    const tag = level === 'info' ? 'INFO ' : level === 'warn' ? 'WARN ' : 'ERROR';
    this.channel.appendLine(`${stamp()} ${tag} ${run ? `[${run}] ` : ''}${message}`);
  }
  info(message: string, run?: string): void {
    this.line('info', message, run);
  }
  warn(message: string, run?: string): void {
    this.line('warn', message, run);
  }
  error(message: string, run?: string): void {
    this.line('error', message, run);
  }

  step(run: string, m: StepMetrics, force = false): void {
    const now = Date.now();
    if (!force && now - (this.lastStepLine.get(run) ?? 0) < 1000) return;
    this.lastStepLine.set(run, now);
    this.info(formatStep(m), run);
  }

  eval(run: string, m: EvalMetrics): void {
    this.info(formatEval(m), run);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
