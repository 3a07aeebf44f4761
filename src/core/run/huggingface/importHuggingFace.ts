/**
 * Import of Hugging Face ELECTRA folders (Google's google/electra-*-discriminator and
 * -generator) as an ordinary run folder: run.json (with its origin) and one checkpoint at
 * step 0 that `score`, `eval`, `export`, the language server and continued pre-training use
 * like any other.
 *
 * Everything is read and checked first (configs, tokenizer, weights, shapes, shared
 * embeddings); only then is the run written, into a temporary sibling folder renamed into
 * place at the end, so a failed import leaves nothing at --out.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { generatorOfWidth, type ElectraConfig, type EncoderConfig } from '../../model/config';
import { checkConfigLimits } from '../checkpointValidation';
import { parameterSpecs } from '../../model/model';
import type { NormalizationOptions } from '../../data/tokenizer';
import { WordPieceTokenizer } from '../../data/tokenizer';
import { saveCheckpoint } from '../checkpoint';
import { writeAndSync, syncFolder } from '../atomicFile';
import { decodeSafetensors, type NamedArray } from '../safetensors';
import { IMPORTED_RUN_FORMAT, type RunOrigin } from '../runOrigin';
import { engineConfig, parseElectraConfig, type HuggingFaceElectraConfig } from './electraConfig';
import { readPytorchStateDict } from './pytorchStateDict';
import { mapStateDicts, type StateDictSource } from './stateDictMapping';
import { readHuggingFaceTokenizer } from './tokenizerSettings';

export interface ReadOptions {
  /** An ElectraForPreTraining folder: config.json, vocab.txt or tokenizer.json, weights. */
  discriminatorDir: string;
  /** An ElectraForMaskedLM folder; without it a generator of 1/4 the discriminator's width is initialised. */
  generatorDir?: string;
  /** Tokens per training sequence and scoring window; default min(model_max_length, max_position_embeddings, 512). */
  maxSeqLength?: number;
  /** Seed of a freshly initialised generator. */
  seed?: number;
  onProgress?(message: string): void;
  /** The Hub repositories the folders were downloaded from, recorded in the run's origin (hubImport.ts). */
  hub?: RunOrigin['hub'];
}

export interface ImportOptions extends ReadOptions {
  /** The run folder to create. */
  outDir: string;
  /** Replace a run already in outDir. */
  overwrite?: boolean;
}

/** What a Hugging Face pair describes, as the engine's model: what a run's first checkpoint holds. */
export interface HuggingFaceModel {
  config: ElectraConfig;
  vocabText: string;
  /** The engine's parameters (checkpoint names), in the engine's order. */
  weights: Map<string, NamedArray>;
  origin: RunOrigin;
  tokenizer: NormalizationOptions;
  vocabSize: number;
  /** The weights files read. */
  weightsFiles: { discriminator: string; generator?: string };
  /** 'imported' from the generator folder, or 'initialised' (no generator folder given). */
  generator: 'imported' | 'initialised';
  parameters: { discriminator: number; generator: number };
  warnings: string[];
}

export interface ImportReport extends Omit<HuggingFaceModel, 'weights' | 'vocabText' | 'origin'> {
  runDir: string;
  checkpointDir: string;
}

/**
 * The window an imported run trains and scores with unless told (`import --seq-length`):
 * ELECTRA-Small's pre-training length, and a window the language server re-scores within the
 * editor's budget after an edit on a CPU, where 512 does not (docs/benchmarks.md, "imported").
 * Models pre-trained on longer sequences still score well in shorter windows; `--seq-length 512`
 * gives them their full context.
 */
export const IMPORT_MAX_SEQ_LENGTH = 128;
/** The generator's width relative to the discriminator when none is given (the paper's Small). */
const FRESH_GENERATOR_FRACTION = 1 / 4;
const RUN_FILE = 'run.json';

function folder(path: string, what: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new Error(`${what} ${path} does not exist`);
  if (!statSync(p).isDirectory()) throw new Error(`${what} ${path} is not a folder`);
  return p;
}

