/**
 * Follows a run's metrics.jsonl as the trainer appends to it: reads only the new bytes,
 * keeps a partial last line for the next read, and starts over when the file shrinks
 * (a new run in the same folder). No `vscode` here, so it is unit-tested on its own.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { MetricsRecord } from '../core';

export function isMetricsRecord(x: unknown): x is MetricsRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (r.type === 'step' || r.type === 'eval' || r.type === 'finetuneStep' || r.type === 'finetuneEval') && typeof r.step === 'number';
}

/**
 * Splits `remainder + chunk` into complete lines; returns the records of the lines that
 * parse as metrics records and the unfinished tail. Lines that do not parse are skipped.
 */
export function parseJsonlChunk(remainder: string, chunk: string): { records: MetricsRecord[]; remainder: string; bad: number } {
  const text = remainder + chunk;
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  const records: MetricsRecord[] = [];
  let bad = 0;
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (isMetricsRecord(value)) records.push(value);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { records, remainder: rest, bad };
}

export interface TailUpdate {
  records: MetricsRecord[];
  /** The file was truncated or replaced: everything read before is void. */
  reset: boolean;
}

/** Incremental reader of one JSONL file. `read()` calls are serialised. */
export class MetricsTail {
  private offset = 0;
  private remainder = '';
  /** Inode of the file read so far: a resumed run rewrites metrics.jsonl atomically (a new file). */
  private ino: number | undefined;
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading: Promise<TailUpdate> | undefined;
  private again = false;

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call. */
  read(): Promise<TailUpdate> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readOnce().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readOnce(): Promise<TailUpdate> {
    let size: number;
    let ino: number;
    try {
      ({ size, ino } = await stat(this.file));
    } catch {
      // Not written yet (a run that has not finished its first step) or deleted.
      const reset = this.offset > 0;
      this.offset = 0;
      this.remainder = '';
      return { records: [], reset };
    }
    let reset = false;
    if (size < this.offset || (this.ino !== undefined && ino !== this.ino && this.offset > 0)) {
      reset = true;
      this.offset = 0;
      this.remainder = '';
    }
    this.ino = ino;
    if (size === this.offset) return { records: [], reset };
    const handle = await open(this.file, 'r');
    try {
      const length = size - this.offset;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      // Cut at the last newline so a multi-byte character is never split across reads.
      const lastNewline = buffer.lastIndexOf(0x0a, bytesRead - 1);
      if (lastNewline < 0) {
        // No complete line yet: read these bytes again next time.
        this.offset -= bytesRead;
        return { records: [], reset };
      }
      this.offset -= bytesRead - (lastNewline + 1);
      const parsed = parseJsonlChunk(this.remainder, buffer.subarray(0, lastNewline + 1).toString('utf8'));
      this.remainder = parsed.remainder;
      return { records: parsed.records, reset };
    } finally {
      await handle.close();
    }
  }

  /**
   * Calls `onUpdate` whenever records were appended: on file-system events for the file's
   * folder, and every `pollMs` as a fallback (fs.watch misses events on some file systems).
   */
  follow(onUpdate: (u: TailUpdate) => void, pollMs = 1000): void {
    this.unfollow();
    const tick = (): void => {
      void this.read().then(
        (u) => {
          if (u.records.length > 0 || u.reset) onUpdate(u);
          if (this.again) {
            this.again = false;
            tick();
          }
        },
        () => undefined,
      );
    };
    try {
      const name = basename(this.file);
      this.watcher = watch(dirname(this.file), (_event, file) => {
        if (!file || file === name) tick();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // folder not there yet: polling covers it
    }
    this.timer = setInterval(tick, pollMs);
    this.timer.unref?.();
  }

  unfollow(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
