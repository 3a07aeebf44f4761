/**
 * Checkpoints: round trip, atomic saves (a failure mid-save, and a real full disk on a
 * small tmpfs where the machine allows mounting one), and corrupt or truncated files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findLatestCheckpoint, loadCheckpoint, saveCheckpoint, type SaveRequest } from '../../src/core/run/checkpoint';
import type { ElectraConfig } from '../../src/core/model/config';
import { presetConfig } from '../../src/core/model/presets';
import { expectedCheckpointTensors } from '../../src/core/run/checkpointValidation';
import { decodeSafetensors, encodeSafetensors, floatToHalf, type NamedArray } from '../../src/core/run/safetensors';
import { writeShippedModel } from '../../src/core/run/shippedModel';
import { tempDir } from './engineFixtures';

const scratch = tempDir('checkpoint');
after(() => scratch.cleanup());

/** A small but complete model: every tensor config.json implies, as loadCheckpoint requires. */
function smallConfig(vocabSize: number): ElectraConfig {
  const encoder = { hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16 };
  return { ...presetConfig('micro'), vocabSize, embeddingSize: 10, maxPositionEmbeddings: 16, maxSeqLength: 16, discriminator: encoder, generator: { ...encoder } };
}

function vocabOf(size: number): string {
  return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: size - 5 }, (_, i) => `w${i}`)].join('\n') + '\n';
}

/** A checkpoint at `step` whose word embeddings hold i * 0.5 + step (`size` values: vocabulary size / 10 rows). */
function request(runDir: string, step: number, size = 1000): SaveRequest {
  const config = smallConfig(size / 10);
  const w = new Map<string, NamedArray>();
  const o = new Map<string, NamedArray>();
  for (const { name, shape } of expectedCheckpointTensors(config)) {
    const n = shape.reduce((a, d) => a * d, 1);
    const data = name === 'electra.embeddings.word_embeddings.weight' ? Float32Array.from({ length: n }, (_, i) => i * 0.5 + step) : new Float32Array(n);
    w.set(name, { dtype: 'F32', shape: [...shape], data });
    o.set(`m/${name}`, { dtype: 'F32', shape: [...shape], data: new Float32Array(n).fill(step) });
    o.set(`v/${name}`, { dtype: 'F32', shape: [...shape], data: new Float32Array(n) });
  }
  return {
    runDir,
    state: { step, epoch: 1, index: 7, seed: 3, optimizerStep: step, training: { batchSize: 4 }, tokenizer: { lowercase: true, stripAccents: true } },
    config,
    vocabText: vocabOf(config.vocabSize),
    weights: w,
    optimizer: o,
  };
}

test('safetensors round trip, with the header layout of the format', () => {
  const tensors = new Map<string, NamedArray>([
    ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['b', { dtype: 'I32', shape: [2], data: Int32Array.from([-1, 7]) }],
  ]);
  const buf = encodeSafetensors(tensors, { note: 'x' });
  const headerLength = Number(buf.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + headerLength).toString());
  assert.deepEqual(header.a, { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header.b.data_offsets, [24, 32]);
  const back = decodeSafetensors(buf, 'mem');
  assert.deepEqual(Array.from(back.tensors.get('a')!.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(back.tensors.get('b')!.data), [-1, 7]);
  assert.equal(back.metadata.note, 'x');
});

test('save and load round trip; latest.json points at the newest; old ones pruned', () => {
  const run = join(scratch.path, 'roundtrip');
  for (const step of [10, 20, 30, 40]) saveCheckpoint({ ...request(run, step), keep: 3 });
  const dir = findLatestCheckpoint(run)!;
  assert.match(dir, /step-00000040$/);
  const c = loadCheckpoint(dir, { withOptimizer: true });
  assert.equal(c.state.step, 40);
  assert.equal(c.state.index, 7);
  assert.equal(c.weights.get('electra.embeddings.word_embeddings.weight')!.data[3], 41.5);
  assert.equal(c.optimizer!.get('m/electra.embeddings.word_embeddings.weight')!.data[0], 40);
  assert.deepEqual(readdirSync(join(run, 'checkpoints')).sort(), ['latest.json', 'step-00000020', 'step-00000030', 'step-00000040']);
});

test('a save that fails midway leaves the previous checkpoint and latest.json intact', () => {
  const run = join(scratch.path, 'failing');
  saveCheckpoint(request(run, 5));
  const latestBefore = readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8');
  const bad = request(run, 6);
  // A tensor whose data does not fit its shape: the writer throws after creating the temporary folder.
  bad.optimizer.set('v/x', { dtype: 'F32', shape: [3], data: new Float32Array(2) });
  assert.throws(() => saveCheckpoint(bad), /could not save checkpoint .*step-00000006.*previous checkpoint is intact/);
  assert.equal(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8'), latestBefore);
  assert.deepEqual(readdirSync(join(run, 'checkpoints')).sort(), ['latest.json', 'step-00000005']);
  assert.equal(loadCheckpoint(findLatestCheckpoint(run)!).state.step, 5);
});

test('a full disk: the save fails with a clear message and the previous checkpoint survives', (t) => {
  const mount = join(scratch.path, 'small-disk');
  mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN); the failure path is covered by the test above');
    return;
  }
  try {
    const run = join(mount, 'run');
    saveCheckpoint(request(run, 1, 1000)); // ~8 KB
    assert.throws(() => saveCheckpoint(request(run, 2, 100_000)), /could not save checkpoint .*step-00000002: the disk is full; the previous checkpoint is intact/);
    assert.equal(loadCheckpoint(findLatestCheckpoint(run)!).state.step, 1);
    assert.deepEqual(readdirSync(join(run, 'checkpoints')).sort(), ['latest.json', 'step-00000001']);
  } finally {
    execFileSync('umount', [mount]);
  }
});

