// The typed, versioned messages: worker protocol guards, the webview RPC layer
// (requests, responses, errors, notifications) over an in-memory transport, and run folders.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ignoreElectraFolder, listCheckpoints, listRuns, readLatestCheckpoint, runsRoot, sanitizeRunName, timestampRunName, uniqueRunName } from '../../src/extension/runs';
import { DASHBOARD_CHECKS, MAX_EXPORT_CHARS, TOKENS_CHECKS, type ChannelChecks } from '../../src/shared/webviewChecks';
import { isEnvelope, RpcEndpoint, type DashboardChannel, type Envelope, type Transport } from '../../src/shared/webviewProtocol';
import { hostMessageProblem, isHostToWorker, isWorkerToHost, WORKER_PROTOCOL_VERSION, workerMessageProblem } from '../../src/shared/workerProtocol';

test('worker protocol: messages of this version pass, others are refused with a reason', () => {
  const v = WORKER_PROTOCOL_VERSION;
  assert.ok(isHostToWorker({ v, type: 'stop' }));
  assert.ok(isHostToWorker({ v, type: 'start', options: { outDir: '/r', corpus: { kind: 'brown' }, preset: 'micro' } }));
  assert.ok(isHostToWorker({ v, type: 'scan', corpus: { kind: 'folder', root: '/w' } }));
  assert.match(hostMessageProblem({ v: 2, type: 'stop' })!, /protocol version 2/);
  assert.match(hostMessageProblem({ v, type: 'start' })!, /without options/);
  assert.match(hostMessageProblem({ v, type: 'step' })!, /unknown message type/);
  assert.equal(hostMessageProblem(null), 'not an object');
  assert.ok(isWorkerToHost({ v, type: 'step', metrics: { type: 'step', step: 3 } }));
  assert.ok(!isWorkerToHost({ v, type: 'step', metrics: { type: 'eval', step: 3 } }));
  assert.ok(isWorkerToHost({ v, type: 'done', result: { step: 3, stoppedBecause: 'steps', checkpointDir: '', backend: 'wasm' } }));
  assert.ok(isWorkerToHost({ v, type: 'backend', name: 'wasm', detail: 'wasm' }));
  assert.match(workerMessageProblem({ v, type: 'log', level: 'debug', message: 'x' })!, /malformed log/);
  assert.ok(!isWorkerToHost({ v, type: 'stop' }), 'a host message is not a worker message');
});

/** Two endpoints joined by queued (asynchronous) delivery, like postMessage. */
function pair(checks?: ChannelChecks, onInvalid?: (p: string) => void): { ext: RpcEndpoint<DashboardChannel, 'extension'>; web: RpcEndpoint<DashboardChannel, 'webview'>; wire: Envelope[] } {
  const wire: Envelope[] = [];
  const listeners: { ext?: (m: unknown) => void; web?: (m: unknown) => void } = {};
  const to = (side: 'ext' | 'web'): Transport => ({
    post: (m) => {
      wire.push(m);
      queueMicrotask(() => listeners[side === 'ext' ? 'web' : 'ext']?.(structuredClone(m)));
    },
    listen: (f) => {
      listeners[side] = f;
    },
  });
  return { ext: new RpcEndpoint(to('ext'), 'extension', checks, onInvalid), web: new RpcEndpoint(to('web'), 'webview'), wire };
}

test('RPC: requests get their own responses, errors reject, unknown methods fail, notifications arrive', async () => {
  const { ext, web, wire } = pair();
  ext.onRequest('listRuns', async () => [{ id: 'a', dir: '/a', state: 'idle' as const }]);
  ext.onRequest('loadRuns', ({ runIds }) => runIds.map((runId) => ({ runId, records: [] })));
  ext.onRequest('exportCsv', () => {
    throw new Error('disk full');
  });
  const [runs, loaded] = await Promise.all([web.request('listRuns', {}), web.request('loadRuns', { runIds: ['x', 'y'] })]);
  assert.equal(runs[0].id, 'a');
  assert.deepEqual(loaded.map((r) => r.runId), ['x', 'y']);
  await assert.rejects(web.request('exportCsv', { suggestedName: 'a.csv', csv: '' }), /disk full/);
  await assert.rejects(web.request('exportPng', { suggestedName: 'a.png', dataUrl: '' }), /no handler for request 'exportPng'/);
  const got: string[] = [];
  web.onNotification('runsChanged', ({ runs: r }) => got.push(`runs:${r.length}`));
  ext.onNotification('ready', () => got.push('ready'));
  ext.notify('runsChanged', { runs: [] });
  web.notify('ready', {});
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(got.sort(), ['ready', 'runs:0']);
  assert.ok(wire.every(isEnvelope));
  const ids = wire.filter((m) => m.kind === 'request').map((m) => (m as { id: number }).id);
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
});

