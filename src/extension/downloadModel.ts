/**
 * "ELECTRA: Download Model from Hugging Face…": a model id (google/electra-small-discriminator
 * by default, with its generator) is downloaded into the Hub cache and imported as a run under
 * the run folder, in a worker thread (src/worker/downloadWorker.ts) behind a cancellable
 * progress notification that counts bytes. HF_ENDPOINT, HF_TOKEN, HF_HOME and HF_HUB_OFFLINE
 * come from the environment VS Code was started with.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_HUB_MODEL, formatBytes, hubModelName, modelIdProblem, type HubImportResult } from '../core';
import { downloadInWorker } from './downloadWorkerClient';
import { sanitizeRunName, uniqueRunName } from './runs';

export interface DownloadModelArgs {
  /** The discriminator's repository; asked for when absent. */
  modelId?: string;
  /** The generator's repository; null for none; absent for the one named after the discriminator. */
  generatorId?: string | null;
  revision?: string;
  /** Folder name of the new run (default: the model's name without -discriminator). */
  runName?: string;
}

/** Asks for the model id when the arguments leave it open; undefined when the user cancels. */
export async function resolveDownloadArgs(args: DownloadModelArgs): Promise<(DownloadModelArgs & { modelId: string; runName: string }) | undefined> {
  let modelId = args.modelId;
  if (!modelId) {
    modelId = await vscode.window.showInputBox({
      title: 'ELECTRA: Download Model from Hugging Face',
      prompt: 'The discriminator to download; its generator (the id with -generator) comes with it when the Hub has it.',
      value: DEFAULT_HUB_MODEL,
      validateInput: (v) => modelIdProblem(v.trim()),
    });
    if (!modelId) return undefined;
  }
  modelId = modelId.trim();
  const problem = modelIdProblem(modelId);
  if (problem) throw new Error(problem);
  return { ...args, modelId, runName: args.runName ?? sanitizeRunName(hubModelName(modelId)) ?? 'downloaded' };
}

/** The download and import with a cancellable progress notification. */
export async function downloadWithProgress(workerPath: string, runsRoot: string, chosen: DownloadModelArgs & { modelId: string; runName: string }, log: (m: string) => void): Promise<HubImportResult> {
  const outDir = join(runsRoot, uniqueRunName(runsRoot, chosen.runName));
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ELECTRA: downloading ${chosen.modelId}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return downloadInWorker(
        workerPath,
        { modelId: chosen.modelId, generatorId: chosen.generatorId, revision: chosen.revision, outDir },
        {
          onBytes: (p) => progress.report({ message: `${p.repoId}: ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}` }),
          onLog: (message) => {
            log(message);
            progress.report({ message });
          },
        },
        abort.signal,
      );
    },
  );
}
