/**
 * Crafted checkpoints (issue 12, defect 2): a config.json, vocab.txt or safetensors header
 * made to exhaust memory is refused before anything of its size is allocated, with an
 * error naming the file and the field.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/core/wasm/backend';
import { loadCheckpoint, saveCheckpoint } from '../../src/core/run/checkpoint';
import { CHECKPOINT_LIMITS, checkConfigLimits, expectedCheckpointTensors, parameterCount } from '../../src/core/run/checkpointValidation';
import type { ElectraConfig } from '../../src/core/model/config';
import { presetConfig, PRESET_NAMES } from '../../src/core/model/presets';
import { ElectraModel } from '../../src/core/model/model';
import { modelToArrays } from '../../src/core/run/weights';
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from '../../src/core/run/safetensors';
import { tempDir } from './engineFixtures';

const scratch = tempDir('crafted');
after(() => scratch.cleanup());

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 1019 }, (_, i) => `w${i}`)].join('\n') + '\n';

/** A genuine micro checkpoint (1,024 WordPieces), saved as training saves one. */
let genuine = '';
before(async () => {
  await initBackend('wasm');
  const config = presetConfig('micro');
  const model = new ElectraModel(config, 1);
  try {
    genuine = saveCheckpoint({
      runDir: join(scratch.path, 'genuine'),
      state: { step: 1, epoch: 0, index: 0, seed: 1, optimizerStep: 1, training: {}, tokenizer: { lowercase: true, stripAccents: true } },
      config,
      vocabText: VOCAB,
      weights: modelToArrays(model),
      optimizer: new Map(),
    });
  } finally {
    model.dispose();
  }
});

let copies = 0;
/**
 * A copy of the genuine checkpoint with `edit` applied, and without the checksums of
 * state.json (an attacker writes their own, or none).
 */
function crafted(edit: (dir: string) => void): string {
  const dir = join(scratch.path, `crafted-${copies++}`);
  cpSync(genuine, dir, { recursive: true });
  const statePath = join(dir, 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  delete state.files;
  writeFileSync(statePath, JSON.stringify(state));
  edit(dir);
  return dir;
}

function editConfig(dir: string, change: (c: ElectraConfig) => void): void {
  const path = join(dir, 'config.json');
  const c = JSON.parse(readFileSync(path, 'utf8'));
  change(c);
  writeFileSync(path, JSON.stringify(c));
}

/** Runs `load`, which must throw an error matching `pattern` within a second and with little memory. */
function refusedQuickly(load: () => unknown, pattern: RegExp): void {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  assert.throws(load, pattern);
  const ms = performance.now() - started;
  const grownMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  assert.ok(grownMiB < 100, `resident memory grew ${grownMiB.toFixed(0)} MiB`);
}

test('the genuine checkpoint loads', () => {
  const c = loadCheckpoint(crafted(() => {}));
  assert.equal(c.config.vocabSize, 1024);
  assert.equal(c.weights.size, expectedCheckpointTensors(c.config).length);
});

test('config.json: vocabSize 3e7 and numHiddenLayers 1e9 are refused before any allocation', () => {
  const vocab = crafted((d) => editConfig(d, (c) => (c.vocabSize = 3e7)));
  refusedQuickly(() => loadCheckpoint(vocab), /config\.json: config\.vocabSize is 30000000, more than the limit of 250000/);
  const layers = crafted((d) => editConfig(d, (c) => (c.discriminator.numHiddenLayers = 1e9)));
  refusedQuickly(() => loadCheckpoint(layers), /config\.json: config\.discriminator\.numHiddenLayers is 1000000000, more than the limit of 48/);
  const product = crafted((d) => editConfig(d, (c) => Object.assign(c, { vocabSize: 250_000, embeddingSize: 4096 })));
  refusedQuickly(() => loadCheckpoint(product), /parameters, more than the limit of 400000000/);
  const wrongType = crafted((d) => editConfig(d, (c) => ((c as unknown as Record<string, unknown>).embeddingSize = '24')));
  refusedQuickly(() => loadCheckpoint(wrongType), /config\.embeddingSize must be a positive integer, got "24"/);
  const noGenerator = crafted((d) => editConfig(d, (c) => delete (c as Partial<ElectraConfig>).generator));
  refusedQuickly(() => loadCheckpoint(noGenerator), /config\.generator is missing/);
});

test('config.json within the limits but not matching the weights: refused from the header alone', () => {
  // 200,000 WordPieces is allowed, but the weights hold 1,024 rows: found before reading the weights.
  const bigger = crafted((d) => {
    editConfig(d, (c) => (c.vocabSize = 200_000));
    writeFileSync(join(d, 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 199_995 }, (_, i) => `w${i}`)].join('\n') + '\n');
  });
  refusedQuickly(() => loadCheckpoint(bigger), /model\.safetensors: tensor electra\.embeddings\.word_embeddings\.weight has shape \[1024,24\], config\.json implies \[200000,24\]/);
  const deeper = crafted((d) => editConfig(d, (c) => (c.generator.numHiddenLayers = 3)));
  refusedQuickly(() => loadCheckpoint(deeper), /model\.safetensors: tensor generator\.electra\.encoder\.layer\.2\.\S+ is missing/);
});

