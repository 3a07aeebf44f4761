/**
 * The ELECTRA language server: a separate Node process started by the extension through
 * vscode-languageclient (`--node-ipc` or `--stdio`). It scores open documents with the
 * selected checkpoint and offers diagnostics, hovers, quick fixes and the custom requests
 * of src/shared/lspProtocol.ts. This file wires the pieces; each lives in its own module.
 */
import {
  CodeActionKind,
  createConnection,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  AlternativesRequest,
  ELECTRA_PROTOCOL_VERSION,
  ScoreDocumentRequest,
  SelectCheckpointNotification,
  SETTINGS_SECTION,
  StatsRequest,
  StatusNotification,
  type AlternativesResult,
  type ScoreDocumentResult,
} from '../shared/lspProtocol';
import { tokenCodeActions } from './codeActions';
import { documentDiagnostics, flaggedTokens, tokenDiagnostic } from './diagnostics';
import { DocumentRefusedError, refusalDiagnostic } from './documentLimits';
import { DocumentScores, type DocumentScore } from './documentScores';
import { coreEngine } from './engine';
import { tokenHover } from './hover';
import { NoCheckpointError, ScorerHost } from './scorerHost';
import { applySettingsSection, DEFAULT_SETTINGS, settingsFromInitializationOptions, type ServerSettings } from './settings';
import { tokenAt, tokensIn } from './tokens';
import { SCORING_DEFAULTS } from '../shared/defaults';

/**
 * Debounce of edits while typing: an edit that comes within this time of the previous one
 * waits for a pause this long before the document is scored again.
 */
const EDIT_DEBOUNCE_MS = 150;
/**
 * An isolated edit (the previous one is older than EDIT_DEBOUNCE_MS: a word replaced, a
 * quick fix applied, a paste) is scored at once: on a timer of 0 ms, which still lets
 * changes that arrived in the same read of the connection reach the document first. A
 * scoring still running when the next edit comes is abandoned.
 */
const ISOLATED_EDIT_DELAY_MS = 0;
const DEFAULT_ALTERNATIVES = SCORING_DEFAULTS.alternatives;
/** A selection over many flagged tokens offers fixes for the first few (each asks the generator). */
const MAX_TOKENS_WITH_FIXES = 5;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: ServerSettings = DEFAULT_SETTINGS;
let canPullConfiguration = false;

const log = (message: string): void => connection.console.log(`[electra] ${message}`);

let host: ScorerHost;
let scores: DocumentScores;

function publish(score: DocumentScore): void {
  const doc = documents.get(score.uri);
  if (!doc || doc.version !== score.version) return; // stale: a newer version is on its way
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: documentDiagnostics(doc, score, settings) });
}

function republishAll(): void {
  for (const doc of documents.all()) {
    const score = scores.latest(doc.uri);
    if (score) publish(score);
  }
}

