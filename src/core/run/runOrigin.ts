/**
 * Where a run began, when it did not begin from nothing: imported from Hugging Face folders,
 * or continued pre-training from another model. Recorded in the run's run.json (`origin`)
 * and shown in the dashboard's run list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunOrigin {
  kind: 'imported' | 'continued';
  /** Imported: the discriminator folder. Continued: the run, checkpoint or Hugging Face folder it started from. */
  from: string;
  /** Imported: the generator folder; absent when the generator was freshly initialised. */
  generatorFrom?: string;
  /** Continued: the step of the checkpoint it started from (0 for an import). */
  step?: number;
}

/** The origin recorded in a run folder's run.json, if any. */
export function readRunOrigin(runDir: string): RunOrigin | undefined {
  try {
    const origin = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).origin;
    return origin && (origin.kind === 'imported' || origin.kind === 'continued') && typeof origin.from === 'string' ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** One line for lists: "imported from electra-small-discriminator", "continued from runs/a (step 200)". */
export function describeOrigin(o: RunOrigin): string {
  const name = o.from.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? o.from;
  return o.kind === 'imported' ? `imported from ${name}${o.generatorFrom ? '' : ' (generator initialised)'}` : `continued from ${name}${o.step ? ` (step ${o.step})` : ''}`;
}
