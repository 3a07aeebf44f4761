// Bundles every entry point with esbuild. Node entry points keep their npm dependencies
// external except where a bundle must stand alone (the VSIX ships node_modules it needs).
// Test files are bundled one-to-one into out/test so that `node --test` can run them.
// The engine's WebAssembly kernels (.wat) are compiled into the bundles by watPlugin.mjs.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { watPlugin } from './watPlugin.mjs';

const root = new URL('..', import.meta.url).pathname;
const watch = process.argv.includes('--watch');

/** Node programs: [entry, outfile]. Missing entries are skipped so the build works while parts are being written. */
const nodeEntries = [
  ['src/cli/main.ts', 'dist/cli.js'],
  ['src/bench/main.ts', 'dist/bench.js'],
  ['src/extension/extension.ts', 'dist/extension.js'],
  ['src/worker/trainingWorker.ts', 'dist/trainingWorker.js'],
  ['src/server/server.ts', 'dist/server.js'],
  ['src/worker/dataParallelWorker.ts', 'dist/dataParallelWorker.js'],
  ['src/worker/importWorker.ts', 'dist/importWorker.js'],
  ['src/worker/downloadWorker.ts', 'dist/downloadWorker.js'],
  ['src/tools/baseCorpusMain.ts', 'dist/baseCorpus.js'],
  ['src/tools/shipModel.ts', 'dist/shipModel.js'],
];

/** Browser bundles for webviews. */
const webEntries = [
  ['src/webview/dashboard/main.ts', 'dist/webview/dashboard.js'],
  ['src/webview/tokens/main.ts', 'dist/webview/tokens.js'],
];

function listTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
// vscode is provided by the host. TensorFlow.js stays external as a whole: the native
// bindings (tfjs-node, loaded lazily) register kernels on the tfjs-core instance in
// node_modules, so every bundle must share that one instance rather than a bundled copy.
const nodeExternal = ['vscode', '@tensorflow/*', 'playwright-core', 'code-server'];

// tfjs-core ships its gradients only as ES modules (the umbrella @tensorflow/tfjs imports
// them). Bundle that one entry; it registers into tfjs's process-wide registry, which the
// external tfjs-core instance shares.
const bundleTfjsGradients = {
  name: 'bundle-tfjs-gradients',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/ }, () => ({
      path: join(root, 'node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js'),
    }));
  },
};
common.plugins = [bundleTfjsGradients, watPlugin];

const jobs = [];
for (const [entry, outfile] of nodeEntries) {
  if (!existsSync(join(root, entry))) continue;
  jobs.push(build({ ...common, entryPoints: [entry], outfile, platform: 'node', target: 'node20', format: 'cjs', external: nodeExternal }));
}
for (const [entry, outfile] of webEntries) {
  if (!existsSync(join(root, entry))) continue;
  jobs.push(build({ ...common, entryPoints: [entry], outfile, platform: 'browser', target: 'es2022', format: 'iife' }));
}
const tests = listTests(join(root, 'test')).map((p) => relative(root, p));
if (tests.length > 0) {
  jobs.push(build({ ...common, entryPoints: tests, outdir: 'out/test', outbase: 'test', platform: 'node', target: 'node20', format: 'cjs', packages: 'external' }));
}
await Promise.all(jobs);
if (!watch) console.log(`built ${jobs.length} bundles (${tests.length} test files)`);
