/**
 * Which checkpoint the server scores with (issue 12, defect 16), over the real protocol:
 * with no selection, the newest checkpoint of the newest run under the runs roots, followed
 * when another run saves a newer one, the same in every window (server); a selection wins
 * until it is cleared. Micro checkpoints trained on the committed rust-book chapters.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ELECTRA_PROTOCOL_VERSION, SelectCheckpointNotification, type StatusParams } from '../../src/shared/lspProtocol';
import { fixtureCorpus, repoRoot, train } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 60_000;

let tmp: string;
let runsRoot: string;
const windows: TestLspClient[] = [];

const isIn = (run: string, step: number) => (s: StatusParams) => s.state === 'ready' && s.checkpointStep === step && (s.checkpointDir ?? '').startsWith(join(runsRoot, run) + '/');

async function openWindow(): Promise<TestLspClient> {
  const c = TestLspClient.start(serverJs, 'stdio');
  windows.push(c);
  await c.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, runsRoots: [runsRoot], threshold: 0.5, severity: 'information', ignoredWords: [] }, tmp);
  return c;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'electra-rule-test-'));
  runsRoot = join(tmp, '.electra', 'runs');
});

after(async () => {
  for (const c of windows) await c.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('no run yet: no checkpoint, and the status says where runs are looked for', async () => {
  const first = await openWindow();
  const s = await first.waitForStatus((x) => x.state === 'no-checkpoint', T, 'no checkpoint');
  assert.match(s.message ?? '', /no run with a checkpoint under .*\.electra\/runs/);
});

test('the first run that saves a checkpoint is loaded, and its source is the newest-run rule', async () => {
  await train({ corpus: fixtureCorpus, out: join(runsRoot, 'first'), steps: 6 });
  const s = await windows[0].waitForStatus(isIn('first', 6), T, 'the first run loaded');
  assert.equal(s.source, 'newest-run');
});

test('a newer run saves a checkpoint: the open window moves to it, and a new window starts on it', async () => {
  const since = windows[0].notifications.length;
  await train({ corpus: fixtureCorpus, out: join(runsRoot, 'second'), steps: 8 });
  await windows[0].waitForStatus(isIn('second', 8), T, 'the open window moved to the second run', since);
  const other = await openWindow();
  await other.waitForStatus(isIn('second', 8), T, 'a new window on the second run');
});

test('the older run resumes and saves a newer checkpoint: every window follows it', async () => {
  const since = windows.map((w) => w.notifications.length);
  await train({ corpus: fixtureCorpus, out: join(runsRoot, 'first'), steps: 10, resume: true });
  await Promise.all(windows.map((w, i) => w.waitForStatus(isIn('first', 10), T, `window ${i} on the first run's step 10`, since[i])));
});

test('a selection wins over newer runs until it is cleared', async () => {
  const w = windows[0];
  let since = w.notifications.length;
  await w.connection.sendNotification(SelectCheckpointNotification, { path: join(runsRoot, 'second') });
  const s = await w.waitForStatus(isIn('second', 8), T, 'the selected run', since);
  assert.equal(s.source, 'selected');
  since = w.notifications.length;
  await train({ corpus: fixtureCorpus, out: join(runsRoot, 'first'), steps: 12, resume: true });
  await windows[1].waitForStatus(isIn('first', 12), T, 'the other window follows the newest run');
  await new Promise((r) => setTimeout(r, 2500)); // a few of the server's polls
  assert.equal(
    w.notifications.slice(since).filter((n) => n.method === 'electra/status').length,
    0,
    'the window with a selection stays where it is',
  );
  await w.connection.sendNotification(SelectCheckpointNotification, { path: '' });
  const back = await w.waitForStatus(isIn('first', 12), T, 'cleared: back to the newest run', since);
  assert.equal(back.source, 'newest-run');
});
