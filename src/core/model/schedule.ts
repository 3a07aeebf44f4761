/**
 * Learning-rate schedule: linear warm-up from 0 to the peak, then linear decay to 0 at the
 * last step (ELECTRA: peak 5e-4, 10,000 warm-up steps, decay over the whole run).
 */
export interface ScheduleOptions {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
}

/** Learning rate for the update that follows `step` completed updates (step 0 = first update). */
export function learningRateAt(step: number, s: ScheduleOptions): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  return s.peak * (1 - progress);
}
