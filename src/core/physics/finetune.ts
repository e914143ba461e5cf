/**
 * Fine-tuning: memory by method, training speed from the chip's tensor throughput, and whether a
 * backend's tooling can do it.
 *
 * Memory rules of thumb (estimates): full fine-tuning with AdamW in mixed precision holds ~16 bytes
 * per parameter (fp16 weights and gradients, fp32 master weights and two moments); LoRA keeps frozen
 * 16-bit weights (2 bytes/param); QLoRA keeps 4-bit NF4 weights (~0.55 bytes/param with double
 * quantization, per the QLoRA paper). Without a run, activations, adapters and optimizer state for
 * the adapters add ~20% plus a couple of GB (short sequences with gradient checkpointing); with a run
 * (sequence length, batch), activations are counted per token instead (`fineTuneMemoryGB`).
 *
 * Speed (`fineTuneSecondsPerMicroStep`):
 *
 *   seconds per micro-step = tokens x FLOPs per token / (efficiency x training TFLOPS)
 *                            + QLoRA: passes x 4-bit linear parameters x bytes dequantized per parameter / bandwidth
 *                            + overhead x layers x passes + optimizer step / micro-steps per optimizer step
 *
 * FLOPs per token count the matmuls of the parameters that do any (the input embedding is a lookup;
 * a tied output head does the embedding's matmul; a mixture of experts' token runs through its
 * active parameters only, while its dequantisation, optimizer and memory cover every expert):
 * 2 per parameter forward; the backward 4 for full
 * fine-tuning (activation and weight gradients) and 2 for LoRA and QLoRA (activation gradients still
 * flow through every frozen layer below the lowest adapter, so `backwardShare` of the layers);
 * gradient checkpointing recomputes the forward of those layers. Attention adds, per layer and token,
 * 2 x hidden x sequence forward where a fused kernel skips the causal mask's half (FlashAttention,
 * PyTorch SDPA), 2.5 times that backward (FlashAttention-2 recomputes the scores: 5 matmuls to the
 * forward's 2). MLX's fused attention has no fused backward: the backward recomputes the full score
 * square unfused (2 matmuls, twice the causal forward) and runs 4 matmuls on it, 6 times the causal
 * forward in all, and the scores it writes and reads (~20 bytes each: 16-bit scores, probabilities
 * and their gradients, each written once and read once or twice) cost memory time, heads x sequence
 * per token and layer over the bandwidth. bitsandbytes' 4-bit layers
 * dequantize their whole weight to 16-bit on every pass (forward, recompute, backward) before a
 * 16-bit GEMM: memory-bound, a cost per pass and not per token (MLX's quantized matmuls dequantize
 * inside the kernel and pay no such pass). The host overhead is kernel launches: an eager stack
 * launches a layer's kernels on every pass over it (forward, backward where it reaches, recompute),
 * so it costs a fixed time per layer and pass; a 24-layer 0.5B pays it as often as a 24-layer 1.8B
 * and an 80-layer 70B over three times as often. Efficiency and that overhead are fitted per
 * backend, the bytes per dequantized parameter once, on measured runs (scripts/calibrate-finetune.ts).
 */
import type { Backend } from '../catalog/schema.js';
import type { Band } from '../catalog/specs.js';

export type FineTuneMethod = 'qlora' | 'lora' | 'full';

const BYTES_PER_PARAM: Record<FineTuneMethod, number> = { qlora: 0.55, lora: 2, full: 16 };
const ACTIVATION_SHARE = 0.2;
const FIXED_GB = 2;

