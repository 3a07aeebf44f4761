/**
 * End to end, as a person: code-server with the packaged extension, started with HF_ENDPOINT
 * pointing at a local Hub on 127.0.0.1 (test/harness/fakeHub.ts) that serves the PyTorch-made
 * fixture pair as google/electra-fixture-{discriminator,generator}. Run "ELECTRA: Download
 * Model from Hugging Face…" from the palette, type the model id in its input box, wait for the
 * import's notification, open a file and see diagnostics from the downloaded model.
 * Screenshots go to test-results/e2e-download/.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostOutput, runCommand, Screenshots, quickOpen, waitForNotification, waitForWorkbench } from '../harness/browser';
import type { CodeServer } from '../harness/codeServer';
import { closeEditorSession, openEditorSession, type EditorSession } from '../harness/editorSession';
import { repoFromFolder, startFakeHub, type FakeHub } from '../harness/fakeHub';
import { repoRoot } from '../harness/training';

const TITLE = 'ELECTRA: Download Model from Hugging Face…';
const MODEL = 'google/electra-fixture-discriminator';
const PAIR = join(repoRoot, 'test', 'fixtures', 'hf', 'pair');
const shots = new Screenshots(join(repoRoot, 'test-results', 'e2e-download'));

/** The Hub cache the extension host downloads into, beside the workspace. */
const hfHome = (workspaceDir: string) => join(workspaceDir, '..', `hf-home-${process.pid}`);

let session: EditorSession | undefined;
let hub: FakeHub | undefined;
let cs: CodeServer;
let page: Page;
let consoleLines: string[] = [];
let workspace: { dir: string; files: string[] };

before(async () => {
  hub = await startFakeHub({
    [MODEL]: repoFromFolder(join(PAIR, 'discriminator'), '1'.repeat(40)),
    'google/electra-fixture-generator': repoFromFolder(join(PAIR, 'generator'), '2'.repeat(40)),
  });
  session = await openEditorSession({
    bundles: ['extension.js', 'server.js', 'downloadWorker.js'],
    // The fixture model knows a hundred words: most tokens score in 0.3-0.7, so flag from 0.1.
    settings: { 'electraStudio.annotation.threshold': 0.1 },
    chapters: 2,
    codeServer: (dir) => ({ env: { HF_ENDPOINT: hub!.url, HF_HOME: hfHome(dir), HF_TOKEN: '' } }),
  });
  ({ cs, page, consoleLines, workspace } = session);
});

after(async () => {
  await closeEditorSession(session);
  await hub?.close();
  if (workspace && process.env.ELECTRA_TEST_KEEP !== '1') rmSync(hfHome(workspace.dir), { recursive: true, force: true });
});

test('download a model from the (local) Hub from the palette and see diagnostics from it', { timeout: 240_000 }, async () => {
  const runDir = join(workspace!.dir, '.electra', 'runs', 'electra-fixture');
  try {
    await page.goto(cs!.workbenchUrl(workspace!.dir));
    await waitForWorkbench(page);

    await runCommand(page, TITLE);
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), 'google/electra-small-discriminator', 'the input box offers ELECTRA-Small');
    await input.fill(MODEL);
    await shots.take(page, 'model-id');
    await page.keyboard.press('Enter');

    const text = await waitForNotification(page, /imported google\/electra-fixture-discriminator as run 'electra-fixture'; scoring with it now/, 90_000);
    console.log(`# ${text}`);
    await shots.take(page, 'imported');
    assert.ok(hub!.seen.some((s) => s.server === 'cdn'), 'the weights came from the local Hub through its CDN redirect');
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    assert.equal(run.origin.kind, 'imported');
    assert.match(run.origin.generatorFrom, /models--google--electra-fixture-generator\/snapshots\/2{40}$/);

    const file = workspace!.files[0];
    await quickOpen(page, file);
    await page.locator('.monaco-editor .squiggly-info').first().waitFor({ state: 'visible', timeout: 60_000 });
    await shots.take(page, 'diagnostics');
  } catch (e) {
    await shots.take(page, 'failure').catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- workbench console (last 40 lines):\n${hostOutput(consoleLines).slice(-40).join('\n')}\n--- code-server log tail:\n${cs!.log.slice(-2000)}`);
  }
});
