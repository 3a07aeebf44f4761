/**
 * f32x4 kernels on tfjs-backend-wasm's heap (see assembler.ts for why). The module imports
 * the backend's own WebAssembly.Memory, so the kernels read and write tensors in place by
 * their heap offsets. Row lengths must be multiples of 4; other shapes take the
 * JavaScript kernels.
 *
 * exp(a) for a <= 0: a / ln 2 = k + r, |r| <= 1/2, exp(a) = 2^k * P(r ln 2) with P the
 * degree-6 Taylor polynomial (relative error under 2e-7) and 2^k built in the exponent bits;
 * a / ln 2 is clamped at -126, so exp(a) is never below 2^-126 (1e-38) rather than 0.
 * erf is Abramowitz & Stegun 7.1.26 as in gelu.ts, Phi(-|u|) formed without cancellation.
 */
import { assemble, F32, f32, f4, get, I32, i32, loop, select, set, V128, when, type Code } from './assembler';

const LOG2E = Math.LOG2E;
const LN2 = Math.LN2;
const [P, A1, A2, A3, A4, A5] = [0.3275911, 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Allocates a function's locals after its `params` parameters. */
class Frame {
  readonly locals: number[] = [];
  constructor(private readonly params: number) {}
  private add(type: number): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }
  i32 = (): number => this.add(I32);
  f32 = (): number => this.add(F32);
  v128 = (): number => this.add(V128);
}

/**
 * f32x4.pmax: b where a < b, else a. One maxps on x64, where f32x4.max (NaN and -0 rules)
 * takes seven instructions; the two differ only on NaN and signed zeros.
 */
const pmax = (a: Code, b: Code): Code => [...a, ...b, 0xfd, 0xeb, 0x01];

/** Four floats stored at addr + offset (a constant under 128). */
const storeAt = (addr: Code, offset: number, v: Code): Code => [...addr, ...v, 0xfd, 0x0b, 2, offset];

/** 1.5 * 2^23: v + ROUNDER rounds v (|v| < 2^22) to an integer, ties to even, kept in the low mantissa bits. */
const ROUNDER = 12582912;

/**
 * Sets `e` = 2^y for the vector y (y <= 0); v, k, r2 and r4 are scratch locals. k =
 * round(y) comes from y + 1.5 * 2^23, whose bits are those of 1.5 * 2^23 plus k: shifted
 * left by 23 they are k << 23, so (bits + 127) << 23 is 2^k. The same values as
 * f32x4.nearest and a conversion to int, in two additions (the conversion alone is six
 * instructions on x64). The polynomial is evaluated in Estrin's scheme, in powers of r:
 * four multiplies deep rather than Horner's twelve operations, for the exp is most of
 * each value's chain of dependent operations, which is what bounds these kernels.
 */
function exp2NonPositive(y: Code, e: number, v: number, k: number, r2: number, r4: number): Code {
  const r = get(v);
  return [
    ...set(v, pmax(y, f4.const(-126))),
    ...set(k, f4.add(get(v), f4.const(ROUNDER))),
    ...set(v, f4.mul(f4.sub(get(v), f4.sub(get(k), f4.const(ROUNDER))), f4.const(LN2))),
    ...set(r2, f4.mul(r, r)),
    ...set(r4, f4.mul(get(r2), get(r2))),
    // (1 + r + r^2 / 2 + r^3 / 6) + r^4 (1 / 24 + r / 120 + r^2 / 720)
    ...set(e, f4.add(
      f4.add(f4.add(f4.const(1), r), f4.mul(get(r2), f4.add(f4.const(1 / 2), f4.mul(r, f4.const(1 / 6))))),
      f4.mul(get(r4), f4.add(f4.add(f4.const(1 / 24), f4.mul(r, f4.const(1 / 120))), f4.mul(get(r2), f4.const(1 / 720)))),
    )),
    ...set(e, f4.mul(get(e), f4.ishl(f4.iadd(get(k), f4.isplat(i32.const(127))), i32.const(23)))),
  ];
}

/** Sets `e` = exp(a) for the vector a (a <= 0); v, k, r2, r4 are scratch locals. */
const expNonPositive = (a: Code, e: number, v: number, k: number, r2: number, r4: number): Code => exp2NonPositive(f4.mul(a, f4.const(LOG2E)), e, v, k, r2, r4);

/** One vector's locals for normalTail. */
interface TailLocals {
  u: number;
  e: number;
  half: number;
  v: number;
  k: number;
  t: number;
  p2: number;
  p4: number;
}

/**
 * Sets `e` = exp(-u^2 / 2) and `half` = Phi(-|u|) from the vector in local `u`; the other
 * locals are scratch. The A&S polynomial in Estrin's scheme: (A1 + A2 t) + t^2 ((A3 + A4 t) + A5 t^2).
 */
function normalTail({ u, e, half, v, k, t, p2, p4 }: TailLocals): Code {
  return [
    // -u^2 / 2 * log2(e) in one multiply: the constant is exactly -0.5 times float32(log2 e).
    ...exp2NonPositive(f4.mul(f4.mul(get(u), get(u)), f4.const(-0.5 * LOG2E)), e, v, k, p2, p4),
    ...set(t, f4.div(f4.const(1), f4.add(f4.const(1), f4.mul(f4.abs(get(u)), f4.const(P * Math.SQRT1_2))))),
    ...set(p2, f4.mul(get(t), get(t))),
    ...set(half, f4.add(f4.add(f4.const(A1), f4.mul(get(t), f4.const(A2))), f4.mul(get(p2), f4.add(f4.add(f4.const(A3), f4.mul(get(t), f4.const(A4))), f4.mul(get(p2), f4.const(A5)))))),
    ...set(half, f4.mul(f4.mul(get(t), get(half)), f4.mul(get(e), f4.const(0.5)))),
  ];
}

