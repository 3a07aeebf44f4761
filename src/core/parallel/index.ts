/**
 * Data parallelism on several cores: training, evaluation and scoring. The wasm backend
 * runs on one thread, so a step uses one core unless the batch is split: this thread
 * (rank 0) and a ReplicaPool of N-1 worker threads, each holding a Replica of the model
 * with its own TensorFlow.js (src/worker/dataParallelWorker.ts), run the objective on
 * consecutive shards of every batch at once (shards.ts). Shard losses are normalised by
 * the whole batch's counts and their random draws are keyed by global example index
 * (model/objective.ts), so the shards' gradients sum to the gradient one thread would
 * compute for the whole batch, up to float rounding. Rank 0 then clips and applies AdamW
 * as before and publishes the new weights for the next step.
 *
 * Evaluation (the objective without a tape) and scoring (the discriminator's probabilities
 * for the language server) split their batches the same way. Training with one thread
 * goes through the same entry point (passes.ts: batchGradients, batchStatistics) without a
 * pool.
 *
 * Weights and gradients cross threads through SharedArrayBuffers laid out once at start
 * (sharedWeights.ts); messages (src/shared/parallelProtocol.ts) only say what to do next.
 */
export * from './passes';
export * from './replica';
export * from './replicaPool';
export * from './shards';
export * from './sharedWeights';