function readConfig(dir: string, expected: 'ElectraForPreTraining' | 'ElectraForMaskedLM'): HuggingFaceElectraConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`${dir}: no config.json; not a Hugging Face model folder`);
  const config = parseElectraConfig(readFileSync(path, 'utf8'), path);
  const other = expected === 'ElectraForPreTraining' ? 'ElectraForMaskedLM' : 'ElectraForPreTraining';
  if (config.architectures.length > 0 && !config.architectures.includes(expected)) {
    const what = config.architectures.includes(other) ? (other === 'ElectraForMaskedLM' ? 'a generator' : 'a discriminator') : config.architectures.join(', ');
    throw new Error(`${path}: architectures says ${what}, expected ${expected}${other === 'ElectraForMaskedLM' && config.architectures.includes(other) ? ' (give the discriminator folder first, the generator second)' : ''}`);
  }
  return config;
}

function parameterCount(specs: ReturnType<typeof parameterSpecs>, prefix: string): number {
  return specs.filter((s) => !s.name.startsWith(prefix)).reduce((a, s) => a + s.shape.reduce((x, d) => x * d, 1), 0);
}

/** model.safetensors, else pytorch_model.bin; its size bounded by what the config implies before it is read. */
function readWeights(dir: string, expectedValues: number): StateDictSource {
  const candidates = ['model.safetensors', 'pytorch_model.bin'];
  const file = candidates.map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!file) {
    // TensorFlow, Flax and ONNX weights, and sharded checkpoints (for models far above ELECTRA-Large), are not read.
    const present = readdirSync(dir).filter((f) => /\.(h5|msgpack|ckpt|index|pt|pth|onnx)$|\.index\.json$|^(pytorch_model|model)-\d+/.test(f));
    throw new Error(`${dir}: no model.safetensors or pytorch_model.bin${present.length ? ` (found ${present.join(', ')}, which is not read)` : ''}`);
  }
  const bytes = statSync(file).size;
  // float32 weights plus the int64 position buffer and headers; half precision is smaller.
  const limit = expectedValues * 4 * 1.25 + 16 * 1024 * 1024;
  if (bytes > limit) throw new Error(`${file}: ${bytes} bytes is far more than config.json's ${expectedValues} parameters need; wrong config.json?`);
  const buf = readFileSync(file);
  const tensors = file.endsWith('.safetensors') ? decodeSafetensors(buf, file).tensors : readPytorchStateDict(buf, file);
  return { tensors, path: file };
}

/** The run folder an import may write: new or empty, unless overwriting. Checked by downloads before they fetch. */
export function checkImportTarget(outDir: string, overwrite = false): string {
  const runDir = resolve(outDir);
  if (existsSync(runDir) && !overwrite && readdirSync(runDir).length > 0) {
    throw new Error(`${runDir} already exists and is not empty; choose another folder or overwrite it`);
  }
  return runDir;
}

/** Imports a pair (or a discriminator alone) as a new run folder; throws, having written nothing, on any problem. */
export function importHuggingFace(options: ImportOptions): ImportReport {
  const runDir = checkImportTarget(options.outDir, options.overwrite);
  const { weights, vocabText, origin, ...report } = readHuggingFace(options);
  options.onProgress?.('writing the run');
  const checkpointDir = writeRun(runDir, report.config, vocabText, report.tokenizer, weights, origin, !!options.overwrite);
  return { runDir, checkpointDir, ...report };
}

