/**
 * Scoring: the discriminator's probability that each token of a text was replaced, and
 * the generator's alternatives for any token. Deterministic: no dropout, no sampling.
 *
 * Text is cut into windows that follow its paragraphs (blank lines). A paragraph longer
 * than a window is covered by overlapping windows, and each token takes its score from
 * the window in which it sits most centrally. Window results are cached by their token
 * ids, so after an edit only the windows whose tokens changed are computed again.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendPreference } from '../wasm/backend';
import { DEFAULT_BACKEND } from '../../shared/defaults';
import { findLatestCheckpoint, loadCheckpoint } from '../run/checkpoint';
import { discriminatorProbabilities, ReplicaPool, resolveWorkers } from '../parallel';
import { DiscriminatorInference } from './discriminatorInference';
import type { ElectraConfig } from '../model/config';
import type { ElectraModel } from '../model/model';
import type { Batch } from '../model/objective';
import { WordPieceTokenizer, type Token } from '../data/tokenizer';
import { modelFromCheckpoint } from '../run/weights';
import type { BlockPlan } from './documentPlan';

/** One WordPiece token of the scored text with its character range in that text. */
export interface TokenScore {
  /** The WordPiece (e.g. "##able"). */
  piece: string;
  id: number;
  /** UTF-16 offsets into the original text, end exclusive. text.slice(start, end) is the token's source. */
  start: number;
  end: number;
  /** Discriminator's probability that the token was replaced, in [0, 1]. */
  pReplaced: number;
}

export interface Alternative {
  /** The WordPiece the generator proposes (continuation pieces keep their "##"). */
  piece: string;
  id: number;
  probability: number;
}

export interface ScoreResult {
  tokens: TokenScore[];
  /** Step of the checkpoint that produced the scores. */
  checkpointStep: number;
  /** Windows computed for this call (the rest came from the cache). */
  windowsComputed: number;
  windowsTotal: number;
}

/** A run of tokens scored together, and the part of it whose scores are kept. */
export interface ScoringWindow {
  /** Token index range [start, end) fed to the model (between [CLS] and [SEP]). */
  start: number;
  end: number;
  /** Token index range [keepStart, keepEnd) whose scores this window supplies. */
  keepStart: number;
  keepEnd: number;
}

/** Pieces that end a sentence: the next token may start a window of a long paragraph. */
const SENTENCE_END = new Set(['.', '!', '?', ';', ':']);

/**
 * Windows over `tokens`: one per paragraph (blank lines apart) when it fits in `maxTokens`,
 * else overlapping windows, each token kept by the window in which it sits most centrally.
 *
 * A long paragraph's windows start at sentence starts (a line break, or the token after
 * . ! ? ; or :) where one lies between half and three quarters of a window past the
 * previous start, else at exactly half a window. Two things follow:
 * - An edit that changes the number of tokens does not move the windows of the sentences
 *   after it: their token ids are the same as before, so they come from the cache. Windows
 *   placed by token index alone would all shift, and a long paragraph would be recomputed
 *   from the edit to its end.
 * - Starts at least half a window apart put every token in at most two windows, so an edit
 *   costs at most three (its own two, and a third only when the edit moves a start).
 */
export function planWindows(text: string, tokens: Token[], maxTokens: number): ScoringWindow[] {
  const windows: ScoringWindow[] = [];
  const startsSentence = (i: number) => SENTENCE_END.has(tokens[i - 1].piece) || text.slice(tokens[i - 1].end, tokens[i].start).includes('\n');
  let blockStart = 0;
  for (let i = 1; i <= tokens.length; i++) {
    const boundary = i === tokens.length || /\n[^\S\n]*\n/.test(text.slice(tokens[i - 1].end, tokens[i].start));
    if (!boundary) continue;
    windows.push(...coverBlock(blockStart, i, maxTokens, startsSentence));
    blockStart = i;
  }
  return windows;
}