/** Scores of the document's current version, or a ResponseError a client can show. */
async function currentScores(uri: string, token?: CancellationToken): Promise<DocumentScore | undefined> {
  if (!documents.get(uri)) throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is not open`);
  try {
    return await scores.current(uri, () => token?.isCancellationRequested ?? false);
  } catch (e) {
    if (e instanceof NoCheckpointError || e instanceof DocumentRefusedError) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    throw e;
  }
}

/** The token at `offset` and the generator's alternatives for it, in the text that was scored. */
async function tokenWithAlternatives(score: DocumentScore, offset: number, k: number) {
  const token = tokenAt(score.tokens, offset);
  if (!token) return undefined;
  const alternatives = await host.withScorer((s) => s.alternatives(score.text, token.start, token.end, k));
  return { token, alternatives };
}

connection.onInitialize((params): InitializeResult => {
  settings = settingsFromInitializationOptions(params.initializationOptions);
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  host = new ScorerHost(coreEngine(settings.backend), {
    onStatus: (status) => void connection.sendNotification(StatusNotification, status),
    onScorerChanged: () => {
      // Old diagnostics belong to the old checkpoint: re-score, or clear them when unloaded.
      if (host.scorer) scores?.rescheduleAll();
      else for (const doc of documents.all()) void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
    },
    log,
  });
  scores = new DocumentScores(documents, host, publish, (uri, e) => {
    const doc = documents.get(uri);
    if (e instanceof DocumentRefusedError) {
      if (doc) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [refusalDiagnostic(e)] });
    } else if (!(e instanceof NoCheckpointError)) log(`scoring ${uri} failed: ${e.stack ?? e.message}`);
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      experimental: { electraStudio: { protocolVersion: ELECTRA_PROTOCOL_VERSION } },
    },
    serverInfo: { name: 'electra-studio-server', version: String(ELECTRA_PROTOCOL_VERSION) },
  };
});

connection.onInitialized(() => {
  // A checkpoint in an untrusted workspace is untrusted input: it waits for the client's electra/selectCheckpoint.
  if (settings.workspaceTrusted) void host.select(settings.checkpointPath);
  else if (settings.checkpointPath) {
    log(`workspace not trusted: ${settings.checkpointPath} is not loaded until it is, or until a checkpoint is selected`);
    void connection.sendNotification(StatusNotification, { state: 'no-checkpoint', message: 'the workspace is not trusted: no checkpoint from it is loaded' });
  }
});

connection.onDidChangeConfiguration(async (params) => {
  const pushed = (params.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION];
  if (pushed !== undefined) {
    settings = applySettingsSection(settings, pushed);
  } else if (canPullConfiguration) {
    settings = applySettingsSection(settings, await connection.workspace.getConfiguration(SETTINGS_SECTION));
  }
  republishAll();
});

connection.onNotification(SelectCheckpointNotification, (params) => {
  void host.select(params.path);
});

/** When each open document last changed (performance.now()). */
const lastChange = new Map<string, number>();
documents.onDidChangeContent(({ document }) => {
  // The first content of a document is scored at once, an isolated edit almost at once,
  // and edits in quick succession (typing) after a pause.
  const now = performance.now();
  const previous = lastChange.get(document.uri);
  lastChange.set(document.uri, now);
  const delay = previous === undefined ? 0 : now - previous < EDIT_DEBOUNCE_MS ? EDIT_DEBOUNCE_MS : ISOLATED_EDIT_DELAY_MS;
  scores.schedule(document.uri, delay);
});
documents.onDidClose(({ document }) => {
  lastChange.delete(document.uri);
  scores.forget(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

connection.onHover(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || !host.scorer) return null;
  const score = await scores.current(doc.uri, () => token.isCancellationRequested).catch(() => undefined);
  if (!score) return null;
  const found = await tokenWithAlternatives(score, doc.offsetAt(params.position), DEFAULT_ALTERNATIVES);
  if (!found || token.isCancellationRequested) return null;
  return tokenHover(doc, found.token, found.alternatives, score.checkpointStep);
});

connection.onCodeAction(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || !host.scorer) return null;
  const electraAsked = params.context.only === undefined || params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k));
  if (!electraAsked) return null;
  const score = await scores.current(doc.uri, () => token.isCancellationRequested).catch(() => undefined);
  if (!score) return null;
  const text = doc.getText();
  const flagged = new Set(flaggedTokens(text, score.tokens, settings));
  const inRange = tokensIn(score.tokens, doc.offsetAt(params.range.start), doc.offsetAt(params.range.end))
    .filter((t) => flagged.has(t))
    .slice(0, MAX_TOKENS_WITH_FIXES);
  const actions: CodeAction[] = [];
  for (const t of inRange) {
    const found = await tokenWithAlternatives(score, t.start, DEFAULT_ALTERNATIVES);
    if (token.isCancellationRequested) return null;
    const diagnostic = tokenDiagnostic(doc, text, t, score.checkpointStep, settings);
    actions.push(...tokenCodeActions(doc, t, found?.alternatives ?? [], diagnostic));
  }
  return actions;
});

connection.onRequest(ScoreDocumentRequest, async (params, token): Promise<ScoreDocumentResult> => {
  const score = await currentScores(params.uri, token);
  if (!score) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled or closed');
  return {
    uri: score.uri,
    version: score.version,
    checkpointStep: score.checkpointStep,
    tokens: score.tokens.map((t) => ({ start: t.start, end: t.end, piece: t.piece, p: t.pReplaced })),
  };
});

connection.onRequest(AlternativesRequest, async (params, token): Promise<AlternativesResult | null> => {
  const score = await currentScores(params.uri, token);
  if (!score) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled or closed');
  const found = await tokenWithAlternatives(score, params.offset, params.k ?? DEFAULT_ALTERNATIVES);
  if (!found) return null;
  const { token: t, alternatives } = found;
  return {
    start: t.start,
    end: t.end,
    piece: t.piece,
    p: t.pReplaced,
    alternatives: alternatives.map((a) => ({ piece: a.piece, probability: a.probability })),
  };
});

connection.onRequest(StatsRequest, () => ({
  ...scores.stats,
  checkpointStep: host.scorer?.checkpointStep,
  checkpointDir: host.scorer?.checkpointDir,
}));

connection.onShutdown(() => {
  host?.dispose();
});

documents.listen(connection);
connection.listen();
