/**
 * What a checkpoint folder may hold before anything is allocated for it. A checkpoint can
 * come from anyone (a cloned repository's .electra/runs, a downloaded folder), and the model
 * is built from its config.json: a crafted vocabSize or numHiddenLayers would allocate
 * gigabytes before the weights were ever compared with it. So, in this order, each step
 * reading a bounded number of bytes:
 *
 *   1. every small file's size is capped before it is read (CHECKPOINT_FILE_LIMITS);
 *   2. config.json: well-formed and within CHECKPOINT_LIMITS (sizes, layers, parameters);
 *   3. vocab.txt: exactly vocabSize lines;
 *   4. each safetensors file: its header alone (capped) names exactly the tensors the config
 *      implies, with their shapes, and its byte size is what those tensors need.
 *
 * The functions are separate so that importers of other formats (Hugging Face folders)
 * apply the same rules to their own names.
 */
import { statSync } from 'node:fs';
import { validateConfig, type ElectraConfig, type EncoderConfig } from '../model/config';
import { parameterSpecs } from '../model/model';
import { readSafetensorsHeader, type SafetensorsHeader } from './safetensors';

/**
 * The largest model this project loads: above ELECTRA-Large (vocabulary 30,522, 24 layers,
 * hidden 1,024) in every dimension, below what a 64-bit Node process can hold in one
 * ArrayBuffer per file (readFileSync stops at 2 GiB).
 */
export const CHECKPOINT_LIMITS = {
  maxVocabSize: 250_000,
  maxEmbeddingSize: 4096,
  maxHiddenSize: 4096,
  maxLayers: 48,
  maxAttentionHeads: 64,
  maxIntermediateSize: 16_384,
  maxPositionEmbeddings: 8192,
  maxTypeVocabSize: 16,
  /** Generator and discriminator together, shared embeddings once: 1.6 GB of float32. */
  maxParameters: 400_000_000,
} as const;

/** Caps on the small files of a checkpoint, checked with stat() before reading them. */
export const CHECKPOINT_FILE_LIMITS = {
  'config.json': 1024 * 1024,
  'state.json': 1024 * 1024,
  /** 250,000 WordPieces of up to 64 bytes on average. */
  'vocab.txt': 16 * 1024 * 1024,
} as const;

/** Throws `<path>: <file> is N bytes, more than the limit of M` when a file is over its cap. */
export function checkFileSize(path: string, limit: number): number {
  const bytes = statSync(path).size;
  if (bytes > limit) throw new Error(`${path}: ${bytes} bytes, more than the limit of ${limit} for this file`);
  return bytes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that `value` (parsed config.json) is an ElectraConfig a model may be built from:
 * every field of the right type, consistent (validateConfig), and within CHECKPOINT_LIMITS.
 * Throws a one-line error naming the first field at fault.
 */
export function checkConfigLimits(value: unknown): asserts value is ElectraConfig {
  if (!isRecord(value)) throw new Error('config is not a JSON object');
  for (const which of ['discriminator', 'generator'] as const) {
    if (!isRecord(value[which])) throw new Error(`config.${which} is missing or not an object`);
  }
  const c = value as unknown as ElectraConfig;
  const L = CHECKPOINT_LIMITS;
  const bounded: Array<[string, unknown, number]> = [
    ['vocabSize', c.vocabSize, L.maxVocabSize],
    ['embeddingSize', c.embeddingSize, L.maxEmbeddingSize],
    ['maxPositionEmbeddings', c.maxPositionEmbeddings, L.maxPositionEmbeddings],
    ['maxSeqLength', c.maxSeqLength, L.maxPositionEmbeddings],
    ['typeVocabSize', c.typeVocabSize, L.maxTypeVocabSize],
  ];
  for (const which of ['discriminator', 'generator'] as const) {
    const e: EncoderConfig = c[which];
    bounded.push(
      [`${which}.hiddenSize`, e.hiddenSize, L.maxHiddenSize],
      [`${which}.numHiddenLayers`, e.numHiddenLayers, L.maxLayers],
      [`${which}.numAttentionHeads`, e.numAttentionHeads, L.maxAttentionHeads],
      [`${which}.intermediateSize`, e.intermediateSize, L.maxIntermediateSize],
    );
  }
  for (const [name, v, max] of bounded) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`config.${name} must be a positive integer, got ${JSON.stringify(v)}`);
    if (v > max) throw new Error(`config.${name} is ${v}, more than the limit of ${max}`);
  }
  for (const [name, v] of [['hiddenDropoutProb', c.hiddenDropoutProb], ['attentionProbsDropoutProb', c.attentionProbsDropoutProb]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`config.${name} must be a number in [0, 1), got ${JSON.stringify(v)}`);
  }
  if (typeof c.layerNormEps !== 'number' || !(c.layerNormEps > 0 && c.layerNormEps < 1)) throw new Error(`config.layerNormEps must be a small positive number, got ${JSON.stringify(c.layerNormEps)}`);
  validateConfig(c);
  const count = parameterCount(c);
  if (count > L.maxParameters) throw new Error(`config describes ${count} parameters, more than the limit of ${L.maxParameters}`);
}

