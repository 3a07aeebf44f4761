/**
 * How a failing command is reported: once. A command run from the palette (no argument)
 * shows its error in one notification and resolves undefined: rethrowing would make VS Code
 * add its own modal "Command '...' resulted in an error" on top. A command run with an
 * argument (a script, a test, a quick fix) rejects instead and shows nothing itself: its
 * caller, or VS Code for a quick fix, reports it. An error already shown where it happened
 * (a failed training run's notification, with its Show Log button) is not shown again.
 * No `vscode` here: the notification is injected.
 */

const reported = new WeakSet<object>();

/** Marks an error as shown to the user already. Returns it, for `throw markReported(e)`. */
export function markReported<E>(error: E): E {
  if (typeof error === 'object' && error !== null) reported.add(error);
  return error;
}

export function wasReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reported.has(error);
}

export interface CommandErrorSink {
  /** The output channel: every failure, with the command's name. */
  log(message: string): void;
  /** One error notification. */
  show(message: string): void;
}

/** Wraps a command body so that its failure is reported exactly once (see above). */
export function guardCommand<A extends unknown[], R>(sink: CommandErrorSink, name: string, body: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      sink.log(`${name}: ${message}`);
      const interactive = args.length === 0 || args[0] === undefined;
      if (!interactive) throw e;
      if (!wasReported(e)) sink.show(`ELECTRA: ${message}`);
      markReported(e);
      return undefined;
    }
  };
}
