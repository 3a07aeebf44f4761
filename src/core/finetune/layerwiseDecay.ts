/**
 * Layer-wise learning-rate decay (ELECTRA's fine-tuning, Clark et al. 2020, after Howard &
 * Ruder's discriminative fine-tuning): the head learns at the full rate, the top encoder
 * layer at `decay` times it, each layer below at `decay` times the one above, and the
 * embeddings (with their projection) at `decay` times the lowest layer. Lower layers hold
 * the most general features, so they move least. decay 1 is one rate for every parameter.
 */

/** The learning-rate multiplier of each parameter, by name. */
export function layerwiseLrScales(names: Iterable<string>, numLayers: number, decay: number): Map<string, number> {
  if (!(decay > 0 && decay <= 1)) throw new Error(`layer-wise learning-rate decay must be in (0, 1], got ${decay}`);
  const scales = new Map<string, number>();
  for (const name of names) {
    const layer = /\.encoder\.layer\.(\d+)\./.exec(name);
    let depth: number; // layers below the head: 0 for the head itself
    if (layer) depth = numLayers - Number(layer[1]);
    else if (name.startsWith('electra.embeddings.') || name.includes('.embeddings_project.')) depth = numLayers + 1;
    else depth = 0;
    scales.set(name, Math.pow(decay, depth));
  }
  return scales;
}
