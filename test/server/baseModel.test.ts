/**
 * The shipped base model over the real protocol: a window whose workspace has no run scores
 * with models/base when the client names it (initializationOptions.baseModel), and the
 * workspace's first run replaces it as soon as it saves a checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ELECTRA_PROTOCOL_VERSION } from '../../src/shared/lspProtocol';
import { fixtureCorpus, repoRoot, train } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'electra-base-model-test-'));
const runsRoot = join(tmp, '.electra', 'runs');
const client = TestLspClient.start(serverJs, 'stdio');
after(async () => {
  await client.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('no run: the base model is scored with; the first run replaces it', async () => {
  const baseModel = join(repoRoot, 'models', 'base');
  await client.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, runsRoots: [runsRoot], baseModel, threshold: 0.5, severity: 'information', ignoredWords: [] }, tmp);
  const s = await client.waitForStatus((x) => x.state === 'ready', T, 'the base model loaded');
  assert.equal(s.source, 'base-model');
  assert.ok((s.checkpointDir ?? '').startsWith(join(baseModel, 'checkpoints') + '/'), s.checkpointDir);
  const since = client.notifications.length;
  await train({ corpus: fixtureCorpus, out: join(runsRoot, 'first'), steps: 4 });
  const r = await client.waitForStatus((x) => x.state === 'ready' && x.source === 'newest-run', T, 'the first run loaded', since);
  assert.ok((r.checkpointDir ?? '').startsWith(join(runsRoot, 'first') + '/'), r.checkpointDir);
});
