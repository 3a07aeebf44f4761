/**
 * The build's WebAssembly text compiler (scripts/watPlugin.mjs, wabt): every kernel module
 * compiles, validates in this engine and imports nothing but the heap; relaxed SIMD is
 * accepted only in *.relaxed.wat (an engine without it would reject the whole module); and
 * a mistake names the file and line.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const ROOT = process.cwd();
const KERNELS = join(ROOT, 'src/core/wasm/kernels');

type CompileWat = (path: string, text: string) => Promise<Uint8Array>;
const compiler = async (): Promise<CompileWat> => ((await import(pathToFileURL(join(ROOT, 'scripts/watPlugin.mjs')).href)) as { compileWat: CompileWat }).compileWat;

const MADD = `(module (func (export "f") (param v128 v128 v128) (result v128)
  (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))`;

test('every kernel module compiles, validates here, and imports only env.memory', async () => {
  const compileWat = await compiler();
  const files = readdirSync(KERNELS).filter((f) => f.endsWith('.wat'));
  assert.ok(files.length >= 10, `kernel modules found: ${files.join(', ')}`);
  // The engine's loader asks V8 for relaxed SIMD the same way before compiling the fused GEMM.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
  for (const file of files) {
    const path = join(KERNELS, file);
    const bytes = await compileWat(path, readFileSync(path, 'utf8'));
    assert.ok(WebAssembly.validate(bytes), `${file} validates`);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
    assert.deepEqual(imports, [{ module: 'env', name: 'memory', kind: 'memory' }], file);
  }
});

test('relaxed SIMD only in *.relaxed.wat', async () => {
  const compileWat = await compiler();
  await assert.rejects(compileWat('/x/fused.wat', MADD), /relaxed|unexpected token|opcode/i);
  const bytes = await compileWat('/x/fused.relaxed.wat', MADD);
  assert.ok(bytes.length > 8);
});

test('a mistake in the text names the file and line', async () => {
  const compileWat = await compiler();
  const text = '(module\n  (func (export "f") (param i32)\n    (local.set 0 (f32.const 1))))';
  await assert.rejects(compileWat('/x/broken.wat', text), (e: Error) => /broken\.wat:3:/.test(e.message));
});
