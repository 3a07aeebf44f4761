/**
 * Where a run began, when it did not begin from nothing: imported from Hugging Face folders,
 * or continued pre-training from another model. Recorded in the run's run.json (`origin`)
 * and shown in the dashboard's run list. Here, in src/shared, because the engine writes it
 * and the extension reads it (without loading the engine).
 */
/** run.json of an imported run (importHuggingFace): its origin, model and tokenizer; it has no training to resume. */
export const IMPORTED_RUN_FORMAT = 'electra-studio-imported-run';

export interface RunOrigin {
  kind: 'imported' | 'continued';
  /** Imported: the discriminator folder. Continued: the run, checkpoint or Hugging Face folder it started from. */
  from: string;
  /** Imported: the generator folder; absent when the generator was freshly initialised. */
  generatorFrom?: string;
  /** Continued: the step of the checkpoint it started from (0 for an import). */
  step?: number;
  /** Imported from the Hugging Face Hub: the repositories and commits (`from` is their snapshot in the Hub cache). */
  hub?: { repoId: string; commit: string; generator?: { repoId: string; commit: string } };
}

/** run.json's `origin` field when it is one (run.json may be old, or edited by hand). */
export function parseRunOrigin(x: unknown): RunOrigin | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (!((o.kind === 'imported' || o.kind === 'continued') && typeof o.from === 'string')) return undefined;
  // A hub field that is not two strings is dropped rather than trusted (run.json may come with a workspace).
  const hub = o.hub as Record<string, unknown> | undefined;
  const wellFormed = typeof hub === 'object' && hub !== null && typeof hub.repoId === 'string' && typeof hub.commit === 'string';
  const { hub: _dropped, ...rest } = o;
  return (wellFormed ? { ...rest, hub } : rest) as unknown as RunOrigin;
}

/** One line for lists: "imported from electra-small-discriminator", "imported from google/electra-small-discriminator@abc1234", "continued from runs/a (step 200)". */
export function describeOrigin(o: RunOrigin): string {
  const name = o.hub ? `${o.hub.repoId}@${o.hub.commit.slice(0, 7)}` : (o.from.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? o.from);
  return o.kind === 'imported' ? `imported from ${name}${o.generatorFrom ? '' : ' (generator initialised)'}` : `continued from ${name}${o.step ? ` (step ${o.step})` : ''}`;
}
