/**
 * The hover of a token: its probability of having been replaced, the corrections its word's
 * form suggests (src/core/score/corrections.ts; the quick fixes offer them first), and the
 * generator's alternatives.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { suggestedCorrections, wordSpanAround, type Alternative, type TokenScore } from '../core';
import { describeThreshold, type ThresholdInUse } from '../shared/calibrationFormat';

/** A Markdown code span holding `s`, safe inside a table cell. */
function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** The hover, which also says the threshold in use and where it came from (src/shared/calibrationFormat.ts). */
export function tokenHover(
  doc: TextDocument,
  token: TokenScore,
  alternatives: readonly Alternative[],
  checkpointStep: number,
  threshold: ThresholdInUse,
  /** False for a Markdown document's code or markup (prose.ts), which is never flagged. */
  prose = true,
): Hover {
  const lines = [
    `**ELECTRA** · token ${code(token.piece)}: replaced with probability **${token.pReplaced.toFixed(3)}**` +
      ` (checkpoint step ${checkpointStep})`,
    '',
    prose ? `Flagged at or above ${describeThreshold(threshold)}.` : 'Not flagged: code or markup, which the model reads as context only.',
    '',
  ];
  const text = doc.getText();
  const corrections = prose ? suggestedCorrections(text, wordSpanAround(text, token)) : [];
  if (corrections.length > 0) lines.push(`A real-word error? ${corrections.map((c) => c.title).join(' · ')} (quick fix)`, '');
  if (alternatives.length > 0) {
    lines.push("| Generator's alternative | Probability |", '| --- | ---: |');
    for (const a of alternatives) lines.push(`| ${code(a.piece)} | ${a.probability.toFixed(3)} |`);
  } else {
    lines.push('_The generator proposes no alternative._');
  }
  return {
    contents: { kind: MarkupKind.Markdown, value: lines.join('\n') },
    range: { start: doc.positionAt(token.start), end: doc.positionAt(token.end) },
  };
}
