/**
 * From metrics records to chart series: which metrics are charted, exponential moving
 * average smoothing, and the x axis (optimizer step, wall time in minutes since the
 * run's first record, or training FLOPs, which put runs of different objectives at equal
 * compute). Pure functions, no DOM.
 */
import type { EvalMetrics, MetricsRecord, StepMetrics } from '../../shared/metricsRecord';

export type XAxis = 'step' | 'time' | 'flops';

export interface ChartSpec {
  id: string;
  title: string;
  /** Field of step records; undefined when the chart has no training series. */
  train?: keyof StepMetrics;
  /** Field of eval records; undefined when the chart has no held-out series. */
  eval?: keyof EvalMetrics;
  logScale?: boolean;
  /** A discriminator's metric: not drawn for masked-LM runs, which have none. */
  discriminator?: boolean;
}

export const CHARTS: readonly ChartSpec[] = [
  { id: 'genLoss', title: 'Masked-LM loss (ELECTRA: its generator; nats)', train: 'genLoss', eval: 'genLoss' },
  { id: 'discLoss', discriminator: true, title: 'Discriminator loss (BCE)', train: 'discLoss', eval: 'discLoss' },
  { id: 'discAccuracy', discriminator: true, title: 'Discriminator accuracy', train: 'discAccuracy', eval: 'discAccuracy' },
  { id: 'f1', discriminator: true, title: 'Discriminator F1 (replaced)', train: 'f1', eval: 'f1' },
  { id: 'auc', discriminator: true, title: 'Discriminator ROC-AUC', train: 'auc', eval: 'auc' },
  { id: 'learningRate', title: 'Learning rate', train: 'learningRate' },
  { id: 'tokensPerSec', title: 'Throughput (tokens/s)', train: 'tokensPerSec' },
];

export interface Point {
  x: number;
  y: number;
}

/**
 * Exponential moving average with TensorBoard's debiasing: s_t = w*s_{t-1} + (1-w)*y_t,
 * divided by 1 - w^t so the first points are not pulled toward 0. `weight` in [0, 1).
 * Non-finite values are passed through unsmoothed and do not enter the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    n++;
    return last / (1 - Math.pow(w, n));
  });
}

/** Step and eval records of one run, in step order, each step once (the last record wins). */
export function splitRecords(records: readonly MetricsRecord[]): { steps: StepMetrics[]; evals: EvalMetrics[] } {
  const steps = new Map<number, StepMetrics>();
  const evals = new Map<number, EvalMetrics>();
  for (const r of records) {
    if (r.type === 'step') steps.set(r.step, r);
    else if (r.type === 'eval') evals.set(r.step, r);
  }
  const byStep = <T extends { step: number }>(m: Map<number, T>): T[] => [...m.values()].sort((a, b) => a.step - b.step);
  return { steps: byStep(steps), evals: byStep(evals) };
}

/**
 * x of a record: its step, minutes of wall time since `t0` (the run's first record), or
 * the run's training FLOPs at that step (`flopsAt`, from the step records; NaN for runs
 * recorded before FLOPs were counted, whose points are then left out).
 */
export function xOf(r: { step: number; time: number }, axis: XAxis, t0: number, flopsAt?: Map<number, number>): number {
  if (axis === 'flops') return flopsAt?.get(r.step) ?? NaN;
  return axis === 'step' ? r.step : (r.time - t0) / 60_000;
}

/** Training FLOPs after each step of a run, from its step records (those that carry them). */
export function flopsByStep(steps: readonly StepMetrics[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of steps) if (typeof s.flops === 'number') m.set(s.step, s.flops);
  return m;
}

export interface RunSeries {
  train: Point[];
  eval: Point[];
}

/** The points of one chart for one run. Smoothing applies to the training series only. */
export function seriesFor(spec: ChartSpec, records: readonly MetricsRecord[], axis: XAxis, smoothing: number): RunSeries {
  const { steps, evals } = splitRecords(records);
  if (spec.discriminator && steps.some((s) => s.objective === 'mlm')) return { train: [], eval: [] };
  const t0 = Math.min(steps[0]?.time ?? Infinity, evals[0]?.time ?? Infinity);
  const flopsAt = axis === 'flops' ? flopsByStep(steps) : undefined;
  const out: RunSeries = { train: [], eval: [] };
  if (spec.train) {
    const key = spec.train;
    const ys = emaSmooth(steps.map((s) => Number(s[key])), smoothing);
    out.train = steps.map((s, i) => ({ x: xOf(s, axis, t0, flopsAt), y: ys[i] })).filter((p) => Number.isFinite(p.x));
  }
  if (spec.eval) {
    const key = spec.eval;
    out.eval = evals.map((e) => ({ x: xOf(e, axis, t0, flopsAt), y: Number(e[key]) })).filter((p) => Number.isFinite(p.x));
  }
  return out;
}
