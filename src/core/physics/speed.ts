/**
 * Speed: batch-1 decode streams the active weights and the KV cache once per token; prefill is
 * compute-bound. Both are fitted per backend on measured runs (`npm run calibrate`).
 */
import type { Backend, CalibrationFile } from '../catalog/schema.js';
import { kvCacheGB } from './memory.js';
import type { Band, DeviceSpec, ModelSpec, QuantFamily } from '../catalog/specs.js';

export type SpeedParams = Pick<CalibrationFile, 'decode' | 'prefill' | 'hostEfficiency' | 'kvReadFactor' | 'residuals'>;

/** Used for backends the calibration file has no runs for (ROCm, Vulkan, CPU): assumptions. */
export const UNCALIBRATED_DECODE = { efficiency: 0.7, perLayerMs: 0.1, familyFactor: {} as Record<string, number> };
export const UNCALIBRATED_PREFILL = { efficiency: 0.35 };
/** Effective PCIe bandwidth for copying host-resident weights to the GPU during prefill. */
export const PCIE_EFFECTIVE_GBS = 25;
/** Offload runs are not in the calibration file: the band is widened by this much each way. */
export const OFFLOAD_BAND_WIDENING = 0.25;

/** MXFP4 stores experts at 4.25 bits; gpt-oss keeps attention and embeddings at higher precision. */
const MXFP4_EXPERT_BPW = 4.25;

/**
 * Weights read per generated token: the always-active (dense) weights, less the input embedding
 * table (a lookup, not a stream), plus the routed share of the expert weights.
 *
 * For MoE the expert parameters follow from the totals: P = D + X and A = D + X k/E, so
 * X = (P - A) / (1 - k/E). In an MXFP4-native file the experts sit at 4.25 bits and the dense part
 * holds the rest of the bytes, which makes a gpt-oss token read more than its active share.
 */
export function streamedWeightsGB(model: ModelSpec, weightsGB: number, family?: QuantFamily): number {
  const embedding = model.tiedEmbeddings ? 0 : model.embeddingParamsB;
  const fileBpw = (weightsGB * 8) / model.paramsB;
  if (model.moe && model.activeParamsB < model.paramsB && model.moe.activeExperts < model.moe.experts) {
    const routedShare = model.moe.activeExperts / model.moe.experts;
    const expertParams = Math.min(model.paramsB, (model.paramsB - model.activeParamsB) / (1 - routedShare));
    const denseParams = model.paramsB - expertParams;
    let expertBpw = fileBpw;
    let denseBpw = fileBpw;
    // gpt-oss GGUFs keep MXFP4 experts whatever the file's label (Q4_K_M repacks only the rest).
    const mxfp4Experts = family === 'mxfp4' || (model.nativeQuant === 'MXFP4' && fileBpw < 6);
    if (mxfp4Experts && denseParams > 0) {
      expertBpw = Math.min(fileBpw, MXFP4_EXPERT_BPW);
      denseBpw = Math.max(fileBpw, (weightsGB * 8 - expertParams * expertBpw) / denseParams);
    }
    const denseRead = Math.max(denseParams - embedding, denseParams * 0.5);
    return (denseRead * denseBpw + expertParams * routedShare * expertBpw) / 8;
  }
  // Guard for ad-hoc specs whose embedding estimate is out of proportion to a tiny model.
  const readParams = Math.max(model.activeParamsB - embedding, model.activeParamsB * 0.5);
  return (readParams * fileBpw) / 8;
}

export function decodeParamsFor(params: SpeedParams, backend: Backend) {
  return params.decode[backend] ?? UNCALIBRATED_DECODE;
}

export function isCalibrated(params: SpeedParams, backend: Backend): boolean {
  return params.decode[backend] !== undefined;
}

export interface DecodeInput {
  device: Pick<DeviceSpec, 'backend' | 'bandwidthGBs' | 'hostBandwidthGBs'>;
  model: ModelSpec;
  weightsGB: number;
  family: QuantFamily;
  /** Tokens already in the context when generating. */
  depthTokens: number;
  /** Share of weights and KV on the GPU (1 unless layers are offloaded to host RAM). */
  gpuShare?: number;
  /** The KV cache's storage type (a quantized cache is read in fewer bytes). */
  kvType?: string;
}

/** Seconds per generated token, before any band is applied. */
export function decodeSecondsPerToken(input: DecodeInput, params: SpeedParams): number {
  const { device, model } = input;
  const p = decodeParamsFor(params, device.backend);
  const g = input.gpuShare ?? 1;
  const stream = streamedWeightsGB(model, input.weightsGB, input.family);
  const kv = kvCacheGB(model, input.depthTokens, input.kvType);
  const familyFactor = p.familyFactor[input.family] ?? 1;
  const gpuBytes = g * (stream * familyFactor + kv * params.kvReadFactor);
  const gpuSeconds = gpuBytes / (p.efficiency * device.bandwidthGBs);
  let hostSeconds = 0;
  if (g < 1) {
    const hostBandwidth = device.hostBandwidthGBs ?? 80;
    hostSeconds = ((1 - g) * (stream + kv)) / (params.hostEfficiency * hostBandwidth);
  }
  return gpuSeconds + hostSeconds + (model.layers * p.perLayerMs) / 1000;
}

export function decodeTokensPerSec(input: DecodeInput, params: SpeedParams): number {
  return 1 / decodeSecondsPerToken(input, params);
}

export function decodeBand(tps: number, params: SpeedParams, offload: boolean): Band {
  const b = params.residuals.decodeBand;
  const widen = offload ? OFFLOAD_BAND_WIDENING : 0;
  return { low: tps * Math.exp(b.low) * (1 - widen), high: tps * Math.exp(b.high) * (1 + widen) };
}

export interface PrefillInput {
  device: Pick<DeviceSpec, 'backend' | 'fp16Tflops' | 'bandwidthGBs'>;
  model: Pick<ModelSpec, 'activeParamsB' | 'paramsB'>;
  weightsGB: number;
  gpuShare?: number;
}

/** llama.cpp processes prompts in micro-batches of this many tokens. */
export const PREFILL_UBATCH = 512;

export function prefillTokensPerSec(input: PrefillInput, params: SpeedParams): number {
  const p = params.prefill[input.device.backend] ?? UNCALIBRATED_PREFILL;
  const flopsPerToken = 2 * input.model.activeParamsB * 1e9;
  const computeSeconds = flopsPerToken / (p.efficiency * input.device.fp16Tflops * 1e12);
  // Every weight is read once per micro-batch. Dense models are compute-bound here, but a MoE
  // micro-batch touches nearly every expert with a few tokens each, so prefill becomes a stream
  // of the whole file: the slower of the two sets the pace.
  const streamEfficiency = decodeParamsFor(params, input.device.backend).efficiency;
  const memorySeconds = input.weightsGB / (streamEfficiency * input.device.bandwidthGBs) / PREFILL_UBATCH;
  let secondsPerToken = Math.max(computeSeconds, memorySeconds);
  const g = input.gpuShare ?? 1;
  if (g < 1) {
    // Host-resident layers are copied to the GPU once per micro-batch for the big matmuls.
    const hostGB = (1 - g) * input.weightsGB * (input.model.activeParamsB / input.model.paramsB);
    secondsPerToken += hostGB / PCIE_EFFECTIVE_GBS / PREFILL_UBATCH;
  }
  return 1 / secondsPerToken;
}

export function prefillBand(tps: number, params: SpeedParams): Band {
  const b = params.residuals.prefillBand;
  return { low: tps * Math.exp(b.low), high: tps * Math.exp(b.high) };
}
