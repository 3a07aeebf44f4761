// Compiles the engine's WebAssembly text (.wat) into binary at build time, with wabt (the
// WebAssembly project's own toolkit, on npm): `import bytes from './gelu.wat'` gives the
// bundle the validated module's bytes as a Uint8Array, so nothing is assembled at run time.
// Every module may use SIMD (f32x4, i8x16.shuffle...); relaxed SIMD (relaxed_madd) only in a
// file named *.relaxed.wat, for engines without it reject the whole module: the loader
// (src/core/wasm/simd/kernels.ts) keeps those modules apart and uses them where they validate.
import wabtInit from 'wabt';
import { readFile } from 'node:fs/promises';

let wabt;

/** Text to validated binary; throws wabt's message (file:line:column) on a syntax or type error. */
export async function compileWat(path, text) {
  wabt ??= await wabtInit();
  const features = { simd: true, relaxed_simd: path.endsWith('.relaxed.wat') };
  const module = wabt.parseWat(path, text, features);
  try {
    module.resolveNames();
    module.validate();
    // Debug names (functions, locals) let profilers and --print-wasm-code show them.
    return module.toBinary({ log: false, write_debug_names: true }).buffer;
  } finally {
    module.destroy();
  }
}

/** esbuild plugin: .wat files load as their compiled bytes (esbuild's binary loader). */
export const watPlugin = {
  name: 'wat',
  setup(b) {
    b.onLoad({ filter: /\.wat$/ }, async ({ path }) => {
      try {
        return { contents: await compileWat(path, await readFile(path, 'utf8')), loader: 'binary' };
      } catch (e) {
        return { errors: [{ text: `${path}: ${e.message}` }] };
      }
    });
  },
};
