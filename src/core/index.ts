/**
 * The engine's public API: everything the hosts (CLI, extension, language server, workers,
 * webviews) may use. Hosts import from here or from src/shared, never from a file inside
 * src/core (test/unit/architecture.test.ts enforces it), so the folders below can change
 * without touching them.
 *
 * The folders follow ELECTRA's pipeline, workspace to editor:
 *   data/      text in: corpus walk, BERT normalisation, WordPiece, packing, on-disk dataset, Brown
 *   model/     the networks and what trains them: config and presets, model, masking,
 *              objective, optimizer, schedule
 *   train/     pre-training: orchestration (pretrain), settings, resume, the training loop,
 *              evaluation, metrics
 *   parallel/  data parallelism over worker threads (pool, replica, shards)
 *   run/       what a run leaves on disk: the run folder (RunFolder: layout, manifest, lock),
 *              checkpoints, safetensors, export
 *   score/     the trained discriminator applied to a document: windows, scorer, inference pass
 *   quality/   what users see, measured: planted real-word errors, word alignment, baselines
 *              (rarity, Kneser-Ney trigram), a fixed generator, detection metrics
 *   wasm/      TensorFlow.js backend selection and the wasm backend's kernels
 *   finetune/  downstream tasks (Brown POS and genre, a user's file), a classifier head, fine-tuning
 *   experiment/ experiments across runs: ELECTRA against masked-LM pre-training at equal FLOPs, its report
 *   hub/       downloads from the Hugging Face Hub into its cache, for import
 *   common/    seeded randomness and typed-array helpers used across the stages
 */
export * from './data/corpus';
export * from './data/tokenizer';
export * from './data/dataset';
export * from './data/vocabularySize';
export * from './data/tokenizerJson';
export * from './data/brown';
export * from '../shared/defaults';
export * from '../shared/calibrationFormat';
export * from './model/config';
export * from './model/presets';
export * from './model/model';
export * from './model/flops';
export * from './train/metrics';
export * from './train/pretrain';
export * from './train/settings';
export * from './train/trainingLoop';
export * from './train/evaluator';
export * from './train/batches';
export * from './parallel';
export * from './run/checkpoint';
export * from './run/runFolder';
export * from './run/checkpointValidation';
export * from './run/export';
export * from './run/folders';
export * from './run/weights';
export * from './score/scoring';
export * from './score/documentPlan';
export * from './score/corrections';
export * from './score/swaps';
export * from './score/markdownProse';
export * from './wasm/backend';
export * from './finetune/scores';
export * from './finetune/task';
export * from './finetune/fileTask';
export * from './finetune/brownTasks';
export * from './finetune/finetune';
export * from './finetune/finetuneRun';
export * from './experiment/report';
export * from './experiment/electraVsMlm';
export * from './hub/hubDownload';
export * from './hub/hubImport';
export * from './run/runOrigin';
export { importHuggingFace, readHuggingFace, type HuggingFaceModel, type ImportOptions, type ImportReport, type ReadOptions } from './run/huggingface/importHuggingFace';
export * from './quality/confusables';
export * from './quality/words';
export * from './quality/prose';
export * from './quality/plantErrors';
export * from './quality/ngram';
export * from './quality/metrics';
export * from './quality/replacedWords';
export * from './quality/wordGenerator';
export * from './quality/corpusText';
export * from './quality/errorBenchmark';
export * from './quality/swapFixes';
export * from './quality/contextProbe';
export * from './quality/yardstick';
export * from './quality/calibration';
export * from './run/shippedModel';
// Types the data-parallel protocol (src/shared/parallelProtocol.ts) carries.
export type { Batch, ObjectiveStats, ObjectiveWeights, ShardInfo } from './model/objective';
export type { MaskedBatch } from './model/masking';
