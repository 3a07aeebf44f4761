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
  /** Index in the document's token sequence of the block's first token. */
  firstToken: number;
  plan: BlockPlan;
}

export interface DocumentPlan {
  text: string;
  /** Blocks holding at least one token, in document order. */
  blocks: PlacedBlock[];
  tokenCount: number;
  windowCount: number;
}

/** A blank line: a line break, spaces or tabs, a line break. */
const BLANK_LINE = /\n[^\S\n]*\n/g;

/**
 * The plan of `text`: blocks found in `previous` by their text are reused as they are,
 * the others planned with `planBlock` (Scorer.planBlock).
 */
export function planDocument(text: string, previous: DocumentPlan | undefined, planBlock: (blockText: string) => BlockPlan): DocumentPlan {
  const reusable = new Map<string, BlockPlan>();
  for (const b of previous?.blocks ?? []) reusable.set(b.plan.text, b.plan);
  const blocks: PlacedBlock[] = [];
  let tokenCount = 0;
  let windowCount = 0;
  const add = (start: number, end: number) => {
    if (end <= start) return;
    const blockText = text.slice(start, end);
    const plan = reusable.get(blockText) ?? planBlock(blockText);
    if (plan.tokens.length === 0) return;
    blocks.push({ offset: start, firstToken: tokenCount, plan });
    tokenCount += plan.tokens.length;
    windowCount += plan.windows.length;
  };
  let start = 0;
  BLANK_LINE.lastIndex = 0;
  for (let m = BLANK_LINE.exec(text); m; m = BLANK_LINE.exec(text)) {
    add(start, m.index);
    // A blank line overlapping this one ("\n\n\n") has no token before it in the next block.
    start = m.index + m[0].length;
  }
  add(start, text.length);
  return { text, blocks, tokenCount, windowCount };
}

/** The index of the block whose text covers `offset` (or ends exactly at it), else -1. */
export function blockAt(plan: DocumentPlan, offset: number): number {
  let lo = 0;
  let hi = plan.blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = plan.blocks[mid];
    if (offset < b.offset) hi = mid - 1;
    else if (offset > b.offset + b.plan.text.length) lo = mid + 1;
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
