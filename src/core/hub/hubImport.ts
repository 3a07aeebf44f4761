/**
 * A model on the Hugging Face Hub as a run: the discriminator repository and its generator are
 * downloaded into the Hub cache (hubDownload.ts), then imported (importHuggingFace) into a run
 * folder. What `electra-studio download` and "ELECTRA: Download Model from Hugging Face…" do.
 *
 * Google publishes each ELECTRA size as a pair of repositories, google/electra-small-discriminator
 * and google/electra-small-generator: the generator is found by that naming unless given.
 */
import { checkImportTarget, importHuggingFace, type ImportReport } from '../run/huggingface/importHuggingFace';
import { checkRepoId } from './hubCache';
import { downloadModel, HubForbidden, HubNotFound, type DownloadedModel, type DownloadProgress, type HubSettings } from './hubDownload';

/** The model the palette command offers first. */
export const DEFAULT_HUB_MODEL = 'google/electra-small-discriminator';

/** Why `id` is not a Hugging Face model id ("org/name"), or undefined when it is one. */
export function modelIdProblem(id: string): string | undefined {
  try {
    checkRepoId(id);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** google/electra-small-discriminator -> electra-small: a name for the run made from it. */
export function hubModelName(modelId: string): string {
  return modelId.split('/').pop()!.replace(/-discriminator$/, '');
}

/** google/electra-small-discriminator -> google/electra-small-generator; undefined when the id does not name a discriminator. */
export function generatorIdFor(discriminatorId: string): string | undefined {
  return /-discriminator$/.test(discriminatorId) ? discriminatorId.replace(/-discriminator$/, '-generator') : undefined;
}

export interface HubImportOptions extends Partial<HubSettings> {
  /** The discriminator's repository (ElectraForPreTraining). */
  modelId: string;
  /**
   * The generator's repository: a model id, null for none (a generator is initialised), or
   * undefined for the one named after the discriminator (generatorIdFor), skipped with a
   * warning when the Hub has no such repository.
   */
  generatorId?: string | null;
  revision?: string;
  /** The run folder to create. */
  outDir: string;
  overwrite?: boolean;
  onProgress?(p: DownloadProgress): void;
  /** Import steps and warnings, as lines for the user. */
  onLog?(message: string): void;
  signal?: AbortSignal;
}

export interface HubImportResult {
  discriminator: DownloadedModel;
  generator?: DownloadedModel;
  report: ImportReport;
  warnings: string[];
}

export async function downloadAndImport(options: HubImportOptions): Promise<HubImportResult> {
  const { modelId, generatorId, revision, outDir, overwrite, onProgress, onLog, signal, ...hub } = options;
  checkImportTarget(outDir, overwrite); // before any byte is fetched
  const warnings: string[] = [];
  const download = (id: string) => downloadModel(id, { ...hub, revision, onProgress, signal });
  const discriminator = await download(modelId);
  let generator: DownloadedModel | undefined;
  const wanted = generatorId === undefined ? generatorIdFor(modelId) : (generatorId ?? undefined);
  if (wanted) {
    try {
      generator = await download(wanted);
    } catch (e) {
      // Only a guessed generator may be missing; one the user named must be there. The Hub
      // answers 401 rather than 404 for a repository it will not show an anonymous caller.
      if (!(e instanceof HubNotFound || e instanceof HubForbidden) || generatorId !== undefined) throw e;
      warnings.push(`${e instanceof HubNotFound ? `${wanted} is not on the Hub` : (e as Error).message}: a generator is initialised at random (name one with --generator)`);
    }
  }
  signal?.throwIfAborted();
  const hubOrigin = {
    repoId: discriminator.repoId,
    commit: discriminator.commit,
    ...(generator ? { generator: { repoId: generator.repoId, commit: generator.commit } } : {}),
  };
  const report = importHuggingFace({ discriminatorDir: discriminator.dir, generatorDir: generator?.dir, outDir, overwrite, onProgress: onLog, hub: hubOrigin });
  return { discriminator, generator, report, warnings: [...warnings, ...report.warnings] };
}