test('webview messages are untrusted: the extension side checks shape, types and sizes; a webview cannot name an export path', async () => {
  const invalid: string[] = [];
  const { ext, web } = pair(DASHBOARD_CHECKS, (p) => invalid.push(p));
  const saved: string[] = [];
  ext.onRequest('exportCsv', ({ suggestedName }) => {
    saved.push(suggestedName);
    return { savedTo: `/chosen/by/extension/${suggestedName}` };
  });
  ext.onRequest('loadRuns', ({ runIds }) => runIds.map((runId) => ({ runId, records: [] })));
  // What the dashboard sends passes.
  assert.deepEqual(await web.request('exportCsv', { suggestedName: 'electra-metrics-run_1.csv', csv: 'step,loss\n1,2\n' }), { savedTo: '/chosen/by/extension/electra-metrics-run_1.csv' });
  const untyped = web as unknown as { request(method: string, params: unknown): Promise<unknown> };
  const refused: Array<[string, unknown, RegExp]> = [
    ['exportCsv', { suggestedName: 'a.csv', csv: 'x', path: '/home/user/.bashrc' }, /invalid 'exportCsv' request: unexpected field 'path'/],
    ['exportCsv', { suggestedName: '../../.bashrc', csv: 'x' }, /field 'suggestedName': not a plain file name/],
    ['exportCsv', { suggestedName: 'a.csv', csv: 42 }, /field 'csv': not a string/],
    ['exportCsv', { suggestedName: 'a.csv', csv: 'x'.repeat(MAX_EXPORT_CHARS + 1) }, /field 'csv': longer than/],
    ['exportCsv', null, /params are not an object/],
    ['exportPng', { suggestedName: 'a.png', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }, /not a data:image\/png;base64 URL/],
    ['loadRuns', { runIds: 'all' }, /field 'runIds': not an array/],
    ['loadRuns', { runIds: Array.from({ length: 10_000 }, (_, i) => `r${i}`) }, /more than 200 items/],
    ['loadRuns', {}, /missing field 'runIds'/],
    ['deleteEverything', {}, /unknown request 'deleteEverything'/],
    ['__proto__', {}, /unknown request '__proto__'/],
  ];
  for (const [method, params, pattern] of refused) await assert.rejects(untyped.request(method, params), pattern, `${method} ${JSON.stringify(params)?.slice(0, 80)}`);
  assert.deepEqual(saved, ['electra-metrics-run_1.csv'], 'no refused request reached a handler');
  assert.equal(invalid.length, refused.length);

  // Notifications that fail their check are dropped.
  const ready: unknown[] = [];
  ext.onNotification('ready', (p) => ready.push(p));
  (web as unknown as { notify(m: string, p: unknown): void }).notify('ready', { evil: true });
  web.notify('ready', {});
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(ready, [{}]);

  // The token view: ranges are non-negative integers, the threshold a probability.
  assert.equal(TOKENS_CHECKS.notifications.reveal({ uri: 'file:///a.md', start: 1, end: 4 }), undefined);
  assert.match(TOKENS_CHECKS.notifications.reveal({ uri: 'file:///a.md', start: -1, end: 4 })!, /field 'start'/);
  assert.match(TOKENS_CHECKS.notifications.thresholdChanged({ value: 7 })!, /not a number in \[0, 1\]/);
  assert.match(TOKENS_CHECKS.requests.alternatives({ uri: 'file:///a', version: 1.5, offset: 0 })!, /field 'version'/);
});

test('RPC: foreign messages are ignored; dispose rejects pending requests', async () => {
  const { web } = pair();
  assert.ok(!isEnvelope({ kind: 'request', id: 1, method: 'x' }), 'no version');
  assert.ok(!isEnvelope({ v: 1, kind: 'response' }), 'no id');
  const pending = web.request('listRuns', {}); // nobody answers: ext has no handler... it answers with an error
  await assert.rejects(pending, /no handler/);
  const lonely = new RpcEndpoint<DashboardChannel, 'webview'>({ post: () => undefined, listen: () => undefined }, 'webview');
  const never = lonely.request('listRuns', {});
  lonely.dispose();
  await assert.rejects(never, /disposed/);
});

