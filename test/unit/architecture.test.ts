/**
 * The engine's boundaries, read from the source: the hosts (CLI, extension, language server,
 * workers, webviews) reach the engine only through its public API (src/core/index.ts) or the
 * typed messages and formats of src/shared; the engine never imports vscode; src/shared holds
 * types and constants that every side can import, so it takes nothing but types from the engine.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = process.cwd();
const SRC = join(ROOT, 'src');
const HOSTS = ['cli', 'extension', 'server', 'worker', 'webview'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

interface ImportSite { file: string; spec: string; typeOnly: boolean; target?: string }

/** Every static import and re-export of a file, with relative specifiers resolved to a path under src/. */
function importsOf(file: string): ImportSite[] {
  const text = readFileSync(file, 'utf8');
  const sites: ImportSite[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)) {
    const spec = m[3] ?? m[4];
    const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)) : undefined;
    sites.push({ file: relative(ROOT, file), spec, typeOnly: m[2] !== undefined, target });
  }
  return sites;
}

test('the source tree has the folders the architecture names, and the scan finds imports', () => {
  for (const d of ['data', 'model', 'train', 'parallel', 'run', 'score', 'wasm']) assert.ok(statSync(join(SRC, 'core', d)).isDirectory(), `src/core/${d}`);
  const sites = tsFiles(join(SRC, 'cli')).flatMap(importsOf);
  assert.ok(sites.some((s) => s.target === 'core'), 'the CLI imports the engine (a scan that finds nothing proves nothing)');
});

test('hosts import the engine only through src/core/index.ts', () => {
  const bad = HOSTS.flatMap((h) => tsFiles(join(SRC, h)).flatMap(importsOf))
    .filter((s) => s.target !== undefined && s.target.startsWith('core/') && s.target !== 'core/index')
    .map((s) => `${s.file}: ${s.spec}`);
  assert.deepEqual(bad, []);
});

test('src/core never imports vscode or a host', () => {
  const bad = tsFiles(join(SRC, 'core')).flatMap(importsOf)
    .filter((s) => s.spec === 'vscode' || (s.target !== undefined && HOSTS.some((h) => s.target!.startsWith(`${h}/`))))
    .map((s) => `${s.file}: ${s.spec}`);
  assert.deepEqual(bad, []);
});

test('src/shared takes only types from the engine, and nothing from the hosts', () => {
  const bad = tsFiles(join(SRC, 'shared')).flatMap(importsOf)
    .filter((s) => s.spec === 'vscode' || (s.target !== undefined && (
      (s.target.startsWith('core') && !s.typeOnly) || HOSTS.some((h) => s.target!.startsWith(`${h}/`)))))
    .map((s) => `${s.file}: ${s.spec}`);
  assert.deepEqual(bad, []);
});
