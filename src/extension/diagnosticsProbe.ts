/**
 * A probe of the extension host's responsiveness: the command
 * `electraStudio.debug.eventLoopDelay` reports percentiles of the host's event-loop delay
 * (perf_hooks.monitorEventLoopDelay), so a test or a user can check that training and
 * scoring, which run in worker threads and the language server, leave the host responsive.
 *
 * The histogram samples every SAMPLE_MS; a timer that fires on time counts as 0 ms of delay
 * (the sampling interval itself is subtracted). Arguments `{reset: true}` start a new
 * measurement after reporting; `{silent: true}` skips the notification. The report is also
 * the command's return value (for executeCommand).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';

export const EVENT_LOOP_DELAY_COMMAND = 'electraStudio.debug.eventLoopDelay';

/** Sampling interval of the histogram. */
const SAMPLE_MS = 10;

export interface EventLoopDelayArgs {
  /** Start a new measurement after this report. */
  reset?: boolean;
  /** No notification, only the return value. */
  silent?: boolean;
}

/** Delays in milliseconds beyond the sampling interval. */
export interface EventLoopDelayReport {
  /** Length of the measurement. */
  sinceMs: number;
  samples: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One line, stable enough for a test to parse: "... p50 0.2 ms, p90 0.9 ms, p99 12.0 ms, max 40.1 ms ...". */
export function formatReport(r: EventLoopDelayReport): string {
  const f = (ms: number) => ms.toFixed(1);
  return (
    `ELECTRA: extension host event-loop delay over ${(r.sinceMs / 1000).toFixed(1)} s (${r.samples} samples): ` +
    `p50 ${f(r.p50Ms)} ms, p90 ${f(r.p90Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms, mean ${f(r.meanMs)} ms`
  );
}

export function registerEventLoopProbe(context: vscode.ExtensionContext): void {
  const histogram = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  histogram.enable();
  let since = Date.now();
  // Nanoseconds of a sample -> milliseconds beyond the sampling interval.
  const lag = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - SAMPLE_MS) : 0);

  context.subscriptions.push(
    { dispose: () => histogram.disable() },
    vscode.commands.registerCommand(EVENT_LOOP_DELAY_COMMAND, (args?: EventLoopDelayArgs): EventLoopDelayReport => {
      const report: EventLoopDelayReport = {
        sinceMs: Date.now() - since,
        samples: histogram.count,
        meanMs: histogram.count > 0 ? lag(histogram.mean) : 0,
        p50Ms: histogram.count > 0 ? lag(histogram.percentile(50)) : 0,
        p90Ms: histogram.count > 0 ? lag(histogram.percentile(90)) : 0,
        p99Ms: histogram.count > 0 ? lag(histogram.percentile(99)) : 0,
        maxMs: histogram.count > 0 ? lag(histogram.max) : 0,
      };
      if (args?.reset) {
        histogram.reset();
        since = Date.now();
      }
      if (!args?.silent) void vscode.window.showInformationMessage(formatReport(report));
      return report;
    }),
  );
}
