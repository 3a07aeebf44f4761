/**
 * A downstream task as fine-tuning sees it: sequences of WordPiece ids ([CLS] ... [SEP],
 * unpadded) with labels, split into a training and a held-out part.
 *   token:    a label per position (-1: not scored, e.g. a word's later pieces, [CLS], [SEP])
 *   sequence: one label per sequence, read from [CLS]
 */
export type TaskKind = 'token' | 'sequence';

export interface LabelledSequence {
  ids: Int32Array;
  /** token tasks: one label index per position, -1 where nothing is scored. */
  tokenLabels?: Int32Array;
  /** sequence tasks: the label index. */
  label?: number;
}

export interface TaskData {
  /** 'pos', 'genre', or the user file's name. */
  name: string;
  kind: TaskKind;
  /** The score the task is judged by (both are reported). */
  metric: 'accuracy' | 'macroF1';
  /** Label names; a label index points here. */
  labels: string[];
  train: LabelledSequence[];
  test: LabelledSequence[];
  /** How the data was split, for the report. */
  split: string;
  /** A model-free baseline on the same split, in the task's metric: what a score means. */
  reference?: TaskReference;
}

export interface TaskReference {
  /** e.g. 'most-frequent tag' */
  name: string;
  score: number;
  /** How it was computed, for the report. */
  note: string;
}

/** Label indexes in order of first appearance. */
export class LabelSet {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
    }
    return i;
  }
}

/** Keeps at most `max` items, evenly spread over the list (deterministic). */
export function evenlySpread<T>(items: T[], max: number | undefined): T[] {
  if (!max || items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}
