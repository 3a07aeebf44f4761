/**
 * Which checkpoint the language server scores with. The rule, in one place:
 *
 *   1. The checkpoint the user selected, if any. A run folder means that run's newest
 *      checkpoint, followed as its training saves newer ones; a checkpoint folder
 *      (step-NNNNNNNN) is pinned.
 *   2. Otherwise the newest checkpoint of the newest run under the workspace's run folders:
 *      the run whose checkpoints/latest.json was written last. It is followed too: when any
 *      run, started in this window or in another, saves a newer checkpoint, the server moves
 *      to it. Every window of a workspace therefore scores with the same checkpoint.
 *   3. Otherwise the base model that ships with the extension (models/base), when the client
 *      names it, so that a workspace is annotated before it has a run.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointSource } from '../shared/lspProtocol';
import { parseRunManifest, RUN_FILES } from '../shared/runFolderFormat';

export interface CheckpointChoice {
  /** The user's selection (a run folder or a checkpoint folder), if any. */
  selected?: string;
  /** Folders holding run folders (each workspace folder's electraStudio.runFolder). */
  runsRoots: readonly string[];
  /** The shipped base model's folder, if any: the fallback when there is no run. */
  baseModel?: string;
}

/** The folder the rule names now (a run or checkpoint folder to resolve), and why. */
export function ruleTarget(choice: CheckpointChoice): { path: string; source: CheckpointSource } | undefined {
  if (choice.selected) return { path: choice.selected, source: 'selected' };
  const run = newestRun(choice.runsRoots);
  if (run) return { path: run, source: 'newest-run' };
  return choice.baseModel ? { path: choice.baseModel, source: 'base-model' } : undefined;
}

/**
 * A masked-LM run (pretrain --objective mlm) has no discriminator to score with: its
 * manifest (at most 1 MiB read) names the objective in its model configuration.
 */
function isMaskedLmRun(run: string): boolean {
  try {
    const path = join(run, RUN_FILES.manifest);
    if (statSync(path).size > 1 << 20) return false;
    return parseRunManifest(JSON.parse(readFileSync(path, 'utf8')), path).model.objective === 'mlm';
  } catch {
    return false;
  }
}

/** The run folder under `roots` whose checkpoints/latest.json is the most recently written, masked-LM runs passed over. */
export function newestRun(roots: readonly string[]): string | undefined {
  let newest: string | undefined;
  let newestMs = -Infinity;
  for (const root of roots) {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      continue; // no runs yet
    }
    for (const name of names) {
      const run = join(root, name);
      try {
        const ms = statSync(join(run, RUN_FILES.checkpoints, RUN_FILES.latest)).mtimeMs;
        if (ms > newestMs && !isMaskedLmRun(run)) [newest, newestMs] = [run, ms];
      } catch {
        /* not a run, or no checkpoint yet */
      }
    }
  }
  return newest;
}