/** A training run's shape, for memory and speed. */
export interface FineTuneRun {
  method: FineTuneMethod;
  paramsB: number;
  /**
   * Parameters a token's matmuls run through, billions: a mixture of experts' active parameters (its
   * routed experts only; the weights, their dequantisation and the optimizer still cover them all),
   * counted like `paramsB` with the input embedding in (`activeParamsWithEmbeddingB`: gpt-oss's
   * stated count leaves it out), which the shape takes out again. Absent: `paramsB` (dense).
   */
  activeParamsB?: number | undefined;
  /** Tokens per sequence (packed or padded to this length). */
  seqLen: number;
  /** Sequences per forward and backward pass. */
  microBatch: number;
  /** Micro-batches per optimizer step (gradient accumulation); 1 when absent. */
  gradAccum?: number | undefined;
  /** Recompute the forward in the backward; absent: `defaultCheckpointing(backend)`. */
  checkpointing?: boolean | undefined;
  /** Transformer layers (the model's config); absent: estimated from the size (`fineTuneShapeOf`). */
  layers?: number | undefined;
  /** Input embedding, vocabulary x hidden, billions (a ModelSpec's `embeddingParamsB`); absent: estimated. */
  embeddingParamsB?: number | undefined;
  /** The output head is the input embedding (small Qwen and Llama 3.2 models); absent: untied. */
  tiedEmbeddings?: boolean | undefined;
  /** Head dimension, for the attention scores a materializing backend holds; absent: 128. */
  headDim?: number | undefined;
  /**
   * Share of the layers the backward pass runs through: LoRA adapters on the top k of n layers only
   * (mlx-lm trains 16 by default) stop the activation gradients there, k / n. 1 when absent.
   */
  backwardShare?: number | undefined;
  /** Layers x hidden size; absent: from `layers` and the parameters, else `layerWidthOf(paramsB)`. */
  layerWidth?: number | undefined;
  /** Vocabulary size, for the logits held per token; absent: embedding / hidden, else `DEFAULT_VOCAB`. */
  vocab?: number | undefined;
  /**
   * The loss is computed in chunks without holding every token's logits (Unsloth's fused cross-entropy,
   * torchtune's chunked loss); absent: held, as Hugging Face training and mlx-lm do.
   */
  fusedLoss?: boolean | undefined;
}

/**
 * Layers x hidden size of a dense decoder of `paramsB` (an estimate): parameters ~ 12 x layers x
 * hidden^2 (Kaplan et al. 2020) and hidden ~ 128 x layers (Llama 2 7B is 32 layers of 4,096), so
 * hidden = (params x 128 / 12)^(1/3). Gives 32.5 x 4,160 for 6.74B (really 32 x 4,096) and 71 x 9,070
 * for 70B (80 x 8,192).
 */
export function layerWidthOf(paramsB: number): number {
  const hidden = Math.cbrt((paramsB * 1e9 * 128) / 12);
  return (hidden * hidden) / 128;
}

/**
 * Vocabulary assumed when a run does not name one: Llama 3's 128,256 (Qwen has 151,936, Llama 2
 * 32,000). Most models people fine-tune today have 128k-152k.
 */
export const DEFAULT_VOCAB = 128_256;

/** What the FLOPs and memory of a run follow from, the model's own figures where the run gives them. */
export interface FineTuneShape {
  layers: number;
  hidden: number;
  /** Layers x hidden. */
  layerWidth: number;
  vocab: number;
  /** Parameters that do a matmul per token (the active ones but an untied input embedding), billions. */
  matmulParamsB: number;
  /** The linear layers' parameters (a 4-bit base quantizes these; embedding and head stay 16-bit), billions. */
  linearParamsB: number;
}

/**
 * The run's shape. With `layers`, hidden follows from the non-embedding parameters a token passes
 * through (~12 x layers x hidden^2: a MoE's active ones, since its experts widen no activation);
 * without, from `layerWidthOf` of those. An unstated embedding is 128k entries of that hidden size,
 * at most a quarter of the parameters, untied.
 */
export function fineTuneShapeOf(run: FineTuneRun): FineTuneShape {
  const activeB = Math.min(run.activeParamsB ?? run.paramsB, run.paramsB);
  const estimatedHidden = Math.cbrt((activeB * 1e9 * 128) / 12);
  const embeddingB = run.embeddingParamsB ?? Math.min((DEFAULT_VOCAB * estimatedHidden) / 1e9, 0.25 * activeB);
  const tied = run.tiedEmbeddings ?? false;
  const untiedCopies = embeddingB * (tied ? 1 : 2);
  const linearParamsB = Math.max(run.paramsB - untiedCopies, 0.05 * run.paramsB);
  const activeLinearB = Math.max(activeB - untiedCopies, 0.05 * activeB);
  const hidden = run.layers ? Math.sqrt((activeLinearB * 1e9) / (12 * run.layers)) : estimatedHidden;
  const layers = run.layers ?? layerWidthOf(activeB) / estimatedHidden;
  const vocab = run.vocab ?? (run.embeddingParamsB !== undefined ? (embeddingB * 1e9) / hidden : DEFAULT_VOCAB);
  return {
    layers,
    hidden,
    layerWidth: run.layerWidth ?? layers * hidden,
    vocab,
    matmulParamsB: activeB - (tied ? 0 : embeddingB),
    linearParamsB,
  };
}

