/**
 * Speed: batch-1 decode streams the active weights and the KV cache once per token; prefill is
 * compute-bound. Both are fitted per backend on measured runs (`npm run calibrate`).
 */
import type { Backend, CalibrationFile } from '../catalog/schema.js';
import { DISK_READ_GBS, kvCacheGB, pageCacheMissShare } from './memory.js';
import type { Band, DeviceSpec, ModelSpec, QuantFamily } from '../catalog/specs.js';
import {
  attendedTokens,
  attentionWidth,
  expertGemmShare,
  MLX_EXPERT_GEMM_HALF_TOKENS,
  moeKernelShare,
  routedExpertParamsB,
  splitWeights,
  streamedWeightsGB,
} from './weights.js';
import type { Placement } from './placement.js';

export { streamedWeightsGB };

export type SpeedParams = Pick<
  CalibrationFile,
  | 'decode'
  | 'prefill'
  | 'hostEfficiency'
  | 'hostRoundTripMs'
  | 'kvReadFactor'
  | 'attentionFactor'
  | 'runtimes'
  | 'residuals'
>;

/** Used for backends the calibration file has no runs for (ROCm, Vulkan, CPU): assumptions. */
export const UNCALIBRATED_DECODE: NonNullable<SpeedParams['decode']['cuda']> = {
  efficiency: 0.7,
  perLayerMs: 0.1,
  familyFactor: {},
};
export const UNCALIBRATED_PREFILL = { efficiency: 0.35 };
/** Effective PCIe bandwidth for copying host-resident weights to the GPU during prefill. */
export const PCIE_EFFECTIVE_GBS = 25;
/** Offload runs are not in the calibration file: the band is widened by this much each way. */
export const OFFLOAD_BAND_WIDENING = 0.25;

/**
 * The decode fit that runs a quant: MLX files run on MLX's own kernels, the rest on llama.cpp's, at
 * the per-layer cost of the device's Apple generation where the fit has one.
 */
export function decodeParamsFor(params: SpeedParams, backend: Backend, family?: QuantFamily, generation?: string) {
  const mlx = family === 'mlx' && backend === 'metal' ? params.runtimes?.mlx : undefined;
  if (mlx)
    return { efficiency: mlx.efficiency, perLayerMs: mlx.perLayerMs, familyFactor: {} as Record<string, number> };
  const p = params.decode[backend] ?? UNCALIBRATED_DECODE;
  if (generation === undefined || p.perLayerMsByGeneration === undefined) return p;
  const own = p.perLayerMsByGeneration[generation];
  return own !== undefined ? { ...p, perLayerMs: own } : p;
}

function prefillParamsFor(params: SpeedParams, backend: Backend, family?: QuantFamily) {
  const mlx = family === 'mlx' && backend === 'metal' ? params.runtimes?.mlx : undefined;
  if (mlx) return { efficiency: mlx.prefillEfficiency };
  return params.prefill[backend] ?? UNCALIBRATED_PREFILL;
}

/**
 * Changes in llama.cpp that cut a backend's fixed cost per token. A run on a build from before one
 * paid more per layer: its kernels were launched one by one (CUDA) or encoded with more overhead
 * (Metal: 1B tg128 +4-6% in the PR's own table). The fit gives those runs a per-layer cost of their
 * own (`earlierBuildPerLayerMs`) so that they still inform the bandwidth efficiency; answers are
 * for current builds.
 */
export const FIXED_COST_CHANGES: Partial<Record<Backend, { before: string; change: string }>> = {
  cuda: { before: '2024-05', change: "llama.cpp PR #6766: each token's CUDA kernels launched as one CUDA graph" },
  metal: { before: '2024-10', change: 'llama.cpp PR #9698: Metal command encoding overhead reduced' },
};

/**
 * Changes in llama.cpp that sped up a backend's prompt matmuls: a build from before one prefilled
 * at an efficiency of its own (`earlierBuildEfficiency`), fitted on its runs. CUDA's quantized prompt
 * matmuls ran on dp4a until the spring 2024 MMQ rework that put them on int8 tensor cores (PR #7676,
 * June 2024). The split sits at May 2024 with the decode change: the May 2024 runs fall between the
 * two efficiencies (split at June, the older one puts them ~25% slow; the current one, ~20% fast),
 * and at May they inform today's fit instead of tilting the older one.
 */