test('corrupt and truncated checkpoints name the file and the problem', () => {
  const run = join(scratch.path, 'corrupt');
  const dir = saveCheckpoint(request(run, 3));
  const model = join(dir, 'model.safetensors');
  const original = readFileSync(model);

  truncateSync(model, original.length - 100);
  assert.throws(() => loadCheckpoint(dir), (e: Error) => e.message.startsWith(model) && /truncated/.test(e.message));

  const flipped = Buffer.from(original);
  flipped[flipped.length - 5] ^= 0xff;
  writeFileSync(model, flipped);
  assert.throws(() => loadCheckpoint(dir), (e: Error) => e.message.startsWith(model) && /checksum mismatch/.test(e.message));

  writeFileSync(model, original);
  writeFileSync(join(dir, 'state.json'), '{"format": "electra-studio-checkpoint", "step": ');
  assert.throws(() => loadCheckpoint(dir), /state\.json: corrupt \(not valid JSON/);

  // Without the recorded checksums, the safetensors reader itself catches truncation.
  const bare = join(scratch.path, 'bare.safetensors');
  writeFileSync(bare, original.subarray(0, original.length - 40));
  assert.throws(() => decodeSafetensors(readFileSync(bare), bare), /bare\.safetensors: truncated: tensor .* ends at byte/);
  writeFileSync(bare, Buffer.from([1, 2, 3]));
  assert.throws(() => decodeSafetensors(readFileSync(bare), bare), /truncated: 3 bytes/);
  assert.throws(() => loadCheckpoint(join(scratch.path, 'nope')), /no such checkpoint folder/);
  assert.ok(!existsSync(join(run, 'checkpoints', '.tmp-step-00000003-' + process.pid)));
});

test('F16 storage: round trip within half precision, exact for representable values, infinities and zeros', () => {
  const values = Float32Array.from([0, -0, 1, -2.5, 0.1, 65504, 1e-5, 7e4, -Infinity, 3.14159, 6.1e-5]);
  const encoded = encodeSafetensors(new Map([['w', { dtype: 'F32' as const, shape: [values.length], data: values }]]), undefined, 'F16');
  const decoded = decodeSafetensors(encoded, 'mem').tensors.get('w')!.data;
  assert.equal(encoded.length < 8 + 200 + values.length * 4, true);
  for (const [i, v] of values.entries()) {
    if (!Number.isFinite(v) || Math.abs(v) > 65504) assert.equal(decoded[i], v > 0 ? Infinity : -Infinity);
    else assert.ok(Math.abs(decoded[i] - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -25), `${v} -> ${decoded[i]}`);
  }
  assert.equal(floatToHalf(1), 0x3c00);
  assert.equal(floatToHalf(-2), 0xc000);
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
});

test('a shipped model: weights only, F16, half the bytes, loads as a checkpoint', () => {
  const run = join(scratch.path, 'to-ship');
  const dir = saveCheckpoint(request(run, 5, 2000));
  const shipped = writeShippedModel(loadCheckpoint(dir), join(scratch.path, 'shipped'));
  assert.deepEqual(readdirSync(shipped).sort(), ['config.json', 'model.safetensors', 'state.json', 'vocab.txt']);
  const dataBytes = (d: string) => {
    const buf = readFileSync(join(d, 'model.safetensors'));
    return buf.length - 8 - Number(buf.readBigUInt64LE(0));
  };
  assert.equal(dataBytes(shipped) * 2, dataBytes(dir), 'the tensors take half the bytes');
  const c = loadCheckpoint(findLatestCheckpoint(join(scratch.path, 'shipped'))!);
  assert.equal(c.state.step, 5);
  const w = c.weights.get('electra.embeddings.word_embeddings.weight')!.data;
  assert.equal(w[3], 6.5);
  assert.ok(Math.abs(w[1999] - 1004.5) <= 0.5, `${w[1999]}`);
});
