/**
 * No tensor leak: the engine's real loop (pretrain() of src/core/train/pretrain.ts) for N steps of
 * the micro preset on Brown with dropout on, evaluation and checkpoints included, with the
 * data-parallel workers training uses by default, reading the step metrics' live tensor
 * count (this thread and the workers) and resident memory as it goes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import type { BackendPreference } from '../core/wasm/backend';
import type { PresetName } from '../core/model/presets';
import { pretrain } from '../core/train/pretrain';
import { describeMachine, mib, RssSampler } from './machine';

export interface LeakOptions {
  steps: number;
  tmpDir: string;
  backend: BackendPreference;
  preset?: PresetName;
  /** Data-parallel threads (training's default: one per core). */
  threads: number;
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function runLeak(o: LeakOptions): Promise<void> {
  const preset = o.preset ?? 'micro';
  const evalEvery = Math.max(1, Math.round(o.steps / 5));
  const checkpointEvery = Math.max(1, Math.round(o.steps / 2));
  console.log(`machine: ${describeMachine()}`);
  console.log(`pretrain(): ${preset} on Brown, ${o.steps} steps, ${o.threads} thread(s), dropout 0.1, evaluation every ${evalEvery} steps (32 sequences), checkpoint every ${checkpointEvery}, backend ${o.backend}`);
  const memory = new RssSampler();
  const tensorsAtStart = tf.memory().numTensors;
  const steps: number[] = [];
  const tensors: number[] = [];
  const rss: number[] = [];
  let evals = 0;
  let saves = 0;
  const started = performance.now();
  const result = await pretrain(
    {
      corpus: { kind: 'brown' },
      outDir: join(o.tmpDir, 'run'),
      preset,
      steps: o.steps,
      backend: o.backend,
      evalEvery,
      evalSequences: 32,
      checkpointEvery,
      overwrite: true,
      workers: o.threads,
      workerScript: join(__dirname, 'dataParallelWorker.js'),
    },
    {
      onStep: (m) => {
        steps.push(m.step);
        tensors.push(m.liveTensors ?? tf.memory().numTensors);
        rss.push(memory.sample());
      },
      onEval: () => evals++,
      onCheckpoint: () => saves++,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const tensorsAtEnd = tf.memory().numTensors;
  const m = memory.stop();
  if (steps.length === 0) throw new Error('no step was reported');
  const at = (fraction: number) => Math.min(steps.length - 1, Math.floor(fraction * steps.length));
  const changes: string[] = [];
  for (let i = 1; i < tensors.length; i++) if (tensors[i] !== tensors[i - 1]) changes.push(`step ${steps[i]}: ${tensors[i - 1]} -> ${tensors[i]}`);
  console.log(`${result.step} steps in ${seconds.toFixed(1)} s (data preparation included), ${evals} evaluations, ${saves} checkpoints`);
  console.log(`tensors alive after each step (this thread and the workers): first ${tensors[0]} (step ${steps[0]}), last ${tensors.at(-1)} (step ${steps.at(-1)}), min ${Math.min(...tensors)}, max ${Math.max(...tensors)}`);
  console.log(`  changes between steps: ${changes.length === 0 ? 'none' : changes.slice(0, 8).join('; ') + (changes.length > 8 ? ` ... (${changes.length} in all)` : '')}`);
  console.log(`tensors alive before pretrain() ${tensorsAtStart}, after it returned ${tensorsAtEnd} (model and optimizer disposed: should be ${tensorsAtStart})`);
  const trend = [0, 0.25, 0.5, 0.75, 1].map((f) => `step ${steps[at(f)]}: ${mib(rss[at(f)])}`).join(', ');
  console.log(`resident memory (MiB): start ${mib(m.start)}, ${trend}, peak ${mib(m.peak)}, end ${mib(m.end)}`);
  const half = at(0.5);
  const growth = slope(steps.slice(half), rss.slice(half)) * 100;
  console.log(`  RSS trend over the second half: ${(growth / 2 ** 20).toFixed(2)} MiB per 100 steps`);
  const leaked = tensors.at(-1)! - tensors[0];
  const perRun = tensorsAtEnd - tensorsAtStart;
  console.log(`verdict: per step ${leaked === 0 && Math.max(...tensors) === tensors[0] ? 'no tensor leak (count flat)' : `TENSOR COUNT GREW by ${leaked} over ${steps.at(-1)! - steps[0]} steps`}; per run ${perRun === 0 ? 'nothing left behind' : `${perRun} TENSORS LEFT BEHIND by a finished pretrain()`}`);
}
