/**
 * Checkpoints: everything needed to score with a model or to continue its training.
 *
 *   <run>/checkpoints/latest.json            {"step": N, "dir": "step-0000000N"}
 *   <run>/checkpoints/step-0000000N/
 *     model.safetensors      generator + discriminator weights (Hugging Face names, prefixed)
 *     optimizer.safetensors  AdamW moments ("m/<name>", "v/<name>")
 *     state.json             step, data position, seeds, schedule, file sizes and checksums
 *     config.json            model configuration
 *     vocab.txt              WordPiece vocabulary (BERT format)
 *
 * A checkpoint is written into a temporary folder, flushed, then renamed into place, and
 * only then does latest.json (itself written atomically) point at it. A crash or a full
 * disk mid-save leaves the previous checkpoint and latest.json untouched.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syncFolder, writeAndSync, writeFileAtomic } from './atomicFile';
import type { ElectraConfig } from '../model/config';
import { CHECKPOINT_FILE_LIMITS, checkConfigLimits, checkFileSize, checkSafetensorsFile, checkVocabMatches, expectedCheckpointTensors, type ExpectedTensor } from './checkpointValidation';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors';
import { RUN_FILES, STEP_FOLDER, stepFolderName, temporaryStepFolderName } from '../../shared/runFolderFormat';

export { stepFolderName } from '../../shared/runFolderFormat';

export const CHECKPOINT_FORMAT = 'electra-studio-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Where the run was in its data and randomness when the checkpoint was taken. */
export interface TrainingPosition {
  /** Optimizer steps completed. */
  step: number;
  epoch: number;
  /** Index of the next sequence within the epoch's permutation. */
  index: number;
}

