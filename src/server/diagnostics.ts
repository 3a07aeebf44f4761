/** Diagnostics for tokens the discriminator believes were replaced. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TokenScore } from '../core';
import { DIAGNOSTIC_CODE, DIAGNOSTIC_SOURCE, type AnnotationSeverity, type ReplacedTokenData } from '../shared/lspProtocol';
import type { DocumentScore } from './documentScores';
import type { ServerSettings } from './settings';
import { wordOf } from './tokens';

const SEVERITY: Record<AnnotationSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Tokens that get a diagnostic: p >= threshold and the word is not ignored. */
export function flaggedTokens(text: string, tokens: readonly TokenScore[], settings: ServerSettings): TokenScore[] {
  return tokens.filter(
    (t) => t.end > t.start && t.pReplaced >= settings.threshold && !settings.ignoredWords.has(wordOf(text, t).toLowerCase()),
  );
}

export function tokenDiagnostic(doc: TextDocument, text: string, token: TokenScore, checkpointStep: number, settings: ServerSettings): Diagnostic {
  const source = text.slice(token.start, token.end);
  const data: ReplacedTokenData = { piece: token.piece, p: token.pReplaced, checkpointStep };
  return {
    range: { start: doc.positionAt(token.start), end: doc.positionAt(token.end) },
    severity: SEVERITY[settings.severity],
    source: DIAGNOSTIC_SOURCE,
    code: DIAGNOSTIC_CODE,
    message: `'${source}' looks replaced (p = ${token.pReplaced.toFixed(2)})`,
    data,
  };
}

export function documentDiagnostics(doc: TextDocument, score: DocumentScore, settings: ServerSettings): Diagnostic[] {
  const text = doc.getText();
  return flaggedTokens(text, score.tokens, settings).map((t) => tokenDiagnostic(doc, text, t, score.checkpointStep, settings));
}