export const PROMPT_KERNEL_CHANGES: Partial<Record<Backend, { before: string; change: string }>> = {
  cuda: {
    before: '2024-05',
    change: "llama.cpp's 2024 CUDA prompt-matmul rework (int8 tensor cores, PR #7676)",
  },
};

/**
 * llama.cpp prefilled with FlashAttention off unless asked (`-fa`) until PR #15434 (merged August
 * 2025) made it the default wherever the backend supports it; FlashAttention itself came in PR #5021
 * (April 2024). A build of this month (or none stated: a current one) runs it by default.
 */
export const FLASH_ATTENTION_DEFAULT_SINCE = '2025-09';
export const flashAttentionByDefault = (build: string | undefined): boolean =>
  build === undefined || build.slice(0, 7) >= FLASH_ATTENTION_DEFAULT_SINCE;

/**
 * Bytes each attention score costs where the prompt's attention is materialized (FlashAttention
 * off): llama.cpp writes K x Q as f32 (4), the softmax reads and writes it (4 + 4), and the V
 * matmul converts it to f16 (4 read, 2 written) and reads that (2). Every score of the micro-batch
 * against the whole cache is computed, masked or not.
 */
export const MATERIALIZED_SCORE_BYTES = 20;

type BuildChanges = typeof FIXED_COST_CHANGES;
const predates = (changes: BuildChanges, backend: Backend, build: string | undefined) => {
  const cut = changes[backend]?.before;
  return cut !== undefined && build !== undefined && build.slice(0, 7) < cut;
};

/** Whether a build of this month (YYYY-MM, or a full date) predates the backend's fixed-cost change. */
export const isEarlierBuild = (backend: Backend, build: string | undefined): boolean =>
  predates(FIXED_COST_CHANGES, backend, build);

/** Whether a build of this month predates the backend's prompt-kernel change. */
export const isEarlierPromptBuild = (backend: Backend, build: string | undefined): boolean =>
  predates(PROMPT_KERNEL_CHANGES, backend, build);

/** The changes a build of this month predates, in words (none for a current or unstated build). */
export const changesAfter = (backend: Backend, build: string | undefined): string[] =>
  [FIXED_COST_CHANGES, PROMPT_KERNEL_CHANGES]
    .filter((changes) => predates(changes, backend, build))
    .map((changes) => changes[backend]!.change);

/**
 * The speed parameters for a run on a llama.cpp build of the month given: an earlier build's
 * per-layer cost and prompt efficiency where the calibration has them; otherwise (no build stated,
 * a current build, an MLX file, which runs on MLX's own fit) the parameters as they are.
 */
export function paramsForBuild(
  params: SpeedParams,
  backend: Backend,
  build: string | undefined,
  family?: QuantFamily,
): SpeedParams {
  if (family === 'mlx' && backend === 'metal') return params;
  const decode = params.decode[backend];
  const prefill = params.prefill[backend];
  const olderDecode = decode?.earlierBuildPerLayerMs !== undefined && isEarlierBuild(backend, build);
  const olderPrefill = prefill?.earlierBuildEfficiency !== undefined && isEarlierPromptBuild(backend, build);
  if (!olderDecode && !olderPrefill) return params;
  return {
    ...params,
    ...(olderDecode
      ? {
          decode: {
            ...params.decode,
            // An earlier build's per-layer cost was fitted on every generation's runs of those builds.
            [backend]: { ...decode, perLayerMs: decode.earlierBuildPerLayerMs, perLayerMsByGeneration: undefined },
          },
        }
      : {}),
    ...(olderPrefill
      ? { prefill: { ...params.prefill, [backend]: { ...prefill, efficiency: prefill.earlierBuildEfficiency } } }
      : {}),
  };
}

export function isCalibrated(params: SpeedParams, backend: Backend): boolean {
  return params.decode[backend] !== undefined;
}

