/**
 * The vocabulary a run from scratch sizes by its corpus (src/core/data/vocabularySize.ts,
 * VOCABULARY_FROM_CORPUS): the rule itself, and data preparation applying it to real text.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { prepareData, type PrepareOptions } from '../../src/core/data/dataset';
import { vocabularySizeFor } from '../../src/core/data/vocabularySize';
import { VOCABULARY_FROM_CORPUS } from '../../src/shared/defaults';
import { rustBookCorpus, tempDir } from './engineFixtures';

const scratch = tempDir('vocab-size');
after(() => scratch.cleanup());
const { wordsPerPiece, minSize } = VOCABULARY_FROM_CORPUS;

test('one WordPiece per wordsPerPiece training words, between the floor and the ceiling', () => {
  assert.equal(vocabularySizeFor(1000, 8192), minSize, 'a small workspace gets the floor');
  assert.equal(vocabularySizeFor(minSize * wordsPerPiece + wordsPerPiece - 1, 8192), minSize, 'whole pieces only');
  assert.equal(vocabularySizeFor(3000 * wordsPerPiece, 8192), 3000);
  assert.equal(vocabularySizeFor(1e9, 8192), 8192, "a large corpus gets the preset's");
  assert.equal(vocabularySizeFor(1e9, 1024), 1024, 'a preset smaller than the floor keeps its own');
  assert.equal(vocabularySizeFor(10, 1024), 1024);
});

/** Prepares `source`'s data and returns the vocabulary's size and the log's "vocabulary:" line. */
async function prepare(name: string, o: Omit<PrepareOptions, 'runDir' | 'seqLength' | 'normalization'>): Promise<{ size: number; line: string }> {
  const lines: string[] = [];
  const data = await prepareData({ ...o, runDir: join(scratch.path, name), seqLength: 128, normalization: { lowercase: true, stripAccents: true }, log: (m) => lines.push(m) });
  data.train.close();
  data.heldOut.close();
  return { size: data.tokenizer.vocabSize, line: lines.find((l) => l.startsWith('vocabulary:')) ?? '' };
}

test("Brown's training words ask for more than tiny's 8,192 pieces and get what they ask for under a larger ceiling", async () => {
  const { size, line } = await prepare('brown', { source: { kind: 'brown' }, vocabSize: 30522, vocabSizeFromCorpus: true });
  const m = /^vocabulary: (\d+) WordPieces of (\d+) asked for (\d+) training words \(one per (\d+), at least (\d+), at most 30522\)/.exec(line);
  assert.ok(m, line);
  const [got, asked, words] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.equal(asked, vocabularySizeFor(words, 30522));
  assert.equal(asked, Math.floor(words / wordsPerPiece), 'between the floor and the ceiling');
  assert.ok(asked > 8192 && asked < 30522, `${asked}`);
  assert.equal(got, asked, 'Brown has the distinct words to fill it');
  assert.equal(size, got);
});

test('a small workspace gets the floor; a vocabulary size given is used as it is', async () => {
  const root = rustBookCorpus(join(scratch.path, 'book'));
  const sized = await prepare('book-sized', { source: { kind: 'folder', root }, vocabSize: 8192, vocabSizeFromCorpus: true });
  assert.match(sized.line, new RegExp(`of ${minSize} asked for \\d+ training words`));
  assert.ok(sized.size <= minSize, `${sized.size}`);
  const given = await prepare('book-given', { source: { kind: 'folder', root }, vocabSize: 8192 });
  assert.ok(given.size > minSize, `the same text fills more than ${minSize} pieces when asked: ${given.size}`);
  assert.doesNotMatch(given.line, /asked for/);
});
