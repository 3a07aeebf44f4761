/**
 * The test runner VS Code loads in the extension host (extensionTestsPath): runs every
 * `*.suite.js` beside it with mocha and settles when they finish. Launched by
 * test/e2e/extension-host.test.ts (code-server) or test/runTest.ts (@vscode/test-electron).
 * Files here are named without ".test." so that `node --test` never runs them directly.
 */
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 180_000 });
  const grep = process.env.ELECTRA_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).filter((name) => name.endsWith('.suite.js')).sort()) mocha.addFile(join(__dirname, f));
  // The host forwards console output to the workbench unformatted ("%s (%dms)"): format it
  // here. Mocha's reporters print through Base.consoleLog, captured when mocha was loaded.
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const log = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  return new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
  }).finally(() => {
    base.consoleLog = log;
  });
}
