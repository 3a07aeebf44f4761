/**
 * exp(a) for a <= 0 to float32 accuracy (relative error under 2e-7), faster than Math.exp
 * in V8 (docs/benchmarks.md, Kernels). GELU's kernels take one such exp per value.
 *
 * a / ln 2 = k + r with k an integer and |r| <= 1/2: exp(a) = 2^k exp(r ln 2), the second
 * factor a degree-6 Taylor polynomial, the first read from a table (k from 0 to -149, the
 * float32 range; below that the result is 0 in float32).
 */
const POW2_NEG = Float64Array.from({ length: 150 }, (_, i) => Math.pow(2, -i));

export function expNonPositive(a: number): number {
  const v = a * 1.4426950408889634;
  if (v < -149) return 0;
  const k = (v - 0.5) | 0; // round to nearest for v <= 0 (NaN gives 0, and NaN below)
  const f = (v - k) * 0.6931471805599453;
  const p = 1 + f * (1 + f * (0.5 + f * (0.16666666666666666 + f * (0.041666666666666664 + f * (0.008333333333333333 + f * 0.001388888888888889)))));
  return p * POW2_NEG[-k];
}
