/**
 * Our WordPiece against Hugging Face's: the same vocabulary, written as the tokenizer.json that
 * BertTokenizerFast saves (src/core/data/tokenizerJson.ts), loaded by @huggingface/tokenizers
 * (Hugging Face's pure-JS port of the `tokenizers` library), must give the same ids on whole
 * corpora and on the corner cases of BERT's normalisation. @huggingface/tokenizers has no
 * offsets, so offsets are checked against the text itself: each piece's source span,
 * normalised, is the piece.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listBrownFiles, readBrownDocument } from '../../src/core/data/brown';
import { normalizeText, type NormalizationOptions } from '../../src/core/data/normalizer';
import { CONTINUATION_PREFIX, WordCounter, WordPieceTokenizer } from '../../src/core/data/tokenizer';
import { normalizationFromConfig, tokenizerConfigJson, tokenizerJson } from '../../src/core/data/tokenizerJson';
import { readHuggingFaceTokenizer } from '../../src/core/run/huggingface/tokenizerSettings';
import { readText, rustBookFiles } from './engineFixtures';

const UNCASED: NormalizationOptions = { lowercase: true, stripAccents: true };
const CASED: NormalizationOptions = { lowercase: false, stripAccents: false };

const brown = listBrownFiles().map((p) => readBrownDocument(p).text);
const rustBook = rustBookFiles().map(readText);

function ours(options: NormalizationOptions, vocabSize: number, extra: string[] = []): WordPieceTokenizer {
  const counter = new WordCounter(options);
  // The extra texts twice, so that their words and characters make the vocabulary (minFrequency 2):
  // a difference hidden behind [UNK] on both sides would prove nothing.
  for (const t of [...extra, ...extra]) counter.add(t);
  for (const t of brown.slice(0, 200)) counter.add(t);
  for (const t of rustBook.slice(0, 40)) counter.add(t);
  return WordPieceTokenizer.train(counter, { ...options, vocabSize, minFrequency: 2 });
}

function huggingFace(tok: WordPieceTokenizer): Tokenizer {
  return new Tokenizer(tokenizerJson(tok), tokenizerConfigJson(tok.options, 512));
}

/** First differing text (with the first differing token) or undefined when every text agrees. */
function firstDifference(tok: WordPieceTokenizer, hf: Tokenizer, texts: string[]): string | undefined {
  for (const [i, text] of texts.entries()) {
    const a = tok.encodeIds(text);
    const b = hf.encode(text, { add_special_tokens: false }).ids;
    if (a.length === b.length && a.every((id, k) => id === b[k])) continue;
    let k = 0;
    while (k < a.length && a[k] === b[k]) k++;
    const show = (ids: ArrayLike<number>) => Array.from(ids).slice(Math.max(0, k - 3), k + 4).map((id) => tok.idToToken(id)).join(' ');
    return `text ${i}, token ${k}: ours [${show(a)}], Hugging Face [${show(b)}]`;
  }
  return undefined;
}

/** Every piece's source span, normalised the same way, spells the piece (unknown words span their word). */
function offsetsSpellPieces(tok: WordPieceTokenizer, text: string): string | undefined {
  let previousEnd = 0;
  for (const t of tok.encode(text)) {
    if (t.start < previousEnd && t.start !== t.end) {
      // Pieces of one source character (a ligature) share its span; anything else must move forward.
      if (t.start !== previousEnd - (t.end - t.start)) return `piece ${t.piece} at ${t.start} starts before ${previousEnd}`;
    }
    previousEnd = Math.max(previousEnd, t.end);
    if (t.id === tok.specialIds.unk) continue;
    const piece = t.piece.startsWith(CONTINUATION_PREFIX) ? t.piece.slice(CONTINUATION_PREFIX.length) : t.piece;
    const span = normalizeText(text.slice(t.start, t.end), tok.options);
    if (span !== piece && !span.includes(piece)) return `piece ${JSON.stringify(t.piece)} has span ${JSON.stringify(text.slice(t.start, t.end))}`;
  }
  return undefined;
}

