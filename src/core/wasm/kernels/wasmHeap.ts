/**
 * What the engine's JavaScript kernels need of tfjs-backend-wasm: outputs allocated on its
 * heap and typed views of tensors there. Kernels written this way read and write the wasm
 * heap in place, with no copy into or out of JavaScript arrays.
 *
 * Heap growth detaches every view taken before it, and any allocation (makeOutput, or a
 * kernel run from inside another) may grow the heap: allocate first, take views after.
 */
import * as tf from '@tensorflow/tfjs-core';
import { instantiateSimdKernels, type SimdKernels } from '../simd/kernels';

export interface WasmBackendLike {
  disposeData(dataId: unknown): boolean;
  readSync(dataId: unknown): ArrayLike<number>;
  incRef(dataId: unknown): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
  /** tfjs-backend-wasm internals: the Emscripten module and where each tensor lives. */
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap?: { get(dataId: unknown): { memoryOffset: number } | undefined };
}

/** Byte offset of a tensor's data on the wasm heap. */
export function pointer(backend: WasmBackendLike, t: tf.TensorInfo): number {
  return backend.dataIdMap!.get(t.dataId)!.memoryOffset;
}

const simdByMemory = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/**
 * The SIMD kernels (the .wat modules beside their references, loaded by simd/kernels.ts) on this backend's heap, or undefined where WebAssembly
 * SIMD or the backend's internals are unavailable: the callers then run JavaScript loops.
 */
export function simdKernels(backend: WasmBackendLike): SimdKernels | undefined {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof backend.dataIdMap?.get !== 'function') return undefined;
  let kernels = simdByMemory.get(memory);
  if (kernels === undefined) {
    try {
      kernels = instantiateSimdKernels(memory) ?? null;
    } catch {
      kernels = null;
    }
    simdByMemory.set(memory, kernels);
  }
  return kernels ?? undefined;
}

/** Set by tests to check the JavaScript fallbacks against the SIMD kernels. */
export const kernelOptions = { simd: true };

/** The float32 view of a tensor on the wasm heap. */
export function f32(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * True when the active backend is wasm and `kernelName` is registered for it: the fused ops
 * then run their kernel, and otherwise fall back on composite tf ops (tfjs-node, cpu, or a
 * process where registerWasmKernels did not run).
 */
export function wasmKernelActive(kernelName: string): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(kernelName, 'wasm') !== undefined;
}

/** Runs a registered kernel through the engine (so that profiling and memory tracking see it). */
export function runKernel<T extends tf.Tensor | tf.Tensor[]>(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return tf.engine().runKernel(kernelName, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as T;
}

/** Registers a wasm kernel whose body takes the backend and its inputs and attributes. */
export function registerWasmKernel(
  kernelName: string,
  body: (backend: WasmBackendLike, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>) => tf.TensorInfo | tf.TensorInfo[],
): void {
  if (tf.getKernel(kernelName, 'wasm')) return;
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      body(backend as unknown as WasmBackendLike, inputs as unknown as Record<string, tf.TensorInfo>, attrs as unknown as Record<string, unknown>),
  });
}

export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Replaces the wasm backend's kernel `kernelName` by `kernel`, which handles the cases it
 * is faster or right for and hands the others to the original (the second argument).
 */
export function overrideWasmKernel(kernelName: string, kernel: (args: KernelArgs, original: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[]): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: original.setupFunc, disposeFunc: original.disposeFunc, kernelFunc: (args) => kernel(args, original.kernelFunc) });
}