export interface CheckpointState extends TrainingPosition {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  seed: number;
  /** AdamW's update count (equals step unless steps were skipped for non-finite gradients). */
  optimizerStep: number;
  /**
   * The settings needed to continue identically (TrainingSettings: schedule, batch, ...),
   * as stored: scoring never needs them, and a resume checks them (parseTrainingSettings).
   */
  training: unknown;
  tokenizer: { lowercase: boolean; stripAccents: boolean };
  savedAt: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface CheckpointContents {
  dir: string;
  state: CheckpointState;
  config: ElectraConfig;
  vocabText: string;
  weights: Map<string, NamedArray>;
  /** Present when loaded with `withOptimizer`. */
  optimizer?: Map<string, NamedArray>;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface SaveRequest {
  runDir: string;
  state: Omit<CheckpointState, 'format' | 'version' | 'files' | 'savedAt'>;
  config: ElectraConfig;
  vocabText: string;
  weights: Map<string, NamedArray>;
  optimizer: Map<string, NamedArray>;
  /** How many checkpoints to keep (oldest removed after a successful save). */
  keep?: number;
}

/** Saves a checkpoint atomically; returns its folder. */
export function saveCheckpoint(req: SaveRequest): string {
  const root = join(req.runDir, RUN_FILES.checkpoints);
  mkdirSync(root, { recursive: true });
  const name = stepFolderName(req.state.step);
  const finalDir = join(root, name);
  const tmpDir = join(root, temporaryStepFolderName(req.state.step, process.pid));
  rmSync(tmpDir, { recursive: true, force: true });
  try {
    mkdirSync(tmpDir);
    const payload: Record<string, Uint8Array> = {
      'model.safetensors': encodeSafetensors(req.weights, { format: CHECKPOINT_FORMAT }),
      'optimizer.safetensors': encodeSafetensors(req.optimizer, { format: CHECKPOINT_FORMAT }),
      'config.json': Buffer.from(JSON.stringify(req.config, null, 2) + '\n'),
      'vocab.txt': Buffer.from(req.vocabText, 'utf8'),
    };
    const files: CheckpointState['files'] = {};
    for (const [file, data] of Object.entries(payload)) {
      writeAndSync(join(tmpDir, file), data);
      files[file] = { bytes: data.length, sha256: sha256(data) };
    }
    const state: CheckpointState = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...req.state, savedAt: new Date().toISOString(), files };
    writeAndSync(join(tmpDir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
    syncFolder(tmpDir);
    // Replacing a checkpoint of the same step (a re-save after resume): move the old one aside first.
    if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
    renameSync(tmpDir, finalDir);
    syncFolder(root);
  } catch (e) {
    rmSync(tmpDir, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'the disk is full' : err.message;
    throw new Error(`could not save checkpoint ${finalDir}: ${why}; the previous checkpoint is intact`);
  }
  writeFileAtomic(join(root, RUN_FILES.latest), JSON.stringify({ step: req.state.step, dir: name }) + '\n');
  pruneCheckpoints(root, req.keep ?? 3, name);
  return finalDir;
}

function pruneCheckpoints(root: string, keep: number, newest: string): void {
  const dirs = readdirSync(root).filter((d) => STEP_FOLDER.test(d)).sort();
  for (const d of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    if (d !== newest) rmSync(join(root, d), { recursive: true, force: true });
  }
}

/**
 * Resolves a path given by a user to a checkpoint folder: a checkpoint folder itself, a
 * run folder (its latest checkpoint) or a run's checkpoints folder. Undefined if none.
 */
export function findLatestCheckpoint(path: string): string | undefined {
  const p = resolve(path);
  if (existsSync(join(p, 'state.json'))) return p;
  for (const root of [join(p, RUN_FILES.checkpoints), p]) {
    const latest = join(root, RUN_FILES.latest);
    if (!existsSync(latest)) continue;
    try {
      const { dir } = JSON.parse(readFileSync(latest, 'utf8')) as { dir: string };
      if (typeof dir === 'string' && existsSync(join(root, dir, 'state.json'))) return join(root, dir);
    } catch {
      /* a damaged latest.json: fall back to scanning the folders */
    }
    const dirs = readdirSync(root).filter((d) => STEP_FOLDER.test(d) && existsSync(join(root, d, 'state.json'))).sort();
    if (dirs.length > 0) return join(root, dirs[dirs.length - 1]);
  }
  return undefined;
}

/**
 * Loads and verifies a checkpoint. Every problem (missing file, truncation, checksum,
 * bad JSON, unknown format, a config over the limits or that the weights do not match)
 * throws an Error naming the file and what is wrong. Everything is checked against
 * checkpointValidation.ts's limits before a file of unbounded size is read: the config and
 * the safetensors headers bound what the weights may hold.
 */
export function loadCheckpoint(dir: string, options: { withOptimizer?: boolean } = {}): CheckpointContents {
  const statePath = join(dir, 'state.json');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such checkpoint folder`);
  if (!existsSync(statePath)) throw new Error(`${statePath}: missing; ${dir} is not a checkpoint`);
  let state: CheckpointState;
  try {
    checkFileSize(statePath, CHECKPOINT_FILE_LIMITS['state.json']);
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(statePath) ? msg : `${statePath}: corrupt (not valid JSON: ${msg})`);
  }
  if (typeof state !== 'object' || state === null || state.format !== CHECKPOINT_FORMAT) throw new Error(`${statePath}: not an ELECTRA Studio checkpoint (format ${JSON.stringify(state?.format)})`);
  if (state.version > CHECKPOINT_VERSION) throw new Error(`${statePath}: checkpoint version ${state.version} is newer than this ELECTRA Studio supports (${CHECKPOINT_VERSION})`);
  /** Reads a file whose size is already bounded (by a cap, or by a checked header). */
  const read = (file: string, maxBytes?: number): Buffer => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${path}: missing`);
    if (maxBytes !== undefined) checkFileSize(path, maxBytes);
    const data = readFileSync(path);
    const expected = state.files?.[file];
    if (expected) {
      if (data.length !== expected.bytes) throw new Error(`${path}: truncated or corrupt: ${data.length} bytes, expected ${expected.bytes}`);
      if (sha256(data) !== expected.sha256) throw new Error(`${path}: corrupt: checksum mismatch`);
    }
    return data;
  };
  const configPath = join(dir, 'config.json');
  let config: ElectraConfig;
  try {
    const parsed: unknown = JSON.parse(read('config.json', CHECKPOINT_FILE_LIMITS['config.json']).toString('utf8'));
    checkConfigLimits(parsed);
    config = parsed;
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(dir) ? msg : `${configPath}: ${msg}`);
  }
  const vocabText = read('vocab.txt', CHECKPOINT_FILE_LIMITS['vocab.txt']).toString('utf8');
  checkVocabMatches(vocabText, config.vocabSize, join(dir, 'vocab.txt'));
  const expected = expectedCheckpointTensors(config);
  /** A safetensors file whose header names exactly `tensors`: only then is the whole file read. */
  const readTensors = (file: string, tensors: ExpectedTensor[]) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${path}: missing`);
    checkSafetensorsFile(path, tensors);
    return decodeSafetensors(read(file), path).tensors;
  };
  const weights = readTensors('model.safetensors', expected);
  const optimizer = options.withOptimizer
    ? readTensors('optimizer.safetensors', [...expected.map((t) => ({ ...t, name: `m/${t.name}` })), ...expected.map((t) => ({ ...t, name: `v/${t.name}` }))])
    : undefined;
  return { dir, state, config, vocabText, weights, optimizer };
}