const corners = [
  'Café naïve résumé façade ÉCOLE Ångström',
  'Mixed CJK: 日本語のテキストと中文字符, 한국어 too',
  'Zero\u200bwidth and soft\u00adhyphen, BOM\ufeffhere, bell\u0007and NUL\u0000gone',
  'Private use \ue000 and replacement \ufffd characters',
  'Punctuation!!! "quotes" — dashes – «guillemets» ¿qué? (parens) [brackets] {braces} a/b\\c @#$%^&*_+=~`|<>',
  `A very long word: ${'x'.repeat(101)} and ${'y'.repeat(100)} and supercalifragilisticexpialidocious`,
  'Tabs\tand\nnewlines\r\nand\u00a0no-break\u2003em spaces',
  'Numbers 3.14159, 1,000,000 and 2nd/3rd; emails a.b@example.com; URLs https://x.org/a?b=c',
  'Combining: e\u0301 vs é, n\u0303 vs ñ; ligature ﬁ and Kelvin K and ǅ',
  'Greek ΟΔΥΣΣΕΥΣ and Turkish İstanbul, German Straße',
];

for (const [name, options] of [['uncased', UNCASED], ['cased', CASED]] as const) {
  test(`${name}: ids equal Hugging Face's on all of Brown and the Rust book`, () => {
    const tok = ours(options, 8192);
    const hf = huggingFace(tok);
    assert.equal(firstDifference(tok, hf, brown), undefined);
    assert.equal(firstDifference(tok, hf, rustBook), undefined);
  });

  test(`${name}: ids equal Hugging Face's on BERT's normalisation corner cases`, () => {
    const tok = ours(options, 4096, corners);
    const hf = huggingFace(tok);
    assert.equal(firstDifference(tok, hf, corners), undefined);
  });

  test(`${name}: offsets span the source text of every piece`, () => {
    const tok = ours(options, 4096);
    for (const text of [...corners, ...rustBook.slice(0, 20), ...brown.slice(0, 20)]) assert.equal(offsetsSpellPieces(tok, text), undefined);
  });
}

test('a word over 100 characters is one [UNK], as in BertTokenizer', () => {
  const tok = ours(UNCASED, 1024);
  const ok = tok.encodeIds('ok').map((id) => tok.idToToken(id));
  const pieces = (text: string) => tok.encodeIds(text).map((id) => tok.idToToken(id));
  assert.deepEqual(pieces(`ok ${'a'.repeat(101)} ok`), [...ok, '[UNK]', ...ok]);
  assert.ok(!pieces(`ok ${'a'.repeat(100)} ok`).includes('[UNK]'), 'a word of exactly 100 characters is cut into pieces');
});

test('an exported tokenizer.json or tokenizer_config.json reads back (the importer\'s reader): the same vocabulary and normalisation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenizer-json-'));
  try {
    for (const options of [UNCASED, CASED, { lowercase: true, stripAccents: false }, { lowercase: false, stripAccents: true }]) {
      const tok = ours(options, 1024);
      // tokenizer.json alone: vocabulary and normaliser both come from it.
      const fast = join(dir, 'fast');
      rmSync(fast, { recursive: true, force: true });
      mkdirSync(fast);
      writeFileSync(join(fast, 'tokenizer.json'), JSON.stringify(tokenizerJson(tok)));
      const back = readHuggingFaceTokenizer(fast);
      assert.deepEqual(back.normalization, options);
      assert.equal(back.vocabText, tok.toVocabText());
      // vocab.txt and tokenizer_config.json, as BertTokenizer reads them.
      const slow = join(dir, 'slow');
      rmSync(slow, { recursive: true, force: true });
      mkdirSync(slow);
      writeFileSync(join(slow, 'vocab.txt'), tok.toVocabText());
      writeFileSync(join(slow, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson(options, 128)));
      const slowBack = readHuggingFaceTokenizer(slow);
      assert.deepEqual(slowBack.normalization, options);
      assert.equal(slowBack.modelMaxLength, 128);
    }
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: {} } }));
    assert.throws(() => readHuggingFaceTokenizer(bad), /only WordPiece/);
    writeFileSync(join(bad, 'tokenizer.json'), JSON.stringify({ model: { type: 'WordPiece', vocab: { a: 0, b: 5 } } }));
    assert.throws(() => readHuggingFaceTokenizer(bad), /ids must run from 0 to 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tokenizer_config.json: strip_accents follows do_lower_case unless set, as BertTokenizer's", () => {
  assert.deepEqual(normalizationFromConfig({ do_lower_case: true }), UNCASED);
  assert.deepEqual(normalizationFromConfig({ do_lower_case: true, strip_accents: null }), UNCASED);
  assert.deepEqual(normalizationFromConfig({ do_lower_case: false }), CASED);
  assert.deepEqual(normalizationFromConfig({ do_lower_case: true, strip_accents: false }), { lowercase: true, stripAccents: false });
  assert.deepEqual(normalizationFromConfig({ do_lower_case: false, strip_accents: true }), { lowercase: false, stripAccents: true });
});