/**
 * The tensors config.json implies, as model/model.ts lays them out. Call after
 * checkConfigLimits: the list grows with numHiddenLayers.
 */
export function expectedCheckpointTensors(c: ElectraConfig): ExpectedTensor[] {
  return parameterSpecs(c).map(({ name, shape }) => ({ name, shape }));
}

/** The pair's parameter count (shared embeddings once). */
export function parameterCount(c: ElectraConfig): number {
  let n = 0;
  for (const { shape } of parameterSpecs(c)) n += shape.reduce((a, d) => a * d, 1);
  return n;
}

/** Lines of a vocab.txt as WordPieceTokenizer.fromVocabText counts them (a final newline ends the last line). */
export function vocabLineCount(text: string): number {
  if (text.length === 0) return 0;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/** Throws unless vocab.txt holds exactly the config's vocabSize WordPieces. */
export function checkVocabMatches(vocabText: string, vocabSize: number, source: string): void {
  const lines = vocabLineCount(vocabText);
  if (lines !== vocabSize) throw new Error(`${source}: ${lines} WordPieces, but config.json says vocabSize ${vocabSize}`);
}

export interface ExpectedTensor {
  name: string;
  shape: readonly number[];
}

/**
 * Throws unless the header names exactly the `expected` tensors with their shapes and the
 * file holds exactly the header and their data (nothing more: the caller then reads a file
 * whose size the config bounds).
 */
export function checkSafetensorsMatch(header: SafetensorsHeader, fileBytes: number, expected: readonly ExpectedTensor[], source: string): void {
  const names = new Set<string>();
  for (const { name, shape } of expected) {
    names.add(name);
    const entry = header.tensors.get(name);
    if (!entry) throw new Error(`${source}: tensor ${name} is missing`);
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${source}: tensor ${name} has shape [${entry.shape}], config.json implies [${shape}]`);
    }
  }
  for (const name of header.tensors.keys()) {
    if (!names.has(name)) throw new Error(`${source}: unexpected tensor ${name} (not in the model config.json describes)`);
  }
  const expectedBytes = 8 + header.headerLength + header.dataLength;
  if (fileBytes !== expectedBytes) throw new Error(`${source}: ${fileBytes} bytes, but its header and tensors account for ${expectedBytes}`);
}

/** Reads the header of the safetensors file at `path` and checks it against `expected`. */
export function checkSafetensorsFile(path: string, expected: readonly ExpectedTensor[]): SafetensorsHeader {
  const header = readSafetensorsHeader(path);
  checkSafetensorsMatch(header, statSync(path).size, expected, path);
  return header;
}