const dir = mkdtempSync(join(tmpdir(), 'electra-runs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('run folders: names, listing newest first, latest checkpoints', async () => {
  assert.equal(timestampRunName(new Date(2025, 0, 31, 14, 5, 3)), '20250131-140503');
  assert.equal(sanitizeRunName('  my run/../x '), 'my-run-..-x');
  assert.equal(sanitizeRunName('../'), undefined);
  assert.equal(runsRoot('/ws', '.electra/runs'), '/ws/.electra/runs');
  assert.equal(runsRoot('/ws', '/abs/runs'), '/abs/runs');
  const root = join(dir, 'runs');
  mkdirSync(join(root, 'old', 'checkpoints', 'step-00000010'), { recursive: true });
  writeFileSync(join(root, 'old', 'run.json'), readFileSync(join(__dirname, '../../../test/fixtures/run-v1.json'), 'utf8'));
  writeFileSync(join(root, 'old', 'metrics.jsonl'), '');
  writeFileSync(join(root, 'old', 'checkpoints', 'latest.json'), JSON.stringify({ step: 10, dir: 'step-00000010' }));
  utimesSync(join(root, 'old', 'metrics.jsonl'), 1000, 1000);
  mkdirSync(join(root, 'new'));
  writeFileSync(join(root, 'new', 'metrics.jsonl'), '');
  mkdirSync(join(root, 'not-a-run'));
  assert.equal(uniqueRunName(root, 'old'), 'old-2');
  assert.equal(uniqueRunName(root, 'fresh'), 'fresh');
  const runs = await listRuns(root);
  assert.deepEqual(runs.map((r) => r.name), ['new', 'old']);
  assert.equal(runs[1].manifest?.preset, 'micro', 'a version-1 run.json (raw options) still opens');
  assert.deepEqual(runs[1].manifest?.corpus, { kind: 'brown' });
  assert.deepEqual(await readLatestCheckpoint(join(root, 'old')), { step: 10, dir: join(root, 'old', 'checkpoints', 'step-00000010') });
  assert.deepEqual((await listCheckpoints(join(root, 'old'))).map((c) => c.step), [10]);
  assert.deepEqual(await listRuns(join(dir, 'missing')), []);
  // A latest.json of 2 MiB is not the engine's: not read, no checkpoint.
  mkdirSync(join(root, 'crafted', 'checkpoints'), { recursive: true });
  writeFileSync(join(root, 'crafted', 'checkpoints', 'latest.json'), JSON.stringify({ step: 5, dir: 'step-00000005', pad: 'x'.repeat(2 * 1024 * 1024) }));
  assert.equal(await readLatestCheckpoint(join(root, 'crafted')), undefined);
});

test('.electra/ gets a .gitignore of "*" when runs go there; a runs folder elsewhere is left alone', () => {
  const ws = mkdtempSync(join(tmpdir(), 'electra-gitignore-'));
  try {
    const written = ignoreElectraFolder(ws, runsRoot(ws, '.electra/runs'));
    assert.equal(written, join(ws, '.electra', '.gitignore'));
    const lines = readFileSync(written!, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(lines, ['*']);
    // git itself agrees: nothing under .electra/ is seen, the .gitignore included.
    const git = (...args: string[]) => spawnSync('git', args, { cwd: ws, encoding: 'utf8' });
    if (git('init', '-q').status === 0) {
      mkdirSync(join(ws, '.electra', 'runs', 'r1'), { recursive: true });
      writeFileSync(join(ws, '.electra', 'runs', 'r1', 'metrics.jsonl'), '{}\n');
      writeFileSync(join(ws, 'notes.md'), '# notes\n');
      assert.equal(git('status', '--porcelain', '--untracked-files=all').stdout.trim(), '?? notes.md');
    }
    // Written once: a user's own edits stay.
    writeFileSync(written!, '*\n!keep.txt\n');
    assert.equal(ignoreElectraFolder(ws, runsRoot(ws, '.electra/runs')), undefined);
    assert.equal(readFileSync(written!, 'utf8'), '*\n!keep.txt\n');
    assert.equal(ignoreElectraFolder(ws, runsRoot(ws, 'training-runs')), undefined);
    assert.equal(ignoreElectraFolder(ws, '/elsewhere/runs'), undefined);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
