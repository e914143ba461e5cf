/**
 * Fine-tuning memory by method, and whether a backend's tooling can do it.
 * Rules of thumb (estimates): full fine-tuning with AdamW in mixed precision holds ~16 bytes per
 * parameter (fp16 weights and gradients, fp32 master weights and two moments); LoRA keeps frozen
 * 16-bit weights (2 bytes/param); QLoRA keeps 4-bit NF4 weights (~0.55 bytes/param with double
 * quantization, per the QLoRA paper). Activations, adapters and optimizer state for the adapters
 * add ~20% plus a couple of GB at short sequence lengths with gradient checkpointing.
 */
import type { Backend } from '../catalog/schema.js';

export type FineTuneMethod = 'qlora' | 'lora' | 'full';

const BYTES_PER_PARAM: Record<FineTuneMethod, number> = { qlora: 0.55, lora: 2, full: 16 };
const ACTIVATION_SHARE = 0.2;
const FIXED_GB = 2;

export function fineTuneMemoryGB(paramsB: number, method: FineTuneMethod): number {
  return paramsB * BYTES_PER_PARAM[method] * (1 + ACTIVATION_SHARE) + FIXED_GB;
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
