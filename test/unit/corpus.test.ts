import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CorpusFile, DEFAULT_CORPUS_OPTIONS, corpusStats, isHeldOut, readTextChunks, walkCorpus } from '../../src/core/data/corpus';
import { forEachWord, preTokenize } from '../../src/core/data/normalizer';
import { WordCounter, WordPieceTokenizer } from '../../src/core/data/tokenizer';

const UNCASED = { lowercase: true, stripAccents: true };

function rustBookDir(): string {
  const candidates = [process.env.RUST_BOOK_DIR, join(process.cwd(), 'shared/corpora/rust-book'), join(process.cwd(), '../shared/corpora/rust-book')];
  const dir = candidates.find((d) => d && existsSync(d));
  if (!dir) throw new Error('rust-book corpus not found (set RUST_BOOK_DIR)');
  return dir;
}
const RUST_BOOK = rustBookDir();

const temp = mkdtempSync(join(tmpdir(), 'electra-corpus-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** Writes files under a fresh folder of `temp`; returns the folder. */
function makeTree(name: string, files: Record<string, string | Buffer>): string {
  const root = join(temp, name);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

async function readAll(file: CorpusFile, chunkBytes?: number): Promise<{ chunks: string[]; invalid: number }> {
  const chunks: string[] = [];
  let invalid = 0;
  for await (const c of readTextChunks(file, chunkBytes)) {
    chunks.push(c.text);
    invalid += c.invalidUtf8;
  }
  return { chunks, invalid };
}

test('walkCorpus lists the rust book in sorted order with sizes', async () => {
  const { files, skipped } = await walkCorpus(RUST_BOOK);
  const expected = readdirSync(RUST_BOOK)
    .filter((f) => /\.(md|txt)$/.test(f))
    .sort();
  assert.ok(expected.length > 100);
  assert.deepEqual(
    files.map((f) => f.relPath),
    expected,
  );
  assert.deepEqual(skipped, []);
  for (const f of files) {
    assert.equal(f.path, join(RUST_BOOK, f.relPath));
    assert.equal(f.bytes, statSync(f.path).size);
  }
  assert.ok(!files.some((f) => f.relPath === 'LICENSE-MIT'), 'files without a text extension are left out');
});

test('walkCorpus include/exclude globs', async () => {
  const { files } = await walkCorpus(RUST_BOOK, { include: ['**/ch0*.md'], exclude: ['**/ch01-*'] });
  const expected = readdirSync(RUST_BOOK)
    .filter((f) => /^ch0.*\.md$/.test(f) && !f.startsWith('ch01-'))
    .sort();
  assert.ok(expected.length > 5);
  assert.deepEqual(
    files.map((f) => f.relPath),
    expected,
  );

  const root = makeTree('globs', {
    'a.md': 'alpha text',
    'docs/b.txt': 'beta text',
    'docs/deep/c.rst': 'gamma text',
    'docs/code.rs': 'fn main() {}',
    'node_modules/pkg/readme.md': 'vendored',
    'out/build.txt': 'build output',
    '.git/notes.txt': 'git internals',
    '.notes/hidden.md': 'hidden notes',
    'sub/.hidden.md': 'hidden file',
  });
  const walk = async (o?: Parameters<typeof walkCorpus>[1]) => (await walkCorpus(root, o)).files.map((f) => f.relPath);
  assert.deepEqual(await walk(), ['a.md', 'docs/b.txt', 'docs/deep/c.rst']);
  assert.deepEqual(await walk({ include: ['**/*.md', '.notes/**'] }), ['.notes/hidden.md', 'a.md']);
  assert.deepEqual(await walk({ exclude: [...DEFAULT_CORPUS_OPTIONS.exclude, 'docs/**'] }), ['a.md']);
  assert.deepEqual(await walk({ include: ['**/*.rs'] }), ['docs/code.rs']);
  assert.deepEqual(await walk({ include: ['**/*.md'], exclude: [] }), ['a.md', 'node_modules/pkg/readme.md']);
});

test('walkCorpus skips binary, too-large and empty files, with reasons', async () => {
  const text = readFileSync(join(RUST_BOOK, 'ch01-00-getting-started.md'));
  const binary = Buffer.concat([Buffer.from('PNG-like header'), Buffer.from([0, 1, 2, 0]), text]);
  const lateNul = Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]); // NUL after the first 8 KiB
  const root = makeTree('skips', {
    'good.md': text,
    'image.txt': binary,
    'late-nul.txt': lateNul,
    'huge.txt': Buffer.alloc(70_000, 0x62),
    'empty.md': '',
  });
  const { files, skipped } = await walkCorpus(root, { maxFileBytes: 65_536 });
  assert.deepEqual(
    files.map((f) => f.relPath),
    ['good.md', 'late-nul.txt'],
  );
  assert.deepEqual(
    skipped.map((s) => [s.relPath, s.reason]),
    [
      ['empty.md', 'empty'],
      ['huge.txt', 'too-large'],
      ['image.txt', 'binary'],
    ],
  );
  const small = await walkCorpus(root, { maxFileBytes: 4000 });
  assert.deepEqual(
    small.skipped.filter((s) => s.reason === 'too-large').map((s) => s.relPath),
    ['good.md', 'huge.txt', 'image.txt', 'late-nul.txt'].filter((n) => statSync(join(root, n)).size > 4000),
  );
  const stats = await corpusStats(root, undefined, { maxFileBytes: 65_536 });
  assert.deepEqual(stats.skipped, [
    { reason: 'binary', count: 1, examples: ['image.txt'] },
    { reason: 'too-large', count: 1, examples: ['huge.txt'] },
    { reason: 'empty', count: 1, examples: ['empty.md'] },
  ]);
  assert.equal(stats.files, 2);
  assert.equal(stats.tokens, 0);
});

test('walkCorpus rejects a missing root or a file', async () => {
  await assert.rejects(walkCorpus(join(temp, 'no-such-folder')), /not found/);
  await assert.rejects(walkCorpus(join(RUST_BOOK, 'SUMMARY.md')), /not a folder/);
});

test('readTextChunks counts invalid UTF-8 and keeps the text around it', async () => {
  const parts = [
    Buffer.from('Ownership rules: héllo wörld '),
    Buffer.from([0xff]), // never valid: 1 invalid
    Buffer.from(' borrowed '),
    Buffer.from([0xef, 0xbf, 0xbd]), // a literal U+FFFD: not invalid
    Buffer.from(' lifetime '),
    Buffer.from([0xc3, 0x41]), // truncated 2-byte sequence before "A": 1 invalid
    Buffer.from(' crab 🦀 end '),
    Buffer.from([0xe2, 0x82]), // truncated at end of file: 1 invalid
  ];
  const bytes = Buffer.concat(parts);
  const root = makeTree('utf8', { 'bad.txt': bytes });
  const { files } = await walkCorpus(root);
  assert.equal(files.length, 1);
  const whole = new TextDecoder('utf-8').decode(bytes);
  for (const chunkBytes of [undefined, 16, 5, 1]) {
    const { chunks, invalid } = await readAll(files[0], chunkBytes);
    assert.equal(chunks.join(''), whole, `chunkBytes ${chunkBytes}`);
    assert.equal(invalid, 3, `chunkBytes ${chunkBytes}`);
  }
  for (const word of ['héllo', 'wörld', 'borrowed', 'lifetime', 'A', 'crab', '🦀', 'end']) assert.ok(whole.includes(word));
  const stats = await corpusStats(root, undefined);
  assert.equal(stats.invalidUtf8, 3);
});

test('readTextChunks: chunks end at whitespace and tokenize like the whole file', async () => {
  const { files } = await walkCorpus(RUST_BOOK);
  const words = (t: string) => {
    const out: string[] = [];
    forEachWord(t, UNCASED, (w) => out.push(w));
    return out;
  };
  for (const file of files.filter((_, i) => i % 4 === 0)) {
    const whole = readFileSync(file.path, 'utf8');
    const { chunks, invalid } = await readAll(file, 512);
    assert.equal(invalid, 0);
    assert.equal(chunks.join(''), whole, file.relPath);
    if (file.bytes > 2048) assert.ok(chunks.length > 1, `${file.relPath} was chunked`);
    for (const c of chunks.slice(0, -1)) assert.match(c, /[\s]$/, `${file.relPath}: chunk ends inside a word`);
    assert.deepEqual(chunks.flatMap(words), words(whole), file.relPath);
  }
  // Multi-byte characters on every chunk edge.
  const root = makeTree('multibyte', { 'x.md': 'é🦀中 '.repeat(500) + 'ß'.repeat(300) });
  const [file] = (await walkCorpus(root)).files;
  const { chunks } = await readAll(file, 7);
  assert.equal(chunks.join(''), readFileSync(file.path, 'utf8'));
  assert.deepEqual(
    chunks.flatMap((c) => preTokenize(c, UNCASED).map((w) => w.text)),
    preTokenize(readFileSync(file.path, 'utf8'), UNCASED).map((w) => w.text),
  );
});

test('isHeldOut is deterministic per file and close to the fraction', async () => {
  const paths = Array.from({ length: 20_000 }, (_, i) => `docs/section-${i % 37}/file-${i}.md`);
  for (const fraction of [0.05, 0.1, 0.5]) {
    const held = paths.filter((p) => isHeldOut(p, fraction));
    assert.ok(Math.abs(held.length / paths.length - fraction) < 0.01, `${fraction}: ${held.length}`);
    assert.deepEqual(
      paths.filter((p) => isHeldOut(p, fraction)),
      held,
    );
    // A larger fraction keeps every file already held out.
    assert.ok(held.every((p) => isHeldOut(p, Math.min(1, fraction * 2))));
  }
  const seed1 = paths.filter((p) => isHeldOut(p, 0.1, 1));
  const seed0 = new Set(paths.filter((p) => isHeldOut(p, 0.1, 0)));
  assert.ok(seed1.filter((p) => seed0.has(p)).length < seed1.length * 0.2, 'another seed gives another split');
  assert.equal(isHeldOut('docs\\a\\b.md', 0.3, 5), isHeldOut('docs/a/b.md', 0.3, 5));
  assert.ok(paths.every((p) => !isHeldOut(p, 0) && isHeldOut(p, 1)));
  const { files } = await walkCorpus(RUST_BOOK);
  const heldBook = files.filter((f) => isHeldOut(f.relPath, 0.2)).length;
  assert.ok(heldBook > 5 && heldBook < 45, `${heldBook} of ${files.length} chapters held out`);
});

test('corpusStats over the rust book', async () => {
  const { files } = await walkCorpus(RUST_BOOK);
  const counter = new WordCounter(UNCASED);
  let words = 0;
  for (const f of files) {
    const text = readFileSync(f.path, 'utf8');
    if (!isHeldOut(f.relPath, 0.2)) counter.add(text);
    forEachWord(text, UNCASED, () => words++);
  }
  const tok = WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 3000, minFrequency: 2 });
  const stats = await corpusStats(RUST_BOOK, tok);
  assert.equal(stats.files, files.length);
  assert.equal(
    stats.bytes,
    files.reduce((n, f) => n + f.bytes, 0),
  );
  assert.equal(stats.words, words);
  let tokens = 0;
  let unknown = 0;
  for (const f of files) {
    const ids = tok.encodeIds(readFileSync(f.path, 'utf8'));
    tokens += ids.length;
    unknown += ids.filter((id) => id === tok.specialIds.unk).length;
  }
  assert.equal(stats.tokens, tokens);
  assert.equal(stats.unknownTokens, unknown);
  assert.ok(stats.tokens > stats.words, 'some words take several pieces');
  assert.equal(stats.unknownRate, unknown / tokens);
  assert.ok(stats.unknownRate < 0.01, `unknown rate ${stats.unknownRate}`);
  assert.equal(stats.invalidUtf8, 0);
  const plain = await corpusStats(RUST_BOOK, undefined);
  assert.equal(plain.words, words);
  assert.equal(plain.tokens, 0);
  assert.equal(plain.unknownRate, 0);
});
