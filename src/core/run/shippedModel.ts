/**
 * A model for shipping (the base model in models/base): a checkpoint folder with the
 * weights only, no optimizer moments, floats stored as F16 to halve its size, readable by
 * loadCheckpoint / Scorer.load like any checkpoint. Its state.json keeps the training
 * position and settings, so that a run can start from it (its vocabulary and config).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAndSync, writeFileAtomic } from './atomicFile';
import { CHECKPOINT_FORMAT, stepFolderName, type CheckpointContents, type CheckpointState } from './checkpoint';
import { encodeSafetensors } from './safetensors';
import { formatCalibration, type Calibration } from '../../shared/calibrationFormat';
import { RUN_FILES } from '../../shared/runFolderFormat';

/** A shipped model's calibration, beside its checkpoints/ as in a run folder (src/shared/calibrationFormat.ts). */
export function writeShippedCalibration(outDir: string, calibration: Calibration): string {
  const path = join(outDir, RUN_FILES.calibration);
  writeFileAtomic(path, formatCalibration(calibration));
  return path;
}

export function writeShippedModel(ckpt: CheckpointContents, outDir: string, floats: 'F32' | 'F16' = 'F16'): string {
  const root = join(outDir, 'checkpoints');
  rmSync(root, { recursive: true, force: true });
  const name = stepFolderName(ckpt.state.step);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const payload: Record<string, Uint8Array> = {
    'model.safetensors': encodeSafetensors(ckpt.weights, { format: CHECKPOINT_FORMAT }, floats),
    'config.json': Buffer.from(JSON.stringify(ckpt.config, null, 2) + '\n'),
    'vocab.txt': Buffer.from(ckpt.vocabText, 'utf8'),
  };
  const files: CheckpointState['files'] = {};
  for (const [file, data] of Object.entries(payload)) {
    writeAndSync(join(dir, file), data);
    files[file] = { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }
  const state: CheckpointState = { ...ckpt.state, savedAt: new Date().toISOString(), files };
  writeAndSync(join(dir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
  writeFileAtomic(join(root, 'latest.json'), JSON.stringify({ step: ckpt.state.step, dir: name }) + '\n');
  return dir;
}
