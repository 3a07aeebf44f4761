/**
 * "ELECTRA: Import Model…": Hugging Face folders picked by the user become a run under the
 * run folder, imported in a worker thread (src/worker/importWorker.ts) behind a progress
 * notification, then selected for scoring so that annotations come from it at once.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ImportReport } from '../core';
import { importInWorker } from './importWorkerClient';
import { sanitizeRunName, uniqueRunName } from './runs';

export interface ImportModelArgs {
  /** The discriminator folder, or a folder holding discriminator/ and generator/; asked for when absent. */
  discriminator?: string;
  /** The generator folder; found beside the discriminator when absent (a pair folder, or a "-generator" sibling). */
  generator?: string;
  /** Folder name of the new run (default: the model folder's name). */
  runName?: string;
}

/** The generator folder that goes with a discriminator folder, if one is beside it. */
export function companionGenerator(discriminator: string): string | undefined {
  const name = basename(discriminator);
  const candidates = [join(dirname(discriminator), 'generator')];
  if (name.includes('discriminator')) candidates.unshift(join(dirname(discriminator), name.replace('discriminator', 'generator')));
  return candidates.find((c) => c !== discriminator && existsSync(join(c, 'config.json')));
}

/** Asks for what the arguments leave open; undefined when the user cancels. */
export async function resolveImportArgs(args: ImportModelArgs): Promise<{ discriminator: string; generator?: string; runName: string } | undefined> {
  let discriminator = args.discriminator;
  if (!discriminator) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Import Model',
      title: 'ELECTRA: Import Model: a Hugging Face discriminator folder (config.json, vocab.txt, model.safetensors or pytorch_model.bin)',
    });
    discriminator = picked?.[0]?.fsPath;
    if (!discriminator) return undefined;
  }
  let generator = args.generator;
  if (!generator && existsSync(join(discriminator, 'discriminator', 'config.json'))) {
    // A pair folder, as `export` writes it.
    generator = existsSync(join(discriminator, 'generator', 'config.json')) ? join(discriminator, 'generator') : undefined;
    discriminator = join(discriminator, 'discriminator');
  }
  generator ??= companionGenerator(discriminator);
  const name = args.runName ?? basename(generator && basename(discriminator) === 'discriminator' ? dirname(discriminator) : discriminator);
  const runName = sanitizeRunName(name) ?? 'imported';
  return { discriminator, generator, runName };
}

/** The import with a progress notification; returns the report. */
export async function importWithProgress(workerPath: string, runsRoot: string, chosen: { discriminator: string; generator?: string; runName: string }): Promise<ImportReport> {
  const name = uniqueRunName(runsRoot, chosen.runName);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ELECTRA: importing ${basename(chosen.discriminator)}` }, (progress) =>
    importInWorker(workerPath, { discriminatorDir: chosen.discriminator, generatorDir: chosen.generator, outDir: join(runsRoot, name) }, (message) => progress.report({ message })),
  );
}
