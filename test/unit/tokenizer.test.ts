import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listBrownFiles, readBrownDocument } from '../../src/core/data/brown';
import { isHeldOut } from '../../src/core/data/corpus';
import { normalizeText, preTokenize } from '../../src/core/data/normalizer';
import { NormalizationOptions, SPECIAL_TOKENS, Token, WordCounter, WordPieceTokenizer } from '../../src/core/data/tokenizer';

const UNCASED: NormalizationOptions = { lowercase: true, stripAccents: true };
const CASED: NormalizationOptions = { lowercase: false, stripAccents: false };

function rustBookDir(): string {
  const candidates = [process.env.RUST_BOOK_DIR, join(process.cwd(), 'shared/corpora/rust-book'), join(process.cwd(), '../shared/corpora/rust-book')];
  const dir = candidates.find((d) => d && existsSync(d));
  if (!dir) throw new Error('rust-book corpus not found (set RUST_BOOK_DIR)');
  return dir;
}

function rustBook(): string[] {
  const dir = rustBookDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

function vocab(pieces: string[]): string {
  return [...SPECIAL_TOKENS, ...pieces].join('\n') + '\n';
}

const bare = (piece: string) => (piece.startsWith('##') ? piece.slice(2) : piece);

test('pre-tokenization follows BERT BasicTokenizer, with source offsets', () => {
  const cases: { text: string; options: NormalizationOptions; words: string[]; sources: string[] }[] = [
    { text: 'Hello, world!', options: UNCASED, words: ['hello', ',', 'world', '!'], sources: ['Hello', ',', 'world', '!'] },
    { text: '我爱NLP和ML', options: UNCASED, words: ['我', '爱', 'nlp', '和', 'ml'], sources: ['我', '爱', 'NLP', '和', 'ML'] },
    { text: 'Café naïve', options: UNCASED, words: ['cafe', 'naive'], sources: ['Café', 'naïve'] },
    { text: 'Café naïve', options: CASED, words: ['Café', 'naïve'], sources: ['Café', 'naïve'] },
    // Decomposed accent: the combining mark is dropped, the base letter keeps its place.
    { text: 'Cafe\u0301!', options: UNCASED, words: ['cafe', '!'], sources: ['Cafe\u0301', '!'] },
    // Controls and U+FFFD vanish without splitting; whitespace splits.
    { text: 'ab\u0000c\u200bd\ufffde\tf\u00a0g', options: UNCASED, words: ['abcde', 'f', 'g'], sources: ['ab\u0000c\u200bd\ufffde', 'f', 'g'] },
    { text: 'İstanbul', options: UNCASED, words: ['istanbul'], sources: ['İstanbul'] },
    { text: '«Bonjour»—dit-il', options: UNCASED, words: ['«', 'bonjour', '»', '—', 'dit', '-', 'il'], sources: ['«', 'Bonjour', '»', '—', 'dit', '-', 'il'] },
    { text: 'I 🦀Rust!', options: CASED, words: ['I', '🦀Rust', '!'], sources: ['I', '🦀Rust', '!'] },
    { text: '$x+=1;', options: CASED, words: ['$', 'x', '+', '=', '1', ';'], sources: ['$', 'x', '+', '=', '1', ';'] },
  ];
  for (const c of cases) {
    const words = preTokenize(c.text, c.options);
    assert.deepEqual(
      words.map((w) => w.text),
      c.words,
      c.text,
    );
    assert.deepEqual(
      words.map((w) => c.text.slice(w.start, w.end)),
      c.sources,
      c.text,
    );
    for (const w of words) assert.equal(w.starts.length, w.text.length);
  }
  // "İ" lowercases to two units (i + U+0307); without accent stripping both map to "İ".
  const [dotted] = preTokenize('İx', { lowercase: true, stripAccents: false });
  assert.equal(dotted.text, 'i\u0307x');
  assert.deepEqual([...dotted.starts], [0, 0, 1]);
  assert.deepEqual([...dotted.ends], [1, 1, 2]);
});

test('WordPiece: un ##aff ##able and the BERT test vocabulary', () => {
  const tok = WordPieceTokenizer.fromVocabText(vocab(['un', '##aff', '##able', 'want', '##want', '##ed', 'wa', 'runn', '##ing', ',']), UNCASED);
  assert.deepEqual(
    tok.encode('unaffable').map((t) => t.piece),
    ['un', '##aff', '##able'],
  );
  const text = 'UNwant\u00E9d,running';
  const tokens = tok.encode(text);
  assert.deepEqual(
    tokens.map((t) => t.piece),
    ['un', '##want', '##ed', ',', 'runn', '##ing'],
  );
  assert.deepEqual(
    tokens.map((t) => text.slice(t.start, t.end)),
    ['UN', 'want', '\u00E9d', ',', 'runn', 'ing'],
  );
  assert.deepEqual(
    tok.encode('unwantedX running').map((t) => t.piece),
    ['[UNK]', 'runn', '##ing'],
  );
  assert.equal(tok.tokenToId('##aff'), 6);
  assert.equal(tok.idToToken(tok.tokenToId('##able')!), '##able');
});

test('WordPiece: accents, CJK, emoji and İ keep exact source ranges', () => {
  const tok = WordPieceTokenizer.fromVocabText(vocab(['caf', '##e', 'i', '##stan', '##bul', '我', '爱', ',', '!', '🦀', '##s', 'a', '##a']), UNCASED, 100);
  const text = 'Café İstanbul, 我爱🦀s! Zebra 😀';
  const tokens = tok.encode(text);
  assert.deepEqual(
    tokens.map((t) => t.piece),
    ['caf', '##e', 'i', '##stan', '##bul', ',', '我', '爱', '🦀', '##s', '!', '[UNK]', '[UNK]'],
  );
  assert.deepEqual(
    tokens.map((t) => text.slice(t.start, t.end)),
    ['Caf', 'é', 'İ', 'stan', 'bul', ',', '我', '爱', '🦀', 's', '!', 'Zebra', '😀'],
  );
  // Word length limit, in characters: 100 pieces are fine, 101 is [UNK].
  assert.equal(tok.encode('a'.repeat(100)).length, 100);
  const long = tok.encode('A'.repeat(101));
  assert.deepEqual(
    long.map((t) => [t.piece, t.start, t.end]),
    [['[UNK]', 0, 101]],
  );
  // Without the single-unit "🦀" piece the pair must not be split into halves.
  const noCrab = WordPieceTokenizer.fromVocabText(vocab(['s', '##s']), CASED);
  assert.deepEqual(
    noCrab.encode('🦀s').map((t) => t.piece),
    ['[UNK]'],
  );
});

/** Checks every token of `text` against its source range. */
function checkOffsets(tok: WordPieceTokenizer, text: string, name: string): { tokens: number; unknown: number } {
  const tokens: Token[] = tok.encode(text);
  let unknown = 0;
  let covered = 0; // end of the previous token
  const fail = (t: Token, why: string) => assert.fail(`${name} @${t.start}: ${why}: ${JSON.stringify(t)} source ${JSON.stringify(text.slice(t.start, t.end))}`);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t.start < t.end && t.end <= text.length && t.start >= covered)) fail(t, 'bad range');
    // Nothing but whitespace, controls or stripped accents between tokens.
    const gap = text.slice(covered, t.start);
    if (preTokenize(gap, tok.options).length !== 0) fail(t, `text lost before token: ${JSON.stringify(gap)}`);
    const source = text.slice(t.start, t.end);
    if (t.id === tok.specialIds.unk) {
      unknown++;
      const words = preTokenize(source, tok.options);
      if (words.length !== 1 || words[0].start !== 0 || words[0].end !== source.length) fail(t, '[UNK] is not one whole word');
    } else {
      const expected = tok.options.lowercase || tok.options.stripAccents ? normalizeText(source, tok.options) : source;
      if (expected !== bare(t.piece)) fail(t, 'piece differs from its source');
    }
    covered = t.end;
  }
  if (preTokenize(text.slice(covered), tok.options).length !== 0) assert.fail(`${name}: text lost at the end`);
  return { tokens: tokens.length, unknown };
}