/**
 * How attention runs in training: `fused` kernels (FlashAttention, PyTorch SDPA on CUDA and ROCm)
 * skip the causal mask's masked half and never hold the scores; `materialized` (MLX: its fused
 * attention has no fused backward, the backward computes and holds the full score matrix).
 */
export type AttentionKernel = 'fused' | 'materialized';
export const attentionKernelOf = (backend: Backend): AttentionKernel =>
  backend === 'metal' ? 'materialized' : 'fused';

/**
 * Bytes held per token for backward, per unit of layers x hidden (estimates): with gradient
 * checkpointing each layer keeps its 16-bit input (2 bytes) and one layer's internals live at a time;
 * without it every layer keeps ~34 bytes (Korthikanti et al. 2022, "Reducing Activation
 * Recomputation", 16-bit, with flash attention so no seq^2 term).
 */
const LAYER_BYTES = { checkpointed: 2, stored: 34 };
/**
 * Bytes per vocabulary entry per token for the logits (estimates): PyTorch training (Hugging Face,
 * PEFT, TRL) computes 16-bit logits, upcasts them to fp32 for the loss and keeps their gradient
 * (2 + 4 + 4 + 4 bytes, plus the allocator's slack); MLX keeps the 16-bit logits and their gradient.
 * Fused or chunked losses (Unsloth, torchtune) keep far less.
 */
const LOGIT_BYTES = { pytorch: 16, mlx: 4 };
/** Bytes per attention score a materializing backend holds for backward: 16-bit scores (estimate). */
const SCORE_BYTES = 2;
const DEFAULT_HEAD_DIM = 128;
/** CUDA context, cuBLAS workspace and the allocator's fragmentation with a run given (estimate); MLX reports its own arrays only. */
const RUNTIME_GB = { pytorch: 1, mlx: 0 };

/**
 * GB a fine-tune holds: weights (and for full fine-tuning gradients and AdamW state) by method; then
 * either the old rule of thumb (no run: +20% and 2 GB, short sequences with checkpointing) or, given
 * a run, a 4-bit base's 16-bit embedding and head, activations per token (layers x hidden per token, logits per entry of the model's own
 * vocabulary) plus the runtime's own; on Metal (MLX, materialized attention) each layer the backward
 * reaches also holds its scores, heads x sequence^2 per sequence (one layer's with checkpointing).
 */
export function fineTuneMemoryGB(
  paramsB: number,
  method: FineTuneMethod,
  given?: Omit<FineTuneRun, 'method' | 'paramsB'>,
  backend: Backend = 'cuda',
): number {
  if (!given) return paramsB * BYTES_PER_PARAM[method] * (1 + ACTIVATION_SHARE) + FIXED_GB;
  const stack = backend === 'metal' ? 'mlx' : 'pytorch';
  const run = withBackendDefaults({ ...given, method, paramsB }, backend);
  const shape = fineTuneShapeOf(run);
  const tokens = run.seqLen * run.microBatch;
  const checkpointed = run.checkpointing;
  const perLayer = checkpointed ? LAYER_BYTES.checkpointed : LAYER_BYTES.stored;
  const perToken = perLayer * shape.layerWidth + (run.fusedLoss ? 0 : LOGIT_BYTES[stack] * shape.vocab);
  const heads = shape.hidden / (run.headDim ?? DEFAULT_HEAD_DIM);
  const layersHolding = checkpointed ? 1 : Math.max(1, shape.layers * backwardReach(run.backwardShare, method));
  const scores =
    attentionKernelOf(backend) === 'materialized'
      ? layersHolding * heads * run.seqLen ** 2 * run.microBatch * SCORE_BYTES
      : 0;
  // A 4-bit base quantizes the linear layers only; the embedding and output head stay 16-bit.
  const weightsGB =
    method === 'qlora'
      ? shape.linearParamsB * BYTES_PER_PARAM.qlora + (paramsB - shape.linearParamsB) * BYTES_PER_PARAM.lora
      : paramsB * BYTES_PER_PARAM[method];
  return weightsGB + (tokens * perToken + scores) / 1e9 + RUNTIME_GB[stack];
}

