/**
 * The electra-studio command line, run as a user runs it (node dist/cli.js): one-line
 * errors, pretrain with Ctrl-C, score, eval, calibrate, corpus-stats, export.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { rustBookFiles, tempDir } from './engineFixtures';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const scratch = tempDir('cli');
after(() => scratch.cleanup());

const corpus = join(scratch.path, 'corpus');
mkdirSync(corpus);
for (const f of rustBookFiles().slice(0, 10)) copyFileSync(f, join(corpus, basename(f)));
writeFileSync(join(corpus, 'blob.txt'), Buffer.from([0x00, 0x01, 0x02, 0x03]));
const run = join(scratch.path, 'run');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The README's promise for bad arguments and input: exactly one line `electra-studio: error: ...` on stderr, exit 1. */
function assertOneLineError(r: { code: number | null; err: string }, pattern: RegExp, what: string): void {
  assert.equal(r.code, 1, `${what}: exit ${r.code}: ${r.err}`);
  const lines = r.err.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${what}: ${lines.length} lines on stderr:\n${r.err}`);
  assert.match(lines[0], /^electra-studio: error: /, what);
  assert.match(lines[0], pattern, what);
}

/** Like cli(), but killed after `ms` (a hang is a failure, not a stuck test run). */
function cliWithin(ms: number, ...args: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: ms, killSignal: 'SIGKILL' });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started, killed: r.signal === 'SIGKILL' };
}

test('bad arguments and bad input: one clear line, non-zero exit, no stack trace', () => {
  const cases: Array<[string[], RegExp]> = [
    [['pretrain'], /give a folder to train on, or --brown/],
    [['pretrain', corpus], /give --steps, --minutes or --flops/],
    [['pretrain', join(scratch.path, 'missing'), '--steps', '1'], /folder .*missing does not exist/],
    [['pretrain', corpus, '--steps', 'ten'], /steps must be a positive whole number/],
    [['pretrain', corpus, '--steps', '1', '--preset', 'huge'], /Allowed choices are micro, tiny, small, base/],
    [['score', join(scratch.path, 'nofile.txt'), '--checkpoint', run], /cannot read .*nofile\.txt: no such file/],
    [['score', join(corpus, basename(rustBookFiles()[0])), '--checkpoint', scratch.path], /no checkpoint found/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.notEqual(r.code, 0, `${args.join(' ')} exited 0`);
    assert.match(r.err, pattern, `${args.join(' ')}: ${r.err}`);
    assert.ok(!/\n\s+at /.test(r.err), `stack trace for ${args.join(' ')}: ${r.err}`);
  }
});

test('option errors are one line starting electra-studio: error:, exit 1 (commander\'s own errors too)', () => {
  const file = join(corpus, basename(rustBookFiles()[0]));
  const cases: Array<[string[], RegExp]> = [
    [['pretrain', 'x', '--steps', 'abc'], /argument 'abc' is invalid\. steps must be a positive whole number/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['pretrain', corpus, '--bogus'], /unknown option '--bogus'/],
    [['score', file], /required option '-c, --checkpoint <dir>' not specified/],
    [['score', file, '--checkpoint', run, '--threshold', '2'], /threshold must be between 0 and 1/],
    [['pretrain', corpus, '--steps', '1', '--preset', 'huge'], /Allowed choices are micro, tiny, small, base/],
    [['eval', run], /give a folder to evaluate on, or --brown/],
    [['pretrain', corpus, '--steps', '1', '--generator-size', '2'], /generator-size must be above 0 and at most 1/],
    [['pretrain', 'x', '--steps', '1', '--backend', 'gpu'], /argument 'gpu' is invalid/],
  ];
  for (const [args, pattern] of cases) assertOneLineError(cli(...args), pattern, args.join(' '));
  // Help and version still print normally and exit 0.
  assert.equal(cli('--version').code, 0);
  assert.match(cli('score', '--help').out, /Usage: electra-studio score/);
});

test('a run folder under /proc fails fast instead of hanging (export: below)', () => {
  const pre = cliWithin(20_000, 'pretrain', corpus, '--steps', '1', '--preset', 'micro', '--backend', 'wasm', '--out', '/proc/electra-x/run');
  assert.ok(!pre.killed, `pretrain --out /proc/... still running after ${pre.ms} ms`);
  assertOneLineError(pre, /cannot create run folder \/proc\/electra-x\/run \(at \/proc\/electra-x\): this file system does not accept new folders here/, 'pretrain --out /proc');
});

test('a vocabulary below the floor is refused', () => {
  assertOneLineError(cli('pretrain', corpus, '--steps', '1', '--vocab-size', '5'), /vocab-size must be at least 256/, '--vocab-size 5');
});

test('score applies the corpus rules: no binary files, no devices, a size limit', () => {
  assertOneLineError(cliWithin(20_000, 'score', '/dev/zero', '--checkpoint', run), /\/dev\/zero is binary \(a NUL byte at offset 0\): only text files can be scored/, 'score /dev/zero');
  assertOneLineError(cli('score', process.execPath, '--checkpoint', run), /is binary \(a NUL byte at offset \d+\)/, 'score node');
  const big = join(scratch.path, 'big.txt');
  writeFileSync(big, 'word '.repeat(2_200_000)); // 11 MB of text
  assertOneLineError(cli('score', big, '--checkpoint', run), /big\.txt is too large: over the limit of 10 MiB for one document/, 'score big.txt');
  assertOneLineError(cli('score', scratch.path, '--checkpoint', run), /cannot read .*: it is a folder/, 'score folder');
});

test('corpus-stats reports files, tokens and what was skipped', () => {
  const r = cli('corpus-stats', corpus, '--json');
  assert.equal(r.code, 0, r.err);
  const stats = JSON.parse(r.out);
  assert.equal(stats.files, 10);
  assert.deepEqual(stats.skipped.map((s: { reason: string; count: number }) => [s.reason, s.count]), [['binary', 1]]);
  assert.ok(stats.words > 1000);
});

test('pretrain: Ctrl-C saves a checkpoint and exits cleanly; --resume continues', async () => {
  const child = spawn(process.execPath, [CLI, 'pretrain', corpus, '--preset', 'micro', '--steps', '400', '--batch-size', '4', '--out', run, '--backend', 'wasm', '--eval-every', '1000', '--checkpoint-every', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const interrupted = new Promise<void>((resolveIt) => {
    child.stderr.on('data', (d) => {
      err += d;
      if (/step \d+\/400/.test(err) && !child.killed) {
        child.kill('SIGINT');
        resolveIt();
      }
    });
  });
  await interrupted;
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0, err);
  assert.match(err, /stopping: finishing the current step and saving a checkpoint/);
  assert.match(out, /done: step (\d+) \(stopped\)/);
  const step = Number(/done: step (\d+)/.exec(out)![1]);
  assert.ok(step < 400);
  const latest = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8'));
  assert.equal(latest.step, step);

  const resumed = cli('pretrain', corpus, '--preset', 'micro', '--steps', String(step + 3), '--out', run, '--resume', '--backend', 'wasm');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.err, new RegExp(`resuming from .* at step ${step}`));
  assert.match(resumed.out, new RegExp(`done: step ${step + 3} \\(steps\\)`));
});

test('score prints flagged tokens with their place, or every token as JSON', () => {
  const file = join(corpus, basename(rustBookFiles()[3]));
  const text = readFileSync(file, 'utf8');
  const json = cli('score', file, '--checkpoint', run, '--json');
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out);
  assert.ok(parsed.tokens.length > 100);
  for (const t of parsed.tokens.slice(0, 200)) assert.equal(text.slice(t.start, t.end).toLowerCase(), t.piece.replace(/^##/, '').toLowerCase());
  const plain = cli('score', file, '--checkpoint', run, '--threshold', '0', '--alternatives', '2');
  assert.equal(plain.code, 0, plain.err);
  const lines = plain.out.trim().split('\n');
  // Every token of prose is flagged, and the chapter's code and markup are not (the JSON marks them); the swap fix
  // is checked for the first 200 (each check reads its context again).
  const markup = parsed.tokens.filter((t: { markup?: boolean }) => t.markup).length;
  assert.ok(markup > 0, 'a Rust book chapter has code');
  const prose = parsed.tokens.length - markup;
  const swapsChecked = prose > 200 ? '; swaps checked for the first 200' : '';
  assert.match(lines[lines.length - 1], new RegExp(`^${prose} of ${parsed.tokens.length} tokens at or above 0\\.00, set by --threshold, and ${markup} in code or markup, not flagged \\(checkpoint step \\d+\\)${swapsChecked}$`));
  // Without --threshold: the run's calibration, written when its training ended.
  const calibration = JSON.parse(readFileSync(join(run, 'calibration.json'), 'utf8'));
  assert.equal(calibration.step, parsed.step);
  assert.deepEqual(parsed.threshold, { value: calibration.threshold, source: 'calibrated', falseFlagsPer1000: 5 });
  const auto = cli('score', file, '--checkpoint', run);
  const flagged = parsed.tokens.filter((t: { pReplaced: number; markup?: boolean }) => t.pReplaced >= calibration.threshold && !t.markup).length;
  assert.match(auto.out.trim().split('\n').at(-1)!, new RegExp(`^${flagged} of ${parsed.tokens.length} tokens at or above ${calibration.threshold.toFixed(2)}, calibrated for 5 false flags per 1,000 words`));
  assert.match(lines[0], /:\d+:\d+: ".+" p\(replaced\)=0\.\d{3}  alternatives: \S+ \d+\.\d%, \S+ \d+\.\d%/);
});

test("score prints the editor's fixes: a confusable's partners, a repeated word's deletion, a swap the model prefers", () => {
  const baseModel = resolve(__dirname, '../../../models/base');
  const file = join(scratch.path, 'fixes.txt');
  writeFileSync(file, 'She walked too the river, and they went to the the store.\nVectors can only store values of same the type.\n');
  const r = cli('score', file, '--checkpoint', baseModel, '--threshold', '0.5');
  assert.equal(r.code, 0, r.err);
  const line = (word: string) => r.out.split('\n').find((l) => l.includes(`: "${word}" p(replaced)=`)) ?? '';
  assert.match(line('too'), /^\S+:1:12: "too" p\(replaced\)=0\.\d{3}  fixes: Replace with 'to'/);
  assert.match(line('the'), /fixes: Delete the repeated 'the'/);
  assert.match(line('same'), /^\S+:2:\d+: "same" p\(replaced\)=0\.\d{3}  fixes: Swap to 'the same'$/);
});

test("a Markdown file's code and markup are scored but not flagged; the same text as plain text is flagged there too", () => {
  const baseModel = resolve(__dirname, '../../../models/base');
  // Prose with a doubled word, a fenced block of commands, a link and a code span (shared with test/server/markdownProse.test.ts).
  const text = readFileSync(resolve(__dirname, '../../../test/fixtures/markdown-with-code.md'), 'utf8');
  const lines = text.split('\n');
  const [fenceOpen, fenceClose] = [lines.indexOf('```sh') + 1, lines.lastIndexOf('```') + 1];
  const flags = (name: string) => {
    const file = join(scratch.path, name);
    writeFileSync(file, text);
    const r = cli('score', file, '--checkpoint', baseModel, '--threshold', '0.5');
    assert.equal(r.code, 0, r.err);
    const out = r.out.trim().split('\n');
    return { flagged: out.slice(0, -1).map((l) => l.replace(/^\S+?:/, '').split(' p(')[0]), summary: out.at(-1)! };
  };
  const plain = flags('scoring.txt');
  const markdown = flags('scoring.md');
  const inCode = plain.flagged.filter((f) => Number(f.split(':')[0]) >= fenceOpen && Number(f.split(':')[0]) <= fenceClose);
  assert.ok(inCode.length > 0, `the base model flags the code block when it is read as plain text: ${plain.flagged.join(', ')}`);
  assert.deepEqual(markdown.flagged, plain.flagged.filter((f) => !inCode.includes(f)), 'as Markdown: the same flags, less the code');
  assert.ok(markdown.flagged.some((f) => f.endsWith('"the"')), 'the repeated word in the prose is still flagged');
  assert.match(markdown.summary, new RegExp(`^${markdown.flagged.length} of \\d+ tokens at or above 0\\.50, set by --threshold, and ${inCode.length} in code or markup, not flagged`));
});

test('eval prints held-out metrics; export writes Hugging Face folders', () => {
  const ev = cli('eval', run, corpus, '--all', '--sequences', '32');
  assert.equal(ev.code, 0, ev.err);
  assert.match(ev.out, /held-out step \d+: gen loss \d+\.\d+ .* AUC (0\.\d+|1\.000)/);
  // Against a fixed generator: the run's own, as one, gives its own figures; one of another vocabulary is refused.
  const fixed = cli('eval', run, corpus, '--all', '--sequences', '32', '--fixed-generator', run);
  assert.equal(fixed.code, 0, fixed.err);
  assert.match(fixed.out, /replacements from the fixed generator of .*run.* \(step \d+\): accuracy \d+\.\d% at the masked positions, at least as strong as the checkpoint's own \(\d+\.\d%\)/);
  assert.equal(fixed.out.split('\n').find((l) => l.startsWith('held-out')), ev.out.split('\n').find((l) => l.startsWith('held-out')));
  assertOneLineError(cli('eval', run, corpus, '--fixed-generator', resolve(__dirname, '../../../models/base')), /its vocabulary differs from .*; token-level replacement needs one vocabulary/, 'eval --fixed-generator of another vocabulary');
  const out = join(scratch.path, 'hf');
  const ex = cli('export', run, out);
  assert.equal(ex.code, 0, ex.err);
  // A folder that holds files is not overwritten silently.
  const own = join(out, 'discriminator', 'config.json');
  writeFileSync(own, 'mine');
  assertOneLineError(cli('export', run, out), /hf is not empty: export writes discriminator\/ and generator\/ there; choose a new or empty folder, or overwrite/, 'export into a non-empty folder');
  assert.equal(readFileSync(own, 'utf8'), 'mine');
  const again = cli('export', run, out, '--overwrite');
  assert.equal(again.code, 0, again.err);
  // Node's recursive mkdir never returns under /proc.
  const toProc = cliWithin(20_000, 'export', run, '/proc/electra-x');
  assert.ok(!toProc.killed, `export to /proc/... still running after ${toProc.ms} ms`);
  assertOneLineError(toProc, /cannot create export folder \/proc\/electra-x: this file system does not accept new folders here/, 'export /proc');
  for (const which of ['discriminator', 'generator']) {
    for (const f of ['config.json', 'vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) assert.ok(existsSync(join(out, which, f)), `${which}/${f}`);
  }
  // The exported tokenizer files, loaded by Hugging Face's own tokenizer code, tokenize as the run does.
  const hf = new Tokenizer(JSON.parse(readFileSync(join(out, 'discriminator', 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(out, 'discriminator', 'tokenizer_config.json'), 'utf8')));
  const text = readFileSync(rustBookFiles()[0], 'utf8');
  const tokens = JSON.parse(cli('score', rustBookFiles()[0], '--checkpoint', run, '--json').out).tokens as Array<{ id: number }>;
  assert.deepEqual(hf.encode(text, { add_special_tokens: false }).ids, tokens.map((t) => t.id));
  const config = JSON.parse(readFileSync(join(out, 'discriminator', 'config.json'), 'utf8'));
  assert.equal(config.model_type, 'electra');
  const buf = readFileSync(join(out, 'generator', 'model.safetensors'));
  const header = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString());
  assert.ok('generator_lm_head.weight' in header && 'electra.encoder.layer.0.attention.self.query.weight' in header);
  assert.ok(!Object.keys(header).some((k) => k.startsWith('discriminator')));
});

test('eval --errors: the error benchmark per kind beside both baselines, trained on the run\'s own text', () => {
  const ev = cli('eval', run, corpus, '--errors', '--all', '--sentences', '200', '--seed', '3');
  assert.equal(ev.code, 0, ev.err);
  assert.match(ev.out, /baselines trained on .*corpus/);
  assert.match(ev.out, /planted errors: \d+ sentences, \d+ words; confusable \d+, doubled \d+, replaced \d+, swapped \d+ \(seed 3\)/);
  for (const system of ['model', 'trigram \\(Kneser-Ney\\)', 'rarity \\(-log frequency\\)']) {
    assert.match(ev.out, new RegExp(`^${system}\\s+(\\d\\.\\d{3}\\s+){5}\\d\\.\\d{3}$`, 'm'), `${system} row`);
  }
  // The model's threshold is the rule's (thresholdInUse): its run's calibration, else 0.5, said in words.
  assert.match(ev.out, /model at its threshold 0\.\d\d, (calibrated for 5 false flags per 1,000 words|the default \(this model has no calibration\)): recall confusable \d+%.*false flags\/1k/);
  const own = cli('eval', run, corpus, '--errors', '--all', '--sentences', '100', '--fixed-generator', run, '--plantings', '3,4');
  assert.equal(own.code, 0, own.err);
  assert.match(own.out, /replaced: \d+ of \d+ words replaced by the fixed generator \(the generator of .*run.*, whole words, .*; its top-1 accuracy \d+%\)/);
  // Two plantings, each reported, then the mean of each system's AUC over them.
  assert.match(own.out, /\(seed 3\)[\s\S]*\(seed 4\)[\s\S]*mean word-level ROC-AUC over 2 plantings \(seeds 3, 4\)/);
  const modelRows = own.out.split('\n').filter((l) => /^model\s/.test(l)).map((l) => l.trim().split(/\s+/));
  assert.equal(modelRows.length, 3);
  const allOf = (row: string[]) => Number(row[5]);
  assert.ok(Math.abs(allOf(modelRows[2]) - (allOf(modelRows[0]) + allOf(modelRows[1])) / 2) <= 0.0011, modelRows.map((r) => r.join(' ')).join('\n'));
  assertOneLineError(cli('eval', run, corpus, '--errors', '--plantings', '3,3'), /plantings must be distinct seeds/, 'eval --plantings 3,3');
  const none = cli('eval', run, '--errors', '--brown', corpus);
  assert.notEqual(none.code, 0);
  assert.match(none.err, /either a folder or --brown/);
});

test('calibrate refits the threshold on other text and score uses it; a folder being written is refused, its file kept', () => {
  const step = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8')).step as number;
  const r = cli('calibrate', run, '--brown', '--words', '3000', '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`calibration\\.json: threshold 0\\.\\d{3}: at most 5 false flags per 1,000 words with 95% confidence, fitted on held-out prose of the Brown corpus, no planted errors \\(\\d+ words, step ${step}, `));
  const calibration = JSON.parse(readFileSync(join(run, 'calibration.json'), 'utf8'));
  assert.equal(calibration.step, step);
  assert.equal(calibration.confidence, 0.95);
  assert.ok(calibration.words > 2000 && calibration.words <= 3000, `${calibration.words} words`);
  const scored = JSON.parse(cli('score', rustBookFiles()[3], '--checkpoint', run, '--json').out);
  assert.deepEqual(scored.threshold, { value: calibration.threshold, source: 'calibrated', falseFlagsPer1000: 5 });

  // Another live process holds the run folder: refused in one line, and its calibration stays.
  const lock = join(run, 'run.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, thread: 0, hostname: hostname(), started: new Date().toISOString(), command: 'pretrain' }) + '\n');
  try {
    assertOneLineError(cli('calibrate', run, corpus), /is being written by pid \d+ \(pretrain, started /, 'calibrate a locked run');
  } finally {
    rmSync(lock, { force: true });
  }
  assert.deepEqual(JSON.parse(readFileSync(join(run, 'calibration.json'), 'utf8')), calibration);
  assertOneLineError(cli('calibrate', corpus), /no checkpoint found/, 'calibrate a folder with no model');
  assertOneLineError(cli('calibrate', run, corpus, '--brown'), /give either a folder or --brown, not both/, 'calibrate on two texts');
});