test('offsets of every token map back to the source over the whole rust book', () => {
  const chapters = rustBook();
  assert.ok(chapters.length >= 100, `${chapters.length} chapters`);
  for (const options of [UNCASED, CASED]) {
    const counter = new WordCounter(options);
    for (const c of chapters) counter.add(c);
    // A small vocabulary: many "##" pieces, and [UNK] for characters seen once.
    const tok = WordPieceTokenizer.train(counter, { ...options, vocabSize: 1500, minFrequency: 2 });
    let tokens = 0;
    let unknown = 0;
    let continuation = 0;
    chapters.forEach((c, i) => {
      const r = checkOffsets(tok, c, `chapter ${i}`);
      tokens += r.tokens;
      unknown += r.unknown;
    });
    for (const c of chapters.slice(0, 10)) continuation += tok.encode(c).filter((t) => t.piece.startsWith('##')).length;
    assert.ok(tokens > 200_000, `${tokens} tokens`);
    assert.ok(continuation > 1000, 'the check covered "##" pieces');
    assert.ok(unknown > 0 && unknown < tokens * 0.01, `${unknown} [UNK] of ${tokens}`);
    // encodeIds is encode without offsets.
    assert.deepEqual(
      tok.encodeIds(chapters[5]),
      tok.encode(chapters[5]).map((t) => t.id),
    );
  }
  // Unusual characters as well: accents, İ, emoji, CJK, controls, mixed into real text.
  const counter = new WordCounter(UNCASED);
  counter.add(chapters.join('\n'));
  const tok = WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 800, minFrequency: 1 });
  const spiced = chapters[3].replace(/e/g, 'é').replace(/I/g, 'İ').replace(/ a /g, ' 🦀a\u0000 ').replace(/\. /g, '。我 ');
  checkOffsets(tok, spiced, 'spiced chapter');
});

