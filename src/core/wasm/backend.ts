/**
 * Chooses the TensorFlow.js backend: tfjs-node-gpu, then tfjs-node, then wasm, then the
 * plain JavaScript cpu backend. The native packages are optional dependencies: they are
 * required lazily, and each one that cannot be used leaves a reason in the report.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the umbrella @tensorflow/tfjs package would.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { registerWasmKernels } from './kernels/registry';
import { BACKEND_NAMES, DEFAULT_BACKEND, type BackendName, type BackendPreference } from '../../shared/defaults';

export type { BackendName, BackendPreference } from '../../shared/defaults';

export interface BackendReport {
  /** The backend in use. */
  name: BackendName;
  /** tfjs's own name for it ('tensorflow', 'wasm', 'cpu'). */
  tfName: string;
  /** Why each better backend was not used. */
  skipped: Array<{ name: BackendName; reason: string }>;
}

let active: BackendReport | undefined;

/** Loads `@tensorflow/tfjs-node[-gpu]` if installed and working; returns the reason if not. */
function tryNative(pkg: string): string | undefined {
  try {
    // Lazy on purpose: the package is optional and its native library may be missing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return /Cannot find module/.test(msg) ? `${pkg} is not installed` : `${pkg} failed to load: ${msg}`;
  }
  if (!tf.findBackend('tensorflow')) return `${pkg} loaded but registered no 'tensorflow' backend`;
  return undefined;
}

/** Directory holding tfjs-backend-wasm's .wasm files: beside the bundle (VSIX) or in node_modules. */
function wasmDir(): string {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm-simd.wasm'))) return __dirname + '/';
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/';
}

async function tryWasm(): Promise<string | undefined> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir());
    registerWasmKernels();
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
    return undefined;
  } catch (e) {
    return `the wasm backend failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/**
 * Initialises the backend once per process. `preference` forces one backend (an error if it
 * cannot be used); 'auto' walks the list from best to worst.
 */
export async function initBackend(preference: BackendPreference = DEFAULT_BACKEND): Promise<BackendReport> {
  if (active) {
    if (preference !== 'auto' && preference !== active.name) {
      throw new Error(`backend '${active.name}' is already active in this process; cannot switch to '${preference}'`);
    }
    return active;
  }
  const order: readonly BackendName[] = preference === 'auto' ? BACKEND_NAMES : [preference];
  const skipped: BackendReport['skipped'] = [];
  for (const name of order) {
    let reason: string | undefined;
    if (name === 'tensorflow-gpu') reason = tryNative('@tensorflow/tfjs-node-gpu');
    else if (name === 'tensorflow') reason = tryNative('@tensorflow/tfjs-node');
    else if (name === 'wasm') reason = await tryWasm();
    else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@tensorflow/tfjs-backend-cpu');
      reason = (await tf.setBackend('cpu')) ? undefined : 'the cpu backend failed to initialise';
    }
    if (reason === undefined && (name === 'tensorflow' || name === 'tensorflow-gpu')) {
      reason = (await tf.setBackend('tensorflow')) ? undefined : 'the tensorflow backend failed to initialise';
    }
    if (reason === undefined) {
      await tf.ready();
      active = { name, tfName: tf.getBackend(), skipped };
      return active;
    }
    if (preference !== 'auto') throw new Error(`backend '${name}' is not available: ${reason}`);
    skipped.push({ name, reason });
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.map((s) => s.reason).join('; ')}`);
}

/** One line for logs: "wasm (tensorflow-gpu: ... not installed; tensorflow: ... not installed)". */
export function describeBackend(r: BackendReport): string {
  const why = r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return why ? `${r.name} (not used: ${why})` : r.name;
}
