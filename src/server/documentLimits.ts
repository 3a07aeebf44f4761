/**
 * Documents the server refuses to score: the corpus rules of the engine (src/core/data/
 * corpus.ts's textRefusal: a size limit, and no NUL near the start) applied to an open
 * document. A refused document gets one diagnostic that says why, instead of scores.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { textRefusal } from '../core';
import { DIAGNOSTIC_SOURCE, NOT_ANNOTATED_CODE } from '../shared/lspProtocol';

export class DocumentRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`ELECTRA does not annotate this document: ${reason}`);
  }
}

/** Throws DocumentRefusedError when `text` is over the limits. */
export function checkDocumentLimits(text: string): void {
  const reason = textRefusal(text);
  if (reason) throw new DocumentRefusedError(reason);
}

/** The one diagnostic of a refused document, at its start. */
export function refusalDiagnostic(error: DocumentRefusedError): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: NOT_ANNOTATED_CODE,
    message: error.message,
  };
}
