/**
 * The scoring windows of a whole document, planned block by block.
 *
 * A block is the text between blank lines. planWindows never lets a window cross a blank
 * line, so the windows of a document are the windows of its blocks side by side, and a
 * block's windows depend on the block's text alone. Re-planning after an edit therefore
 * splits the text at its blank lines and takes every block whose text is unchanged from the
 * previous plan (looked up by its text): only the edited blocks are tokenized and planned.
 * On a 1 MB document this is what lets the language server find the window under a cursor
 * on every keystroke without walking all of the document's tokens.
 */
import type { Token } from '../data/tokenizer';
import type { ScoringWindow } from './scoring';

/** One block's tokens and windows; offsets and token indices relative to the block. */
export interface BlockPlan {
  text: string;
  tokens: Token[];
  windows: ScoringWindow[];
  /** Per window: the model's input ([CLS] ids [SEP]) and its cache key (the ids joined). */
  ids: Int32Array[];
  keys: string[];
}

export interface PlacedBlock {
  /** UTF-16 offset of the block's first character in the document. */
  offset: number;
  text: string;
  /**
   * Its tokens and windows, once planned: a block whose text was in the previous plan
   * carries its plan over; a new one is planned when first needed (see planBlocks), so
   * that splitting a large document never blocks for long.
   */
  plan?: BlockPlan;
}

export interface DocumentPlan {
  text: string;
  /** Blocks holding something other than white space, in document order. */
  blocks: PlacedBlock[];
}

/** A blank line: a line break, spaces or tabs, a line break. */
const BLANK_LINE = /\n[^\S\n]*\n/g;

/** The blocks of `text`, each with the plan of the block of the same text in `previous`, if any. */
export function planDocument(text: string, previous?: DocumentPlan): DocumentPlan {
  const reusable = new Map<string, BlockPlan>();
  for (const b of previous?.blocks ?? []) if (b.plan) reusable.set(b.text, b.plan);
  const blocks: PlacedBlock[] = [];
  const add = (start: number, end: number) => {
    if (end <= start) return;
    const blockText = text.slice(start, end);
    if (!/\S/.test(blockText)) return; // spaces between blank lines: no tokens
    blocks.push({ offset: start, text: blockText, plan: reusable.get(blockText) });
  };
  let start = 0;
  BLANK_LINE.lastIndex = 0;
  for (let m = BLANK_LINE.exec(text); m; m = BLANK_LINE.exec(text)) {
    add(start, m.index);
    // A blank line overlapping this one ("\n\n\n") has no token before it in the next block.
    start = m.index + m[0].length;
  }
  add(start, text.length);
  return { text, blocks };
}

/** Plans every block of `plan` not planned yet (Scorer.planBlock); returns the plans in order. */
export function planBlocks(plan: DocumentPlan, planBlock: (blockText: string) => BlockPlan): BlockPlan[] {
  return plan.blocks.map((b) => (b.plan ??= planBlock(b.text)));
}

/** The index of the block whose text covers `offset` (or ends exactly at it), else -1. */
export function blockAt(plan: DocumentPlan, offset: number): number {
  let lo = 0;
  let hi = plan.blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = plan.blocks[mid];
    if (offset < b.offset) hi = mid - 1;
    else if (offset > b.offset + b.text.length) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The window of `block` that supplies the score of its token `index` (relative to the block). */
export function windowKeeping(block: BlockPlan, index: number): number {
  let lo = 0;
  let hi = block.windows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = block.windows[mid];
    if (index < w.keepStart) hi = mid - 1;
    else if (index >= w.keepEnd) lo = mid + 1;
    else return mid;
  }
  return -1;
}