const tailLocals = (L: Frame): TailLocals => ({ u: L.v128(), e: L.v128(), half: L.v128(), v: L.v128(), k: L.v128(), t: L.v128(), p2: L.v128(), p4: L.v128() });

/** Phi(u) from Phi(-|u|). */
const phiOf = (u: number, half: number): Code => f4.select(f4.sub(f4.const(1), get(half)), get(half), f4.ge(get(u), f4.const(0)));

const add = i32.add;

/**
 * for (c = 0; c < rowBytes; c += 16): `unroll` vectors per iteration (body(j, off): vector
 * j, at byte offset off from c) while whole groups remain, then one at a time (body(0, 0)).
 * rowBytes is a multiple of 16; `end` is a scratch local.
 */
function rowLoop(c: number, end: number, rowBytes: Code, unroll: number, body: (j: number, off: number) => Code): Code {
  return [
    ...set(end, i32.and(rowBytes, i32.const(-16 * unroll))),
    ...loop(c, i32.const(0), get(end), 16 * unroll, Array.from({ length: unroll }, (_, j) => body(j, 16 * j)).flat()),
    ...(unroll > 1 ? loop(c, get(c), rowBytes, 16, body(0, 0)) : []),
  ];
}

/** Vectors per iteration of the GELU loops. */
const GELU_UNROLL = 2;

/**
 * The GELU kernels' walk: every vector of every row (`unroll` at a time), with u = x + bias
 * and the normal tail of u (normalTail) computed in that vector's locals before `body`.
 */
function geluRows(L: Frame, unroll: number, [x, b, total, rowBytes]: number[], body: (s: TailLocals, o: number, c: number, off: number) => Code): Code {
  const [o, c, end] = [L.i32(), L.i32(), L.i32()];
  const s = Array.from({ length: unroll }, () => tailLocals(L));
  return loop(o, i32.const(0), get(total), 0, [
    ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => [
      ...set(s[j].u, f4.add(f4.loadAt(add(get(x), add(get(o), get(c))), off), f4.loadAt(add(get(b), get(c)), off))),
      ...normalTail(s[j]),
      ...body(s[j], o, c, off),
    ]),
    ...set(o, add(get(o), get(rowBytes))),
  ]);
}

/** gelu_forward(x, bias, y, totalBytes, rowBytes): y = gelu(x + bias). */
function geluForward(unroll = GELU_UNROLL) {
  const [x, b, y, total, rowBytes] = [0, 1, 2, 3, 4];
  const L = new Frame(5);
  const body = geluRows(L, unroll, [x, b, total, rowBytes], (s, o, c, off) =>
    storeAt(add(get(y), add(get(o), get(c))), off, f4.mul(get(s.u), phiOf(s.u, s.half))),
  );
  return { name: 'gelu_forward', params: [I32, I32, I32, I32, I32], locals: L.locals, body };
}

/** gelu_backward(dy, x, bias, dx, dbias, totalBytes, rowBytes): dx = dy * gelu'(x + bias); dbias += column sums of dx. */
function geluBackward(unroll = GELU_UNROLL) {
  const [dy, x, b, dx, db, total, rowBytes] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Frame(7);
  const body = geluRows(L, unroll, [x, b, total, rowBytes], (s, o, c, off) => [
    // gelu'(u) = Phi(u) + u phi(u), phi(u) = exp(-u^2 / 2) / sqrt(2 pi)
    ...set(s.v, f4.mul(f4.loadAt(add(get(dy), add(get(o), get(c))), off), f4.add(phiOf(s.u, s.half), f4.mul(f4.mul(get(s.u), get(s.e)), f4.const(INV_SQRT_2PI))))),
    ...storeAt(add(get(dx), add(get(o), get(c))), off, get(s.v)),
    ...storeAt(add(get(db), get(c)), off, f4.add(f4.loadAt(add(get(db), get(c)), off), get(s.v))),
  ]);
  return { name: 'gelu_backward', params: [I32, I32, I32, I32, I32, I32, I32], locals: L.locals, body };
}

/** Vectors per iteration of the LayerNorm passes over a row, each with its own accumulator. */
const LAYER_NORM_UNROLL = 4;

/** Sets local `into` to the sum of locals `acc` (pairwise). */
const sumOf = (into: number, acc: number[]): Code => {
  const parts = acc.map((a) => get(a));
  while (parts.length > 1) parts.splice(0, 2, f4.add(parts[0], parts[1]));
  return set(into, parts[0]);
};

