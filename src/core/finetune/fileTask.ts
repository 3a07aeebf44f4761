/**
 * A user's own sequence-classification task: a CSV file with a header (columns `text` and
 * `label`, optional `split` of train/test) or a JSONL file (one {"text", "label", "split"?}
 * object a line). Rows without a split are held out by a hash of their text (10%), so the
 * split does not depend on row order. A file may have been written by anyone: its size is
 * checked before it is read, and a bad row is reported by its line number.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { isHeldOut } from '../data/corpus';
import type { WordPieceTokenizer } from '../data/tokenizer';
import { evenlySpread, LabelSet, type LabelledSequence, type TaskData } from './task';

export const MAX_TASK_FILE_BYTES = 256 * 2 ** 20;
const HELD_OUT = 0.1;

export interface TextExample {
  text: string;
  label: string;
  split?: 'train' | 'test';
  /** 1-based line of the file, for messages. */
  line: number;
}

/**
 * RFC 4180 records: fields separated by commas, quoted when they hold commas, quotes
 * ("" inside quotes) or line breaks. Returns each record with the line it starts on.
 */
export function parseCsv(text: string): Array<{ fields: string[]; line: number }> {
  const records: Array<{ fields: string[]; line: number }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error(`line ${recordLine}: a quoted field is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

function splitOf(value: unknown, line: number): 'train' | 'test' | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'train' || value === 'test') return value;
  throw new Error(`line ${line}: split must be "train" or "test", got ${JSON.stringify(value)}`);
}

/** The examples of a CSV or JSONL task file. */
export function readTaskFile(path: string): TextExample[] {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new Error(`task file ${path} does not exist`);
  }
  if (size > MAX_TASK_FILE_BYTES) throw new Error(`task file ${path} is ${size} bytes, more than the ${MAX_TASK_FILE_BYTES} this reads`);
  const text = readFileSync(path, 'utf8');
  const out: TextExample[] = [];
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    text.split(/\r?\n/).forEach((raw, k) => {
      if (!raw.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(raw);
      } catch {
        throw new Error(`${basename(path)} line ${k + 1}: not JSON`);
      }
      const r = row as Record<string, unknown>;
      if (typeof r !== 'object' || r === null || typeof r.text !== 'string' || (typeof r.label !== 'string' && typeof r.label !== 'number')) {
        throw new Error(`${basename(path)} line ${k + 1}: expected {"text": string, "label": string or number}`);
      }
      out.push({ text: r.text, label: String(r.label), split: splitOf(r.split, k + 1), line: k + 1 });
    });
  } else if (ext === '.csv') {
    const records = parseCsv(text);
    const header = records.shift()?.fields.map((h) => h.trim().toLowerCase()) ?? [];
    const textCol = header.indexOf('text');
    const labelCol = header.indexOf('label');
    const splitCol = header.indexOf('split');
    if (textCol < 0 || labelCol < 0) throw new Error(`${basename(path)}: the first line must name the columns, with "text" and "label" among them`);
    for (const { fields, line } of records) {
      if (fields.length !== header.length) throw new Error(`${basename(path)} line ${line}: ${fields.length} fields, the header has ${header.length}`);
      out.push({ text: fields[textCol], label: fields[labelCol], split: splitCol >= 0 ? splitOf(fields[splitCol], line) : undefined, line });
    }
  } else {
    throw new Error(`task file ${basename(path)}: expected a .csv or .jsonl file`);
  }
  if (out.length === 0) throw new Error(`task file ${basename(path)} holds no examples`);
  return out;
}

export interface FileTaskOptions {
  tokenizer: WordPieceTokenizer;
  seqLength: number;
  maxTrain?: number;
  maxTest?: number;
}

/** Sequence classification from a task file: each text cut to seqLength - 2 pieces. */
export function fileTask(path: string, o: FileTaskOptions): TaskData {
  const examples = readTaskFile(path);
  const labels = new LabelSet();
  const { cls, sep } = o.tokenizer.specialIds;
  const train: LabelledSequence[] = [];
  const test: LabelledSequence[] = [];
  for (const e of examples) {
    const seq = { ids: Int32Array.from([cls, ...o.tokenizer.encodeIds(e.text).slice(0, o.seqLength - 2), sep]), label: labels.id(e.label) };
    const held = e.split ? e.split === 'test' : isHeldOut(e.text, HELD_OUT);
    (held ? test : train).push(seq);
  }
  if (train.length === 0 || test.length === 0) throw new Error(`task file ${basename(path)}: ${train.length} training and ${test.length} held-out examples; both are needed (add a split column to choose)`);
  return {
    name: basename(path),
    kind: 'sequence',
    metric: 'macroF1',
    labels: labels.names,
    train: evenlySpread(train, o.maxTrain),
    test: evenlySpread(test, o.maxTest),
    split: examples.some((e) => e.split) ? 'the file\'s split column' : `${HELD_OUT * 100}% of the rows held out by a hash of their text`,
  };
}
