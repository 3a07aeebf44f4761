/**
 * A minimal WebAssembly assembler: just what the SIMD kernels of simd/kernels.ts need.
 *
 * Why hand-assembled wasm: on the wasm backend the engine's elementwise work (GELU,
 * LayerNorm) either runs as many tfjs kernels, each a pass over memory, with erf and exp in
 * scalar code, or as JavaScript loops, which V8 does not vectorise (about 4 ns per value
 * on the 2-core machine this was measured on, against 0.6 for a tfjs SIMD kernel). A few
 * hundred bytes of f32x4 code, built at startup and run on tfjs's own heap, do one pass
 * at SIMD speed. No compiler or dependency is needed to build it.
 *
 * Expressions are byte arrays in stack order: `f4.add(a, b)` is a's code, b's code, the op.
 */
export type Code = number[];

const SIMD = 0xfd;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (op: number, ...args: Code[]): Code => [...args.flat(), SIMD, ...uleb(op)];
const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, op];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Local variables. */
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number, v: Code): Code => [...v, 0x21, ...uleb(i)];

/** i32 scalars (addresses, counters). */
export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v | 0)],
  add: bin(0x6a),
  sub: bin(0x6b),
  mul: bin(0x6c),
  ltU: bin(0x49),
  gtU: bin(0x4b),
  xor: bin(0x73),
  shl: bin(0x74),
  and: bin(0x71),
  divU: bin(0x6e),
  remU: bin(0x70),
  rotl: bin(0x77),
};

/** a if cond is non-zero, else b (any one value type). */
export const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];

/** f32 scalars. */
export const f32 = {
  const: (v: number): Code => {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return [0x43, ...b];
  },
  add: bin(0x92),
  sub: bin(0x93),
  mul: bin(0x94),
  div: bin(0x95),
  sqrt: (a: Code): Code => [...a, 0x91],
  max: bin(0x97),
  load: (addr: Code): Code => [...addr, 0x2a, 2, 0],
  store: (addr: Code, v: Code): Code => [...addr, ...v, 0x38, 2, 0],
};

/** f32x4 vectors. Loads and stores take byte addresses (4-byte alignment hint). */
export const f4 = {
  load: (addr: Code): Code => [...addr, SIMD, 0x00, 2, 0],
  store: (addr: Code, v: Code): Code => [...addr, ...v, SIMD, 0x0b, 2, 0],
  splat: (s: Code): Code => simd(0x13, s),
  /** One float at addr + offset, in all four lanes. */
  loadSplat: (addr: Code, offset = 0): Code => [...addr, SIMD, 0x09, 2, ...uleb(offset)],
  /** Four floats at addr + offset (a constant). */
  loadAt: (addr: Code, offset: number): Code => [...addr, SIMD, 0x00, 2, ...uleb(offset)],
  const: (v: number): Code => simd(0x13, f32.const(v)),
  lane: (v: Code, lane: number): Code => [...simd(0x1f, v), lane],
  /** Four 32-bit lanes picked from a (0-3) and b (4-7): an i8x16.shuffle. */
  shuffle: (a: Code, b: Code, lanes: number[]): Code => [...a, ...b, SIMD, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])],
  /** Lane `lane` of v in all four lanes (an i8x16.shuffle: pshufd on x64). */
  broadcastLane: (v: Code, lane: number): Code => [...v, ...v, SIMD, 0x0d, ...Array.from({ length: 16 }, (_, i) => 4 * lane + (i % 4))],
  ge: (a: Code, b: Code): Code => simd(0x46, a, b),
  /** Lanes of a where mask is set, else of b. */
  select: (a: Code, b: Code, mask: Code): Code => simd(0x52, a, b, mask),
  nearest: (a: Code): Code => simd(0x6a, a),
  abs: (a: Code): Code => simd(0xe0, a),
  sqrt: (a: Code): Code => simd(0xe3, a),
  add: (a: Code, b: Code): Code => simd(0xe4, a, b),
  sub: (a: Code, b: Code): Code => simd(0xe5, a, b),
  mul: (a: Code, b: Code): Code => simd(0xe6, a, b),
  /** a * b + c, fused or not as the engine chooses (relaxed SIMD, final opcode 0x105). */
  madd: (a: Code, b: Code, c: Code): Code => simd(0x105, a, b, c),
  div: (a: Code, b: Code): Code => simd(0xe7, a, b),
  max: (a: Code, b: Code): Code => simd(0xe9, a, b),
  /** Float lanes to int32 lanes (saturating), int32 lanes to float. */
  toInt: (a: Code): Code => simd(0xf8, a),
  /** int32 lanes: a + b, a << n. */
  iadd: (a: Code, b: Code): Code => simd(0xae, a, b),
  ishl: (a: Code, n: Code): Code => simd(0xab, a, n),
  isplat: (s: Code): Code => simd(0x11, s),
  ishrU: (a: Code, n: Code): Code => simd(0xad, a, n),
  imul: (a: Code, b: Code): Code => simd(0xb5, a, b),
  iltU: (a: Code, b: Code): Code => simd(0x3a, a, b),
  or: (a: Code, b: Code): Code => simd(0x50, a, b),
  xor: (a: Code, b: Code): Code => simd(0x51, a, b),
  /** Integer lanes rotated left by n (a constant). */
  irotl: (a: Code, n: number): Code => simd(0x50, simd(0xab, a, i32.const(n)), simd(0xad, a, i32.const(32 - n))),
  /** Largest of the four lanes, as an f32 scalar. */
  hmax: (v: Code, tmp: number): Code => [
    ...set(tmp, v),
    ...f32.max(f32.max(f4.lane(get(tmp), 0), f4.lane(get(tmp), 1)), f32.max(f4.lane(get(tmp), 2), f4.lane(get(tmp), 3))),
  ],
  /** Sum of the four lanes, as an f32 scalar. */
  hsum: (v: Code, tmp: number): Code => [
    ...set(tmp, v),
    ...f32.add(f32.add(f4.lane(get(tmp), 0), f4.lane(get(tmp), 1)), f32.add(f4.lane(get(tmp), 2), f4.lane(get(tmp), 3))),
  ],
};

/** for (i = from; i < to; i += step) body — i32 counters. */
export function loop(i: number, from: Code, to: Code, step: number, body: Code): Code {
  return [
    ...set(i, from),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...i32.ltU(get(i), to), 0x45, 0x0d, 1, // br_if (i >= to) out of the block
    ...body,
    ...set(i, i32.add(get(i), i32.const(step))),
    0x0c, 0, // br to the loop's start
    0x0b, 0x0b, // end loop, end block
  ];
}

/** if (cond) body. */
export const when = (cond: Code, body: Code): Code => [...cond, 0x04, 0x40, ...body, 0x0b];

export interface FunctionDef {
  name: string;
  params: number[];
  locals: number[];
  body: Code;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(Buffer.from(s, 'utf8'))];

/** A module importing env.memory and exporting the functions (none returns a value). */
export function assemble(functions: FunctionDef[]): Uint8Array {
  const types = vec(functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]));
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const bodies = vec(
    functions.map((f) => {
      const locals = vec(f.locals.map((t) => [1, t]));
      const body = [...locals, ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}
