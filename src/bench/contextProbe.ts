/**
 * The context section (npm run bench -- --only context): the context probe
 * (src/core/quality/contextProbe.ts) for the `tiny` shape at the preset's learning rate and
 * at a fifth of it, from BERT's initialisation and from neighbour heads
 * (src/core/model/neighbourHeads.ts), same seed and data. The reference is the same probe in PyTorch,
 * scripts/reference/context_probe.py, whose figures are in docs/recipes.md.
 */
import { contextProbe, presetTraining } from '../core';

export async function runContextProbe(steps: number): Promise<void> {
  const presetRate = presetTraining('tiny').learningRate;
  console.log('task: random sequences of 64 tokens (vocabulary 200), label 1 where the previous token is in a fixed eighth of the vocabulary; batch 16; AdamW, 30 warm-up steps then a constant rate; held-out AUC on 64 fixed sequences');
  console.log('reference: python3 scripts/reference/context_probe.py <lr> <steps> (PyTorch, same shapes and schedule)');
  for (const neighbourHeads of [false, true]) {
    for (const learningRate of [presetRate, presetRate / 5]) {
      const t0 = Date.now();
      const result = await contextProbe({ preset: 'tiny', learningRate, steps, evalEvery: 100, neighbourHeads });
      const curve = result.curve.filter((p) => p.step % 500 === 0 || p.step === steps).map((p) => `${p.step}: ${p.auc.toFixed(3)}`).join(', ');
      const learned = result.learnedAt === undefined ? `not learned in ${steps} steps` : `AUC >= 0.9 from step ${result.learnedAt}`;
      const init = neighbourHeads ? 'neighbour heads' : "BERT's initialisation";
      console.log(`tiny, ${init}, lr ${learningRate.toExponential(0)}${learningRate === presetRate ? " (the preset's)" : ''}: ${learned}; AUC ${curve} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
}