export interface DecodeInput {
  device: Pick<DeviceSpec, 'backend' | 'bandwidthGBs' | 'hostBandwidthGBs' | 'hostMemoryGB' | 'generation'>;
  model: ModelSpec;
  weightsGB: number;
  family: QuantFamily;
  /** Tokens already in the context when generating. */
  depthTokens: number;
  /** Offload: what the runtime keeps in host RAM (absent: everything on the GPU). */
  placement?: Placement;
  /** The KV cache's storage type (a quantized cache is read in fewer bytes). */
  kvType?: string;
}

/** Host RAM assumed for an offload device whose RAM bandwidth nothing states (dual-channel DDR5). */
export const DEFAULT_HOST_BANDWIDTH_GBS = 80;

/**
 * Seconds per generated token, before any band is applied: the weights and KV cache each side
 * holds, streamed at its own bandwidth, plus a hand-over per GPU-CPU round trip and the per-layer
 * cost of the kernels (more for a MoE block, which launches routing kernels a dense one does not).
 * Host bytes the page cache cannot keep (host RAM too small for the host's part of a mapped file)
 * are read from disk each token.
 */
export function decodeSecondsPerToken(input: DecodeInput, params: SpeedParams): number {
  const { device, model, placement } = input;
  const p = decodeParamsFor(params, device.backend, input.family, device.generation);
  const stream = streamedWeightsGB(model, input.weightsGB, input.family);
  const kv = kvCacheGB(model, input.depthTokens, input.kvType);
  const familyFactor = p.familyFactor[input.family] ?? 1;
  if (!placement)
    return (
      (stream * familyFactor + kv * params.kvReadFactor) / (p.efficiency * device.bandwidthGBs) +
      perLayerSeconds(model, p)
    );
  const gpuBytes = placement.gpuReadGB * familyFactor + kv * placement.gpuKvShare * params.kvReadFactor;
  const hostKv = kv * (1 - placement.gpuKvShare);
  const hostBytes = placement.hostReadGB + hostKv;
  const hostBandwidth = device.hostBandwidthGBs ?? DEFAULT_HOST_BANDWIDTH_GBS;
  const miss = pageCacheMissShare(placement.hostWeightsGB + hostKv, device.hostMemoryGB);
  return (
    gpuBytes / (p.efficiency * device.bandwidthGBs) +
    (hostBytes * (1 - miss)) / (params.hostEfficiency * hostBandwidth) +
    (hostBytes * miss) / DISK_READ_GBS +
    (placement.roundTrips * (params.hostRoundTripMs ?? 0)) / 1000 +
    perLayerSeconds(model, p)
  );
}

/**
 * The fixed cost of a token's kernels: the per-layer cost fitted on dense blocks, and a MoE
 * block's routing and expert-sum kernels on top in proportion to their count (moeKernelShare).
 */
export const perLayerSeconds = (model: ModelSpec, p: { perLayerMs: number }) =>
  (model.layers * p.perLayerMs * (1 + moeKernelShare(model))) / 1000;

export function decodeTokensPerSec(input: DecodeInput, params: SpeedParams): number {
  return 1 / decodeSecondsPerToken(input, params);
}

export function decodeBand(tps: number, params: SpeedParams, offload: boolean): Band {
  const b = params.residuals.decodeBand;
  const widen = offload ? OFFLOAD_BAND_WIDENING : 0;
  return { low: tps * Math.exp(b.low) * (1 - widen), high: tps * Math.exp(b.high) * (1 + widen) };
}

export interface PrefillInput {
  /** `gpus`: cards the layers are split over (llama.cpp's default layer split); absent: 1. */
  device: Pick<DeviceSpec, 'backend' | 'fp16Tflops' | 'bandwidthGBs'> & { gpus?: number };
  model: ModelSpec;
  weightsGB: number;
  family?: QuantFamily;
  placement?: Pick<Placement, 'hostLayerGB'>;
  /** Tokens already in the context before the prompt, and the prompt's length (attention grows with both). */
  depthTokens?: number;
  promptTokens?: number;
  /** The runtime's micro-batch when a run states it (llama.cpp -ub); absent: the runtime's default. */
  microBatch?: number;
  /** FlashAttention on (absent: on, as current llama.cpp builds run): off, the scores are written out (`MATERIALIZED_SCORE_BYTES`). */
  flashAttention?: boolean;
  /**
   * Prompts prefilled together (a server's concurrent requests, batched into the same micro-batches):
   * they share each micro-batch's weight reads and expert GEMM fill, while each prompt's attention
   * and output head stay its own. Absent: 1.
   */
  sequences?: number;
}

