/**
 * The block-wise document plan (src/core/score/documentPlan.ts) against the whole-text
 * plan it replaces in the language server: same tokens, same windows, same scores; an edit
 * re-plans only the block it touches.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { blockAt, planBlocks, planDocument, windowKeeping, type DocumentPlan } from '../../src/core/score/documentPlan';
import { planWindows, Scorer } from '../../src/core/score/scoring';
import { pretrain } from '../../src/core/train/pretrain';
import { readText, rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('document-plan');
let scorer: Scorer;
let text: string;

before(async () => {
  const corpus = join(scratch.path, 'corpus');
  mkdirSync(corpus);
  for (const f of rustBookFiles().slice(0, 6)) copyFileSync(f, join(corpus, basename(f)));
  const run = join(scratch.path, 'run');
  await pretrain({ corpus: { kind: 'folder', root: corpus }, outDir: run, preset: 'micro', steps: 4, batchSize: 4, backend: 'wasm', evalEvery: 0, checkpointEvery: 0 });
  scorer = await Scorer.load(run, { backend: 'wasm' });
  // Real chapters, plus blank lines of spaces and tabs, runs of blank lines, and a long paragraph.
  text = readText(rustBookFiles().find((f) => f.includes('ch04-01'))!) + '\n \t\n\n\n  tail words here.\n\n' + 'one two three. '.repeat(200);
});
after(() => {
  scorer?.dispose();
  scratch.cleanup();
});

/** Windows of a block plan in document token indices, with their ids. */
function flatten(plan: DocumentPlan) {
  let first = 0;
  return planBlocks(plan, (t) => scorer.planBlock(t)).flatMap((b) => {
    const windows = b.windows.map((w, i) => ({
      start: first + w.start,
      end: first + w.end,
      keepStart: first + w.keepStart,
      keepEnd: first + w.keepEnd,
      key: b.keys[i],
    }));
    first += b.tokens.length;
    return windows;
  });
}

/** The document planned, every block. */
function planned(text: string, previous?: DocumentPlan) {
  const plan = planDocument(text, previous);
  planBlocks(plan, (t) => scorer.planBlock(t));
  return plan;
}

test('block by block: the same tokens and windows as planning the whole text', () => {
  const plan = planned(text);
  const tokens = scorer.tokenize(text);
  const docTokens = plan.blocks.flatMap((b) => b.plan!.tokens.map((t) => ({ id: t.id, start: b.offset + t.start, end: b.offset + t.end })));
  assert.deepEqual(docTokens, tokens.map((t) => ({ id: t.id, start: t.start, end: t.end })));
  const whole = planWindows(text, tokens, scorer.config.maxSeqLength - 2);
  const flat = flatten(plan);
  assert.deepEqual(flat.map(({ key: _, ...w }) => w), whole);
  assert.ok(whole.some((w) => w.keepStart !== w.start), 'the long paragraph has overlapping windows');
});

test('scores from the windows equal Scorer.score', async () => {
  const plan = planned(text);
  const scored = await scorer.score(text);
  const probs = new Map<string, Float32Array>();
  for (const { plan: b } of plan.blocks) {
    const out = await scorer.computeWindows(b!.ids, b!.keys);
    b!.keys.forEach((k, i) => probs.set(k, out[i]));
  }
  let n = 0;
  for (const { plan: b } of plan.blocks) {
    b!.tokens.forEach((_, i) => {
      const w = windowKeeping(b!, i);
      const p = probs.get(b!.keys[w])![1 + i - b!.windows[w].start];
      assert.ok(Math.abs(p - scored.tokens[n].pReplaced) < 1e-6);
      n++;
    });
  }
  assert.equal(n, scored.tokens.length);
  // The block under an offset.
  const mid = scored.tokens[Math.floor(n / 2)];
  const b = plan.blocks[blockAt(plan, mid.start)];
  assert.ok(b.offset <= mid.start && mid.end <= b.offset + b.text.length);
});

test('an edit re-plans only the block it touches', () => {
  const first = planned(text);
  const at = text.indexOf('ownership');
  const edited = text.slice(0, at) + 'borrowing ' + text.slice(at);
  const second = planDocument(edited, first);
  const fresh = second.blocks.filter((b) => !b.plan);
  assert.equal(fresh.length, 1);
  assert.ok(fresh[0].text.includes('borrowing ownership'));
  const before = new Set(flatten(first).map((w) => w.key));
  const changed = flatten(second).filter((w) => !before.has(w.key));
  assert.ok(changed.length >= 1 && changed.length <= 3, `${changed.length} windows changed`);
});

test('re-planning after edits anywhere (inside blocks, in blank lines, at both ends) splits as a fresh plan does', () => {
  let current = text;
  let plan = planDocument(current);
  const seeds = [0, 1, 5, current.indexOf('\n\n'), current.indexOf('\n\n') + 1, Math.floor(current.length / 2), current.length - 1, current.length];
  const inserts = ['x', '\n\n', ' ', '\n', 'word. ', '\n \n\n'];
  let n = 0;
  for (const at of seeds) {
    for (const ins of inserts) {
      // Insert, then delete what was inserted plus a character, at `at`.
      for (const edit of [
        (s: string) => s.slice(0, at) + ins + s.slice(at),
        (s: string) => s.slice(0, Math.max(0, at - 1)) + s.slice(Math.min(s.length, at + ins.length)),
      ]) {
        current = edit(current);
        plan = planDocument(current, plan);
        const fresh = planDocument(current);
        assert.deepEqual(
          plan.blocks.map((b) => [b.offset, b.text]),
          fresh.blocks.map((b) => [b.offset, b.text]),
          `after edit ${n} at ${at} (${JSON.stringify(ins)})`,
        );
        n++;
      }
    }
  }
});
