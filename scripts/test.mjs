// Runs the test suites in order, each with node's built-in test runner.
// The suites are bundled into out/test by scripts/build.mjs (npm run build).
//   unit      engine (src/core) on real text, on the wasm backend
//   server    the language server over its real JSON-RPC protocol
//   webview   the webviews in headless Chromium
//   e2e       the extension inside a real VS Code (code-server), driven by Chromium
// `node scripts/test.mjs unit server` runs a subset.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const all = ['unit', 'server', 'webview', 'e2e'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
/** *.test.js files below `dir`: named explicitly, because node --test would also run every
 * other .js file under a folder called test (helpers, in-editor suites). */
function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const files = chosen.flatMap((suite) => {
  const dir = `out/test/${suite}`;
  if (existsSync(dir)) return testFiles(dir);
  console.log(`# no tests built in ${dir}`);
  return [];
});
// One run, so the runner prints one closing summary for everything. One file at a time:
// the suites train models and start servers, and two cores are all CI has.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