/** llama.cpp processes prompts in micro-batches of this many tokens. */
export const PREFILL_UBATCH = 512;
/** ...and hands them to the backends in batches of this many (n_batch, its default). */
export const PREFILL_BATCH = 2048;

/**
 * How much faster a prompt runs on `gpus` cards holding the layers between them than on one card
 * holding them all. With layer split each card runs its share of the layers and hands the
 * micro-batch on. When the whole model is on the cards, llama.cpp pipelines a batch's micro-batches
 * (pipeline parallelism, PR #6017; up to GGML_SCHED_MAX_COPIES = 4 in flight): while one card runs
 * micro-batch i, the card before it runs i + 1. A batch of m micro-batches over k cards then takes
 * m + k - 1 stages of 1/k of a micro-batch each, not m whole micro-batches: nothing for a 512-token
 * prompt (one micro-batch: the cards take turns), 1.6x for a 4096-token prompt on two cards, 2.3x
 * on four. XiongjieDai's llama-bench table (May 2024) measured 1.60x and 2.37x (RTX 4090, Llama 3
 * 8B Q4_K_M, pp4096 against one card's). Partial offload turns the pipeline off, as llama.cpp does.
 */
export function pipelineSpeedup(gpus: number, tokens: number, step: number): number {
  const k = Math.max(1, Math.floor(gpus));
  if (k === 1 || tokens <= step) return 1;
  const perBatch = Math.max(1, Math.floor(PREFILL_BATCH / step));
  let serial = 0;
  let piped = 0;
  for (let left = Math.ceil(tokens / step); left > 0; left -= perBatch) {
    const m = Math.min(perBatch, left);
    serial += m;
    piped += (m + k - 1) / k;
  }
  return serial / piped;
}
/** mlx-lm prefills a prompt in steps of this many tokens (prefill_step_size, its default). */
export const MLX_PREFILL_STEP = 2048;
/** Attention's share of the GEMM efficiency before `npm run calibrate` has fitted it. */
export const UNFITTED_ATTENTION_FACTOR = 0.5;

/**
 * Attention FLOPs per prompt token: QK^T and AV, 2 x 2 FLOPs per attended token per unit of
 * width, over the mean context the prompt's tokens see (the depth before it plus half the prompt).
 */
/**
 * The prompt's length, or a micro-batch's when none is stated: a workflow without a prompt (image,
 * video, training: 0 tokens) asks for the pace of a full micro-batch, not of a 1-token prompt, which
 * would read the whole file for one token.
 */
export const promptOf = (input: Pick<PrefillInput, 'promptTokens'>): number =>
  input.promptTokens !== undefined && input.promptTokens > 0 ? input.promptTokens : PREFILL_UBATCH;

export function attentionFlopsPerToken(input: PrefillInput): number {
  const prompt = promptOf(input);
  const context = (input.depthTokens ?? 0) + prompt / 2;
  return 4 * attentionWidth(input.model, input.weightsGB, input.family) * attendedTokens(input.model, context);
}

/**
 * Matmul FLOPs per prompt token: each block's dense weights and routed experts, 2 per parameter,
 * the experts at the share of a dense GEMM's pace their few tokens reach (expertGemmShare, MLX's
 * kernels with their own curve). The input embedding is a lookup, and the output head runs for the
 * prompt's last token only: llama.cpp outputs the last token's logits unless asked for more, and
 * mlx-lm applies lm_head to the last token (PR #406, 0.27; before it, to the last 2048-token step,
 * a few percent of a long prompt's tokens). Counting both in every token made a large-vocabulary
 * small model (Llama 3 8B: 1.05 of 8.03 B parameters) look slower to prefill than it is.
 */
