/**
 * The length of a time-budgeted run's schedule, fitted to its pace. The learning rate decays
 * to 0 at the schedule's last step and the replacement curriculum follows it, so the run
 * should reach that step at the deadline. The first fit comes from the second step (the first
 * pays one-off costs). Later steps run faster than the second (V8 compiles hot WebAssembly
 * again, optimised, and the worker threads warm up), so a schedule fitted once ends well
 * before the deadline: every `refitSteps` steps the length is fitted again from the pace of
 * the steps since the last fit, evaluations and checkpoints included.
 */
export class TimeBudget {
  private secondStepStarted?: number;
  private last?: { step: number; at: number };

  constructor(
    private readonly deadline: number,
    private readonly refitSteps = 50,
  ) {}

  /** Call before each step with the steps completed so far. */
  beforeStep(completed: number, now: number): void {
    if (completed === 1) this.secondStepStarted = now;
  }

  /**
   * Call after a step's evaluation and checkpoint, with the steps completed: the schedule's
   * new length in steps, or undefined when it is not refitted now.
   */
  refit(completed: number, now: number): number | undefined {
    let perStep: number;
    if (this.last === undefined) {
      if (completed !== 2 || this.secondStepStarted === undefined) return undefined;
      perStep = now - this.secondStepStarted;
    } else {
      if (completed - this.last.step < this.refitSteps) return undefined;
      perStep = (now - this.last.at) / (completed - this.last.step);
    }
    this.last = { step: completed, at: now };
    return completed + Math.max(1, Math.round((this.deadline - now) / Math.max(perStep, 1e-3)));
  }
}
