import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listBrownFiles, readBrownDocument } from '../../src/core/data/brown';
import { SequencePacker } from '../../src/core/data/packing';
import { SpecialIds, WordCounter, WordPieceTokenizer } from '../../src/core/data/tokenizer';

const options = { lowercase: true, stripAccents: true };

/** Token ids of a few real Brown documents, from a tokenizer trained on them. */
function brownDocuments(): { docs: number[][]; special: SpecialIds } {
  const texts = listBrownFiles()
    .filter((_, i) => i % 50 === 0)
    .map((p) => readBrownDocument(p).text);
  const counter = new WordCounter(options);
  for (const t of texts) counter.add(t);
  const tok = WordPieceTokenizer.train(counter, { ...options, vocabSize: 600, minFrequency: 2 });
  // Documents of varied length: whole files and single paragraphs.
  const docs = texts.flatMap((t) => [tok.encodeIds(t), ...t.split('\n\n').slice(0, 3).map((p) => tok.encodeIds(p))]);
  return { docs, special: tok.specialIds };
}

const { docs, special } = brownDocuments();
// A BERT-like layout whose [PAD] is not 0, so padding cannot pass by accident.
const bertSpecial: SpecialIds = { pad: 7, unk: 100, cls: 101, sep: 102, mask: 103 };

/** Checks the layout of each sequence and returns the tokens between [CLS] and [SEP]. */
function content(seqs: Int32Array[], L: number, sp: SpecialIds): number[][] {
  return seqs.map((seq) => {
    assert.equal(seq.length, L);
    assert.equal(seq[0], sp.cls);
    const sep = seq.indexOf(sp.sep);
    assert.ok(sep >= 2, 'at least one token before [SEP]');
    for (let i = sep + 1; i < L; i++) assert.equal(seq[i], sp.pad, 'only [PAD] after [SEP]');
    const body = Array.from(seq.subarray(1, sep));
    assert.ok(!body.includes(sp.cls) && !body.includes(sp.pad), 'no [CLS]/[PAD] inside');
    return body;
  });
}

for (const L of [3, 16, 128]) {
  test(`SequencePacker packs Brown densely at length ${L}`, () => {
    const packer = new SequencePacker(L, special);
    const seqs: Int32Array[] = [];
    for (const d of docs) seqs.push(...packer.push(d));
    const full = seqs.length;
    seqs.push(...packer.flush());
    assert.deepEqual(packer.flush(), [], 'nothing left after flush');
    const bodies = content(seqs, L, special);
    for (let i = 0; i < full; i++) {
      assert.equal(bodies[i].length, L - 2, 'sequences from push() are full');
      assert.equal(seqs[i][L - 1], special.sep);
    }
    const total = docs.reduce((n, d) => n + d.length, 0);
    assert.equal(seqs.length, Math.ceil(total / (L - 2)));
    assert.deepEqual(bodies.flat(), docs.flat(), 'every token once, in order');
  });
}

test('SequencePacker: push granularity does not matter', () => {
  const L = 64;
  const whole = new SequencePacker(L, special);
  const pieces = new SequencePacker(L, special);
  const a: Int32Array[] = [];
  const b: Int32Array[] = [];
  for (const d of docs.slice(0, 6)) {
    a.push(...whole.push(d));
    for (let i = 0; i < d.length; i += 7) b.push(...pieces.push(d.slice(i, i + 7)));
  }
  a.push(...whole.flush());
  b.push(...pieces.flush());
  assert.deepEqual(b, a);
});

test('SequencePacker.endDocument starts each document in a new sequence', () => {
  const L = 100;
  const docsBert = docs.slice(0, 8).map((d) => d.map((id) => id + 200)); // ids clear of bertSpecial
  const packer = new SequencePacker(L, bertSpecial);
  const perDoc: number[][][] = [];
  for (const d of docsBert) {
    const seqs = [...packer.push(d), ...packer.endDocument()];
    assert.equal(packer.pending, 0);
    perDoc.push(content(seqs, L, bertSpecial));
  }
  perDoc.forEach((bodies, i) => {
    assert.deepEqual(bodies.flat(), docsBert[i]);
    assert.equal(bodies.length, Math.ceil(docsBert[i].length / (L - 2)));
  });
  assert.deepEqual(packer.endDocument(), [], 'an empty document closes nothing');
});

test('SequencePacker rejects lengths without room for a token', () => {
  assert.throws(() => new SequencePacker(2, special), /maxSeqLength/);
  assert.throws(() => new SequencePacker(10.5, special), /maxSeqLength/);
});