function prefillMatmulFlopsPerToken(input: PrefillInput, stepTokens: number, prompt: number): number {
  const { model } = input;
  const w = splitWeights(model, input.weightsGB, input.family);
  const expertParamsB = routedExpertParamsB(model);
  const halfTokens =
    input.family === 'mlx' && input.device.backend === 'metal' ? MLX_EXPERT_GEMM_HALF_TOKENS : undefined;
  return (
    2e9 * Math.max(1, model.layers) * w.layerDenseParamsB +
    (2e9 * expertParamsB) / expertGemmShare(model, stepTokens, halfTokens) +
    (2e9 * w.headParamsB) / prompt
  );
}

/**
 * Without FlashAttention, the bytes of attention scores a prompt token costs: each query head's
 * scores against the whole cache a micro-batch sees (the depth, the prompt before it and its own
 * micro-batch: depth + (prompt + step) / 2 on average), in every attending layer, written and read
 * at `MATERIALIZED_SCORE_BYTES`. MLX's fused attention never writes them.
 */
export function materializedScoreBytesPerToken(input: PrefillInput, stepTokens: number): number {
  const heads = attentionWidth(input.model, input.weightsGB, input.family) / Math.max(1, input.model.headDim);
  const context = (input.depthTokens ?? 0) + (promptOf(input) + stepTokens) / 2;
  return heads * attendedTokens(input.model, context) * MATERIALIZED_SCORE_BYTES;
}

export function prefillTokensPerSec(input: PrefillInput, params: SpeedParams): number {
  const p = prefillParamsFor(params, input.device.backend, input.family);
  // A MoE micro-batch splits its tokens among the experts: each expert GEMM sees a few tokens and
  // runs far below a dense GEMM's efficiency (expertGemmShare), the rest of the block runs as dense.
  const step =
    input.microBatch ??
    (input.family === 'mlx' && input.device.backend === 'metal' ? MLX_PREFILL_STEP : PREFILL_UBATCH);
  const prompt = promptOf(input);
  const batched = prompt * Math.max(1, input.sequences ?? 1);
  const stepTokens = Math.min(batched, step);
  const computeSeconds =
    prefillMatmulFlopsPerToken(input, stepTokens, prompt) / (p.efficiency * input.device.fp16Tflops * 1e12);
  // Every weight is read once per step, and a prompt runs ceil(prompt / step) steps: a prompt
  // shorter than the step streams the weights once for its own tokens (prompts batched together,
  // once for all of theirs). Dense models are compute-bound here, but a MoE step touches nearly
  // every expert with a few tokens each, so prefill becomes a stream of the whole file: the slower
  // of the two sets the pace.
  const stepsPerToken = Math.ceil(batched / step) / batched;
  const streamEfficiency = decodeParamsFor(params, input.device.backend, input.family).efficiency;
  const memorySeconds = (input.weightsGB / (streamEfficiency * input.device.bandwidthGBs)) * stepsPerToken;
  // Attention grows with the context and runs below GEMM efficiency (softmax, masking, small tiles).
  const attentionEfficiency =
    p.efficiency * (params.attentionFactor?.[input.device.backend] ?? UNFITTED_ATTENTION_FACTOR);
  const attentionSeconds =
    attentionFlopsPerToken(input) / (attentionEfficiency * input.device.fp16Tflops * 1e12) +
    (input.flashAttention === false && !(input.family === 'mlx' && input.device.backend === 'metal')
      ? materializedScoreBytesPerToken(input, stepTokens) / (streamEfficiency * input.device.bandwidthGBs * 1e9)
      : 0);
  let secondsPerToken = Math.max(computeSeconds, memorySeconds) + attentionSeconds;
  // Host-resident weights are copied to the GPU once per micro-batch for the big matmuls
  // (llama.cpp offloads batched ops): every expert of a CPU layer, not the routed share.
  if (input.placement) secondsPerToken += (input.placement.hostLayerGB / PCIE_EFFECTIVE_GBS) * stepsPerToken;
  else secondsPerToken /= pipelineSpeedup(input.device.gpus ?? 1, batched, step);
  return 1 / secondsPerToken;
}

export function prefillBand(tps: number, params: SpeedParams): Band {
  const b = params.residuals.prefillBand;
  return { low: tps * Math.exp(b.low), high: tps * Math.exp(b.high) };
}
