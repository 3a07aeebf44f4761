/**
 * How a training step's time grows with sequence length and with batch size, measured with
 * the benchmark's own single-step code (benchTraining in main.ts, passed in as `bench`):
 * the same model, masking, objective and optimizer step as the training table.
 *
 */
import type { PresetName } from '../core/model/presets';
import { describeMachine } from './machine';

/** What benchTraining reports that this table shows. */
export interface StepFigures {
  msPerStep: number;
  tokensPerSec: number;
  peakRssMiB: number;
}

export interface ScalingOptions {
  /** Timed steps per point (after one warm-up step). */
  steps: number;
  bench: (preset: PresetName, batch: number, steps: number, seqLength: number) => Promise<StepFigures>;
  /** Threads the steps run on (data parallel), for the caption. */
  threads: number;
  preset?: PresetName;
  lengths?: number[];
  lengthBatch?: number;
  batches?: number[];
}

export async function runScaling(o: ScalingOptions): Promise<void> {
  const preset = o.preset ?? 'tiny';
  const lengths = o.lengths ?? [128, 256, 512];
  const lengthBatch = o.lengthBatch ?? 8;
  const batches = o.batches ?? [4, 8, 16, 32];
  console.log(`machine: ${describeMachine()}`);
  console.log(`preset ${preset}, synthetic batch of random ids, dropout on, ${o.threads} thread(s); ${o.steps} timed steps per point after one warm-up step (benchTraining)`);
  const measured = new Map<string, StepFigures | Error>();
  const point = async (batch: number, length: number): Promise<StepFigures | Error> => {
    const key = `${batch}x${length}`;
    if (!measured.has(key)) {
      try {
        measured.set(key, await o.bench(preset, batch, o.steps, length));
      } catch (e) {
        measured.set(key, e as Error);
      }
    }
    return measured.get(key)!;
  };
  const table = async (title: string, rows: Array<[number, number]>, vary: 'length' | 'batch') => {
    console.log('');
    console.log(title);
    console.log('| batch x length | ms/step | tokens/s | ms/step relative to the first row | peak RSS MiB |');
    console.log('|---|---|---|---|---|');
    let first: StepFigures | undefined;
    for (const [batch, length] of rows) {
      const r = await point(batch, length);
      if (r instanceof Error) {
        console.log(`| ${batch} x ${length} | failed: ${r.message.split('\n')[0]} |`);
        continue;
      }
      first ??= r;
      const growth = vary === 'length' ? length / rows[0][1] : batch / rows[0][0];
      console.log(`| ${batch} x ${length} | ${r.msPerStep.toFixed(0)} | ${r.tokensPerSec.toFixed(0)} | x${(r.msPerStep / first.msPerStep).toFixed(2)} (input x${growth}) | ${r.peakRssMiB.toFixed(0)} |`);
    }
  };
  await table(`with sequence length (batch ${lengthBatch}):`, lengths.map((l) => [lengthBatch, l]), 'length');
  await table(`with batch (length ${lengths[0]}):`, batches.map((b) => [b, lengths[0]]), 'batch');
}