/** Share of the layers the backward runs through: all for full fine-tuning, `backwardShare` for LoRA. */
const backwardReach = (share: number | undefined, method: FineTuneMethod) =>
  method === 'full' ? 1 : Math.min(Math.max(share ?? 1, 0), 1);

/** Gradient checkpointing by default: on in the CUDA and ROCm stacks' recipes (Unsloth, PEFT, Axolotl, torchtune), off in mlx-lm. */
export const defaultCheckpointing = (backend: Backend): boolean => backend !== 'metal';

/** Layers mlx-lm puts LoRA adapters on unless told otherwise (`--num-layers`, default 16: the top 16). */
export const MLX_LORA_LAYERS = 16;

/**
 * The run as the backend's usual tooling does it where the run does not say: checkpointing
 * (`defaultCheckpointing`) and, on Metal, LoRA on mlx-lm's top 16 layers only, so the backward
 * stops there; the CUDA and ROCm tools adapt every layer.
 */
export function withBackendDefaults<R extends FineTuneRun>(
  run: R,
  backend: Backend,
): Omit<R, 'checkpointing' | 'backwardShare'> & { checkpointing: boolean; backwardShare: number } {
  const layers = fineTuneShapeOf(run).layers;
  return {
    ...run,
    checkpointing: run.checkpointing ?? defaultCheckpointing(backend),
    backwardShare:
      run.backwardShare ?? (backend === 'metal' && run.method !== 'full' ? Math.min(1, MLX_LORA_LAYERS / layers) : 1),
  };
}

/** Training FLOPs per token of a run (with or without the recomputed forward), by attention kernel. */
export function fineTuneFlopsPerToken(
  run: FineTuneRun,
  checkpointing: boolean,
  attention: AttentionKernel = 'fused',
): number {
  const shape = fineTuneShapeOf(run);
  const reach = backwardReach(run.backwardShare, run.method);
  const recompute = checkpointing ? reach : 0;
  const linearForward = 2 * shape.matmulParamsB * 1e9;
  const linear = linearForward * (1 + (run.method === 'full' ? 2 : reach) + recompute);
  // Per token and layer, the causal forward's two matmuls: 2 x width x sequence with the masked half skipped.
  const causal = 2 * shape.layerWidth * run.seqLen;
  if (attention === 'fused') return linear + causal * (1 + 2.5 * reach + recompute);
  // Materialized: the fused forward, then where the backward reaches the full square again (2 matmuls,
  // twice the causal work) and its 4 backward matmuls.
  return linear + causal * (1 + 6 * reach + 2 * recompute);
}

/** Passes over the weights per micro-step: forward, backward (where it reaches) and the recompute. */
const weightPasses = (run: FineTuneRun, checkpointing: boolean) => {
  const reach = backwardReach(run.backwardShare, run.method);
  return 1 + reach + (checkpointing ? reach : 0);
};

export interface FineTuneDevice {
  backend: Backend;
  /** The tensor rate training runs at: `trainingTflops`. */
  trainingTflops: number;
  /** GB/s, for the optimizer step. */
  bandwidthGBs: number;
}

/**
 * The dense tensor TFLOPS bf16 training runs at. BF16 matmuls accumulate in FP32, which GeForce cards
 * do at half their FP16-accumulate rate (the catalog's figure; NVIDIA's Ada whitepaper: RTX 4090 330.3
 * with FP16 accumulate, 165.2 with FP32); data-center and workstation cards and Apple GPUs at full rate.
 */
export function trainingTflops(device: { name: string; backend: Backend; fp16Tflops: number }): number {
  const halfRate = device.backend === 'cuda' && /geforce/i.test(device.name);
  return halfRate ? device.fp16Tflops / 2 : device.fp16Tflops;
}

