/**
 * The SIMD kernels' modules, loaded on tfjs-backend-wasm's heap. Each kernel is written in
 * WebAssembly text beside its JavaScript reference (kernels/gelu.wat beside gelu.ts, ...)
 * and compiled to bytes when the bundle is built (scripts/watPlugin.mjs, with wabt).
 *
 * Why wasm of our own: on the wasm backend the engine's elementwise work (GELU, LayerNorm,
 * softmax, AdamW) either runs as many tfjs kernels, each a pass over memory with erf and
 * exp in scalar code, or as JavaScript loops, which V8 does not vectorise. f32x4 code on
 * tfjs's own heap does one pass at SIMD speed (figures: docs/benchmarks.md, Kernels).
 *
 * Every module imports the backend's WebAssembly.Memory as env.memory, so the kernels read
 * and write tensors in place by their heap offsets. Row lengths must be multiples of 4;
 * other shapes take the JavaScript kernels.
 */
import addRows from '../kernels/addRows.wat';
import adamw from '../kernels/adamw.wat';
import attentionSoftmax from '../kernels/attentionSoftmax.wat';
import columnSum from '../kernels/columnSum.wat';
import dropout from '../kernels/dropout.wat';
import gelu from '../kernels/gelu.wat';
import gemm from '../kernels/gemm.wat';
import gemmRelaxed from '../kernels/gemm.relaxed.wat';
import layerNorm from '../kernels/layerNorm.wat';
import transpose from '../kernels/transpose.wat';

/** The modules that need only SIMD (every engine with WebAssembly SIMD runs them). */
const SIMD_MODULES = [gelu, layerNorm, columnSum, transpose, adamw, dropout, attentionSoftmax, addRows, gemm];

/**
 * Rows of C per tile of the packed GEMM (two f32x4 columns each: 2 * GEMM_MR accumulators).
 * gemm.wat's gemm_packed and pack_a are written for this tile height.
 */
export const GEMM_MR = 5;

/** The packed GEMM's functions: gemm_packed of one variant, and gemm.wat's pack_a, which both use. */
export interface PackedGemm {
  gemm_packed(pa: number, pb: number, c: number, M: number, kc: number, N: number, ldc: number, accumulate: number): void;
  pack_a(a: number, lda: number, rows: number, kc: number, dst: number): void;
}

/**
 * The packed GEMM's multiply-add kernel: `plain` in gemm.wat (with pack_a, which both
 * variants share), `fma` (fused multiply-adds, relaxed SIMD) in gemm.relaxed.wat.
 */
export const GEMM_MODULE_BYTES = { plain: gemm, fma: gemmRelaxed };

let relaxedTried = false;

/**
 * Whether relaxed SIMD validates, after asking V8 for it once: Node 20 (V8 11.3) has it
 * behind --experimental-wasm-relaxed-simd, which can be set at run time before a module is
 * compiled (worker threads started afterwards inherit it).
 */
function relaxedSimd(): boolean {
  if (WebAssembly.validate(GEMM_MODULE_BYTES.fma)) return true;
  if (!relaxedTried) {
    relaxedTried = true;
    try {
      const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (proc?.versions?.node && typeof require === 'function') (require('v8') as { setFlagsFromString(flag: string): void }).setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // not Node, or no such flag: the plain variant
    }
  }
  return WebAssembly.validate(GEMM_MODULE_BYTES.fma);
}

export interface SimdKernels {
  /** The packed GEMM with fused multiply-adds, where relaxed SIMD is available, and without. */
  packed: { fma?: PackedGemm; plain: PackedGemm };
  pack_panels(b: number, panels: number, K: number, N: number): void;
  /** C (+)= A B; leading dimensions in bytes; accumulate 1 adds to C, 0 overwrites it. */
  gemm(a: number, b: number, c: number, M: number, K: number, N: number, lda: number, ldb: number, ldc: number, accumulate: number): void;
  dropout_mask4(mask: number, chunkBytes: number, state: number, threshold: number, keep: number): void;
  multiply(a: number, b: number, out: number, bytes: number): void;
  add_rows(x: number, row: number, out: number, totalBytes: number, rowBytes: number): void;
  attention_softmax(scores: number, bias: number, probs: number, groups: number, rowsPerGroup: number, rowBytes: number, scale: number): void;
  attention_softmax_backward(dp: number, p: number, ds: number, rows: number, rowBytes: number, scale: number): void;
  dropout(x: number, y: number, mask: number, bytes: number, s0: number, s1: number, s2: number, s3: number, threshold: number, keep: number): void;
  adamw(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, bytes: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, c1: number, c2: number, eps: number, wd: number, lr: number): void;
  sum_of_squares(x: number, bytes: number, out: number): void;
  transpose_rows(src: number, dst: number, rows: number, cols: number, r0: number, r1: number): void;
  gelu_forward(x: number, bias: number, y: number, totalBytes: number, rowBytes: number): void;
  gelu_backward(dy: number, x: number, bias: number, dx: number, dbias: number, totalBytes: number, rowBytes: number): void;
  layer_norm_forward(x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, rows: number, rowBytes: number, invCols: number, eps: number): void;
  layer_norm_backward(dy: number, x: number, gamma: number, mean: number, rstd: number, dx: number, dgamma: number, dbeta: number, rows: number, rowBytes: number, invCols: number): void;
  column_sum(src: number, dst: number, totalBytes: number, rowBytes: number): void;
}

/** The kernels bound to `memory`, or undefined where WebAssembly SIMD is unavailable. */
export function instantiateSimdKernels(memory: WebAssembly.Memory): SimdKernels | undefined {
  if (!SIMD_MODULES.every((bytes) => WebAssembly.validate(bytes))) return undefined;
  const instance = (bytes: Uint8Array) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const { gemm_packed, pack_a, ...kernels } = Object.assign({}, ...SIMD_MODULES.map(instance)) as Omit<SimdKernels, 'packed'> & PackedGemm;
  const fma = relaxedSimd() ? { gemm_packed: (instance(gemmRelaxed) as unknown as PackedGemm).gemm_packed, pack_a } : undefined;
  return { ...kernels, packed: { plain: { gemm_packed, pack_a }, fma } };
}
