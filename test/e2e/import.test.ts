/**
 * End to end, as a person: code-server with the packaged extension, a workspace holding a
 * Hugging Face pair (the PyTorch-made fixture, test/fixtures/hf/pair) under models/. Run
 * "ELECTRA: Import Model…" from the palette, pick the discriminator folder in VS Code's
 * folder dialog (its generator is found beside it), wait for the import's notification, open
 * a file and see diagnostics from the imported model, then the token-confidence view. Screenshots go to test-results/e2e-import/.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chooseFolderInDialog, hostOutput, runCommand, Screenshots, waitForFrameWith, quickOpen, waitForNotification, waitForWorkbench } from '../harness/browser';
import type { CodeServer } from '../harness/codeServer';
import { closeEditorSession, openEditorSession, type EditorSession } from '../harness/editorSession';
import { repoRoot } from '../harness/training';

const TITLE = 'ELECTRA: Import Model…';
const shots = new Screenshots(join(repoRoot, 'test-results', 'e2e-import'));

let session: EditorSession | undefined;
let cs: CodeServer;
let page: Page;
let consoleLines: string[] = [];
let workspace: { dir: string; files: string[] };

before(async () => {
  session = await openEditorSession({
    bundles: ['extension.js', 'server.js', 'importWorker.js'],
    // The fixture model knows a hundred words: most tokens score in 0.3-0.7, so flag from 0.1.
    settings: { 'electraStudio.annotation.threshold': 0.1 },
    chapters: 2,
    prepare: (dir) => cpSync(join(repoRoot, 'test', 'fixtures', 'hf', 'pair'), join(dir, 'models', 'electra-fixture'), { recursive: true }),
  });
  ({ cs, page, consoleLines, workspace } = session);
});

after(() => closeEditorSession(session));

test('import a Hugging Face model from the palette and see diagnostics from it', { timeout: 240_000 }, async () => {
  const discriminator = join(workspace!.dir, 'models', 'electra-fixture', 'discriminator');
  const runDir = join(workspace!.dir, '.electra', 'runs', 'electra-fixture');
  try {
    await page.goto(cs!.workbenchUrl(workspace!.dir));
    await waitForWorkbench(page);

    await runCommand(page, TITLE);
    // VS Code's own folder dialog (a quick input in the browser): type the path, press "Import Model".
    await chooseFolderInDialog(page, discriminator, 'Import Model', () => shots.take(page, 'folder-dialog').then(() => undefined));

    const text = await waitForNotification(page, /imported .*discriminator as run 'electra-fixture'; scoring with it now/, 60_000);
    console.log(`# ${text}`);
    await shots.take(page, 'imported');
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    assert.equal(run.origin.kind, 'imported');
    assert.equal(run.origin.generatorFrom, join(workspace!.dir, 'models', 'electra-fixture', 'generator'));

    const file = workspace!.files[0];
    await quickOpen(page, file);
    await page.locator('.monaco-editor .squiggly-info').first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'looks replaced' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await shots.take(page, 'diagnostics');
    await page.keyboard.press('Control+Shift+M'); // hide the panel again

    // The token view scores with it too.
    await runCommand(page, 'ELECTRA: Show Token Confidence');
    const frame = await waitForFrameWith(page, '#text', 30_000);
    const deadline = Date.now() + 30_000;
    while ((await frame.locator('#text span').count()) <= 20) {
      if (Date.now() > deadline) throw new Error('no tokens in the token-confidence view after 30 s');
      await page.waitForTimeout(300);
    }
    // The legend says the threshold the server flags at and where it came from: the workspace's setting.
    await frame.locator('#threshold-source', { hasText: '0.10, set by electraStudio.annotation.threshold' }).waitFor({ state: 'visible', timeout: 30_000 });
    await shots.take(page, 'token-confidence');
  } catch (e) {
    await shots.take(page, 'failure').catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- workbench console (last 40 lines):\n${hostOutput(consoleLines).slice(-40).join('\n')}\n--- code-server log tail:\n${cs!.log.slice(-2000)}`);
  }
});
