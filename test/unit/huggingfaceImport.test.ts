/**
 * Import of Hugging Face ELECTRA folders. The fixtures (test/fixtures/hf) were written by
 * PyTorch (make_fixtures.py: torch.save, safetensors, and PyTorch's own forward pass), so the
 * engine is checked against real files and an independent implementation: outputs within
 * 1e-4, .bin and .safetensors giving the same run, export -> import -> export byte-identical,
 * and every bad folder giving one clear error with nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { importHuggingFace } from '../../src/core/run/huggingface/importHuggingFace';
import { ZipArchive } from '../../src/core/run/huggingface/zipArchive';
import { readPytorchStateDict } from '../../src/core/run/huggingface/pytorchStateDict';
import { findLatestCheckpoint, loadCheckpoint } from '../../src/core/run/checkpoint';
import { exportHuggingFace } from '../../src/core/run/export';
import { modelFromCheckpoint } from '../../src/core/run/weights';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/run/safetensors';
import { WordPieceTokenizer } from '../../src/core/data/tokenizer';
import { initBackend } from '../../src/core/wasm/backend';
import { rustBookFiles, tempDir } from './engineFixtures';
import { CONTINUATION_DEFAULTS } from '../../src/shared/defaults';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/hf');
const PAIR = join(FIXTURES, 'pair');
const scratch = tempDir('hf-import');
after(() => scratch.cleanup());
before(async () => {
  await initBackend('wasm');
});

let counter = 0;
const fresh = (name: string) => join(scratch.path, `${name}-${counter++}`);

/** A copy of the fixture pair holding only the given weights format. */
function pairWith(format: 'model.safetensors' | 'pytorch_model.bin'): { disc: string; gen: string } {
  const root = fresh(format);
  cpSync(PAIR, root, { recursive: true });
  const other = format === 'model.safetensors' ? 'pytorch_model.bin' : 'model.safetensors';
  for (const which of ['discriminator', 'generator']) rmSync(join(root, which, other));
  return { disc: join(root, 'discriminator'), gen: join(root, 'generator') };
}

test('torch.save storages: float32, float16, bfloat16, a transposed tensor and a view at an offset (zip and legacy formats)', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'dtypes', 'expected.json'), 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
  for (const file of ['pytorch_model.bin', 'legacy_model.bin']) {
    const tensors = readPytorchStateDict(readFileSync(join(FIXTURES, 'dtypes', file)), file);
    assert.deepEqual([...tensors.keys()], Object.keys(expected), file);
    for (const [name, e] of Object.entries(expected)) {
      const t = tensors.get(name)!;
      assert.deepEqual(t.shape, e.shape, `${file} ${name}`);
      assert.deepEqual(Array.from(t.data), e.values, `${file} ${name}`);
    }
  }
});

test('a legacy pytorch_model.bin (before PyTorch 1.6) imports as the same run', () => {
  const zip = pairWith('pytorch_model.bin');
  const legacy = pairWith('pytorch_model.bin');
  cpSync(join(FIXTURES, 'legacy', 'pytorch_model.bin'), join(legacy.disc, 'pytorch_model.bin'));
  assert.equal(readFileSync(join(legacy.disc, 'pytorch_model.bin'))[0], 0x80, 'a pickle, not a zip');
  const a = importHuggingFace({ discriminatorDir: zip.disc, generatorDir: zip.gen, outDir: fresh('run-zip') });
  const b = importHuggingFace({ discriminatorDir: legacy.disc, generatorDir: legacy.gen, outDir: fresh('run-legacy') });
  assert.ok(readFileSync(join(a.checkpointDir, 'model.safetensors')).equals(readFileSync(join(b.checkpointDir, 'model.safetensors'))));
  const truncated = readFileSync(join(FIXTURES, 'legacy', 'pytorch_model.bin'));
  assert.throws(() => readPytorchStateDict(truncated.subarray(0, truncated.length - 100), 'legacy.bin'), /^Error: legacy\.bin: truncated: storage \d+ needs \d+ bytes at byte \d+ of \d+$/);
});

