/**
 * Serving several users at once (issue 16): one decode step advances every sequence of the batch by
 * a token, so the weights are streamed once for all of them and only the KV reads and the arithmetic
 * grow with the batch:
 *
 *   step(B) = (W(B) x family + B x KV(depth) x kvRead) / (efficiency x bandwidth x stream)
 *           + layers x perLayerMs
 *           + 2 x active params x (B - 1) / (compute x FP16 TFLOPS)
 *   W(B)    = head + layers x (dense + experts x (1 - (1 - k/E)^B))
 *
 * efficiency, perLayerMs, family and kvRead are the batch-1 decode fit (data/calibration.json), so at
 * B = 1 the step is `decodeSecondsPerToken`; the first token's arithmetic is hidden under the stream
 * there and already inside that fit, which is why only the B - 1 further tokens add FLOPs. A MoE
 * step reads every expert that any of the B tokens routes to: with k of E experts per token, picked
 * independently, a share 1 - (1 - k/E)^B of each layer's experts, not k/E. What the serving fit adds
 * per runtime: `compute` (the share of FP16 tensor throughput the batch's matmuls reach) and `stream`
 * (the runtime's weight streaming against llama.cpp's; 1 for llama.cpp by construction).
 * Aggregate tok/s = B / step; each user sees 1 / step.
 */
import type { Band, DeviceSpec, ModelSpec, QuantFamily } from '../catalog/specs.js';
import { gpuBudgetGB, kvCacheGB, runtimeOverheadGB } from './memory.js';
import { decodeParamsFor, perLayerSeconds, type SpeedParams } from './speed.js';
import { splitWeights } from './weights.js';

export const SERVING_RUNTIMES = ['llama.cpp', 'vllm', 'mlx'] as const;
export type ServingRuntime = (typeof SERVING_RUNTIMES)[number];

/** The concurrencies a serving estimate answers for. */
export const SERVING_LEVELS = [1, 4, 16, 64] as const;

/** Physical bounds of the fitted constants (the fit searches inside them; a stored file is checked against them). */
export const COMPUTE_EFFICIENCY_BOUNDS = { min: 0.02, max: 1 } as const;
export const STREAM_FACTOR_BOUNDS = { min: 0.5, max: 1.5 } as const;

export interface ServingFit {
  /** Share of the FP16 tensor TFLOPS the batch's extra tokens reach, by runtime. */
  computeEfficiency: Partial<Record<ServingRuntime, number>>;
  /** Streaming speed against the batch-1 llama.cpp fit of the same backend (1 = the same), by runtime. */
  streamFactor: Partial<Record<ServingRuntime, number>>;
  /** Measured / predicted aggregate at the fit's 10th and 90th percentile (for the band). */
  band: Band;
}

/**
 * Where no fit covers a runtime: an assumption, not a measurement. A quarter of the tensor peak is
 * what skinny decode matmuls (M = B rows) typically reach; streaming as llama.cpp's.
 */
export const DEFAULT_COMPUTE_EFFICIENCY = 0.25;
export const UNFITTED_SERVING: ServingFit = { computeEfficiency: {}, streamFactor: {}, band: { low: 0.6, high: 1.5 } };

export const computeEfficiencyOf = (fit: ServingFit, runtime: ServingRuntime) =>
  fit.computeEfficiency[runtime] ?? DEFAULT_COMPUTE_EFFICIENCY;
export const streamFactorOf = (fit: ServingFit, runtime: ServingRuntime) =>
  runtime === 'llama.cpp' ? 1 : (fit.streamFactor[runtime] ?? 1);

export interface ServingStepInput {
  device: Pick<DeviceSpec, 'backend' | 'bandwidthGBs' | 'fp16Tflops' | 'generation'> & { gpus?: number };
  model: ModelSpec;
  weightsGB: number;
  family: QuantFamily;
  /** Tokens in each sequence's context while it generates (its prompt and what it has written). */
  depthTokens: number;
  /** The KV cache's storage type (f16, q8_0, q4_0). */
  kvType?: string;
  runtime: ServingRuntime;
}

/** Share of a MoE layer's experts that B tokens touch together, each picking k of E independently. */
export function expertsTouchedShare(model: Pick<ModelSpec, 'moe'>, concurrency: number): number {
  if (!model.moe || model.moe.experts <= 0) return 1;
  const routed = Math.min(1, model.moe.activeExperts / model.moe.experts);
  return 1 - (1 - routed) ** Math.max(1, concurrency);
}

/** Weights one step of B sequences reads: the dense part and the head once, each touched expert once. */
export function batchStreamedWeightsGB(
  model: ModelSpec,
  weightsGB: number,
  family: QuantFamily | undefined,
  concurrency: number,
): number {
  const w = splitWeights(model, weightsGB, family);
  const experts = w.layerExpertGB > 0 ? w.layerExpertGB * expertsTouchedShare(model, concurrency) : 0;
  return w.headReadGB + Math.max(1, model.layers) * (w.layerDenseGB + experts);
}

