/**
 * Packs token streams into fixed-length pre-training sequences, as ELECTRA's
 * build_pretraining_dataset.py does for single segments:
 *
 *   [CLS] t1 t2 ... tn [SEP] [PAD] ... [PAD]      (length maxSeqLength, n <= maxSeqLength - 2)
 *
 * Tokens are packed densely: a sequence is filled with up to maxSeqLength - 2 tokens and a
 * document may continue in the next sequence, or share a sequence with the next document.
 * [SEP] marks only the end of a sequence. A caller that wants every document to begin a
 * fresh sequence calls endDocument() after pushing it; that closes the current partial
 * sequence (padded), which costs padding, so dense packing is the default.
 */
import type { SpecialIds } from './tokenizer';

export class SequencePacker {
  readonly maxSeqLength: number;
  private readonly special: SpecialIds;
  /** The sequence being filled: [CLS] at 0, tokens from 1 to fill - 1. */
  private current: Int32Array;
  private fill = 1;

  constructor(maxSeqLength: number, special: SpecialIds) {
    if (!Number.isInteger(maxSeqLength) || maxSeqLength < 3) {
      throw new Error(`maxSeqLength must be an integer >= 3 ([CLS] token [SEP]), got ${maxSeqLength}`);
    }
    this.maxSeqLength = maxSeqLength;
    this.special = { ...special };
    this.current = this.fresh();
  }

  /** Tokens waiting in the current, unfinished sequence. */
  get pending(): number {
    return this.fill - 1;
  }

  /** Appends tokens; returns the sequences this completed, each of length maxSeqLength. */
  push(ids: ArrayLike<number>): Int32Array[] {
    const done: Int32Array[] = [];
    const capacity = this.maxSeqLength - 1; // index of [SEP]
    let i = 0;
    while (i < ids.length) {
      const take = Math.min(capacity - this.fill, ids.length - i);
      for (let k = 0; k < take; k++) this.current[this.fill + k] = ids[i + k];
      this.fill += take;
      i += take;
      if (this.fill === capacity) done.push(this.close());
    }
    return done;
  }

  /** Ends a document: closes the current sequence (padded) so the next document starts a new one. */
  endDocument(): Int32Array[] {
    return this.flush();
  }

  /** The last partial sequence, [SEP]-terminated and padded with [PAD]; [] if empty. */
  flush(): Int32Array[] {
    return this.fill > 1 ? [this.close()] : [];
  }

  private fresh(): Int32Array {
    const seq = new Int32Array(this.maxSeqLength).fill(this.special.pad);
    seq[0] = this.special.cls;
    return seq;
  }

  private close(): Int32Array {
    const seq = this.current;
    seq[this.fill] = this.special.sep; // the rest is already [PAD]
    this.current = this.fresh();
    this.fill = 1;
    return seq;
  }
}