test('import from pytorch_model.bin and from model.safetensors give identical runs', () => {
  const bin = pairWith('pytorch_model.bin');
  const safe = pairWith('model.safetensors');
  const a = importHuggingFace({ discriminatorDir: bin.disc, generatorDir: bin.gen, outDir: fresh('run-bin') });
  const b = importHuggingFace({ discriminatorDir: safe.disc, generatorDir: safe.gen, outDir: fresh('run-safe') });
  assert.deepEqual(a.warnings, []);
  assert.equal(a.generator, 'imported');
  assert.match(a.weightsFiles.discriminator, /pytorch_model\.bin$/);
  assert.match(b.weightsFiles.discriminator, /model\.safetensors$/);
  assert.deepEqual(a.config, b.config);
  assert.deepEqual(a.config.discriminator, { hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64 });
  assert.deepEqual(a.config.generator, { hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 1, intermediateSize: 32 });
  for (const file of ['model.safetensors', 'config.json', 'vocab.txt']) {
    assert.ok(readFileSync(join(a.checkpointDir, file)).equals(readFileSync(join(b.checkpointDir, file))), file);
  }
  const run = JSON.parse(readFileSync(join(a.runDir, 'run.json'), 'utf8'));
  assert.deepEqual(run.origin, { kind: 'imported', from: bin.disc, generatorFrom: bin.gen, step: 0 });
});

test("the imported model's P(replaced) and MLM logits equal PyTorch's within 1e-4", () => {
  const report = importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), generatorDir: join(PAIR, 'generator'), outDir: fresh('run') });
  const ckpt = loadCheckpoint(findLatestCheckpoint(report.runDir)!);
  const tokenizer = WordPieceTokenizer.fromVocabText(ckpt.vocabText, ckpt.state.tokenizer);
  const model = modelFromCheckpoint(ckpt);
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { cases: Array<{ text: string; ids: number[]; pReplaced: number[]; mlmLogits: number[][] }> };
  let worst = 0;
  for (const c of expected.cases) {
    const ids = [tokenizer.specialIds.cls, ...tokenizer.encodeIds(c.text), tokenizer.specialIds.sep];
    assert.deepEqual(ids, c.ids, `tokens of ${c.text}`);
    const T = ids.length;
    const [p, logits] = tf.tidy(() => {
      const x = tf.tensor2d([ids], [1, T], 'int32');
      const mask = tf.ones([1, T]) as tf.Tensor2D;
      return [tf.sigmoid(model.discriminatorLogits(x, mask)).dataSync(), model.generatorLogits(x, mask, tf.range(0, T, 1, 'int32') as tf.Tensor1D).dataSync()];
    });
    for (let t = 0; t < T; t++) {
      worst = Math.max(worst, Math.abs(p[t] - c.pReplaced[t]));
      for (let v = 0; v < c.mlmLogits[t].length; v++) worst = Math.max(worst, Math.abs(logits[t * c.mlmLogits[t].length + v] - c.mlmLogits[t][v]));
    }
  }
  model.dispose();
  assert.ok(worst < 1e-4, `largest difference from PyTorch ${worst}`);
});

test('export -> import -> export is byte-identical', () => {
  const first = importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), generatorDir: join(PAIR, 'generator'), outDir: fresh('run') });
  const exportA = fresh('export-a');
  exportHuggingFace(loadCheckpoint(first.checkpointDir), exportA);
  const second = importHuggingFace({ discriminatorDir: join(exportA, 'discriminator'), generatorDir: join(exportA, 'generator'), outDir: fresh('run') });
  const exportB = fresh('export-b');
  exportHuggingFace(loadCheckpoint(second.checkpointDir), exportB);
  for (const which of ['discriminator', 'generator']) {
    const files = readdirSync(join(exportA, which)).sort();
    assert.deepEqual(readdirSync(join(exportB, which)).sort(), files);
    for (const f of files) assert.ok(readFileSync(join(exportA, which, f)).equals(readFileSync(join(exportB, which, f))), `${which}/${f}`);
  }
  assert.ok(readFileSync(join(first.checkpointDir, 'model.safetensors')).equals(readFileSync(join(second.checkpointDir, 'model.safetensors'))));
});