/** layer_norm_forward(x, gamma, beta, y, mean, rstd, rows, rowBytes, invCols, eps). */
function layerNormForward(unroll = LAYER_NORM_UNROLL) {
  const [x, g, b, y, mean, rstd, rows, rowBytes, invC, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Frame(10);
  const [r, c, row, end] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const [m, rs] = [L.f32(), L.f32()];
  const [tmp, mv, rv] = [L.v128(), L.v128(), L.v128()];
  const acc = Array.from({ length: unroll }, () => L.v128());
  const d = Array.from({ length: unroll }, () => L.v128());
  const at = (base: number) => add(get(base), add(get(row), get(c)));
  const body = [
    ...set(row, i32.const(0)),
    ...loop(r, i32.const(0), get(rows), 1, [
      ...acc.flatMap((a) => set(a, f4.const(0))),
      ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => set(acc[j], f4.add(get(acc[j]), f4.loadAt(at(x), off)))),
      ...sumOf(tmp, acc),
      ...set(m, f32.mul(f4.hsum(get(tmp), tmp), get(invC))),
      ...set(mv, f4.splat(get(m))),
      ...acc.flatMap((a) => set(a, f4.const(0))),
      ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => [...set(d[j], f4.sub(f4.loadAt(at(x), off), get(mv))), ...set(acc[j], f4.add(get(acc[j]), f4.mul(get(d[j]), get(d[j]))))]),
      ...sumOf(tmp, acc),
      ...set(rs, f32.div(f32.const(1), f32.sqrt(f32.add(f32.mul(f4.hsum(get(tmp), tmp), get(invC)), get(eps))))),
      ...set(rv, f4.splat(get(rs))),
      ...rowLoop(c, end, get(rowBytes), unroll, (_, off) =>
        storeAt(at(y), off, f4.add(f4.mul(f4.mul(f4.sub(f4.loadAt(at(x), off), get(mv)), get(rv)), f4.loadAt(add(get(g), get(c)), off)), f4.loadAt(add(get(b), get(c)), off)))),
      ...f32.store(add(get(mean), i32.mul(get(r), i32.const(4))), get(m)),
      ...f32.store(add(get(rstd), i32.mul(get(r), i32.const(4))), get(rs)),
      ...set(row, add(get(row), get(rowBytes))),
    ]),
  ];
  return { name: 'layer_norm_forward', params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32], locals: L.locals, body };
}

/**
 * layer_norm_backward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, rowBytes, invCols):
 * dx = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)); dgamma += column
 * sums of dy*xhat, dbeta += column sums of dy.
 */
function layerNormBackward(unroll = LAYER_NORM_UNROLL) {
  const [dy, x, g, mean, rstd, dx, dg, db, rows, rowBytes, invC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = new Frame(11);
  const [r, c, row, end] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const [m, rs, tmp] = [L.v128(), L.v128(), L.v128()];
  const s = Array.from({ length: unroll }, () => ({ sg: L.v128(), sgx: L.v128(), xh: L.v128(), d: L.v128(), gd: L.v128() }));
  const at = (base: number) => add(get(base), add(get(row), get(c)));
  const col = (base: number) => add(get(base), get(c));
  const [sg, sgx] = [s[0].sg, s[0].sgx];
  const body = [
    ...set(row, i32.const(0)),
    ...loop(r, i32.const(0), get(rows), 1, [
      ...set(m, f4.splat(f32.load(add(get(mean), i32.mul(get(r), i32.const(4)))))),
      ...set(rs, f4.splat(f32.load(add(get(rstd), i32.mul(get(r), i32.const(4)))))),
      ...s.flatMap((l) => [...set(l.sg, f4.const(0)), ...set(l.sgx, f4.const(0))]),
      ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => {
        const { sg: sgj, sgx: sgxj, xh, d, gd } = s[j];
        return [
          ...set(xh, f4.mul(f4.sub(f4.loadAt(at(x), off), get(m)), get(rs))),
          ...set(d, f4.loadAt(at(dy), off)),
          ...set(gd, f4.mul(get(d), f4.loadAt(col(g), off))),
          ...set(sgj, f4.add(get(sgj), get(gd))),
          ...set(sgxj, f4.add(get(sgxj), f4.mul(get(gd), get(xh)))),
          ...storeAt(col(dg), off, f4.add(f4.loadAt(col(dg), off), f4.mul(get(d), get(xh)))),
          ...storeAt(col(db), off, f4.add(f4.loadAt(col(db), off), get(d))),
        ];
      }),
      ...sumOf(sg, s.map((l) => l.sg)),
      ...sumOf(sgx, s.map((l) => l.sgx)),
      ...set(sg, f4.splat(f32.mul(f4.hsum(get(sg), tmp), get(invC)))),
      ...set(sgx, f4.splat(f32.mul(f4.hsum(get(sgx), tmp), get(invC)))),
      ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => [
        ...set(s[j].xh, f4.mul(f4.sub(f4.loadAt(at(x), off), get(m)), get(rs))),
        ...storeAt(at(dx), off, f4.mul(get(rs), f4.sub(f4.sub(f4.mul(f4.loadAt(at(dy), off), f4.loadAt(col(g), off)), get(sg)), f4.mul(get(s[j].xh), get(sgx))))),
      ]),
      ...set(row, add(get(row), get(rowBytes))),
    ]),
  ];
  return { name: 'layer_norm_backward', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F32], locals: L.locals, body };
}

/** column_sum(src, dst, totalBytes, rowBytes): dst += column sums of src. */
function columnSum() {
  const [src, dst, total, rowBytes, o, c] = [0, 1, 2, 3, 4, 5];
  const body = loop(o, i32.const(0), get(total), 0, [
    ...loop(c, i32.const(0), get(rowBytes), 16, f4.store(add(get(dst), get(c)), f4.add(f4.load(add(get(dst), get(c))), f4.load(add(get(src), add(get(o), get(c))))))),
    ...set(o, add(get(o), get(rowBytes))),
  ]);
  return { name: 'column_sum', params: [I32, I32, I32, I32], locals: [I32, I32], body };
}

/**
 * transpose_rows(src, dst, rows, cols, r0, r1): dst[c, r] = src[r, c] for rows r0 <= r < r1
 * (byte-free indices; scalar code). Called on blocks of 16 rows, it reads 16 rows column by
 * column and writes 16 consecutive values per column: both sides stay in cache.
 */
