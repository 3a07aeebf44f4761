/** The benchmark's small helpers: percentiles, sections, the corpus it writes, and its Markdown document. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { walkCorpus } from '../../src/core/data/corpus';
import { writeBrownCorpus } from '../../src/bench/ingestion';
import { slope } from '../../src/bench/leak';
import { brownMarkdown } from '../../src/bench/lspLatency';
import { parseSections, percentile, summarize } from '../../src/bench/machine';
import { tempDir } from './engineFixtures';

test('percentile: nearest rank', () => {
  const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 95), 10);
  assert.equal(percentile(xs, 90), 9);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile([42], 99), 42);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(xs, 101), RangeError);
  // 30 samples: p95 is the 29th smallest, not the largest.
  const thirty = Array.from({ length: 30 }, (_, i) => i + 1);
  assert.equal(percentile(thirty, 95), 29);
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, p50: 2, p95: 3, max: 3, mean: 2 });
});

test('parseSections: known names only', () => {
  assert.deepEqual([...parseSections('latency,leak')], ['latency', 'leak']);
  assert.throws(() => parseSections('latency,nope'), /unknown section nope/);
  assert.throws(() => parseSections(''), /needs a list/);
});

test('slope: least squares', () => {
  assert.equal(slope([0, 1, 2, 3], [1, 3, 5, 7]), 2);
  assert.equal(slope([0, 1, 2], [4, 4, 4]), 0);
});

test('brownMarkdown: exactly the words asked for, in Markdown blocks', () => {
  const md = brownMarkdown(2000);
  const words = md.split(/\s+/).filter((w) => w.length > 0 && w !== '#' && w !== '##');
  assert.equal(words.length, 2000);
  assert.match(md, /^# /);
  assert.ok(md.split(/\n\s*\n/).length > 10);
});

test('writeBrownCorpus: the size asked for, in files the corpus walk takes', async () => {
  const dir = tempDir('bench-corpus');
  try {
    const { bytes, files } = writeBrownCorpus(dir.path, 3);
    assert.ok(bytes >= 3e6 && bytes < 3e6 + 10_000, `${bytes} bytes`);
    const walked = await walkCorpus(dir.path);
    assert.equal(walked.files.length, files);
    assert.equal(walked.files.reduce((a, f) => a + f.bytes, 0), bytes);
    assert.ok(readdirSync(join(dir.path)).length >= 1);
  } finally {
    dir.cleanup();
  }
});