export interface StepParts {
  /** Weights and KV streamed, seconds. */
  memory: number;
  /** Per-layer kernel cost, seconds. */
  fixed: number;
  /** Arithmetic of the batch beyond the first token, seconds. */
  compute: number;
  total: number;
}

/**
 * Share of linear scaling that vLLM's tensor parallelism keeps on consumer cards over PCIe (an
 * estimate: no multi-GPU serving run in data/serving-runs.csv to fit it on).
 */
export const TENSOR_PARALLEL_EFFICIENCY = 0.8;

/** Seconds of one decode step that advances `concurrency` sequences by a token each, by part. */
export function servingStepParts(
  input: ServingStepInput,
  concurrency: number,
  speed: SpeedParams,
  fit: ServingFit,
): StepParts {
  const { device, model } = input;
  const B = Math.max(1, concurrency);
  const p = decodeParamsFor(speed, device.backend, input.family, device.generation);
  const family = p.familyFactor[input.family] ?? 1;
  const weights = batchStreamedWeightsGB(model, input.weightsGB, input.family, B);
  const kv = B * kvCacheGB(model, input.depthTokens, input.kvType);
  // vLLM splits each layer across the GPUs (tensor parallel): their bandwidth and compute add up, at
  // a loss to the all-reduce per layer. llama.cpp's layer split runs the cards in turn: one card's.
  const gpus = device.gpus ?? 1;
  const parallel = input.runtime === 'vllm' && gpus > 1 ? gpus * TENSOR_PARALLEL_EFFICIENCY : 1;
  const bandwidth = p.efficiency * device.bandwidthGBs * streamFactorOf(fit, input.runtime) * parallel;
  const memory = (weights * family + kv * speed.kvReadFactor) / bandwidth;
  // The same per-layer cost a single stream pays, MoE routing kernels included.
  const fixed = perLayerSeconds(model, p);
  const flops = 2 * model.activeParamsB * 1e9 * (B - 1);
  const compute = flops / (computeEfficiencyOf(fit, input.runtime) * device.fp16Tflops * 1e12 * parallel);
  return { memory, fixed, compute, total: memory + fixed + compute };
}

export function servingStepSeconds(
  input: ServingStepInput,
  concurrency: number,
  speed: SpeedParams,
  fit: ServingFit,
): number {
  return servingStepParts(input, concurrency, speed, fit).total;
}

/** KV cache of `concurrency` sequences, each holding `contextTokens`, in GB. */
export function servingKvGB(model: ModelSpec, contextTokens: number, concurrency: number, kvType?: string): number {
  return concurrency * kvCacheGB(model, contextTokens, kvType);
}

/**
 * The most sequences of `contextTokens` whose KV caches fit in GPU memory beside the weights, the
 * projector and the runtime (the raised limit on a Mac, as `longestContextThatFits`); 0 when the
 * weights alone do not fit.
 */
export function maxConcurrency(
  device: DeviceSpec,
  model: ModelSpec,
  weightsGB: number,
  contextTokens: number,
  kvType?: string,
): number {
  const budget = gpuBudgetGB(device);
  const room = (budget.raisedGB ?? budget.defaultGB) - weightsGB - (model.mmprojGB ?? 0) - runtimeOverheadGB(device);
  if (room <= 0) return 0;
  const perSequence = kvCacheGB(model, contextTokens, kvType);
  if (perSequence <= 0) return Number.MAX_SAFE_INTEGER;
  return Math.floor(room / perSequence);
}

export interface ServingInput extends ServingStepInput {
  device: DeviceSpec;
  /** Context each user keeps (for memory); the step reads `depthTokens` of it. */
  contextTokens: number;
}

export interface ServingLevel {
  concurrency: number;
  aggregateTokensPerSec: number;
  perUserTokensPerSec: number;
  /** Of the aggregate: the fit's spread, never narrower than the batch-1 decode band. */
  band: Band;
  /** The B sequences' KV caches fit beside the weights. */
  fits: boolean;
  kvGB: number;
}

/** Aggregate and per-user decode speed at 1, 4, 16 and 64 concurrent users. */
export function servingEstimate(input: ServingInput, speed: SpeedParams, fit: ServingFit): ServingLevel[] {
  const most = maxConcurrency(input.device, input.model, input.weightsGB, input.contextTokens, input.kvType);
  const decode = speed.residuals.decodeBand;
  const low = Math.min(fit.band.low, Math.exp(decode.low));
  const high = Math.max(fit.band.high, Math.exp(decode.high));
  return SERVING_LEVELS.map((concurrency) => {
    const step = servingStepSeconds(input, concurrency, speed, fit);
    const aggregate = concurrency / step;
    return {
      concurrency,
      aggregateTokensPerSec: aggregate,
      perUserTokensPerSec: 1 / step,
      band: { low: aggregate * low, high: aggregate * high },
      fits: concurrency <= most,
      kvGB: servingKvGB(input.model, input.contextTokens, concurrency, input.kvType),
    };
  });
}
