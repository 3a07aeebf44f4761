/**
 * The messages between the extension (vscode-languageclient) and the ELECTRA language
 * server (src/server), typed once. Both sides import this file; nothing else defines a
 * method name, a setting key the server reads, or the shape of a custom message.
 *
 * Offsets are UTF-16 code-unit offsets into the document's full text (what
 * `TextDocument.offsetAt` returns on either side), end exclusive.
 *
 * Bump ELECTRA_PROTOCOL_VERSION when a message changes shape. The client sends its version
 * in `initializationOptions.protocolVersion`; the server answers with its own in
 * `InitializeResult.capabilities.experimental.electraStudio.protocolVersion`.
 */
import { NotificationType, RequestType, RequestType0, type Range } from 'vscode-languageserver-protocol';
import type { AnnotationSeverity, BackendPreference } from './defaults';
import type { ThresholdInUse } from './calibrationFormat';

/**
 * 3: ScoreDocumentResult.threshold; InitializationOptions.threshold may be null (auto).
 * 4: TokenConfidence.markup (a Markdown document's code and markup, never flagged).
 */
export const ELECTRA_PROTOCOL_VERSION = 4;

/** Configuration section the server reads (workspace/configuration and didChangeConfiguration). */
export const SETTINGS_SECTION = 'electraStudio';

/** Diagnostic.source and Diagnostic.code of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = 'electra';
export const DIAGNOSTIC_CODE = 'replaced-token';
/**
 * Diagnostic.code of the one Information diagnostic, at the top of the document, saying
 * that a document has more flagged tokens than `maxDiagnostics` and only the most likely
 * replaced ones are shown.
 */
export const DIAGNOSTIC_CAP_CODE = 'diagnostics-capped';

/** Diagnostic.code of the one diagnostic on a document the server refuses to score (too large, binary). */
export const NOT_ANNOTATED_CODE = 'not-annotated';

export { ANNOTATION_SEVERITIES, type AnnotationSeverity } from './defaults';

/** Passed by the client as `initializationOptions`. */
export interface InitializationOptions {
  protocolVersion?: number;
  /**
   * The user's selected checkpoint: a run folder (follows its latest checkpoint) or one
   * checkpoint folder (pinned). Without one the server follows the newest checkpoint of the
   * newest run under `runsRoots` (the rule is in src/server/checkpointRule.ts).
   */
  checkpointPath?: string;
  /** Folders holding run folders: each workspace folder's electraStudio.runFolder. */
  runsRoots?: string[];
  /** The base model shipped with the extension (models/base): scored with when there is neither a selection nor a run. */
  baseModel?: string;
  /**
   * Diagnostics for tokens whose probability of having been replaced is >= threshold, in
   * [0, 1]; null or absent: auto, the checkpoint's calibrated threshold, else the default
   * (thresholdInUse, src/shared/calibrationFormat.ts).
   */
  threshold?: number | null;
  severity: AnnotationSeverity;
  /** Words (case-insensitive) that never get a diagnostic. */
  ignoredWords: string[];
  /** Diagnostics per document at most (SETTING_DEFAULTS['annotation.maxDiagnostics'] when absent). */
  maxDiagnostics?: number;
  /** TensorFlow.js backend for the server's scorer; 'auto' by default. */
  backend?: BackendPreference;
  /**
   * false in an untrusted workspace: `checkpointPath` is not loaded at start-up (a
   * checkpoint from the workspace is untrusted input) until the client sends
   * electra/selectCheckpoint, on the user's choice or once the workspace is trusted.
   * Absent means trusted.
   */
  workspaceTrusted?: boolean;
}

/**
 * The part of the `electraStudio` configuration section the server reads after start-up,
 * from `workspace/didChangeConfiguration` params `{settings: {electraStudio: ...}}` (the
 * push model, vscode-languageclient's `synchronize.configurationSection`) or, when the
 * client sends `settings: null`, by pulling the section with `workspace/configuration`.
 * Missing keys keep their current value.
 */
export interface ElectraSettingsSection {
  annotation?: {
    /** null: auto (see InitializationOptions.threshold). */
    threshold?: number | null;
    severity?: AnnotationSeverity;
    ignoredWords?: string[];
    maxDiagnostics?: number;
  };
}

/**
 * Command id the "Ignore '<word>'" quick fix carries. The EXTENSION registers it: it adds
 * `word` to the workspace setting `electraStudio.annotation.ignoredWords`; the resulting
 * didChangeConfiguration makes the server drop that word's diagnostics.
 */
export const IGNORE_WORD_COMMAND = 'electraStudio.ignoreWord';
export interface IgnoreWordArgs {
  word: string;
}