test('vocab.txt: a 10-million-line file and a count other than vocabSize are refused', () => {
  const huge = crafted((d) => writeFileSync(join(d, 'vocab.txt'), 'w\n'.repeat(10_000_000)));
  refusedQuickly(() => loadCheckpoint(huge), /vocab\.txt: 20000000 bytes, more than the limit of 16777216/);
  const short = crafted((d) => writeFileSync(join(d, 'vocab.txt'), VOCAB.split('\n').slice(0, 1000).join('\n') + '\n'));
  refusedQuickly(() => loadCheckpoint(short), /vocab\.txt: 1000 WordPieces, but config\.json says vocabSize 1024/);
});

test('safetensors headers: a huge declared length, offsets out of range or overlapping, extra bytes', () => {
  const model = (d: string) => join(d, 'model.safetensors');
  const hugeHeader = crafted((d) => {
    const buf = readFileSync(model(d));
    buf.writeBigUInt64LE(2n ** 60n, 0);
    writeFileSync(model(d), buf);
  });
  refusedQuickly(() => readSafetensorsHeader(model(hugeHeader)), /header claims 1152921504606846976 bytes, more than the limit/);
  refusedQuickly(() => loadCheckpoint(hugeHeader), /model\.safetensors: corrupt: header claims/);

  const tensors = new Map([
    ['a', { dtype: 'F32' as const, shape: [2], data: Float32Array.from([1, 2]) }],
    ['b', { dtype: 'F32' as const, shape: [2], data: Float32Array.from([3, 4]) }],
  ]);
  const withHeader = (edit: (h: Record<string, { data_offsets: number[]; shape: number[] }>) => void): Buffer => {
    const buf = encodeSafetensors(tensors);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    edit(header);
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length), 0);
    return Buffer.concat([length, json, buf.subarray(8 + n)]);
  };
  assert.throws(() => decodeSafetensors(withHeader((h) => (h.b.data_offsets = [4, 12])), 'x'), /x: corrupt: tensors a and b overlap/);
  assert.throws(() => decodeSafetensors(withHeader((h) => (h.b.data_offsets = [8, 1e15 + 8])), 'x'), /x: tensor b: shape \[2\] needs 8 bytes/);
  assert.throws(() => decodeSafetensors(withHeader((h) => (h.b.shape = [1e9, 1e9])), 'x'), /x: truncated: tensor b of shape \[1000000000,1000000000\] needs more than the 16 bytes/);
  assert.throws(() => decodeSafetensors(withHeader((h) => (h.b.shape = [-2, -1])), 'x'), /x: tensor b has a malformed shape/);

  const trailing = crafted((d) => writeFileSync(model(d), Buffer.concat([readFileSync(model(d)), Buffer.alloc(64)])));
  refusedQuickly(() => loadCheckpoint(trailing), /model\.safetensors: \d+ bytes, but its header and tensors account for \d+/);
});

test('the limits admit every preset, and parameterCount is the model\'s own count', () => {
  for (const name of PRESET_NAMES) {
    const config = presetConfig(name);
    checkConfigLimits(config);
    assert.ok(parameterCount(config) < CHECKPOINT_LIMITS.maxParameters);
  }
  const micro = new ElectraModel(presetConfig('micro'), 0);
  try {
    assert.equal(parameterCount(micro.config), micro.parameterCount());
  } finally {
    micro.dispose();
  }
});