function transposeRows() {
  const [src, dst, rows, cols, r0, r1, c, r, from, to] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const body = loop(c, i32.const(0), get(cols), 1, [
    ...set(from, add(get(src), i32.mul(add(i32.mul(get(r0), get(cols)), get(c)), i32.const(4)))),
    ...set(to, add(get(dst), i32.mul(add(i32.mul(get(c), get(rows)), get(r0)), i32.const(4)))),
    ...loop(r, get(r0), get(r1), 1, [
      ...f32.store(get(to), f32.load(get(from))),
      ...set(from, add(get(from), i32.mul(get(cols), i32.const(4)))),
      ...set(to, add(get(to), i32.const(4))),
    ]),
  ]);
  return { name: 'transpose_rows', params: [I32, I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32], body };
}

/**
 * adamw(p, g, m, v, pOut, mOut, vOut, bytes, beta1, 1-beta1, beta2, 1-beta2, c1, c2, eps, wd, lr):
 * the AdamW update of optimizer.ts in the same float32 operations, in the same order, as
 * its composite form (so the same bits): m' = m b1 + g (1-b1); v' = v b2 + g^2 (1-b2);
 * u = (m'/c1) / (sqrt(v'/c2) + eps) + p wd; p' = p - u lr. wd = 0 leaves out the decay term.
 */
function adamw() {
  const [p, g, m, v, po, mo, vo, bytes, b1, ob1, b2, ob2, c1, c2, eps, wd, lr, i, gv, m1, v1, u, pv] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const at = (base: number) => add(get(base), get(i));
  const s = (x: number) => f4.splat(get(x));
  const body = [
    ...loop(i, i32.const(0), get(bytes), 16, [
      ...set(gv, f4.load(at(g))),
      ...set(pv, f4.load(at(p))),
      ...set(m1, f4.add(f4.mul(f4.load(at(m)), s(b1)), f4.mul(get(gv), s(ob1)))),
      ...set(v1, f4.add(f4.mul(f4.load(at(v)), s(b2)), f4.mul(f4.mul(get(gv), get(gv)), s(ob2)))),
      ...set(u, f4.div(f4.div(get(m1), s(c1)), f4.add(f4.sqrt(f4.div(get(v1), s(c2))), s(eps)))),
      ...f4.store(at(mo), get(m1)),
      ...f4.store(at(vo), get(v1)),
      ...f4.store(at(po), f4.sub(get(pv), f4.mul(f4.add(get(u), f4.mul(get(pv), s(wd))), s(lr)))),
    ]),
  ];
  return { name: 'adamw', params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32], locals: [I32, V128, V128, V128, V128, V128], body };
}

/** sum_of_squares(x, bytes, out): out[0..3] += the four lanes of sum x^2. */
function sumOfSquares() {
  const [x, bytes, out, i, acc, xv] = [0, 1, 2, 3, 4, 5];
  const body = [
    ...set(acc, f4.load(get(out))),
    ...loop(i, i32.const(0), get(bytes), 16, [...set(xv, f4.load(add(get(x), get(i)))), ...set(acc, f4.add(get(acc), f4.mul(get(xv), get(xv))))]),
    ...f4.store(get(out), get(acc)),
  ];
  return { name: 'sum_of_squares', params: [I32, I32, I32], locals: [I32, V128, V128], body };
}

/**
 * dropout(x, y, mask, bytes, s0, s1, s2, s3, threshold, keep): one xoshiro128** stream
 * (random.ts's Rng, state s0..s3) draws a 32-bit value per element, in order; the element
 * is dropped (mask 0) when the draw is below threshold (unsigned), else kept (mask keep).
 * y = x * mask. The same draws and the same comparison as model.ts's dropoutMask.
 */
function dropout() {
  const [x, y, mask, bytes, s0, s1, s2, s3, threshold, keep, i, t, m] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const body = loop(i, i32.const(0), get(bytes), 4, [
    ...set(m, select(f32.const(0), get(keep), i32.ltU(i32.mul(i32.rotl(i32.mul(get(s1), i32.const(5)), i32.const(7)), i32.const(9)), get(threshold)))),
    ...set(t, i32.shl(get(s1), i32.const(9))),
    ...set(s2, i32.xor(get(s2), get(s0))),
    ...set(s3, i32.xor(get(s3), get(s1))),
    ...set(s1, i32.xor(get(s1), get(s2))),
    ...set(s0, i32.xor(get(s0), get(s3))),
    ...set(s2, i32.xor(get(s2), get(t))),
    ...set(s3, i32.rotl(get(s3), i32.const(11))),
    ...f32.store(add(get(mask), get(i)), get(m)),
    ...f32.store(add(get(y), get(i)), f32.mul(f32.load(add(get(x), get(i))), get(m))),
  ]);
  return { name: 'dropout', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, F32], locals: [I32, I32, F32], body };
}

/** Vectors per iteration of attention_softmax's passes over a row, each with its own accumulator. */
const SOFTMAX_UNROLL = 4;

/**
 * attention_softmax(scores, bias, probs, groups, rowsPerGroup, rowBytes, scale): for each
 * row, p = softmax(scores * scale + bias row), the bias row shared by `rowsPerGroup`
 * consecutive rows (an example's heads and queries share its key mask).
 */