/**
 * Reference trainer: recounts every pair before each merge (slow, obviously right),
 * with the documented tie-break: higher count, then lower (left id, right id).
 */
function referenceTrain(counter: WordCounter, vocabSize: number, minFrequency: number): string[] {
  const unitCount = new Map<string, number>();
  const words: { units: string[]; count: number }[] = [];
  for (const [w, count] of counter.entries()) {
    const units = Array.from(w).map((c, i) => (i === 0 ? c : '##' + c));
    if (units.length > 100) continue;
    words.push({ units, count });
    for (const u of units) unitCount.set(u, (unitCount.get(u) ?? 0) + count);
  }
  const alphabet = [...unitCount]
    .filter(([, c]) => c >= minFrequency)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, vocabSize - 5)
    .map(([u]) => u)
    .sort();
  const vocab: string[] = [...SPECIAL_TOKENS, ...alphabet];
  const id = new Map(vocab.map((t, i) => [t, i]));
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, { a: string; b: string; n: number }>();
    for (const { units, count } of words) {
      for (let i = 0; i + 1 < units.length; i++) {
        const [a, b] = [units[i], units[i + 1]];
        if (!id.has(a) || !id.has(b)) continue;
        const key = `${a} ${b}`;
        const p = pairs.get(key) ?? { a, b, n: 0 };
        p.n += count;
        pairs.set(key, p);
      }
    }
    let best: { a: string; b: string; n: number } | undefined;
    for (const p of pairs.values()) {
      if (!best || p.n > best.n || (p.n === best.n && (id.get(p.a)! < id.get(best.a)! || (p.a === best.a && id.get(p.b)! < id.get(best.b)!)))) best = p;
    }
    if (!best || best.n < minFrequency) break;
    const merged = best.a + bare(best.b);
    if (!id.has(merged)) {
      id.set(merged, vocab.length);
      vocab.push(merged);
    }
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.units.length; i++) {
        if (i + 1 < w.units.length && w.units[i] === best.a && w.units[i + 1] === best.b) {
          out.push(merged);
          i++;
        } else out.push(w.units[i]);
      }
      w.units = out;
    }
  }
  return vocab;
}

test('training matches a recount-every-merge reference on Brown text', () => {
  const counter = new WordCounter(UNCASED);
  for (const p of listBrownFiles().filter((_, i) => i % 125 === 7)) counter.add(readBrownDocument(p).text);
  for (const [vocabSize, minFrequency] of [
    [400, 2],
    [3000, 3], // stops early: no pair left with 3 occurrences
  ]) {
    const tok = WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize, minFrequency });
    const expected = referenceTrain(counter, vocabSize, minFrequency);
    assert.deepEqual(tok.toVocabText().split('\n').slice(0, -1), expected);
    if (vocabSize === 3000) assert.ok(tok.vocabSize < 3000, 'training stopped at minFrequency');
  }
  assert.throws(() => WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 3, minFrequency: 1 }), /vocabSize/);
  assert.throws(() => WordPieceTokenizer.train(counter, { ...CASED, vocabSize: 300, minFrequency: 1 }), /normalization/);
});

