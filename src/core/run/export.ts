/**
 * Export to Hugging Face's layout: <out>/discriminator (ElectraForPreTraining) and
 * <out>/generator (ElectraForMaskedLM), each with config.json, vocab.txt and
 * model.safetensors. Our checkpoint names are Hugging Face's under a prefix, with the
 * shared embeddings once, so export is renaming; the generator's tied output weight is
 * written out as the word-embedding table it is.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicFile';
import type { CheckpointContents } from './checkpoint';
import { ensureFolder } from './folders';
import { toHuggingFaceConfig } from '../model/config';
import { encodeSafetensors, type NamedArray } from './safetensors';

const SHARED = 'electra.embeddings.';

export function huggingFaceTensors(weights: Map<string, NamedArray>, which: 'discriminator' | 'generator'): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of weights) {
    if (name.startsWith(SHARED)) out.set(name, t);
    else if (name.startsWith(`${which}.`)) out.set(name.slice(which.length + 1), t);
  }
  if (which === 'generator') out.set('generator_lm_head.weight', weights.get(`${SHARED}word_embeddings.weight`)!);
  return out;
}

/**
 * Writes both folders; returns their paths. A folder that already holds files is refused
 * unless `overwrite` (files of the same names are then replaced, others left alone).
 */
export function exportHuggingFace(ckpt: CheckpointContents, outDir: string, options: { overwrite?: boolean } = {}): string[] {
  ensureFolder(outDir, 'export folder');
  if (!options.overwrite && readdirSync(outDir).length > 0) {
    throw new Error(`${outDir} is not empty: export writes discriminator/ and generator/ there; choose a new or empty folder, or overwrite`);
  }
  const written: string[] = [];
  for (const which of ['discriminator', 'generator'] as const) {
    const dir = ensureFolder(join(outDir, which), 'export folder');
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(toHuggingFaceConfig(ckpt.config, which), null, 2) + '\n');
    writeFileAtomic(join(dir, 'vocab.txt'), ckpt.vocabText);
    writeFileAtomic(join(dir, 'model.safetensors'), encodeSafetensors(huggingFaceTensors(ckpt.weights, which), { format: 'pt' }));
    writeFileAtomic(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ do_lower_case: ckpt.state.tokenizer.lowercase, strip_accents: ckpt.state.tokenizer.stripAccents, tokenizer_class: 'ElectraTokenizer', model_max_length: ckpt.config.maxSeqLength }, null, 2) + '\n',
    );
    written.push(dir);
  }
  return written;
}