export interface FineTuneFit {
  /** Share of the training tensor rate reached, by backend. */
  efficiency: Partial<Record<Backend, number>>;
  /** Seconds of host overhead per layer and pass over it (kernel launches) in a micro-step, by backend. */
  overheadSec: Partial<Record<Backend, number>>;
  /**
   * QLoRA: bytes of memory traffic per 4-bit parameter each time a pass dequantizes the weights to
   * 16-bit (at least the 0.5 read and 2 written).
   */
  qloraDequantBytes: number;
  /** 10th and 90th percentile of measured / predicted tokens per second. */
  band: { low: number; high: number };
}

/** Used where no fit is loaded: PyTorch-typical efficiency, a small overhead, dequantisation at ~2 kernels' traffic. */
export const UNFITTED_FINETUNE: FineTuneFit = {
  efficiency: {},
  overheadSec: {},
  qloraDequantBytes: 5,
  band: { low: 0.5, high: 2 },
};
const DEFAULT_EFFICIENCY = 0.35;
/** ~0.05 s per micro-step of a 32-layer model with checkpointing (3 passes). */
const DEFAULT_OVERHEAD_SEC = 0.0005;

/**
 * Bytes AdamW touches per trained parameter per optimizer step (estimate): reads fp32 master weight,
 * two fp32 moments and the gradient (4 + 8 + 4), writes master, moments and the 16-bit copy (4 + 8 + 2).
 * Memory-bound, so it costs bytes / bandwidth. LoRA trains well under 1% of the parameters: nothing.
 */
const ADAMW_BYTES_PER_PARAM = 30;

/**
 * The parts of a micro-step that do not depend on the fit: seconds of compute at the full tensor
 * rate, memory time of materialized attention scores, seconds of QLoRA dequantisation per byte
 * moved per parameter, and the optimizer step's share.
 */
export interface FineTuneStepTerms {
  computeAtPeakSec: number;
  /** Memory time of attention scores a materializing backend writes and reads. */
  scoreTrafficSec: number;
  dequantSecPerByte: number;
  optimizerSec: number;
  /** Layers times the passes over them (forward, backward where it reaches, recompute): the host overhead's count. */
  layerPasses: number;
}

export function fineTuneStepTerms(given: FineTuneRun, device: FineTuneDevice): FineTuneStepTerms {
  const run = withBackendDefaults(given, device.backend);
  const tokens = run.seqLen * run.microBatch;
  const flops = tokens * fineTuneFlopsPerToken(run, run.checkpointing, attentionKernelOf(device.backend));
  // MLX's quantized matmuls dequantize inside the kernel: no pass of their own.
  const dequantSecPerByte =
    run.method === 'qlora' && device.backend !== 'metal'
      ? (weightPasses(run, run.checkpointing) * fineTuneShapeOf(run).linearParamsB) / device.bandwidthGBs
      : 0;
  const optimizer = run.method === 'full' ? (ADAMW_BYTES_PER_PARAM * run.paramsB) / device.bandwidthGBs : 0;
  return {
    computeAtPeakSec: flops / (device.trainingTflops * 1e12),
    scoreTrafficSec: scoreTrafficSec(run, device),
    dequantSecPerByte,
    optimizerSec: optimizer / (run.gradAccum ?? 1),
    layerPasses: fineTuneShapeOf(run).layers * weightPasses(run, run.checkpointing),
  };
}

/** Bytes moved per attention score where the backward materializes them (estimate, see the header). */
const SCORE_TRAFFIC_BYTES = 20;

/** Memory time of materialized attention scores in a micro-step (0 with a fused kernel). */
function scoreTrafficSec(run: ReturnType<typeof withBackendDefaults<FineTuneRun>>, device: FineTuneDevice): number {
  if (attentionKernelOf(device.backend) !== 'materialized') return 0;
  const shape = fineTuneShapeOf(run);
  const heads = shape.hidden / (run.headDim ?? DEFAULT_HEAD_DIM);
  const layers = shape.layers * backwardReach(run.backwardShare, run.method);
  const bytes = layers * heads * run.seqLen ** 2 * run.microBatch * SCORE_TRAFFIC_BYTES;
  return bytes / (device.bandwidthGBs * 1e9);
}