/** `Diagnostic.data` of an electra diagnostic. */
export interface ReplacedTokenData {
  piece: string;
  p: number;
  checkpointStep: number;
}

// ---------------------------------------------------------------- requests (client -> server)

export interface ScoreDocumentParams {
  uri: string;
}
export interface TokenConfidence {
  start: number;
  end: number;
  /** The WordPiece, e.g. "##able". */
  piece: string;
  /** Probability that the token was replaced, in [0, 1]. */
  p: number;
  /** True for code or markup of a Markdown document (src/core/score/markdownProse.ts): scored, never flagged. */
  markup?: true;
}
export interface ScoreDocumentResult {
  uri: string;
  /** Version of the document the scores belong to. */
  version: number;
  checkpointStep: number;
  /** The threshold the server flags at now, and where it came from. */
  threshold: ThresholdInUse;
  tokens: TokenConfidence[];
}
/**
 * Scores of every token of an open document. Fails (RequestFailed) when no checkpoint is
 * loaded, the document is not open, or it is over the limits (too large, binary).
 */
export const ScoreDocumentRequest = new RequestType<ScoreDocumentParams, ScoreDocumentResult, void>('electra/scoreDocument');

export interface AlternativesParams {
  uri: string;
  /** Any offset inside the token. */
  offset: number;
  /** How many alternatives; 5 by default. */
  k?: number;
}
export interface TokenAlternative {
  piece: string;
  probability: number;
}
export interface AlternativesResult extends TokenConfidence {
  alternatives: TokenAlternative[];
}
/** The generator's top-k pieces for the token at `offset`; null where there is no token. */
export const AlternativesRequest = new RequestType<AlternativesParams, AlternativesResult | null, void>('electra/alternatives');

// ---------------------------------------------------------------- notifications

export interface SelectCheckpointParams {
  /**
   * Run folder or checkpoint folder; '' for no selection: the server then follows the
   * newest checkpoint of the newest run under the runs roots (and unloads when there is none).
   */
  path: string;
  /** New runs roots (workspace folders or electraStudio.runFolder changed); absent keeps them. */
  runsRoots?: string[];
}
/** client -> server: load this checkpoint instead of the current one. */
export const SelectCheckpointNotification = new NotificationType<SelectCheckpointParams>('electra/selectCheckpoint');

export interface VisibleRangesParams {
  uri: string;
  /** The parts of the document shown in editors now (LSP ranges: lines and UTF-16 characters). */
  ranges: Range[];
}
/**
 * client -> server: what the editors show of a document, sent when it is opened in an
 * editor and when its visible ranges change (scrolling). The server scores those windows
 * first, so the visible part of a long document is annotated before the rest.
 */
export const VisibleRangesNotification = new NotificationType<VisibleRangesParams>('electra/visibleRanges');

export type ServerState = 'no-checkpoint' | 'loading' | 'ready' | 'error';
/** Why the server scores with its checkpoint: the user selected it, or it is the newest of the newest run. */
export type CheckpointSource = 'selected' | 'newest-run' | 'base-model';
/** How the status bar and the server's log say why a checkpoint is in use (the rule: src/server/checkpointRule.ts). */
export const CHECKPOINT_SOURCE_TEXT: Record<CheckpointSource, string> = {
  selected: 'the checkpoint you selected (ELECTRA: Select Checkpoint)',
  'newest-run': 'the newest checkpoint of the newest run, followed as training saves newer ones (select one to pin it)',
  'base-model': 'the base model that ships with ELECTRA Studio, until the workspace has a run of its own (docs/base-model.md)',
};
export interface StatusParams {
  state: ServerState;
  checkpointStep?: number;
  /** The checkpoint folder in use (while ready, and while loading or failing another). */
  checkpointDir?: string;
  source?: CheckpointSource;
  message?: string;
}
/** server -> client: the scorer's state, sent on every change. */
export const StatusNotification = new NotificationType<StatusParams>('electra/status');

export interface StatsResult {
  /** Document scorings that finished since the server started. */
  scorings: number;
  /** Scoring windows (about a paragraph each) the model computed over those scorings. */
  windowsComputed: number;
  /** Windows whose results came from the Scorer's cache (unchanged text) instead. */
  windowsFromCache: number;
  /** Scorings abandoned because a newer version of the document (or another checkpoint) came. */
  abandoned: number;
  /** Milliseconds spent in Scorer.score over the finished scorings (benchmarks read its growth per edit). */
  scoringMs: number;
  checkpointStep?: number;
  checkpointDir?: string;
}
/** Counters for the output channel and for tests (e.g. that an edit re-scores only what it touched). */
export const StatsRequest = new RequestType0<StatsResult, void>('electra/stats');