function attentionSoftmax(unroll = SOFTMAX_UNROLL) {
  const [sc, bias, pr, groups, perGroup, rowBytes, scale] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Frame(7);
  const [gi, r, c, row, brow, end] = [L.i32(), L.i32(), L.i32(), L.i32(), L.i32(), L.i32()];
  const [sv, tmp] = [L.v128(), L.v128()];
  // Per vector of an iteration: an accumulator (of the max, then of the sum) and the exp's locals.
  const s = Array.from({ length: unroll }, () => ({ acc: L.v128(), z: L.v128(), e: L.v128(), v: L.v128(), k: L.v128(), r2: L.v128(), r4: L.v128() }));
  const at = (base: number) => add(get(base), add(get(row), get(c)));
  /** The accumulators folded into the first with `op`, pairwise. */
  const fold = (op: (a: Code, b: Code) => Code): Code => {
    const out: Code = [];
    for (let w = 1; w < unroll; w *= 2) for (let j = 0; j + w < unroll; j += 2 * w) out.push(...set(s[j].acc, op(get(s[j].acc), get(s[j + w].acc))));
    return out;
  };
  const body = [
    ...set(row, i32.const(0)),
    ...set(brow, get(bias)),
    ...set(sv, f4.splat(get(scale))),
    ...loop(gi, i32.const(0), get(groups), 1, [
      ...loop(r, i32.const(0), get(perGroup), 1, [
        ...s.flatMap((l) => set(l.acc, f4.const(-Infinity))),
        ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => [
          ...set(s[j].z, f4.add(f4.mul(f4.loadAt(at(sc), off), get(sv)), f4.loadAt(add(get(brow), get(c)), off))),
          ...storeAt(at(pr), off, get(s[j].z)),
          ...set(s[j].acc, pmax(get(s[j].acc), get(s[j].z))),
        ]),
        ...fold(pmax),
        ...set(tmp, f4.splat(f4.hmax(get(s[0].acc), tmp))),
        ...s.flatMap((l) => set(l.acc, f4.const(0))),
        ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => [
          ...expNonPositive(f4.sub(f4.loadAt(at(pr), off), get(tmp)), s[j].e, s[j].v, s[j].k, s[j].r2, s[j].r4),
          ...storeAt(at(pr), off, get(s[j].e)),
          ...set(s[j].acc, f4.add(get(s[j].acc), get(s[j].e))),
        ]),
        ...fold(f4.add),
        ...set(tmp, f4.div(f4.const(1), f4.splat(f4.hsum(get(s[0].acc), tmp)))),
        ...rowLoop(c, end, get(rowBytes), unroll, (_, off) => storeAt(at(pr), off, f4.mul(f4.loadAt(at(pr), off), get(tmp)))),
        ...set(row, add(get(row), get(rowBytes))),
      ]),
      ...set(brow, add(get(brow), get(rowBytes))),
    ]),
  ];
  return { name: 'attention_softmax', params: [I32, I32, I32, I32, I32, I32, F32], locals: L.locals, body };
}

/** attention_softmax_backward(dp, p, ds, rows, rowBytes, scale): ds = scale * p * (dp - sum(dp * p)) per row. */
function attentionSoftmaxBackward(unroll = SOFTMAX_UNROLL) {
  const [dp, p, ds, rows, rowBytes, scale] = [0, 1, 2, 3, 4, 5];
  const L = new Frame(6);
  const [r, c, row, end] = [L.i32(), L.i32(), L.i32(), L.i32()];
  const [tmp, sv] = [L.v128(), L.v128()];
  const acc = Array.from({ length: unroll }, () => L.v128());
  const at = (base: number) => add(get(base), add(get(row), get(c)));
  const body = [
    ...set(row, i32.const(0)),
    ...set(sv, f4.splat(get(scale))),
    ...loop(r, i32.const(0), get(rows), 1, [
      ...acc.flatMap((a) => set(a, f4.const(0))),
      ...rowLoop(c, end, get(rowBytes), unroll, (j, off) => set(acc[j], f4.add(get(acc[j]), f4.mul(f4.loadAt(at(dp), off), f4.loadAt(at(p), off))))),
      ...sumOf(tmp, acc),
      ...set(tmp, f4.splat(f4.hsum(get(tmp), tmp))),
      ...rowLoop(c, end, get(rowBytes), unroll, (_, off) =>
        storeAt(at(ds), off, f4.mul(f4.mul(f4.loadAt(at(p), off), f4.sub(f4.loadAt(at(dp), off), get(tmp))), get(sv)))),
      ...set(row, add(get(row), get(rowBytes))),
    ]),
  ];
  return { name: 'attention_softmax_backward', params: [I32, I32, I32, I32, I32, F32], locals: L.locals, body };
}

/**
 * dropout_mask4(mask, chunkBytes, state, threshold, keep): dropout's mask for four examples
 * at once, one xoshiro128** stream per i32x4 lane (lane j: example j, chunk j of `mask`,
 * chunks `chunkBytes` apart). `state` holds the four streams' words as s0[4] s1[4] s2[4]
 * s3[4]. Each lane draws exactly the sequence the scalar `dropout` kernel draws.
 */
function dropoutMask4() {
  const [mask, chunkBytes, state, threshold, keep, i, s0, s1, s2, s3, t, m, at] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const body = [
    ...set(s0, f4.load(get(state))),
    ...set(s1, f4.load(add(get(state), i32.const(16)))),
    ...set(s2, f4.load(add(get(state), i32.const(32)))),
    ...set(s3, f4.load(add(get(state), i32.const(48)))),
    ...loop(i, i32.const(0), get(chunkBytes), 4, [
      ...set(m, f4.select(f4.const(0), f4.splat(get(keep)), f4.iltU(f4.imul(f4.irotl(f4.imul(get(s1), f4.isplat(i32.const(5))), 7), f4.isplat(i32.const(9))), f4.isplat(get(threshold))))),
      ...set(t, f4.ishl(get(s1), i32.const(9))),
      ...set(s2, f4.xor(get(s2), get(s0))),
      ...set(s3, f4.xor(get(s3), get(s1))),
      ...set(s1, f4.xor(get(s1), get(s2))),
      ...set(s0, f4.xor(get(s0), get(s3))),
      ...set(s2, f4.xor(get(s2), get(t))),
      ...set(s3, f4.irotl(get(s3), 11)),
      ...set(at, add(get(mask), get(i))),
      ...f32.store(get(at), f4.lane(get(m), 0)),
      ...set(at, add(get(at), get(chunkBytes))),
      ...f32.store(get(at), f4.lane(get(m), 1)),
      ...set(at, add(get(at), get(chunkBytes))),
      ...f32.store(get(at), f4.lane(get(m), 2)),
      ...set(at, add(get(at), get(chunkBytes))),
      ...f32.store(get(at), f4.lane(get(m), 3)),
    ]),
  ];
  return { name: 'dropout_mask4', params: [I32, I32, I32, I32, F32], locals: [I32, V128, V128, V128, V128, V128, V128, I32], body };
}

