/**
 * Runs the in-host suites (test/extension/suite, bundled to out/test/extension/suite) inside
 * a real VS Code: code-server from node_modules, the extension loaded from this checkout
 * (extensionDevelopmentPath), the tests from extensionTestsPath, both given to the workbench
 * URL as its payload; Chromium opens it and the page reports the exit code through
 * window.codeAutomationExit. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { hostOutput, launchBrowser, newPage, runExtensionTests } from '../harness/browser';
import { CodeServer } from '../harness/codeServer';
import { repoRoot } from '../harness/training';
import { makeWorkspace } from '../harness/workspace';

const testsIndex = join(repoRoot, 'out', 'test', 'extension', 'suite', 'index.js');
/** ELECTRA_TEST_EXTENSION_DIR loads the extension from another folder (e.g. an unpacked VSIX). */
const extensionDir = process.env.ELECTRA_TEST_EXTENSION_DIR ?? repoRoot;
const STEPS = 20;

let cs: CodeServer | undefined;
let browser: Browser | undefined;
let workspace: string | undefined;

before(async () => {
  for (const f of [join(repoRoot, 'dist', 'extension.js'), join(repoRoot, 'dist', 'server.js'), testsIndex]) {
    assert.ok(existsSync(f), `${f} is missing: run \`npm run build\` first`);
  }
  workspace = makeWorkspace(
    {
      'electraStudio.preset': 'micro',
      'electraStudio.startFrom': '', // from scratch: the micro preset, not the shipped base model
      'electraStudio.steps': STEPS,
      'electraStudio.confirmBeforeTraining': false,
      'electraStudio.annotation.threshold': 0,
      // Every token its diagnostic, not the 500 most likely replaced that the default cap keeps.
      'electraStudio.annotation.maxDiagnostics': 100_000,
    },
    6,
  ).dir;
  cs = await CodeServer.start({ env: { ELECTRA_TEST_STEPS: String(STEPS) } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await cs?.stop();
  if (workspace && process.env.ELECTRA_TEST_KEEP !== '1') rmSync(workspace, { recursive: true, force: true });
});

test('extension tests inside the code-server extension host', { timeout: 300_000 }, async () => {
  const { page, consoleLines } = await newPage(browser!);
  const url = cs!.workbenchUrl(workspace!, { extensionDevelopmentPath: extensionDir, extensionTestsPath: testsIndex });
  const started = Date.now();
  let code: number;
  try {
    code = await runExtensionTests(page, url, 240_000);
  } finally {
    // The extension host's console (mocha's report among it) is forwarded to the page's console.
    console.log(hostOutput(consoleLines).map((l) => `# ${l}`).join('\n'));
  }
  console.log(`# extension host tests settled in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code}`);
  assert.equal(code, 0, `the in-host suites failed (exit ${code}); code-server log tail:\n${cs!.log.slice(-3000)}`);
});
