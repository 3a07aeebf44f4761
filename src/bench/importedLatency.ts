/**
 * Annotation latency of the language server with IMPORTED models the size of Google's
 * ELECTRA-Small and ELECTRA-Base discriminators (issue 11, part 5). Each model is a Hugging
 * Face folder pair made the way a user gets one: a freshly initialised engine model of that
 * shape (vocabulary 30,522 as BERT's, 512 positions, tokenizer_config.json's
 * model_max_length 512 as in google/electra-*), exported in Hugging Face layout, then imported
 * by importHuggingFace, which gives 128-token scoring windows unless told otherwise
 * (`import --seq-length 512` gives the model's full length). The server then scores the run exactly as in lspLatency.ts
 * (measureLatency: one-word edits over real JSON-RPC, client-observed).
 *
 * Latency does not depend on the weights' values, only on the shapes, so random weights stand
 * in for Google's (which cannot be downloaded here).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendPreference } from '../core/wasm/backend';
import type { PresetName } from '../core/model/presets';
import { findLatestCheckpoint, loadCheckpoint } from '../core/run/checkpoint';
import { exportHuggingFace } from '../core/run/export';
import { importHuggingFace, IMPORT_MAX_SEQ_LENGTH } from '../core/run/huggingface/importHuggingFace';
import { brownVocabulary, untrainedCheckpoint } from './fixtures';
import { brownMarkdown, LATENCY_TARGET_MS, measureLatency, type LatencyResult } from './lspLatency';
import { describeMachine, summarize, verdict } from './machine';

/** BERT's (and every google/electra-* model's) vocabulary size. */
const HF_VOCAB_SIZE = 30522;
/** google/electra-*'s max_position_embeddings and tokenizer_config.json model_max_length. */
const HF_MAX_LENGTH = 512;
const REPLACED_RATE = 0.15;

export interface ImportedRow {
  /** The engine preset of the same shape (small = ELECTRA-Small, base = ELECTRA-Base). */
  size: Extract<PresetName, 'small' | 'base'>;
  /** Scoring window: undefined for what import chooses (128), or `import --seq-length`. */
  seqLength?: number;
  edits: number;
}

export interface ImportedLatencyOptions {
  serverJs: string;
  tmpDir: string;
  backend: BackendPreference;
  words: number;
  rows: ImportedRow[];
}

/** Brown's WordPiece vocabulary padded with BERT's [unusedN] pieces to 30,522 entries. */
function bertSizedVocabulary(): string {
  const pieces = brownVocabulary(HF_VOCAB_SIZE).split('\n').filter((l) => l.length > 0);
  for (let i = 0; pieces.length < HF_VOCAB_SIZE; i++) pieces.push(`[unused${i}]`);
  return pieces.join('\n') + '\n';
}

/** An imported run of `size`'s shape; returns its folder. */
function importedRun(size: ImportedRow['size'], vocabText: string, tmpDir: string, seqLength: number | undefined): string {
  const made = join(tmpDir, `engine-${size}`);
  const hf = join(tmpDir, `hf-${size}`);
  rmSync(made, { recursive: true, force: true });
  rmSync(hf, { recursive: true, force: true });
  untrainedCheckpoint(made, size, vocabText, { maxSeqLength: HF_MAX_LENGTH, maxPositionEmbeddings: HF_MAX_LENGTH }, REPLACED_RATE);
  exportHuggingFace(loadCheckpoint(findLatestCheckpoint(made)!), hf);
  rmSync(made, { recursive: true, force: true });
  // As in google/electra-*: the tokenizer's length is the model's, 512.
  for (const part of ['discriminator', 'generator']) {
    writeFileSync(join(hf, part, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: HF_MAX_LENGTH }));
  }
  const run = join(tmpDir, `imported-${size}-${seqLength ?? 'default'}`);
  importHuggingFace({ discriminatorDir: join(hf, 'discriminator'), generatorDir: join(hf, 'generator'), outDir: run, overwrite: true, maxSeqLength: seqLength });
  rmSync(hf, { recursive: true, force: true });
  return run;
}

export async function runImportedLatency(o: ImportedLatencyOptions): Promise<LatencyResult[]> {
  console.log(`machine: ${describeMachine()}`);
  mkdirSync(o.tmpDir, { recursive: true });
  const text = brownMarkdown(o.words);
  const vocabText = bertSizedVocabulary();
  console.log(`document: ${o.words} words of Brown text as Markdown; vocabulary ${HF_VOCAB_SIZE} (Brown's WordPieces padded with [unusedN], as BERT's)`);
  console.log(`models: random weights of ELECTRA-Small's and ELECTRA-Base's shapes, exported in Hugging Face layout and imported (importHuggingFace); server ${o.serverJs} --stdio, backend ${o.backend}`);
  console.log('latency = didChange of a one-word edit sent -> publishDiagnostics of that version received (lspLatency.ts measureLatency)');
  console.log('');
  console.log('| imported model | window | tokens | first scoring ms | edits | edit p50 ms | edit p95 ms | windows computed per edit | server Scorer.score p50 ms | ms per computed window | target |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const results: LatencyResult[] = [];
  const line = (label: string, window: number, r: LatencyResult, edits: number, targetMs: number | undefined) => {
    const s = summarize(r.edits);
    const server = summarize(r.serverMs);
    const windows = r.windows.reduce((a, b) => a + b, 0);
    const perWindow = windows > 0 ? r.serverMs.reduce((a, b) => a + b, 0) / windows : NaN;
    console.log(
      `| ${label} | ${window} | ${r.tokens} | ${r.firstMs.toFixed(0)} | ${edits} | ${s.p50.toFixed(0)} | ${s.p95.toFixed(0)} | ${r.windowsPerEdit.toFixed(1)} | ${server.p50.toFixed(0)} | ${perWindow.toFixed(0)} | ${targetMs ? verdict(s.p95, targetMs, 'ms', 'p95') : 'report'} |`,
    );
  };
  if (o.rows.some((r) => r.size === 'small')) {
    // Baseline in the same run: the engine's own `small` preset (an untrained checkpoint, 128-token windows), same vocabulary.
    const edits = o.rows.find((r) => r.size === 'small')!.edits;
    try {
      const r = await measureLatency('small', vocabText, { ...o, presets: ['small'], edits }, text);
      line('baseline: the engine\'s `small` preset, not imported', 128, r, edits, LATENCY_TARGET_MS.small);
    } catch (e) {
      console.log(`| baseline \`small\` | 128 | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  for (const row of o.rows) {
    const label = row.size === 'small' ? 'ELECTRA-Small-sized (hidden 256, 12 layers, 14M)' : 'ELECTRA-Base-sized (hidden 768, 12 layers, 110M)';
    try {
      const run = importedRun(row.size, vocabText, o.tmpDir, row.seqLength);
      const r = await measureLatency(row.size, vocabText, { ...o, presets: [row.size], edits: row.edits }, text, run);
      rmSync(run, { recursive: true, force: true });
      results.push(r);
      line(label, row.seqLength ?? IMPORT_MAX_SEQ_LENGTH, r, row.edits, row.size === 'small' ? LATENCY_TARGET_MS.small : undefined);
    } catch (e) {
      console.log(`| ${label} | ${row.seqLength ?? IMPORT_MAX_SEQ_LENGTH} | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  return results;
}