test('training on Brown: exact size, specials first, held-out [UNK] rate under 1%', () => {
  const heldOut: string[] = [];
  const counter = new WordCounter(UNCASED);
  for (const path of listBrownFiles()) {
    const doc = readBrownDocument(path);
    if (isHeldOut(doc.id, 0.1, 1)) heldOut.push(doc.text);
    else counter.add(doc.text);
  }
  assert.ok(heldOut.length > 20 && heldOut.length < 80, `${heldOut.length} held-out files`);
  assert.ok(counter.size > 30_000, `${counter.size} distinct words`);
  const t0 = performance.now();
  const tok = WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 8192, minFrequency: 2 });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`# Brown vocabulary training: ${counter.size} distinct words → ${tok.vocabSize} tokens in ${seconds.toFixed(2)} s`);
  assert.ok(seconds < 20, `training took ${seconds} s`);
  assert.equal(tok.vocabSize, 8192);
  SPECIAL_TOKENS.forEach((t, i) => assert.equal(tok.idToToken(i), t));
  assert.deepEqual(tok.specialIds, { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
  const lines = tok.toVocabText().split('\n').slice(0, -1);
  assert.equal(new Set(lines).size, lines.length, 'no duplicate tokens');
  // Every token after the single characters is a merge of two earlier tokens.
  lines.forEach((t, i) => {
    if (i < 5 || Array.from(bare(t)).length === 1) return;
    const prefix = t.startsWith('##') ? '##' : '';
    const body = bare(t);
    const ok = Array.from({ length: body.length - 1 }, (_, k) => k + 1).some((k) => {
      const a = tok.tokenToId(prefix + body.slice(0, k));
      const b = tok.tokenToId('##' + body.slice(k));
      return a !== undefined && b !== undefined && a < i && b < i;
    });
    assert.ok(ok, `${t} (id ${i}) is not a merge of earlier tokens`);
  });
  let tokens = 0;
  let unknown = 0;
  for (const text of heldOut) {
    const ids = tok.encodeIds(text);
    tokens += ids.length;
    unknown += ids.filter((id) => id === tok.specialIds.unk).length;
  }
  assert.ok(tokens > 50_000);
  assert.ok(unknown / tokens < 0.01, `held-out [UNK] rate ${unknown / tokens}`);
  // Frequent words are single tokens.
  for (const w of ['the', 'and', 'of', 'said']) assert.deepEqual(tok.encode(w).length, 1, w);
  // Deterministic.
  assert.equal(WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 8192, minFrequency: 2 }).toVocabText(), tok.toVocabText());
});

test('vocab.txt round trip, and special ids of a BERT-layout vocabulary', () => {
  const docs = listBrownFiles()
    .filter((_, i) => i % 60 === 0)
    .map((p) => readBrownDocument(p).text);
  const counter = new WordCounter(UNCASED);
  for (const d of docs) counter.add(d);
  const tok = WordPieceTokenizer.train(counter, { ...UNCASED, vocabSize: 1200, minFrequency: 2 });
  const text = tok.toVocabText();
  assert.equal(text.split('\n').length, tok.vocabSize + 1);
  const again = WordPieceTokenizer.fromVocabText(text, UNCASED);
  assert.equal(again.vocabSize, tok.vocabSize);
  assert.deepEqual(again.specialIds, tok.specialIds);
  assert.equal(again.toVocabText(), text);
  for (const d of docs) assert.deepEqual(again.encode(d), tok.encode(d));
  // Windows line endings read the same.
  assert.deepEqual(WordPieceTokenizer.fromVocabText(text.replace(/\n/g, '\r\n'), UNCASED).encode(docs[0]), tok.encode(docs[0]));

  // BERT's vocab.txt: [PAD], [unused0..98], [UNK], [CLS], [SEP], [MASK], then words.
  const unused = Array.from({ length: 99 }, (_, i) => `[unused${i}]`);
  const bert = WordPieceTokenizer.fromVocabText(['[PAD]', ...unused, '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', '##s', '.'].join('\n') + '\n', UNCASED);
  assert.deepEqual(bert.specialIds, { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 });
  assert.deepEqual(
    bert.encode('The cats.').map((t) => t.id),
    [104, 105, 106, 107],
  );
  assert.ok(bert.isSpecial(101) && bert.isSpecial(0) && !bert.isSpecial(1) && !bert.isSpecial(104));
  assert.throws(() => WordPieceTokenizer.fromVocabText('[PAD]\n[UNK]\nthe\n', UNCASED), /\[CLS\]/);
});