/** multiply(a, b, out, bytes): out = a * b elementwise (bytes a multiple of 16). */
function multiply() {
  const [a, b, out, bytes, i] = [0, 1, 2, 3, 4];
  const body = loop(i, i32.const(0), get(bytes), 16, f4.store(add(get(out), get(i)), f4.mul(f4.load(add(get(a), get(i))), f4.load(add(get(b), get(i))))));
  return { name: 'multiply', params: [I32, I32, I32, I32], locals: [I32], body };
}

/** add_rows(x, row, out, totalBytes, rowBytes): out = x + row, the row broadcast over every row of x (a residual plus a bias). */
function addRows() {
  const [x, row, out, total, rowBytes, o, c] = [0, 1, 2, 3, 4, 5, 6];
  const body = loop(o, i32.const(0), get(total), 0, [
    ...loop(c, i32.const(0), get(rowBytes), 16, f4.store(add(get(out), add(get(o), get(c))), f4.add(f4.load(add(get(x), add(get(o), get(c)))), f4.load(add(get(row), get(c)))))),
    ...set(o, add(get(o), get(rowBytes))),
  ]);
  return { name: 'add_rows', params: [I32, I32, I32, I32, I32], locals: [I32, I32], body };
}

/**
 * gemm(a, b, c, M, K, N, lda, ldb, ldc, accumulate): C = A B (or C += A B) for row-major
 * A [M, K], B [K, N], C [M, N] with rows lda, ldb, ldc bytes apart, M a multiple of 4 and N
 * of 8. Blocks of 4 rows x 8 columns of C live in eight registers while k runs
 * over K: per k, two vectors of B's row, four broadcasts of A's column, 16 multiply-adds.
 * It is for attention's many small products (K and N of 32 to 128, B within the L1 cache),
 * where XNNPACK via tfjs pays an operator creation and a weight packing per matrix.
 */
function gemm() {
  const [a, b, c, M, K, N, lda, ldb, ldc, accumulate, i, j, kEnd, pb, pc, p0, p1, p2, p3, keep, av, b0, b1, ...acc] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
  const rows = [p0, p1, p2, p3];
  const body = [
    // All lanes set when accumulating into C, else none: the accumulators start from C or 0.
    ...set(keep, f4.isplat(i32.sub(i32.const(0), get(accumulate)))),
    ...loop(i, i32.const(0), get(M), 4, [
      ...loop(j, i32.const(0), get(N), 8, [
        ...set(pc, add(add(get(c), i32.mul(get(i), get(ldc))), i32.mul(get(j), i32.const(4)))),
        ...[0, 1, 2, 3].flatMap((r) => [
          ...set(acc[2 * r], f4.select(f4.load(get(pc)), f4.const(0), get(keep))),
          ...set(acc[2 * r + 1], f4.select(f4.loadAt(get(pc), 16), f4.const(0), get(keep))),
          ...set(pc, add(get(pc), get(ldc))),
        ]),
        // Four row pointers into A, stepping along k; p0 also counts the loop.
        ...set(p0, add(get(a), i32.mul(get(i), get(lda)))),
        ...set(p1, add(get(p0), get(lda))),
        ...set(p2, add(get(p1), get(lda))),
        ...set(p3, add(get(p2), get(lda))),
        ...set(kEnd, add(get(p0), i32.mul(get(K), i32.const(4)))),
        ...set(pb, add(get(b), i32.mul(get(j), i32.const(4)))),
        ...loop(p0, get(p0), get(kEnd), 4, [
          ...set(b0, f4.load(get(pb))),
          ...set(b1, f4.loadAt(get(pb), 16)),
          ...rows.flatMap((p, r) => [
            ...set(av, f4.loadSplat(get(p))),
            ...set(acc[2 * r], f4.add(get(acc[2 * r]), f4.mul(get(av), get(b0)))),
            ...set(acc[2 * r + 1], f4.add(get(acc[2 * r + 1]), f4.mul(get(av), get(b1)))),
          ]),
          ...[p1, p2, p3].flatMap((p) => set(p, add(get(p), i32.const(4)))),
          ...set(pb, add(get(pb), get(ldb))),
        ]),
        ...set(pc, add(add(get(c), i32.mul(get(i), get(ldc))), i32.mul(get(j), i32.const(4)))),
        ...[0, 1, 2, 3].flatMap((r) => [
          ...f4.store(get(pc), get(acc[2 * r])),
          ...f4.store(add(get(pc), i32.const(16)), get(acc[2 * r + 1])),
          ...set(pc, add(get(pc), get(ldc))),
        ]),
      ]),
    ]),
  ];
  return { name: 'gemm', params: Array(10).fill(I32), locals: [...Array(9).fill(I32), ...Array(12).fill(V128)], body };
}

/**
 * pack_panels(b, panels, K, N): B [K, N] (N a multiple of 8) rearranged as N / 8 panels of
 * [K, 8], each contiguous, for products whose B rows are too far apart to walk down.
 */