test('without a generator folder: a 1/4-width generator is initialised, with a warning', () => {
  const report = importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), outDir: fresh('run') });
  assert.equal(report.generator, 'initialised');
  assert.deepEqual(report.config.generator, { hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 1, intermediateSize: 16 });
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0], /no generator folder: a generator of 1\/4 the discriminator's width .* initialised at random/);
  const weights = loadCheckpoint(report.checkpointDir).weights;
  const q = weights.get('generator.electra.encoder.layer.0.attention.self.query.weight')!;
  const std = Math.sqrt(Array.from(q.data).reduce((a, x) => a + x * x, 0) / q.data.length);
  assert.ok(std > 0.01 && std < 0.02, `initialisation std ${std}`);
});

test("shared embeddings that differ between the folders: the discriminator's copy is kept, with a warning", () => {
  const { disc, gen } = pairWith('model.safetensors');
  const path = join(gen, 'model.safetensors');
  const tensors = decodeSafetensors(readFileSync(path), path).tensors;
  const pos = tensors.get('electra.embeddings.position_embeddings.weight')!;
  pos.data[3] += 0.5;
  writeFileSync(path, encodeSafetensors(tensors, { format: 'pt' }));
  const report = importHuggingFace({ discriminatorDir: disc, generatorDir: gen, outDir: fresh('run') });
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0], /generator's copy of electra\.embeddings\.position_embeddings\.weight differs from the discriminator's \(largest difference 0\.500\); the discriminator's is kept/);
  const kept = loadCheckpoint(report.checkpointDir).weights.get('electra.embeddings.position_embeddings.weight')!;
  const original = decodeSafetensors(readFileSync(join(disc, 'model.safetensors')), 'd').tensors.get('electra.embeddings.position_embeddings.weight')!;
  assert.deepEqual(Array.from(kept.data), Array.from(original.data));
});

test('tokenizer.json alone: its WordPiece vocabulary and BertNormalizer settings are used', () => {
  const { disc } = pairWith('model.safetensors');
  const vocab = readFileSync(join(disc, 'vocab.txt'), 'utf8').trimEnd().split('\n');
  for (const f of ['vocab.txt', 'tokenizer_config.json']) rmSync(join(disc, f));
  const tokenizerJson = (lowercase: boolean) => ({
    version: '1.0',
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  });
  writeFileSync(join(disc, 'tokenizer.json'), JSON.stringify(tokenizerJson(true)));
  const uncased = importHuggingFace({ discriminatorDir: disc, outDir: fresh('run') });
  assert.deepEqual(uncased.tokenizer, { lowercase: true, stripAccents: true });
  assert.equal(loadCheckpoint(uncased.checkpointDir).vocabText, vocab.join('\n') + '\n');
  writeFileSync(join(disc, 'tokenizer.json'), JSON.stringify(tokenizerJson(false)));
  const cased = importHuggingFace({ discriminatorDir: disc, outDir: fresh('run') });
  assert.deepEqual(cased.tokenizer, { lowercase: false, stripAccents: false });
  assert.deepEqual(loadCheckpoint(cased.checkpointDir).state.tokenizer, { lowercase: false, stripAccents: false });
});

/** Each bad folder: exactly one error matching `pattern`, and nothing at --out. */
function assertRefused(prepare: (disc: string, gen: string) => void, pattern: RegExp, format: 'model.safetensors' | 'pytorch_model.bin' = 'pytorch_model.bin') {
  const { disc, gen } = pairWith(format);
  prepare(disc, gen);
  const out = fresh('refused');
  assert.throws(() => importHuggingFace({ discriminatorDir: disc, generatorDir: gen, outDir: out }), (e: Error) => {
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return true;
  });
  assert.ok(!existsSync(out), 'nothing written to --out');
  assert.deepEqual(readdirSync(scratch.path).filter((n) => n.startsWith('.refused')), [], 'no temporary folder left');
}

test('a truncated pytorch_model.bin: one clear error, nothing written', () => {
  assertRefused((disc) => {
    const p = join(disc, 'pytorch_model.bin');
    const buf = readFileSync(p);
    writeFileSync(p, buf.subarray(0, Math.floor(buf.length * 0.6)));
  }, /pytorch_model\.bin: truncated or not a zip archive: no end-of-central-directory record/);
});

