/**
 * The packaged extension the end-to-end tests install: $ELECTRA_TEST_VSIX, else
 * ./electra-studio.vsix when newer than dist/, else built here with `npm run package`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './training';

/** The packaged extension, built if missing or older than the build outputs. */
export function ensureVsix(): string {
  if (process.env.ELECTRA_TEST_VSIX) return process.env.ELECTRA_TEST_VSIX;
  const vsix = join(repoRoot, 'electra-studio.vsix');
  const newest = Math.max(...['extension.js', 'server.js'].map((f) => statSync(join(repoRoot, 'dist', f)).mtimeMs));
  if (existsSync(vsix) && statSync(vsix).mtimeMs >= newest) return vsix;
  const started = Date.now();
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`\`npm run package\` did not produce ${vsix} (exit ${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  }
  console.log(`# packaged ${vsix} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return vsix;
}

