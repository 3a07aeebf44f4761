/**
 * The in-host suites (test/extension/suite) under a downloaded VS Code, with
 * @vscode/test-electron, for machines that can download it (`npm run test:electron`).
 * CI here has no network and uses code-server instead (test/e2e/extension-host.test.ts).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace } from '../harness/workspace';

const STEPS = 20;

async function main(): Promise<void> {
  const repo = resolve(__dirname, '..', '..', '..');
  const workspace = makeWorkspace(
    {
      'electraStudio.preset': 'micro',
      'electraStudio.startFrom': '', // from scratch: the micro preset, not the shipped base model
      'electraStudio.steps': STEPS,
      'electraStudio.confirmBeforeTraining': false,
      'electraStudio.annotation.threshold': 0,
    },
    6,
  ).dir;
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: repo,
      extensionTestsPath: join(repo, 'out', 'test', 'extension', 'suite', 'index.js'),
      extensionTestsEnv: { ELECTRA_TEST_STEPS: String(STEPS) },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
