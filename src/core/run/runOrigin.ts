/**
 * Reading a run's origin (src/shared/runOrigin.ts) from its run.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunOrigin, type RunOrigin } from '../../shared/runOrigin';

export { describeOrigin, parseRunOrigin, type RunOrigin } from '../../shared/runOrigin';

/** The origin recorded in a run folder's run.json, if any. */
export function readRunOrigin(runDir: string): RunOrigin | undefined {
  try {
    return parseRunOrigin(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).origin);
  } catch {
    return undefined;
  }
}