/** Seconds a micro-step takes from its terms under a fit's efficiency, overhead and dequantisation. */
export function secondsOfStep(terms: FineTuneStepTerms, backend: Backend, fit: FineTuneFit): number {
  const eff = fit.efficiency[backend] ?? DEFAULT_EFFICIENCY;
  const overhead = fit.overheadSec[backend] ?? DEFAULT_OVERHEAD_SEC;
  return (
    terms.computeAtPeakSec / eff +
    terms.scoreTrafficSec +
    terms.dequantSecPerByte * fit.qloraDequantBytes +
    overhead * terms.layerPasses +
    terms.optimizerSec
  );
}

/** Seconds one micro-step takes on average, its share of the optimizer step included. */
export function fineTuneSecondsPerMicroStep(run: FineTuneRun, device: FineTuneDevice, fit: FineTuneFit): number {
  return secondsOfStep(fineTuneStepTerms(run, device), device.backend, fit);
}

/** Training tokens per second (every token of every sequence, as trainers report them). */
export function fineTuneTokensPerSec(run: FineTuneRun, device: FineTuneDevice, fit: FineTuneFit): number {
  return (run.seqLen * run.microBatch) / fineTuneSecondsPerMicroStep(run, device, fit);
}

export interface FineTuneSpeedEstimate {
  tokensPerSec: number;
  /** Seconds per optimizer step (all its micro-steps). */
  secondsPerStep: number;
  /** Tokens per second, low to high. */
  band: Band;
  checkpointing: boolean;
}

export function estimateFineTuneSpeed(
  run: FineTuneRun,
  device: FineTuneDevice,
  fit: FineTuneFit,
): FineTuneSpeedEstimate {
  const tokensPerSec = fineTuneTokensPerSec(run, device, fit);
  return {
    tokensPerSec,
    secondsPerStep: fineTuneSecondsPerMicroStep(run, device, fit) * (run.gradAccum ?? 1),
    band: { low: tokensPerSec * fit.band.low, high: tokensPerSec * fit.band.high },
    checkpointing: run.checkpointing ?? defaultCheckpointing(device.backend),
  };
}

/** Hours one pass over `datasetTokens` takes at `tokensPerSec`. */
export function hoursPerEpoch(datasetTokens: number, tokensPerSec: number): number {
  if (!(tokensPerSec > 0)) throw new RangeError('hoursPerEpoch: tokensPerSec must be positive');
  return datasetTokens / tokensPerSec / 3600;
}

/** Which tooling does it where: CUDA has everything; MLX does LoRA/QLoRA; full FT on Metal is not practical. */
export const FINE_TUNE_SUPPORT: Record<Backend, Record<FineTuneMethod, { ok: boolean; tool: string }>> = {
  cuda: {
    qlora: { ok: true, tool: 'Unsloth, PEFT + bitsandbytes, Axolotl' },
    lora: { ok: true, tool: 'Unsloth, PEFT, Axolotl, torchtune' },
    full: { ok: true, tool: 'PyTorch, DeepSpeed, torchtune' },
  },
  metal: {
    qlora: { ok: true, tool: 'mlx-lm LoRA on a 4-bit model' },
    lora: { ok: true, tool: 'mlx-lm LoRA' },
    full: { ok: false, tool: 'possible in MLX for small models, not practical' },
  },
  rocm: {
    qlora: { ok: true, tool: 'PEFT (bitsandbytes ROCm builds)' },
    lora: { ok: true, tool: 'PEFT on ROCm PyTorch' },
    full: { ok: true, tool: 'PyTorch on ROCm' },
  },
  vulkan: {
    qlora: { ok: false, tool: 'no training stack' },
    lora: { ok: false, tool: 'no training stack' },
    full: { ok: false, tool: 'no training stack' },
  },
  cpu: {
    qlora: { ok: false, tool: 'too slow to be practical' },
    lora: { ok: false, tool: 'too slow to be practical' },
    full: { ok: false, tool: 'too slow to be practical' },
  },
};