/** Reads and checks a pair (or a discriminator alone) into the engine's configuration, vocabulary and parameters. */
export function readHuggingFace(options: ReadOptions): HuggingFaceModel {
  const progress = (m: string) => options.onProgress?.(m);
  const discDir = folder(options.discriminatorDir, 'discriminator folder');
  const genDir = options.generatorDir ? folder(options.generatorDir, 'generator folder') : undefined;
  const warnings: string[] = [];

  progress('reading configuration and tokenizer');
  const discConfig = readConfig(discDir, 'ElectraForPreTraining');
  const genConfig = genDir ? readConfig(genDir, 'ElectraForMaskedLM') : undefined;
  const tokenizer = readHuggingFaceTokenizer(discDir);
  if (tokenizer.vocabSize !== discConfig.vocabSize) {
    throw new Error(`${tokenizer.vocabSource} has ${tokenizer.vocabSize} tokens but ${join(discDir, 'config.json')} says vocab_size ${discConfig.vocabSize}`);
  }
  WordPieceTokenizer.fromVocabText(tokenizer.vocabText, tokenizer.normalization); // throws if special tokens are missing
  if (genDir) {
    const genVocab = existsSync(join(genDir, 'vocab.txt')) || existsSync(join(genDir, 'tokenizer.json')) ? readHuggingFaceTokenizer(genDir) : undefined;
    if (genVocab && genVocab.vocabText.replace(/\r/g, '') !== tokenizer.vocabText.replace(/\r/g, '')) {
      throw new Error(`${genVocab.vocabSource} differs from ${tokenizer.vocabSource}: a generator and discriminator share one vocabulary`);
    }
  }
  let freshGenerator: EncoderConfig | undefined;
  if (!genConfig) {
    freshGenerator = generatorOfWidth(discConfig.encoder, FRESH_GENERATOR_FRACTION);
    warnings.push(`no generator folder: a generator of 1/4 the discriminator's width (hidden ${freshGenerator.hiddenSize}, ${freshGenerator.numHiddenLayers} layers) is initialised at random; scoring uses the discriminator alone, but the generator's alternatives mean nothing until pre-training continues`);
  }
  const maxSeqLength = options.maxSeqLength ?? Math.min(tokenizer.modelMaxLength ?? IMPORT_MAX_SEQ_LENGTH, IMPORT_MAX_SEQ_LENGTH);
  const config = engineConfig(discConfig, genConfig ?? freshGenerator!, maxSeqLength, { discriminator: join(discDir, 'config.json'), generator: genDir && join(genDir, 'config.json') });
  checkConfigLimits(config); // the limits every checkpoint is loaded under, parameter count included
  const specs = parameterSpecs(config);
  const discValues = parameterCount(specs, 'generator.');
  const genValues = parameterCount(specs, 'discriminator.');

  progress('reading weights');
  const discWeights = readWeights(discDir, discValues);
  const genWeights = genDir ? readWeights(genDir, genValues + config.vocabSize * config.embeddingSize) : undefined;
  const mapped = mapStateDicts(config, discWeights, genWeights, options.seed ?? 42);
  warnings.push(...mapped.warnings);

  return {
    config,
    vocabText: tokenizer.vocabText,
    weights: mapped.weights,
    origin: { kind: 'imported', from: discDir, ...(genDir ? { generatorFrom: genDir } : {}), step: 0, ...(options.hub ? { hub: options.hub } : {}) },
    tokenizer: tokenizer.normalization,
    vocabSize: tokenizer.vocabSize,
    weightsFiles: { discriminator: discWeights.path, ...(genWeights ? { generator: genWeights.path } : {}) },
    generator: genDir ? 'imported' : 'initialised',
    parameters: { discriminator: discValues, generator: genValues },
    warnings,
  };
}

/** Writes the run into a temporary sibling, then renames it to `runDir`. Returns the checkpoint folder. */
function writeRun(runDir: string, config: ElectraConfig, vocabText: string, tokenizer: NormalizationOptions, weights: Map<string, NamedArray>, origin: RunOrigin, overwrite: boolean): string {
  mkdirSync(dirname(runDir), { recursive: true });
  const tmp = join(dirname(runDir), `.${basename(runDir)}.import-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp);
    const written = saveCheckpoint({
      runDir: tmp,
      state: { step: 0, epoch: 0, index: 0, seed: 0, optimizerStep: 0, training: {}, tokenizer },
      config,
      vocabText,
      weights,
      optimizer: new Map(),
    });
    writeAndSync(join(tmp, RUN_FILE), JSON.stringify({ format: IMPORTED_RUN_FORMAT, version: 1, origin, model: config, normalization: tokenizer, created: new Date().toISOString() }, null, 2) + '\n');
    syncFolder(tmp);
    if (existsSync(runDir)) {
      if (!overwrite && readdirSync(runDir).length > 0) throw new Error(`${runDir} appeared while importing; nothing was replaced`);
      rmSync(runDir, { recursive: true, force: true });
    }
    renameSync(tmp, runDir);
    syncFolder(dirname(runDir));
    return join(runDir, 'checkpoints', basename(written));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
