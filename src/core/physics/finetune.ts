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
 *   seconds per micro-step = (1 + dequant if QLoRA) x tokens x FLOPs per token / (efficiency x training TFLOPS)
 *                            + overhead per micro-step + optimizer step / micro-steps per optimizer step
 *   FLOPs per token        = k x parameters + (3 + recompute) x 2 x layers x hidden x sequence length
 *
 * with k = 6 for full fine-tuning (forward 2, backward 4: activation and weight gradients), 4 for
 * LoRA and QLoRA (the frozen base needs no weight gradients), plus 2 when gradient checkpointing
 * recomputes the forward in the backward. The second term is causal attention (flash attention skips
 * the masked half): forward, a backward twice the forward, and the recompute. Efficiency and the
 * per-micro-step overhead (kernel launches, the Python loop, the data loader) are fitted per backend,
 * the QLoRA dequantisation factor once, on measured runs (scripts/calibrate-finetune.ts).
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
  /** Tokens per sequence (packed or padded to this length). */
  seqLen: number;
  /** Sequences per forward and backward pass. */
  microBatch: number;
  /** Micro-batches per optimizer step (gradient accumulation); 1 when absent. */
  gradAccum?: number | undefined;
  /** Recompute the forward in the backward; absent: `defaultCheckpointing(backend)`. */
  checkpointing?: boolean | undefined;
  /** Layers x hidden size; absent: `layerWidthOf(paramsB)`. */
  layerWidth?: number | undefined;
  /** Vocabulary size, for the logits held per token; absent: `DEFAULT_VOCAB`. */
  vocab?: number | undefined;
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

/**
 * Bytes held per token for backward, per unit of layers x hidden (estimates): with gradient
 * checkpointing each layer keeps its 16-bit input (2 bytes) and one layer's internals live at a time;
 * without it every layer keeps ~34 bytes (Korthikanti et al. 2022, "Reducing Activation
 * Recomputation", 16-bit, with flash attention so no seq^2 term).
 */
const LAYER_BYTES = { checkpointed: 2, stored: 34 };
/**
 * Bytes per vocabulary entry per token for the logits (an estimate): Hugging Face training computes
 * 16-bit logits, upcasts them to fp32 for the loss and keeps their gradient (2 + 4 + 4 + 4 bytes, plus
 * the allocator's slack). Fused or chunked losses (Unsloth, torchtune) keep far less.
 */
const LOGIT_BYTES = 16;
/** CUDA context, cuBLAS workspace and the allocator's fragmentation with a run given (estimate). */
const RUNTIME_GB = 1;

/**
 * GB a fine-tune holds: weights (and for full fine-tuning gradients and AdamW state) by method; then
 * either the old rule of thumb (no run: +20% and 2 GB, short sequences with checkpointing) or, given
 * a run, activations per token (layers x hidden per token, logits per vocabulary entry) plus 1 GB.
 */
export function fineTuneMemoryGB(
  paramsB: number,
  method: FineTuneMethod,
  run?: Pick<FineTuneRun, 'seqLen' | 'microBatch' | 'checkpointing' | 'layerWidth' | 'vocab'>,
): number {
  if (!run) return paramsB * BYTES_PER_PARAM[method] * (1 + ACTIVATION_SHARE) + FIXED_GB;
  const tokens = run.seqLen * run.microBatch;
  const perLayer = run.checkpointing === false ? LAYER_BYTES.stored : LAYER_BYTES.checkpointed;
  const perToken = perLayer * (run.layerWidth ?? layerWidthOf(paramsB)) + LOGIT_BYTES * (run.vocab ?? DEFAULT_VOCAB);
  return paramsB * BYTES_PER_PARAM[method] + (tokens * perToken) / 1e9 + RUNTIME_GB;
}

/** Gradient checkpointing by default: on in the CUDA and ROCm stacks' recipes (Unsloth, PEFT, Axolotl, torchtune), off in mlx-lm. */
export const defaultCheckpointing = (backend: Backend): boolean => backend !== 'metal';

/** Training FLOPs per token of a run (with or without the recomputed forward). */
export function fineTuneFlopsPerToken(run: FineTuneRun, checkpointing: boolean): number {
  const recompute = checkpointing ? 1 : 0;
  const linear = (run.method === 'full' ? 6 : 4) + 2 * recompute;
  const attention = (3 + recompute) * 2 * (run.layerWidth ?? layerWidthOf(run.paramsB)) * run.seqLen;
  return linear * run.paramsB * 1e9 + attention;
}

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
  /** Seconds each micro-step costs beyond its FLOPs, by backend. */
  overheadSec: Partial<Record<Backend, number>>;
  /** QLoRA's extra compute time for dequantizing 4-bit weights on every pass, as a share. */
  qloraDequant: number;
  /** 10th and 90th percentile of measured / predicted tokens per second. */
  band: { low: number; high: number };
}

/** Used where no fit is loaded: PyTorch-typical efficiency, a small overhead, QLoRA a third slower. */
export const UNFITTED_FINETUNE: FineTuneFit = {
  efficiency: {},
  overheadSec: {},
  qloraDequant: 0.33,
  band: { low: 0.5, high: 2 },
};
const DEFAULT_EFFICIENCY = 0.35;
const DEFAULT_OVERHEAD_SEC = 0.05;

/**
 * Bytes AdamW touches per trained parameter per optimizer step (estimate): reads fp32 master weight,
 * two fp32 moments and the gradient (4 + 8 + 4), writes master, moments and the 16-bit copy (4 + 8 + 2).
 * Memory-bound, so it costs bytes / bandwidth. LoRA trains well under 1% of the parameters: nothing.
 */
const ADAMW_BYTES_PER_PARAM = 30;

/** Seconds one micro-step takes on average, its share of the optimizer step included. */
export function fineTuneSecondsPerMicroStep(run: FineTuneRun, device: FineTuneDevice, fit: FineTuneFit): number {
  const checkpointing = run.checkpointing ?? defaultCheckpointing(device.backend);
  const tokens = run.seqLen * run.microBatch;
  const eff = fit.efficiency[device.backend] ?? DEFAULT_EFFICIENCY;
  const overhead = fit.overheadSec[device.backend] ?? DEFAULT_OVERHEAD_SEC;
  const dequant = run.method === 'qlora' ? 1 + fit.qloraDequant : 1;
  const compute = (dequant * tokens * fineTuneFlopsPerToken(run, checkpointing)) / (eff * device.trainingTflops * 1e12);
  const optimizer =
    run.method === 'full' ? (ADAMW_BYTES_PER_PARAM * run.paramsB * 1e9) / (device.bandwidthGBs * 1e9) : 0;
  return compute + overhead + optimizer / (run.gradAccum ?? 1);
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