test('a corrupt pytorch_model.bin (central directory overwritten): one clear error, nothing written', () => {
  assertRefused((disc) => {
    const p = join(disc, 'pytorch_model.bin');
    const buf = readFileSync(p);
    const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    buf.writeUInt32LE(buf.length - 30, eocd + 16); // central directory offset points at the end
    writeFileSync(p, buf);
  }, /pytorch_model\.bin: (truncated: the central directory|corrupt zip)/);
  assertRefused((disc) => {
    const p = join(disc, 'pytorch_model.bin');
    const buf = readFileSync(p);
    const pickle = ZipArchive.open(buf, p).read('pytorch_model/data.pkl'); // a view into buf
    const stop = pickle.byteOffset - buf.byteOffset + pickle.length - 1; // its last opcode, STOP
    assert.equal(buf[stop], 0x2e);
    buf[stop] = 0xff; // sizes intact, one opcode wrong
    writeFileSync(p, buf);
  }, /pytorch_model\.bin: unsupported or corrupt pickle: opcode 0xff at byte \d+/);
});

test('a pickle that would run code (os.system) is refused by name, nothing is executed or written', () => {
  assertRefused((disc) => cpSync(join(FIXTURES, 'evil', 'pytorch_model.bin'), join(disc, 'pytorch_model.bin')), /pytorch_model\.bin: refused: the pickle refers to "posix\.system"; only a plain state dict of tensors is loaded/);
});

test('a tensor stretched over a one-value storage (stride 0) is refused before allocating', () => {
  assert.throws(() => readPytorchStateDict(readFileSync(join(FIXTURES, 'evil', 'expanded_model.bin')), 'expanded.bin'), /^Error: expanded\.bin: tensor w: shape \[1000000\] has more values than its storage \(1\)$/);
});

test('mismatched shapes: one clear error naming the tensor, nothing written', () => {
  assertRefused((disc) => {
    const p = join(disc, 'config.json');
    writeFileSync(p, JSON.stringify({ ...JSON.parse(readFileSync(p, 'utf8')), intermediate_size: 48 }));
  }, /discriminator\/pytorch_model\.bin: electra\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[64,32\] but config\.json implies \[48,32\] \(mismatched shapes\)/);
});

test('weights holding NaN: one clear error naming the tensor, nothing written', () => {
  assertRefused((disc) => {
    const path = join(disc, 'model.safetensors');
    const tensors = decodeSafetensors(readFileSync(path), path).tensors;
    tensors.get('electra.encoder.layer.1.output.dense.weight')!.data[7] = NaN;
    writeFileSync(path, encodeSafetensors(tensors, { format: 'pt' }));
  }, /discriminator\/model\.safetensors: electra\.encoder\.layer\.1\.output\.dense\.weight holds NaN or infinite values/, 'model.safetensors');
});

test('a missing vocabulary: one clear error, nothing written', () => {
  assertRefused((disc) => rmSync(join(disc, 'vocab.txt')), /discriminator: no vocabulary: neither vocab\.txt nor a WordPiece tokenizer\.json/);
});

test('unsupported config fields are refused by name', () => {
  for (const [field, value, pattern] of [
    ['hidden_act', 'gelu_new', /hidden_act "gelu_new" is not supported: the engine implements the erf GELU/],
    ['position_embedding_type', 'relative_key', /position_embedding_type "relative_key" is not supported/],
    ['num_hidden_layers', 100000, /num_hidden_layers 100000 exceeds the limit of 48/],
  ] as const) {
    assertRefused((disc) => {
      const p = join(disc, 'config.json');
      writeFileSync(p, JSON.stringify({ ...JSON.parse(readFileSync(p, 'utf8')), [field]: value }));
    }, pattern);
  }
  assertRefused((disc) => writeFileSync(join(disc, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, tokenize_chinese_chars: false })), /tokenize_chinese_chars false is not supported/);
});

test('folders given the wrong way round, and an existing --out, are refused', () => {
  assert.throws(() => importHuggingFace({ discriminatorDir: join(PAIR, 'generator'), generatorDir: join(PAIR, 'discriminator'), outDir: fresh('x') }), /architectures says a generator, expected ElectraForPreTraining \(give the discriminator folder first/);
  const out = fresh('existing');
  importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), generatorDir: join(PAIR, 'generator'), outDir: out });
  assert.throws(() => importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), outDir: out }), /already exists and is not empty/);
  const again = importHuggingFace({ discriminatorDir: join(PAIR, 'discriminator'), outDir: out, overwrite: true });
  assert.equal(again.generator, 'initialised');
});