function coverBlock(a: number, b: number, L: number, startsSentence: (i: number) => boolean): ScoringWindow[] {
  if (b - a <= L) return [{ start: a, end: b, keepStart: a, keepEnd: b }];
  const [minStride, maxStride] = [Math.max(1, Math.ceil(L / 2)), Math.max(1, Math.floor((3 * L) / 4))];
  const spans: Array<[number, number]> = [];
  for (let s = a; ; ) {
    spans.push([s, Math.min(s + L, b)]);
    if (s + L >= b) break;
    let next = s + minStride;
    for (let j = next; j <= s + maxStride && j < b; j++) {
      if (startsSentence(j)) {
        next = j;
        break;
      }
    }
    s = next;
  }
  // Where window k - 1 hands over to window k: the first token with more context on both
  // sides in window k (the distance to the nearer edge) than in window k - 1.
  const depth = ([s, e]: [number, number], t: number) => Math.min(t - s, e - 1 - t);
  const handover = (k: number) => {
    let t = spans[k][0];
    while (t < spans[k - 1][1] && depth(spans[k], t) <= depth(spans[k - 1], t)) t++;
    return t;
  };
  const cuts = spans.map((_, k) => (k === 0 ? a : handover(k)));
  return spans.map(([start, end], k) => ({ start, end, keepStart: cuts[k], keepEnd: k + 1 < spans.length ? cuts[k + 1] : b }));
}

const CACHE_LIMIT = 4096;
/** Lines whose tokens are kept, so that an edit tokenizes again only the lines it changed. */
const LINE_CACHE_LIMIT = 16384;
/** Lines shorter than this are tokenized again rather than cached (not worth an entry). */
const LINE_CACHE_MIN_CHARS = 16;
/** Windows per forward pass: enough to amortise per-op overhead, small enough to stay responsive. */
const WINDOWS_PER_BATCH = 8;

/**
 * Work below which a batch of windows stays on one thread: handing a share to a worker
 * costs a round trip and slows both threads (they share the machine's caches and memory),
 * which small shares do not repay: two `tiny` windows gain nothing from a second thread, two
 * `small` ones nearly halve their time (docs/benchmarks.md, "When scoring splits a batch").
 */
const MIN_FLOPS_PER_THREAD = 0.5e9;

/** Floating-point operations of the discriminator's forward pass over one sequence of T tokens. */
export function discriminatorFlops(c: ElectraConfig, T: number): number {
  const { hiddenSize: H, intermediateSize: F, numHiddenLayers: L } = c.discriminator;
  const projection = c.embeddingSize !== H ? c.embeddingSize * H : 0;
  const perToken = projection + L * (4 * H * H + 2 * H * F + 2 * T * H) + H * (H + 1);
  return 2 * T * perToken;
}

export interface ScorerOptions {
  backend?: BackendPreference;
  /** Threads computing windows (see ReplicaPool): a count or 'auto' (one per core on wasm/cpu). Default 1. */
  workers?: number | 'auto';
  /** The worker bundle; by default dist/dataParallelWorker.js beside this bundle. */
  workerScript?: string;
  /** Work a thread's share of a batch must reach for the batch to be split (default MIN_FLOPS_PER_THREAD). */
  minFlopsPerThread?: number;
}

export interface ScoreOptions {
  /** Checked between batches; an aborted signal rejects with an AbortError. */
  signal?: AbortSignal;
}

export class Scorer {
  private readonly cache = new Map<string, Float32Array>();
  /** Tokens of a line of text, offsets relative to the line (see tokenize). */
  private readonly lineTokens = new Map<string, Token[]>();

  private constructor(
    readonly model: ElectraModel,
    readonly tokenizer: WordPieceTokenizer,
    readonly checkpointDir: string,
    readonly checkpointStep: number,
    /** Worker threads sharing each batch of windows, if any. */
    private readonly workers?: ReplicaPool,
    private readonly minFlopsPerThread = MIN_FLOPS_PER_THREAD,
    /** The discriminator's pass on the wasm heap, where it runs (else the model's tf ops). */
    private readonly inference = DiscriminatorInference.create(model),
  ) {}

  get config(): ElectraConfig {
    return this.model.config;
  }

  /** Loads the checkpoint at `path` (a checkpoint, a run folder, or a run's checkpoints folder). */
  static async load(path: string, options: ScorerOptions = {}): Promise<Scorer> {
    const backend = await initBackend(options.backend ?? DEFAULT_BACKEND);
    const dir = findLatestCheckpoint(path);
    if (!dir) throw new Error(`${path}: no checkpoint found (expected a checkpoint folder or a run folder with checkpoints/)`);
    const ckpt = loadCheckpoint(dir);
    const tokenizer = WordPieceTokenizer.fromVocabText(ckpt.vocabText, ckpt.state.tokenizer);
    const model = modelFromCheckpoint(ckpt);
    const threads = resolveWorkers(options.workers, backend.name);
    let workers: ReplicaPool | undefined;
    if (threads > 1) {
      try {
        workers = await ReplicaPool.start(model, threads - 1, options.backend ?? DEFAULT_BACKEND, options.workerScript);
      } catch (e) {
        model.dispose();
        throw e;
      }
    }
    return new Scorer(model, tokenizer, dir, ckpt.state.step, workers, options.minFlopsPerThread);
  }

