/**
 * Which parts of an open document are prose, the only parts flagged: in Markdown, not its
 * code and markup (src/core/score/markdownProse.ts); in other languages, all of it. Kept per
 * document version, so that publishing diagnostics and the code actions of that version share
 * one fence index.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { MARKDOWN_LANGUAGE_ID, MarkdownProse } from '../core';

/** Whether [start, end) of the document is prose. */
export type ProseTest = (start: number, end: number) => boolean;

const ALL_PROSE: ProseTest = () => true;

export class ProseOfDocuments {
  private readonly byUri = new Map<string, { version: number; test: ProseTest }>();

  /** The prose test of a document's version. */
  of(doc: TextDocument): ProseTest {
    return this.ofVersion(doc.uri, doc.languageId, doc.version, () => doc.getText());
  }

  /** The prose test of version `version` of a document, whose text is `text()` (read only when needed). */
  ofVersion(uri: string, languageId: string, version: number, text: () => string): ProseTest {
    if (languageId !== MARKDOWN_LANGUAGE_ID) return ALL_PROSE;
    const kept = this.byUri.get(uri);
    if (kept?.version === version) return kept.test;
    const prose = new MarkdownProse(text());
    const test: ProseTest = (start, end) => prose.isProse(start, end);
    this.byUri.set(uri, { version, test });
    return test;
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }
}
