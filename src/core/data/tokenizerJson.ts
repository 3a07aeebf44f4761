/**
 * Hugging Face's tokenizer files for a WordPiece vocabulary: `tokenizer.json` (the `tokenizers`
 * library's serialisation: BertNormalizer, BertPreTokenizer, WordPiece model, [CLS] $A [SEP]
 * template) and `tokenizer_config.json` (what BertTokenizer / ElectraTokenizer read:
 * do_lower_case, strip_accents, tokenize_chinese_chars). Written on export so that a Hugging Face
 * user loads our tokenizer as BertTokenizerFast. Import reads them back in
 * src/core/run/huggingface/tokenizerSettings.ts.
 */
import type { NormalizationOptions } from './normalizer';
import { SPECIAL_TOKENS, type WordPieceTokenizer } from './tokenizer';

/** The subset of tokenizer_config.json that decides normalisation. */
export interface TokenizerConfigFile {
  do_lower_case?: boolean;
  /** null (or absent) means "as do_lower_case", in BertTokenizer and in the tokenizers library alike. */
  strip_accents?: boolean | null;
  tokenize_chinese_chars?: boolean;
  model_max_length?: number;
  tokenizer_class?: string;
  [key: string]: unknown;
}

/** BertTokenizer's rule: accents are stripped when asked, or when lower-casing and not told otherwise. */
export function normalizationFromConfig(config: TokenizerConfigFile): NormalizationOptions {
  const lowercase = config.do_lower_case ?? true;
  const stripAccents = config.strip_accents === null || config.strip_accents === undefined ? lowercase : config.strip_accents;
  return { lowercase, stripAccents };
}

export function tokenizerConfigJson(options: NormalizationOptions, maxLength: number): TokenizerConfigFile {
  return {
    tokenizer_class: 'ElectraTokenizer',
    do_lower_case: options.lowercase,
    strip_accents: options.stripAccents === options.lowercase ? null : options.stripAccents,
    tokenize_chinese_chars: true,
    model_max_length: maxLength,
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  };
}

/** tokenizer.json for `tokenizer`, in the layout `BertTokenizerFast` saves. */
export function tokenizerJson(tokenizer: WordPieceTokenizer): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const piece = tokenizer.idToToken(id);
    if (!(piece in vocab)) vocab[piece] = id; // first occurrence wins, as in WordPieceTokenizer
  }
  const { cls, sep } = tokenizer.specialIds;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: tokenizer.options.stripAccents === tokenizer.options.lowercase ? null : tokenizer.options.stripAccents,
      lowercase: tokenizer.options.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: tokenizer.maxWordPieceChars,
      vocab,
    },
  };
}
