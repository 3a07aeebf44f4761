/**
 * Terminal progress for `electra-studio pretrain`: on a terminal, one line redrawn in place
 * (bar, ETA, live metrics); in a pipe or CI log, a plain line every few seconds. Held-out
 * evaluations always get a line of their own: together they are the learning curve.
 */
import { formatBytes, type EvalMetrics, type StepMetrics } from '../core';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

export function formatStep(m: StepMetrics): string {
  return `loss ${m.loss.toFixed(3)} gen ${m.genLoss.toFixed(3)} (acc ${(100 * m.genAccuracy).toFixed(1)}%) disc ${m.discLoss.toFixed(4)} (acc ${(100 * m.discAccuracy).toFixed(1)}%) lr ${m.learningRate.toExponential(2)} ${Math.round(m.tokensPerSec)} tok/s`;
}

export function formatEval(m: EvalMetrics): string {
  const auc = Number.isNaN(m.auc) ? 'n/a' : m.auc.toFixed(3);
  return `held-out step ${m.step}: gen loss ${m.genLoss.toFixed(3)} gen acc ${(100 * m.genAccuracy).toFixed(1)}% disc loss ${m.discLoss.toFixed(4)} disc acc ${(100 * m.discAccuracy).toFixed(1)}% P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} F1 ${m.f1.toFixed(3)} AUC ${auc}`;
}

export class Progress {
  private lastPlain = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** Total steps, when known. */
    private totalSteps: number,
    /** Deadline (ms since epoch) of a time-budgeted run. */
    private readonly deadline: number,
    private readonly started = Date.now(),
    private readonly firstStep = 0,
  ) {}

  setTotal(steps: number): void {
    this.totalSteps = steps;
  }

  step(m: StepMetrics): void {
    const now = Date.now();
    const done = m.step - this.firstStep;
    const perStep = (now - this.started) / Math.max(1, done);
    const etaSteps = this.totalSteps > 0 ? (this.totalSteps - m.step) * perStep : Infinity;
    const etaTime = Number.isFinite(this.deadline) ? this.deadline - now : Infinity;
    const eta = Math.min(etaSteps, etaTime);
    const fraction = this.totalSteps > 0 ? m.step / this.totalSteps : Number.isFinite(this.deadline) ? (now - this.started) / (this.deadline - this.started) : 0;
    const total = this.totalSteps > 0 ? `/${this.totalSteps}` : '';
    const status = `step ${m.step}${total} ETA ${formatDuration(eta)} | ${formatStep(m)}`;
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${status}`;
      const cols = this.out.columns || 120;
      this.out.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
      this.drawn = true;
    } else if (now - this.lastPlain >= 5000 || m.step === this.firstStep + 1) {
      this.lastPlain = now;
      this.out.write(`${status}\n`);
    }
  }

  /** A line that stays (an evaluation, a checkpoint, a warning). */
  line(text: string): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
    this.out.write(text + '\n');
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** Download progress in bytes, one repository at a time: a redrawn bar on a terminal, a line every few seconds in a log. */
export class ByteProgress {
  private lastPlain = 0;
  private drawn = false;
  private repo = '';

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: { repoId: string; file: string; bytes: number; totalBytes: number }): void {
    const now = Date.now();
    const newRepo = p.repoId !== this.repo;
    if (newRepo) this.end();
    this.repo = p.repoId;
    const fraction = p.totalBytes > 0 ? p.bytes / p.totalBytes : 1;
    const status = `${p.repoId}: ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} (${p.file})`;
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
      const cols = this.out.columns || 120;
      this.out.write(`\r\x1b[K${`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${status}`.slice(0, cols - 1)}`);
      this.drawn = true;
    } else if (newRepo || now - this.lastPlain >= 5000 || p.bytes === p.totalBytes) {
      this.lastPlain = now;
      this.out.write(`${status}\n`);
    }
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
