/**
 * Event-loop responsiveness of the extension host while a run trains: the main thread's
 * event-loop delay (perf_hooks.monitorEventLoopDelay) while dist/trainingWorker.js trains
 * the tiny preset on Brown, driven by the extension's own TrainingSession (the non-vscode
 * half of the trainer) over src/shared/workerProtocol.ts, as the Pretrain command does.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import type { BackendPreference } from '../core/wasm/backend';
import type { PresetName } from '../core/model/presets';
import { TrainingSession } from '../extension/trainingSession';
import { describeMachine } from './machine';

export interface EventLoopOptions {
  workerJs: string;
  tmpDir: string;
  backend: BackendPreference;
  preset?: PresetName;
  steps?: number;
}

/** Target from issue 4: p99 of the main thread's event-loop delay while training. */
export const EVENT_LOOP_P99_TARGET_MS = 50;

/**
 * The histogram's sampling timer interval. Node records the whole interval between two
 * firings of that timer, so the delay is a recorded value minus this.
 */
const RESOLUTION_MS = 10;
const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

function describe(h: ReturnType<typeof monitorEventLoopDelay>): string {
  return `p50 ${delayMs(h.percentile(50)).toFixed(1)} ms, p99 ${delayMs(h.percentile(99)).toFixed(1)} ms, max ${delayMs(h.max).toFixed(1)} ms, mean ${delayMs(h.mean).toFixed(1)} ms (${h.count} samples)`;
}

export async function runEventLoop(o: EventLoopOptions): Promise<void> {
  const preset = o.preset ?? 'tiny';
  const steps = o.steps ?? 4;
  console.log(`machine: ${describeMachine()}`);
  console.log(`worker: ${o.workerJs} via TrainingSession (src/extension/trainingSession.ts); pretrain ${preset} on Brown for ${steps} steps, backend ${o.backend}, workers auto (one per core, as the extension)`);

  console.log(`event-loop delay: how late a ${RESOLUTION_MS} ms timer of the main thread fires (perf_hooks.monitorEventLoopDelay, the timer's interval subtracted)`);
  // The same measurement with nothing running, to separate the machine's own noise.
  const idle = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  idle.enable();
  await new Promise((r) => setTimeout(r, 2000));
  idle.disable();
  console.log(`main thread idle, 2 s:              ${describe(idle)}`);

  const whole = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const stepping = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let stepsSeen = 0;
  let messages = 0;
  const session = new TrainingSession(o.workerJs, 'bench', join(o.tmpDir, 'run'), {
    onLog: () => messages++,
    onStep: () => {
      messages++;
      // From the first step's end: what remains is steps, evaluation and the final save.
      if (++stepsSeen === 1) stepping.enable();
    },
    onEval: () => messages++,
  });
  whole.enable();
  const started = performance.now();
  try {
    const result = await session.train({
      corpus: { kind: 'brown' },
      outDir: join(o.tmpDir, 'run'),
      preset,
      steps,
      backend: o.backend,
      // As the extension starts it: one training thread per core (electraStudio.workers 0).
      workers: 'auto',
      evalEvery: 0,
      overwrite: true,
    });
    whole.disable();
    stepping.disable();
    console.log(`while training (data, steps, save): ${describe(whole)}`);
    if (stepping.count > 0) console.log(`from the first step's end:          ${describe(stepping)}`);
    console.log(`the run: ${result.step} steps in ${((performance.now() - started) / 1000).toFixed(1)} s, ${messages} messages from the worker`);
    const p99 = delayMs(whole.percentile(99));
    console.log(`target p99 < ${EVENT_LOOP_P99_TARGET_MS} ms: ${p99 < EVENT_LOOP_P99_TARGET_MS ? 'met' : 'MISSED'} (p99 ${p99.toFixed(1)} ms)`);
  } finally {
    whole.disable();
    stepping.disable();
    session.dispose();
  }
}