function packPanels() {
  const [b, out, K, N, k, jb, src, dst, panelBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const body = [
    ...set(panelBytes, i32.mul(get(K), i32.const(32))),
    ...loop(k, i32.const(0), get(K), 1, [
      ...set(src, add(get(b), i32.mul(i32.mul(get(k), get(N)), i32.const(4)))),
      ...set(dst, add(get(out), i32.mul(get(k), i32.const(32)))),
      ...loop(jb, i32.const(0), get(N), 8, [
        ...f4.store(get(dst), f4.load(get(src))),
        ...f4.store(add(get(dst), i32.const(16)), f4.loadAt(get(src), 16)),
        ...set(src, add(get(src), i32.const(32))),
        ...set(dst, add(get(dst), get(panelBytes))),
      ]),
    ]),
  ];
  return { name: 'pack_panels', params: [I32, I32, I32, I32], locals: [I32, I32, I32, I32, I32], body };
}

/** Rows of C per tile of the packed GEMM (two f32x4 columns each: 2 * GEMM_MR accumulators). */
export const GEMM_MR = 5;

/**
 * gemm_packed(pa, pb, c, M, kc, N, ldc, accumulate): C (+)= A B for A packed by pack_a
 * (tiles of GEMM_MR rows, [kc, GEMM_MR] each, zero rows past M) and B by pack_panels
 * ([kc, 8] panels); any M, N a multiple of 8, ldc in bytes. Column panel by panel (8 KiB
 * of B for kc = 256, in L1), tile by tile down A (in L2): 5 x 8 of C in ten registers, per
 * k two loads of B, one of A's rows 0-3 (broadcast lane by lane with shuffles), one
 * broadcast load of row 4 and ten multiply-adds, fused (relaxed SIMD) in the `fma` variant.
 * Only the rows below M are read and written.
 *
 * Why this shape: TurboFan keeps wasm loads in program order and sinks the pure arithmetic
 * to the end of the iteration, so every value loaded in an iteration is live at once, and
 * x64 has 15 allocatable XMM registers (xmm15 is V8's scratch). Broadcasting by shuffle (a
 * pure op, scheduled next to its use) rather than by load keeps one register per four rows
 * of A: 10 accumulators + 2 of B + 2 of A + 1 broadcast. Larger tiles (6 x 8) or an
 * unrolled k spill accumulators to the stack (seen with --print-wasm-code); fewer than ten
 * accumulators leave the multiply-adds waiting on their own latency. Raw kernel on
 * [192, 256] x [256, 256], FMA: 5 x 8 with shuffles 34.5 GFLOP/s, 4 x 8 31, 6 x 8 18,
 * 5 x 8 with broadcast loads 15, 4 x 8 unrolled by 2 17.
 */
function gemmPacked(fma: boolean, MR = GEMM_MR) {
  const [pa, pb, c, M, kc, N, ldc, accumulate, j, i, pbj, pai, pc, rows, pp, pq, end, av, b0, b1, a0, ...acc] =
    Array.from({ length: 21 + 2 * MR }, (_, n) => n);
  const madd = (x: Code, y: Code, z: Code): Code => (fma ? f4.madd(x, y, z) : f4.add(z, f4.mul(x, y)));
  const step: Code = [
    ...set(b0, f4.load(get(pq))),
    ...set(b1, f4.loadAt(get(pq), 16)),
    ...set(a0, f4.load(get(pp))),
    ...Array.from({ length: MR }, (_, r) => [
      ...set(av, r < 4 ? f4.broadcastLane(get(a0), r) : f4.loadSplat(get(pp), r * 4)),
      ...set(acc[2 * r], madd(get(av), get(b0), get(acc[2 * r]))),
      ...set(acc[2 * r + 1], madd(get(av), get(b1), get(acc[2 * r + 1]))),
    ]).flat(),
    ...set(pp, add(get(pp), i32.const(MR * 4))),
  ];
  const rowsOfC = (body: (r: number) => Code): Code => [
    ...set(pc, add(add(get(c), i32.mul(get(i), get(ldc))), get(j))),
    ...Array.from({ length: MR }, (_, r) => [...(r === 0 ? body(r) : when(i32.gtU(get(rows), i32.const(r)), body(r))), ...set(pc, add(get(pc), get(ldc)))]).flat(),
  ];
  const body = loop(j, i32.const(0), i32.mul(get(N), i32.const(4)), 32, [
    ...set(pbj, add(get(pb), i32.mul(get(j), get(kc)))),
    ...set(pai, get(pa)),
    ...loop(i, i32.const(0), get(M), MR, [
      ...set(rows, i32.sub(get(M), get(i))),
      ...acc.flatMap((x) => set(x, f4.const(0))),
      ...when(get(accumulate), rowsOfC((r) => [...set(acc[2 * r], f4.load(get(pc))), ...set(acc[2 * r + 1], f4.loadAt(get(pc), 16))])),
      ...set(pp, get(pai)),
      ...set(end, add(get(pbj), i32.mul(get(kc), i32.const(32)))),
      ...loop(pq, get(pbj), get(end), 32, step),
      ...rowsOfC((r) => [...f4.store(get(pc), get(acc[2 * r])), ...f4.store(add(get(pc), i32.const(16)), get(acc[2 * r + 1]))]),
      ...set(pai, add(get(pai), i32.mul(get(kc), i32.const(MR * 4)))),
    ]),
  ]);
  return { name: 'gemm_packed', params: Array(8).fill(I32), locals: [...Array(9).fill(I32), ...Array(4 + 2 * MR).fill(V128)], body };
}

/**
 * pack_a(a, lda, rows, kc, dst): rows x kc of A (rows lda bytes apart) as tiles of GEMM_MR
 * rows, each [kc, GEMM_MR] (k-major), rows past `rows` up to the tile's end zero.
 */
function packA(MR = GEMM_MR) {
  const [a, lda, rows, kc, dst, row, k, src, to, valid, padded, full, kc4, t, off, k0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const p = [16, 17, 18, 19, 20, 21, 22, 23].slice(0, MR);
  const v = Array.from({ length: MR }, (_, r) => 16 + MR + r);
  const [t0, t1, t2, t3] = [16 + 2 * MR, 17 + 2 * MR, 18 + 2 * MR, 19 + 2 * MR];
  const stride = MR * 4;
  // Rows 0-3 of four k steps: a 4 x 4 transpose in shuffles; rows 4.. lane by lane.
  const out = [f4.shuffle(get(t0), get(t1), [0, 1, 4, 5]), f4.shuffle(get(t0), get(t1), [2, 3, 6, 7]), f4.shuffle(get(t2), get(t3), [0, 1, 4, 5]), f4.shuffle(get(t2), get(t3), [2, 3, 6, 7])];
  const body = [
    ...set(padded, i32.mul(i32.divU(add(get(rows), i32.const(MR - 1)), i32.const(MR)), i32.const(MR))),
    ...set(full, i32.divU(get(rows), i32.const(MR))),
    ...set(kc4, i32.and(get(kc), i32.const(-4))),
    // Whole tiles, four k at a time.
    ...loop(t, i32.const(0), get(full), 1, [
      ...set(p[0], add(get(a), i32.mul(i32.mul(get(t), i32.const(MR)), get(lda)))),
      ...p.slice(1).flatMap((x, r) => set(x, add(get(p[r]), get(lda)))),
      ...set(to, add(get(dst), i32.mul(get(t), i32.mul(get(kc), i32.const(stride))))),
      ...loop(off, i32.const(0), i32.mul(get(kc4), i32.const(4)), 16, [
        ...p.flatMap((x, r) => set(v[r], f4.load(add(get(x), get(off))))),
        ...set(t0, f4.shuffle(get(v[0]), get(v[1]), [0, 4, 1, 5])),
        ...set(t1, f4.shuffle(get(v[2]), get(v[3]), [0, 4, 1, 5])),
        ...set(t2, f4.shuffle(get(v[0]), get(v[1]), [2, 6, 3, 7])),
        ...set(t3, f4.shuffle(get(v[2]), get(v[3]), [2, 6, 3, 7])),
        ...out.flatMap((o, q) => [
          ...f4.store(add(get(to), i32.const(q * stride)), o),
          ...v.slice(4).flatMap((x, r) => f32.store(add(get(to), i32.const(q * stride + 16 + 4 * r)), f4.lane(get(x), q))),
        ]),
        ...set(to, add(get(to), i32.const(4 * stride))),
      ]),
    ]),
    // The rest one value at a time: the k past kc4 of whole tiles, all k of the last tile.
    ...loop(row, i32.const(0), get(padded), 1, [
      ...set(valid, i32.ltU(get(row), get(rows))),
      ...set(k0, select(get(kc4), i32.const(0), i32.ltU(get(row), i32.mul(get(full), i32.const(MR))))),
      ...set(src, add(select(add(get(a), i32.mul(get(row), get(lda))), get(a), get(valid)), i32.mul(get(k0), i32.const(4)))),
      ...set(to, add(get(dst), i32.mul(add(add(i32.mul(i32.divU(get(row), i32.const(MR)), i32.mul(get(kc), i32.const(MR))), i32.remU(get(row), i32.const(MR))), i32.mul(get(k0), i32.const(MR))), i32.const(4)))),
      ...loop(k, get(k0), get(kc), 1, [
        ...f32.store(get(to), select(f32.load(get(src)), f32.const(0), get(valid))),
        ...set(src, add(get(src), i32.const(4))),
        ...set(to, add(get(to), i32.const(stride))),
      ]),
    ]),
  ];
  return { name: 'pack_a', params: [I32, I32, I32, I32, I32], locals: [...Array(11).fill(I32), ...Array(MR).fill(I32), ...Array(MR + 4).fill(V128)], body };
}

/** The packed GEMM's functions, in one module per variant. */
export interface PackedGemm {
  gemm_packed(pa: number, pb: number, c: number, M: number, kc: number, N: number, ldc: number, accumulate: number): void;
  pack_a(a: number, lda: number, rows: number, kc: number, dst: number): void;
}

export const GEMM_MODULE_BYTES = { plain: assemble([gemmPacked(false), packA()]), fma: assemble([gemmPacked(true), packA()]) };

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

export const SIMD_MODULE_BYTES = assemble([geluForward(), geluBackward(), layerNormForward(), layerNormBackward(), columnSum(), transposeRows(), adamw(), sumOfSquares(), dropout(), attentionSoftmax(), attentionSoftmaxBackward(), dropoutMask4(), multiply(), addRows(), gemm(), packPanels()]);

/** The kernels bound to `memory`, or undefined where WebAssembly SIMD is unavailable. */
export function instantiateSimdKernels(memory: WebAssembly.Memory): SimdKernels | undefined {
  if (!WebAssembly.validate(SIMD_MODULE_BYTES)) return undefined;
  const instance = (bytes: Uint8Array) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const packed = { plain: instance(GEMM_MODULE_BYTES.plain) as unknown as PackedGemm, fma: relaxedSimd() ? (instance(GEMM_MODULE_BYTES.fma) as unknown as PackedGemm) : undefined };
  return { ...(instance(SIMD_MODULE_BYTES) as unknown as Omit<SimdKernels, 'packed'>), packed };
}
