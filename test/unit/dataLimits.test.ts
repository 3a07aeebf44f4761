/**
 * Limits on what the engine takes in (issue 12): the vocabulary floor and the unknown-token
 * warning of data preparation (defect 8), and the corpus rules applied to one text, as score
 * and the language server use them (defect 9).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { prepareData } from '../../src/core/data/dataset';
import { MIN_TRAINING_VOCAB_SIZE } from '../../src/core/data/vocabularySize';
import { readTextFile, textRefusal } from '../../src/core/data/corpus';
import { rustBookFiles, readText, tempDir } from './engineFixtures';

const scratch = tempDir('limits');
after(() => scratch.cleanup());
const normalization = { lowercase: true, stripAccents: true };

function corpusOf(name: string, texts: string[]): string {
  const root = join(scratch.path, name);
  mkdirSync(root);
  texts.forEach((t, i) => writeFileSync(join(root, `f${i}.txt`), t));
  return root;
}

test(`a vocabulary under ${MIN_TRAINING_VOCAB_SIZE} WordPieces is refused before the corpus is read`, async () => {
  const root = corpusOf('small-vocab', [readText(rustBookFiles()[0])]);
  await assert.rejects(
    prepareData({ source: { kind: 'folder', root }, runDir: join(scratch.path, 'run-5'), seqLength: 32, vocabSize: 5, normalization }),
    /a vocabulary of 5 WordPieces is too small to train: use at least 256/,
  );
});

test('more than 1% unknown tokens draws a warning; ordinary English text does not', async () => {
  // 3,000 distinct CJK characters, each a word of its own, twice: far more than 300 WordPieces can hold.
  const cjk = Array.from({ length: 3000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join(' ');
  const english = readText(rustBookFiles()[0]);
  const warnings: string[] = [];
  const run = async (name: string, texts: string[], vocabSize: number) => {
    warnings.length = 0;
    const data = await prepareData({ source: { kind: 'folder', root: corpusOf(name, texts) }, runDir: join(scratch.path, `run-${name}`), seqLength: 64, vocabSize, normalization, warn: (m) => warnings.push(m) });
    data.train.close();
    data.heldOut.close();
    return data.meta;
  };
  const meta = await run('cjk', [english, `${cjk}\n${cjk}\n`], 300);
  const unknown = meta.train.unknownTokens + meta.heldOut.unknownTokens;
  assert.ok(unknown / (meta.train.tokens + meta.heldOut.tokens) > 0.01);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^\d+\.\d% of the tokens are unknown \(\[UNK\]\): the vocabulary of \d+ WordPieces does not cover this text/);
  await run('english', rustBookFiles().slice(0, 6).map(readText), 2000);
  assert.deepEqual(warnings, []);
});

test('textRefusal: the corpus rules for one document (size in UTF-8 bytes, NUL near the start)', () => {
  assert.equal(textRefusal('plain text\n'), undefined);
  assert.match(textRefusal('ab\0cd')!, /^binary: a NUL character at offset 2$/);
  assert.equal(textRefusal('x'.repeat(9000) + '\0'), undefined, 'a NUL past the sniffed bytes is text, as for corpus files');
  assert.match(textRefusal('a'.repeat(101), 100)!, /^too large: 101 bytes or more, over the limit of 100 bytes$/);
  // 40 three-byte characters: 40 UTF-16 units but 120 bytes.
  assert.match(textRefusal('\u4e00'.repeat(40), 100)!, /^too large: 120 bytes, over the limit of 100 bytes$/);
  assert.equal(textRefusal('\u4e00'.repeat(33), 100), undefined);
});

test('readTextFile reads a bounded number of bytes from any file, device included', () => {
  const ok = join(scratch.path, 'ok.txt');
  writeFileSync(ok, 'héllo\n');
  assert.equal(readTextFile(ok), 'héllo\n');
  assert.throws(() => readTextFile('/dev/zero'), /\/dev\/zero is binary \(a NUL byte at offset 0\)/);
  assert.throws(() => readTextFile(ok, 3), /ok\.txt is too large: over the limit of 3 bytes for one document/);
  assert.throws(() => readTextFile(join(scratch.path, 'none.txt')), /cannot read .*none\.txt: no such file/);
});
