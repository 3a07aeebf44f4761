/**
 * Seeded randomness. Every random choice of a run (masking, sampling, dropout, data
 * order) is drawn from a stream derived from (seed, purpose, step, ...), never from a
 * global generator, so a resumed run draws exactly what the uninterrupted run would have.
 */

/** 32-bit FNV-1a over the parts, then avalanche-mixed: a stable seed for a purpose. */
export function deriveSeed(seed: number, ...parts: Array<number | string>): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const mixIn = (x: number) => {
    h ^= x & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      mixIn(c);
      mixIn(c >>> 8);
    }
    mixIn(0x1f); // separator, so ('ab','c') and ('a','bc') differ
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** xoshiro128** : small, fast, good statistical quality for simulation. */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    this.s = new Uint32Array(seedState(seed).buffer);
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

/** The four state words of the stream `seed`: splitmix32, so that nearby seeds give unrelated streams. */
function seedState(seed: number): Int32Array {
  const s = new Int32Array(4);
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s[i] = z ^ (z >>> 16);
  }
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1;
  return s;
}

/**
 * Fills out[from, to) from the stream `seed`: `drop` where its next 32-bit draw is below
 * `threshold` (unsigned, 0 to 2^32), else `keep`. The draws are `new Rng(seed).nextUint32()`
 * in order, with the state in local integers: about twice as fast as calling the method,
 * which matters for dropout masks (millions of draws a step).
 */
export function fillBernoulli(out: Float32Array, from: number, to: number, seed: number, threshold: number, drop: number, keep: number): void {
  const st = seedState(seed);
  let s0 = st[0];
  let s1 = st[1];
  let s2 = st[2];
  let s3 = st[3];
  // Unsigned comparison in int32 arithmetic: flip the sign bit of both sides.
  const below = threshold >= 4294967296 ? Infinity : (threshold ^ 0x80000000) | 0;
  for (let i = from; i < to; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = (r ^ 0x80000000) < below ? drop : keep;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A permutation of 0..n-1 for one epoch of a run. */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return new Rng(deriveSeed(seed, 'epoch', epoch)).shuffle(p);
}
