/**
 * Viridis, the perceptually uniform, colour-blind-safe ramp (Smith & van der Walt, 2015),
 * sampled at 11 stops and interpolated linearly in sRGB. Probabilities are binned to
 * hundredths so a threshold set in hundredths splits the bins exactly:
 * p >= k/100  <=>  binOf(p) >= k, for k = 0..100 (bin 100 holds p = 1 alone).
 */

const VIRIDIS: readonly string[] = [
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725',
];

/** Bins 0..99 are [k/100, (k+1)/100); bin 100 is p = 1, so a threshold of 1 still flags it. */
export const BINS = 101;

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hexOf([r, g, b]: readonly number[]): string {
  return '#' + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
}

/** The ramp's colour at t in [0, 1] (clamped), as #rrggbb. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = rgbOf(VIRIDIS[i]);
  const b = rgbOf(VIRIDIS[i + 1]);
  return hexOf(a.map((c, k) => c + (b[k] - c) * f));
}

/** Bin 0..100 of a probability; NaN goes to bin 0. */
export function binOf(p: number): number {
  if (!(p > 0)) return 0;
  return Math.min(BINS - 1, Math.floor(p * 100 + 1e-9));
}

/** Bin k's colour: the ramp at the bin's centre (bin 100: the ramp's end). */
export function binColour(k: number): string {
  return viridis(Math.min(k + 0.5, 100) / 100);
}

/** WCAG relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  const lin = rgbOf(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** Black or white, whichever reads better on `background`. */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const l = luminance(background);
  // Contrast with black (l+0.05)/0.05 vs with white 1.05/(l+0.05): black wins above l ~ 0.179.
  return l > 0.179 ? '#000000' : '#ffffff';
}

/** The smallest bin flagged by `threshold` (0..1, in hundredths). */
export function thresholdBin(threshold: number): number {
  return Math.min(BINS - 1, Math.max(0, Math.round(threshold * 100)));
}
