// Tailing metrics.jsonl as a trainer appends to it (src/extension/metricsTail.ts).
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isMetricsRecord, MetricsTail, parseJsonlChunk, type TailUpdate } from '../../src/extension/metricsTail';

const dir = mkdtempSync(join(tmpdir(), 'electra-tail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const step = (n: number): string => JSON.stringify({ type: 'step', step: n, genLoss: 7 - n / 100, time: 1000 + n }) + '\n';
const evalLine = (n: number): string => JSON.stringify({ type: 'eval', step: n, genLoss: 6.5 }) + '\n';

test('parseJsonlChunk keeps the unfinished last line and skips lines that are not records', () => {
  const r1 = parseJsonlChunk('', step(1) + 'not json\n' + '{"type":"other","step":1}\n' + step(2).slice(0, 10));
  assert.deepEqual(r1.records.map((r) => r.step), [1]);
  assert.equal(r1.bad, 2);
  const r2 = parseJsonlChunk(r1.remainder, step(2).slice(10) + evalLine(2));
  assert.deepEqual(r2.records.map((r) => [r.type, r.step]), [['step', 2], ['eval', 2]]);
  assert.equal(r2.remainder, '');
});

test('isMetricsRecord accepts step and eval records only', () => {
  assert.ok(isMetricsRecord({ type: 'step', step: 1 }));
  assert.ok(isMetricsRecord({ type: 'eval', step: 0 }));
  assert.ok(!isMetricsRecord({ type: 'step' }));
  assert.ok(!isMetricsRecord(null));
  assert.ok(!isMetricsRecord('step'));
});

test('reads only what was appended, and nothing of a half-written line', async () => {
  const file = join(dir, 'a.jsonl');
  const tail = new MetricsTail(file);
  assert.deepEqual(await tail.read(), { records: [], reset: false }, 'missing file');
  writeFileSync(file, step(1) + step(2));
  assert.deepEqual((await tail.read()).records.map((r) => r.step), [1, 2]);
  assert.deepEqual((await tail.read()).records, []);
  const half = step(3);
  appendFileSync(file, half.slice(0, 7));
  assert.deepEqual((await tail.read()).records, []);
  appendFileSync(file, half.slice(7) + evalLine(3));
  assert.deepEqual((await tail.read()).records.map((r) => `${r.type}${r.step}`), ['step3', 'eval3']);
});

test('multi-byte characters split across appends are decoded whole', async () => {
  const file = join(dir, 'utf8.jsonl');
  const line = Buffer.from(JSON.stringify({ type: 'step', step: 1, note: 'ünïcødé ✓' }) + '\n');
  const cut = line.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte check mark
  writeFileSync(file, line.subarray(0, cut));
  const tail = new MetricsTail(file);
  assert.deepEqual((await tail.read()).records, []);
  appendFileSync(file, line.subarray(cut));
  const [r] = (await tail.read()).records as unknown as { note: string }[];
  assert.equal(r.note, 'ünïcødé ✓');
});

test('a truncated or replaced file (a resumed run rewrites it) is read again from the start', async () => {
  const file = join(dir, 'b.jsonl');
  writeFileSync(file, step(1) + step(2) + step(3));
  const tail = new MetricsTail(file);
  await tail.read();
  writeFileSync(file, step(1));
  assert.deepEqual(await tail.read().then((u) => [u.reset, u.records.map((r) => r.step)]), [true, [1]]);
  // Atomic replacement with a longer file: a new inode.
  writeFileSync(join(dir, 'b.tmp'), step(1) + step(2) + step(3) + step(4));
  renameSync(join(dir, 'b.tmp'), file);
  assert.deepEqual(await tail.read().then((u) => [u.reset, u.records.map((r) => r.step)]), [true, [1, 2, 3, 4]]);
});

test('follow() reports appends as they happen', async () => {
  const file = join(dir, 'c.jsonl');
  writeFileSync(file, step(1));
  const tail = new MetricsTail(file);
  await tail.read();
  const updates: TailUpdate[] = [];
  tail.follow((u) => updates.push(u), 100);
  try {
    appendFileSync(file, step(2));
    appendFileSync(file, step(3) + evalLine(3));
    const deadline = Date.now() + 3000;
    while (updates.flatMap((u) => u.records).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(updates.flatMap((u) => u.records).map((r) => `${r.type}${r.step}`), ['step2', 'step3', 'eval3']);
  } finally {
    tail.unfollow();
  }
});