  /**
   * The tokens of `text`, as tokenizer.encode gives them. A line break is whitespace, which
   * always separates tokens, so the text is tokenized line by line, and each line's tokens
   * are cached by its content: after an edit only the changed lines are tokenized again.
   */
  tokenize(text: string): Token[] {
    const out: Token[] = [];
    let lineStart = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      lineEnd = lineEnd < 0 ? text.length : lineEnd + 1;
      const line = text.slice(lineStart, lineEnd);
      let tokens: Token[];
      if (line.length < LINE_CACHE_MIN_CHARS) {
        tokens = this.tokenizer.encode(line);
      } else {
        const cached = this.lineTokens.get(line);
        if (cached) this.lineTokens.delete(line); // refresh its place in the LRU order
        else if (this.lineTokens.size >= LINE_CACHE_LIMIT) this.lineTokens.delete(this.lineTokens.keys().next().value!);
        tokens = cached ?? this.tokenizer.encode(line);
        this.lineTokens.set(line, tokens);
      }
      for (const t of tokens) out.push({ id: t.id, piece: t.piece, start: t.start + lineStart, end: t.end + lineStart });
      lineStart = lineEnd;
    }
    return out;
  }

  /** Scores every token of `text`. */
  async score(text: string, options: ScoreOptions = {}): Promise<ScoreResult> {
    const tokens = this.tokenize(text);
    const windows = planWindows(text, tokens, this.config.maxSeqLength - 2);
    const probs = new Float32Array(tokens.length);
    const pending: Array<{ w: ScoringWindow; key: string; ids: Int32Array }> = [];
    const results = new Map<string, Float32Array>();
    const keys: string[] = [];
    for (const w of windows) {
      const ids = this.windowIds(tokens, w);
      const key = ids.join(',');
      keys.push(key);
      const hit = this.cache.get(key);
      if (hit) {
        this.cache.delete(key); // refresh its place in the LRU order
        this.cache.set(key, hit);
        results.set(key, hit);
      } else if (!results.has(key)) {
        pending.push({ w, key, ids });
        results.set(key, new Float32Array(0)); // placeholder: same window text twice is computed once
      }
    }
    // Similar lengths together, so that padding wastes little.
    pending.sort((x, y) => x.ids.length - y.ids.length);
    for (let i = 0; i < pending.length; i += WINDOWS_PER_BATCH) {
      if (options.signal?.aborted) throw abortError();
      const group = pending.slice(i, i + WINDOWS_PER_BATCH);
      const out = await this.discriminate(group.map((g) => g.ids));
      group.forEach((g, k) => {
        results.set(g.key, out[k]);
        this.remember(g.key, out[k]);
      });
      await new Promise((r) => setImmediate(r)); // let the caller's messages through
    }
    windows.forEach((w, i) => {
      const p = results.get(keys[i])!;
      for (let t = w.keepStart; t < w.keepEnd; t++) probs[t] = p[1 + t - w.start];
    });
    return {
      tokens: tokens.map((t, i) => ({ piece: t.piece, id: t.id, start: t.start, end: t.end, pReplaced: probs[i] })),
      checkpointStep: this.checkpointStep,
      windowsComputed: pending.length,
      windowsTotal: windows.length,
    };
  }

  /**
   * The generator's top-k tokens for the token at [start, end) of `text` (the first token
   * overlapping that range), with that token masked and its window as context.
   */
  async alternatives(text: string, start: number, end: number, k = 5): Promise<Alternative[]> {
    const tokens = this.tokenize(text);
    const index = tokens.findIndex((t) => t.end > start && t.start < Math.max(end, start + 1));
    if (index < 0) return [];
    const window = planWindows(text, tokens, this.config.maxSeqLength - 2).find((w) => index >= w.keepStart && index < w.keepEnd)!;
    return this.windowAlternatives(this.windowIds(tokens, window), 1 + index - window.start, k);
  }

  /**
   * The tokens and windows of one block of text (text without blank lines, see
   * documentPlan.ts), with each window's model input and cache key.
   */
  planBlock(text: string): BlockPlan {
    const tokens = this.tokenize(text);
    const windows = planWindows(text, tokens, this.config.maxSeqLength - 2);
    const ids = windows.map((w) => this.windowIds(tokens, w));
    return { text, tokens, windows, ids, keys: ids.map((x) => x.join(',')) };
  }

  /** The probabilities of a window computed earlier (by its key), if the cache still holds them. */
  cachedWindow(key: string): Float32Array | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // refresh its place in the LRU order
      this.cache.set(key, hit);
    }
    return hit;
  }

  /**
   * Probabilities of replacement for each window's ids ([CLS] ... [SEP], as planBlock gives
   * them), computed in one batch and remembered in the cache under `keys`.
   */
  async computeWindows(ids: Int32Array[], keys: string[]): Promise<Float32Array[]> {
    const out = await this.discriminate(ids);
    out.forEach((p, i) => this.remember(keys[i], p));
    return out;
  }

  /** The generator's top-k pieces at `position` of a window's ids, that position masked. */
  async windowAlternatives(windowIds: Int32Array, position: number, k = 5): Promise<Alternative[]> {
    const ids = windowIds.slice();
    ids[position] = this.tokenizer.specialIds.mask;
    const { values, indices } = tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [1, ids.length], 'int32');
      const logits = this.model.generatorLogits(idsT, tf.ones([1, ids.length]), tf.tensor1d([position], 'int32'));
      const top = tf.topk(tf.softmax(logits), k + 5); // a few spare, for the special tokens dropped below
      return { values: top.values.dataSync() as Float32Array, indices: top.indices.dataSync() as Int32Array };
    });
    const out: Alternative[] = [];
    for (let i = 0; i < indices.length && out.length < k; i++) {
      if (this.tokenizer.isSpecial(indices[i])) continue;
      out.push({ piece: this.tokenizer.idToToken(indices[i]), id: indices[i], probability: values[i] });
    }
    return out;
  }

  /** Windows cached, for tests and diagnostics. */
  get cachedWindows(): number {
    return this.cache.size;
  }

  dispose(): void {
    void this.workers?.close();
    this.inference?.dispose();
    this.model.dispose();
    this.cache.clear();
    this.lineTokens.clear();
  }

  private windowIds(tokens: Token[], w: ScoringWindow): Int32Array {
    const { cls, sep } = this.tokenizer.specialIds;
    const ids = new Int32Array(w.end - w.start + 2);
    ids[0] = cls;
    for (let t = w.start; t < w.end; t++) ids[1 + t - w.start] = tokens[t].id;
    ids[ids.length - 1] = sep;
    return ids;
  }

  /** Probabilities of replacement for each sequence of ids (padded together to the longest). */
  private async discriminate(seqs: Int32Array[]): Promise<Float32Array[]> {
    const T = Math.max(...seqs.map((s) => s.length));
    const B = seqs.length;
    const ids = new Int32Array(B * T).fill(this.tokenizer.specialIds.pad);
    const mask = new Float32Array(B * T);
    seqs.forEach((s, b) => {
      ids.set(s, b * T);
      mask.fill(1, b * T, b * T + s.length);
    });
    const batch = { ids, attentionMask: mask, batchSize: B, seqLength: T };
    // With workers, windows of one batch are computed on several threads at once (an edit in
    // a long paragraph touches two overlapping windows, which then cost about one) when each
    // thread's share is worth the hand-over.
    const split = this.workers !== undefined && (B * discriminatorFlops(this.config, T)) / (this.workers.count + 1) >= this.minFlopsPerThread;
    const local = (part: Batch) => (this.inference ? this.inference.probabilities(part) : discriminatorProbabilities(this.model, part));
    const probs = split ? await this.workers!.discriminate(this.model, batch, local) : local(batch);
    return seqs.map((s, b) => probs.slice(b * T, b * T + s.length));
  }

  private remember(key: string, value: Float32Array): void {
    this.cache.set(key, value);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
  }
}

function abortError(): Error {
  const e = new Error('scoring was cancelled');
  e.name = 'AbortError';
  return e;
}
