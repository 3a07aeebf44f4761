/**
 * Scorer.tokenize caches tokens line by line (so an edit tokenizes again only its lines):
 * it must give exactly what the tokenizer gives for the whole text, and scoring an edited
 * text must give the same scores as a fresh Scorer scoring that text from scratch.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/core/wasm/backend';
import { Scorer } from '../../src/core/score/scoring';
import { untrainedCheckpoint } from '../../src/bench/fixtures';
import { brownTokenizer, readText, rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('scoring-tokenize');
let dir: string;
let scorer: Scorer;

before(async () => {
  await initBackend('wasm');
  dir = untrainedCheckpoint(scratch.path, 'micro', brownTokenizer(1024, 20).toVocabText());
  scorer = await Scorer.load(dir, { backend: 'wasm' });
});
after(() => {
  scorer?.dispose();
  scratch.cleanup();
});

test('line-cached tokenize equals encode of the whole text, on real and awkward text', () => {
  const texts = [
    ...rustBookFiles().slice(0, 6).map(readText),
    'CRLF lines\r\nsecond line, long enough to be cached\r\n\r\nthird paragraph with café and naïve words\r\n',
    'emoji 🦀 across\nlines 🥛 with\u0000control\u0007characters and a very long line '.repeat(20),
    'no newline at all, just one long line of words that goes on and on and on',
    '\n\n\nleading and trailing blank lines, enough characters here\n\n\n',
    '',
  ];
  for (const text of texts) {
    // Twice: the second call takes every line from the cache.
    for (let round = 0; round < 2; round++) assert.deepEqual(scorer.tokenize(text), scorer.tokenizer.encode(text));
  }
  // An edit in the middle of a line, and a line split in two.
  const base = texts[0];
  const at = base.indexOf('the', 500);
  for (const edited of [base.slice(0, at) + 'banana' + base.slice(at + 3), base.slice(0, at) + '\n' + base.slice(at)]) {
    assert.deepEqual(scorer.tokenize(edited), scorer.tokenizer.encode(edited));
  }
});

test('after edits, the scores equal those of a fresh Scorer', async () => {
  let text = readText(rustBookFiles()[3]);
  await scorer.score(text);
  for (const word of ['vector', 'string', 'ownership']) {
    const at = text.indexOf(' ', Math.floor(text.length / 3) + word.length * 97);
    text = text.slice(0, at) + ` ${word}` + text.slice(at);
    await scorer.score(text);
  }
  const fresh = await Scorer.load(dir, { backend: 'wasm' });
  try {
    const a = await scorer.score(text);
    const b = await fresh.score(text);
    assert.deepEqual(a.tokens.map((t) => [t.start, t.end, t.id]), b.tokens.map((t) => [t.start, t.end, t.id]));
    for (let i = 0; i < a.tokens.length; i++) assert.ok(Math.abs(a.tokens[i].pReplaced - b.tokens[i].pReplaced) < 1e-6, `token ${i}`);
  } finally {
    fresh.dispose();
  }
});
