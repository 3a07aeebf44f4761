/**
 * The tokenizer of a Hugging Face folder: the WordPiece vocabulary (vocab.txt, else the
 * vocabulary inside tokenizer.json) and the normalisation settings (tokenizer_config.json's
 * do_lower_case / strip_accents / tokenize_chinese_chars, else tokenizer.json's BertNormalizer).
 * Hugging Face's BertTokenizer strips accents when strip_accents is unset and it lower-cases
 * (normalizationFromConfig, the rule export writes by).
 * Settings the engine's tokenizer does not implement are refused by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_WORDPIECE_CHARS, CONTINUATION_PREFIX, type NormalizationOptions } from '../../data/tokenizer';
import { normalizationFromConfig } from '../../data/tokenizerJson';

export interface HuggingFaceTokenizer {
  vocabText: string;
  /** Tokens in the vocabulary. */
  vocabSize: number;
  normalization: NormalizationOptions;
  /** tokenizer_config.json's model_max_length, when it is a real length (not the 1e30 "unset"). */
  modelMaxLength?: number;
  /** Where the vocabulary came from (a path), for messages. */
  vocabSource: string;
}

/** The largest vocabulary file read (BERT's is 230 KB). */
const MAX_VOCAB_BYTES = 64 * 1024 * 1024;

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  const text = readSmall(path);
  try {
    const json = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
    return json;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

function readSmall(path: string): string {
  const buf = readFileSync(path);
  if (buf.length > MAX_VOCAB_BYTES) throw new Error(`${path}: ${buf.length} bytes is too large for a tokenizer file`);
  return buf.toString('utf8');
}

export function readHuggingFaceTokenizer(folder: string): HuggingFaceTokenizer {
  const configPath = join(folder, 'tokenizer_config.json');
  const tokenizerPath = join(folder, 'tokenizer.json');
  const vocabPath = join(folder, 'vocab.txt');
  const config = readJson(configPath) ?? {};
  const fast = readJson(tokenizerPath);
  const normalizer = (fast?.normalizer ?? undefined) as Record<string, unknown> | undefined;
  const model = (fast?.model ?? undefined) as Record<string, unknown> | undefined;

  const refuse = (source: string, field: string, value: unknown, why: string): never => {
    throw new Error(`${source}: ${field} ${JSON.stringify(value)} is not supported: ${why}`);
  };
  // Settings: tokenizer_config.json first (what BertTokenizer reads), tokenizer.json's normalizer next.
  const setting = (configField: string, normalizerField: string): { value: unknown; source: string } =>
    config[configField] !== undefined
      ? { value: config[configField], source: configPath }
      : normalizer && normalizer[normalizerField] !== undefined
        ? { value: normalizer[normalizerField], source: tokenizerPath }
        : { value: undefined, source: configPath };
  if (normalizer && normalizer.type !== 'BertNormalizer') refuse(tokenizerPath, 'normalizer.type', normalizer.type, 'only BERT normalisation is implemented');
  const lower = setting('do_lower_case', 'lowercase');
  const lowercase = lower.value ?? true;
  if (typeof lowercase !== 'boolean') refuse(lower.source, 'do_lower_case', lowercase, 'expected true or false');
  const strip = setting('strip_accents', 'strip_accents');
  if (strip.value !== undefined && strip.value !== null && typeof strip.value !== 'boolean') refuse(strip.source, 'strip_accents', strip.value, 'expected true, false or null');
  const normalization = normalizationFromConfig({ do_lower_case: lowercase as boolean, strip_accents: strip.value as boolean | null | undefined });
  const chinese = setting('tokenize_chinese_chars', 'handle_chinese_chars');
  if (chinese.value === false) refuse(chinese.source, 'tokenize_chinese_chars', false, 'the engine always splits CJK ideographs into words of their own');
  if (model) {
    if (model.type !== undefined && model.type !== 'WordPiece') refuse(tokenizerPath, 'model.type', model.type, 'only WordPiece vocabularies are implemented');
    if (model.continuing_subword_prefix !== undefined && model.continuing_subword_prefix !== CONTINUATION_PREFIX) {
      refuse(tokenizerPath, 'model.continuing_subword_prefix', model.continuing_subword_prefix, `the engine's continuation prefix is "${CONTINUATION_PREFIX}"`);
    }
    if (model.max_input_chars_per_word !== undefined && model.max_input_chars_per_word !== DEFAULT_MAX_WORDPIECE_CHARS) {
      refuse(tokenizerPath, 'model.max_input_chars_per_word', model.max_input_chars_per_word, `the engine maps words over ${DEFAULT_MAX_WORDPIECE_CHARS} characters to [UNK]`);
    }
  }

  let vocabText: string;
  let vocabSource: string;
  if (existsSync(vocabPath)) {
    vocabText = readSmall(vocabPath);
    vocabSource = vocabPath;
  } else if (model && typeof model.vocab === 'object' && model.vocab !== null) {
    vocabText = vocabTextFromIds(model.vocab as Record<string, unknown>, tokenizerPath);
    vocabSource = tokenizerPath;
  } else {
    throw new Error(`${folder}: no vocabulary: neither vocab.txt nor a WordPiece tokenizer.json`);
  }
  const lines = vocabText.split('\n');
  const vocabSize = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
  const maxLength = config.model_max_length;
  return {
    vocabText,
    vocabSize,
    normalization,
    modelMaxLength: typeof maxLength === 'number' && Number.isInteger(maxLength) && maxLength > 0 && maxLength < 1e9 ? maxLength : undefined,
    vocabSource,
  };
}

/** tokenizer.json's {token: id} as vocab.txt (line = id); the ids must be 0..n-1, each once. */
function vocabTextFromIds(vocab: Record<string, unknown>, source: string): string {
  const entries = Object.entries(vocab);
  const tokens = new Array<string | undefined>(entries.length);
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length || tokens[id] !== undefined) {
      throw new Error(`${source}: model.vocab gives ${JSON.stringify(token)} the id ${JSON.stringify(id)}; ids must run from 0 to ${entries.length - 1}, each once`);
    }
    if (token.includes('\n')) throw new Error(`${source}: model.vocab holds a token with a line break`);
    tokens[id] = token;
  }
  return tokens.join('\n') + '\n';
}
