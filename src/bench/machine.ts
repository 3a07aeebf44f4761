/**
 * Shared by the benchmark sections: the machine's description, percentiles, a resident
 * memory sampler, and a section runner that prints a section's error and lets the others run.
 */
import { cpus, loadavg, totalmem } from 'node:os';

/** "AMD EPYC x 2 cores, 23.5 GiB, Node v20.20.2, linux/x64, load 1.23" */
export function describeMachine(): string {
  const cpu = cpus();
  const load = loadavg()[0];
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} x ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}/${process.arch}, load average ${load.toFixed(2)}`;
}

/**
 * The p-th percentile (0..100) of `values` by the nearest-rank method: the smallest value
 * with at least p% of the values at or below it. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
  };
}

export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/**
 * Resident memory of this process, sampled on a timer (tfjs's wasm heap lives inside RSS).
 * A timer only fires between tasks: call sample() inside long synchronous work as well.
 */
export class RssSampler {
  readonly start: number;
  peak: number;
  private timer: NodeJS.Timeout;
  constructor(intervalMs = 20) {
    this.start = process.memoryUsage().rss;
    this.peak = this.start;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
  stop(): { start: number; peak: number; end: number } {
    clearInterval(this.timer);
    const end = this.sample();
    return { start: this.start, peak: this.peak, end };
  }
}

/** Runs one benchmark section; a failure prints its error and does not stop the others. */
export async function section(title: string, run: () => Promise<void> | void): Promise<boolean> {
  console.log('');
  console.log(`## ${title}`);
  const started = performance.now();
  try {
    await run();
    console.log(`(section took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    return true;
  } catch (e) {
    const err = e as Error;
    console.log(`FAILED: ${err.message}`);
    if (process.env.ELECTRA_DEBUG) console.log(err.stack);
    return false;
  }
}

/** "PASS (p95 31 ms <= 50 ms)" or "MISS (...)": what a figure is against its target. */
export function verdict(value: number, limit: number, unit: string, what: string): string {
  const ok = value <= limit;
  return `${ok ? 'meets' : 'MISSES'} the target (${what} ${value.toFixed(0)} ${unit} ${ok ? '<=' : '>'} ${limit} ${unit})`;
}

export const SECTION_NAMES = ['training', 'scaling', 'latency', 'typing', 'imported', 'ingestion', 'leak', 'eventloop', 'quality', 'context'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** "latency,leak" -> the set of sections; throws on an unknown name. */
export function parseSections(list: string | undefined): Set<SectionName> {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new Error(`--only needs a list of sections: ${SECTION_NAMES.join(',')}`);
  for (const n of names) if (!(SECTION_NAMES as readonly string[]).includes(n)) throw new Error(`unknown section ${n} (sections: ${SECTION_NAMES.join(', ')})`);
  return new Set(names as SectionName[]);
}
