/**
 * Corrections a flagged word suggests by its form (src/core/score/corrections.ts), on real-word
 * errors planted in Brown's prose: a planted confusable is offered its original word, and
 * deleting a doubled word gives back the sentence as written; and on hand-made edge cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suggestedCorrections, wordSpanAround } from '../../src/core/score/corrections';
import { plantErrors } from '../../src/core/quality/plantErrors';
import { paragraphsOfLines } from '../../src/core/quality/prose';
import { brownTexts } from './engineFixtures';

const prose = brownTexts(30).flatMap(paragraphsOfLines);

test('a planted confusable is offered its original word; deleting a planted doubled word restores the sentence', () => {
  const planted = plantErrors(prose, { seed: 3 });
  const sentences = prose.flat();
  const seen = { confusable: 0, doubled: 0, hyphenated: 0 };
  planted.words.forEach((w, i) => {
    const e = planted.errorOf[i] >= 0 ? planted.errors[planted.errorOf[i]] : undefined;
    if (!e || (e.kind !== 'confusable' && e.kind !== 'doubled')) return;
    // The benchmark's words split at hyphens ("29-5 5" doubles "5", "grant-on-aid" has "on"); an editor's word does not.
    const copies = planted.words.filter((_, j) => planted.errorOf[j] === planted.errorOf[i]);
    if (copies.some((c) => wordSpanAround(planted.text, c).start !== c.start || wordSpanAround(planted.text, c).end !== c.end)) return void seen.hyphenated++;
    const corrections = suggestedCorrections(planted.text, wordSpanAround(planted.text, w));
    if (e.kind === 'confusable') {
      seen.confusable++;
      const offered = corrections.map((c) => c.edit.newText.toLowerCase());
      assert.ok(offered.includes(e.before.toLowerCase()), `${e.before} -> ${e.after}: offered ${offered.join(', ')}`);
      for (const c of corrections.filter((c) => c.title.startsWith('Replace'))) assert.deepEqual([c.edit.start, c.edit.end], [w.start, w.end]);
      return;
    }
    seen.doubled++;
    const deletion = corrections.find((c) => c.title.startsWith('Delete the repeated'));
    assert.ok(deletion, `no deletion for the doubled '${w.text}'`);
    const edited = planted.text.slice(0, deletion.edit.start) + planted.text.slice(deletion.edit.end);
    const lineStart = edited.lastIndexOf('\n', deletion.edit.start - 1) + 1;
    const lineEnd = edited.indexOf('\n', deletion.edit.start);
    assert.equal(edited.slice(lineStart, lineEnd), sentences[e.sentence], `deleting a copy of '${w.text}'`);
  });
  assert.ok(seen.confusable > 20 && seen.doubled > 40 && seen.hyphenated < (seen.confusable + seen.doubled) / 10, JSON.stringify(seen));
});

test('edge cases: case is kept, the first copy stays as typed, and other words get nothing', () => {
  const fix = (text: string, at: string, nth = 0) => {
    let from = -1;
    for (let k = 0; k <= nth; k++) from = text.indexOf(at, from + 1);
    return suggestedCorrections(text, wordSpanAround(text, { start: from, end: from + 1 }));
  };
  assert.deepEqual(fix("Their going home.", 'Their').map((c) => c.edit.newText), ['There', "They're"]);
  assert.deepEqual(fix('IT\'S DECISION', 'IT').map((c) => c.edit.newText), ['ITS']);
  // "The the": either copy flagged, the second goes, so the sentence still starts "The".
  for (const nth of [0, 1]) {
    const text = 'The the store.';
    const [c] = fix(text, nth === 0 ? 'The' : 'the');
    assert.equal(c.title, nth === 0 ? "Delete the repeated 'The'" : "Delete the repeated 'the'");
    assert.equal(text.slice(0, c.edit.start) + text.slice(c.edit.end), 'The store.');
  }
  {
    // Copies that differ by a mark: the first goes, so that the second keeps it.
    const text = "the drivers drivers' union";
    for (const nth of [0, 1]) {
      const [c] = fix(text, 'drivers', nth);
      assert.equal(text.slice(0, c.edit.start) + text.slice(c.edit.end), "the drivers' union");
    }
  }
  assert.deepEqual(fix('the\nthe end', 'the', 1), [], 'a line break between copies is no doubled word');
  assert.deepEqual(fix('a store, store', 'store', 1), [], 'punctuation between copies is no doubled word');
  assert.deepEqual(fix('It went to to town', 'to', 1).map((c) => c.title), ["Delete the repeated 'to'", "Replace with 'too'"]);
  assert.deepEqual(fix('The cat sat.', 'cat'), []);
  assert.deepEqual(fix('-- 42 --', '4'), []);
  assert.deepEqual(wordSpanAround("'quoted' words", { start: 2, end: 3 }), { start: 1, end: 7 });
});
