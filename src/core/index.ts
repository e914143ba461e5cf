/**
 * The core's one front door: everything outside src/core (adapters, renderers, commands, the CLI,
 * scripts) imports from here. Stages, in the order a question flows through them:
 * catalog/ (the data, validated and resolved into specs) -> query/ (free text and options to one
 * normalized query) -> physics/ (memory, speed, image, fine-tuning, cost) -> verdict/ (decide,
 * word, flag). Tests may reach into a stage to test it alone.
 */
export * from './catalog/catalog.js';
export * from './catalog/schema.js';
export * from './catalog/specs.js';
export * from './catalog/learned.js';
export type * from './catalog/learned-types.js';
export * from './query/query.js';
export * from './query/understand.js';
export * from './query/resolve.js';
export * from './query/architecture.js';
export * from './query/options.js';
export * from './physics/memory.js';
export * from './physics/speed.js';
export * from './physics/finetune.js';
export * from './physics/finetune-fit.js';
export * from './physics/cost.js';
export * from './physics/calibration-fit.js';
export * from './physics/evaluate.js';
export * from './physics/diffusion.js';
export * from './physics/diffusion-fit.js';
export * from './physics/power-fit.js';
export * from './physics/serving-fit.js';
export { activeParamsWithEmbeddingB } from './physics/weights.js';
export * from './verdict/compare.js';
export * from './verdict/json.js';
export * from './verdict/types.js';
export * from './verdict/format.js';
export { checkDecodeClaim, reportedValue } from './verdict/flags.js';
export * from './estimate.js';
export * from './result.js';
export * from './ask/types.js';
export * from './ask/ask.js';
export * from './ask/json.js';
export * from './ask/lookup-target.js';
export * from './plan/plan.js';
export * from './plan/identity.js';
export type * from './plan/types.js';
export * from './catalog/quality-schema.js';
export * from './catalog/generation-schema.js';
export * from './reports/read.js';
export * from './reports/types.js';