const CLI = resolve(__dirname, '../../../dist/cli.js');
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('CLI: import, then pretrain --from the imported run continues with its vocabulary and weights and records the origin', () => {
  const corpus = fresh('corpus');
  mkdirSync(corpus);
  for (const f of rustBookFiles().slice(0, 3)) copyFileSync(f, join(corpus, basename(f)));
  const imported = fresh('imported');
  const r = cli('import', join(PAIR, 'discriminator'), join(PAIR, 'generator'), '--out', imported);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /discriminator: hidden 32, 2 layers, 23201 parameters; generator \(imported\): hidden 16/);
  // score and eval take the imported run like any other.
  const scored = cli('score', join(corpus, basename(rustBookFiles()[0])), '-c', imported, '--json', '--backend', 'wasm');
  assert.equal(scored.code, 0, scored.err);
  const json = JSON.parse(scored.out) as { step: number; tokens: Array<{ pReplaced: number }> };
  assert.equal(json.step, 0);
  assert.ok(json.tokens.length > 100 && json.tokens.every((t) => t.pReplaced > 0 && t.pReplaced < 1));
  const evaluated = cli('eval', imported, corpus, '--all', '-n', '8', '--backend', 'wasm');
  assert.equal(evaluated.code, 0, evaluated.err);
  assert.match(evaluated.out, /checkpoint .*step-00000000 \(step 0\) on .*, 8 sequences/);
  const bad = cli('import', join(FIXTURES, 'dtypes'), '--out', fresh('bad'));
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /electra-studio: error: .*dtypes: no config\.json; not a Hugging Face model folder/);
  const resumed = cli('pretrain', corpus, '--resume', '--out', imported, '--steps', '2', '--backend', 'wasm');
  assert.match(resumed.err, /cannot resume .*: it was imported and has not been trained; continue pre-training from it in a new run/);

  const continued = fresh('continued');
  // A learning rate so small that the weights stay the imported ones to 1e-5: they must have been loaded.
  const c = cli('pretrain', corpus, '--from', imported, '--out', continued, '--steps', '2', '--batch-size', '2', '--seq-length', '32', '--lr', '1e-9', '--backend', 'wasm', '--workers', '1');
  assert.equal(c.code, 0, c.err);
  assert.match(c.err, /continuing pre-training from .*imported-\d+: its vocabulary, tokenizer settings and weights/);
  const run = JSON.parse(readFileSync(join(continued, 'run.json'), 'utf8'));
  assert.deepEqual(run.origin, { kind: 'continued', from: imported, step: 0 });
  assert.equal(run.training.totalSteps, 2);
  assert.equal(run.training.learningRate, 1e-9);
  // Where the options are silent, a continued run trains by CONTINUATION_DEFAULTS and keeps the model's attention.
  assert.equal(run.training.syntheticErrors, CONTINUATION_DEFAULTS.syntheticErrors);
  assert.equal(run.training.dropout, CONTINUATION_DEFAULTS.dropout);
  assert.equal(run.training.neighbourHeads, undefined);
  const after = loadCheckpoint(findLatestCheckpoint(continued)!);
  const before = loadCheckpoint(findLatestCheckpoint(imported)!);
  assert.equal(after.state.step, 2);
  assert.equal(after.vocabText, readFileSync(join(PAIR, 'discriminator', 'vocab.txt'), 'utf8'));
  assert.deepEqual(after.state.tokenizer, { lowercase: true, stripAccents: true });
  assert.deepEqual({ ...after.config, maxSeqLength: 64 }, before.config);
  assert.equal(after.config.maxSeqLength, 32);
  for (const [name, t] of before.weights) {
    const a = after.weights.get(name)!;
    let worst = 0;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - t.data[i]));
    assert.ok(worst < 1e-5, `${name} moved by ${worst}`);
  }
  const into = cli('pretrain', corpus, '--from', imported, '--out', imported, '--overwrite', '--steps', '1', '--backend', 'wasm');
  assert.match(into.err, /cannot continue pre-training into .*: it holds the model the run starts from/);
  assert.ok(existsSync(join(imported, 'checkpoints')), 'the starting run is intact');
});
