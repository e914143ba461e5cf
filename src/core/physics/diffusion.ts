/**
 * Diffusion speed (images and video) from the denoiser's work and the chip's tensor throughput:
 *
 *   seconds per step = passes x FLOPs per pass / (FP16 TFLOPS x efficiency) + overhead per step
 *   FLOPs per pass   = 2 x weights per token x tokens + 4 x layers x hidden x tokens^2   (transformer)
 *                    = 2 x parameters x tokens x share                                 (UNet)
 *
 * where tokens are the latent positions the denoiser sees (pixels / (VAE factor x patch))^2, times
 * latent frames for video. The attention term is what makes video (tens of thousands of tokens)
 * slow; the linear term is 2 FLOPs per weight a token is multiplied by. In a diffusion transformer
 * that is not every parameter: a block of width h multiplies each token by about 12 h^2 weights
 * (4 h^2 in attention, 8 h^2 in the MLP), while a dual-stream MMDiT (FLUX, SD3, Qwen-Image,
 * HunyuanVideo) keeps a second copy of each double block for the text tokens, and the adaLN
 * modulation weights are applied once per image, not per token. FLUX.1 has 12 B parameters but
 * 57 x 12 x 3072^2 = 6.5 B per image token (BFL's flux/model.py), so counting all of them
 * overstated its work by 1.7x. A UNet (SD 1.5, SDXL) applies most of its parameters at downsampled
 * resolutions, so it sees a fitted share of the full latent's tokens and no separate attention term.
 * Efficiency and the overhead (kernel launches, the scheduler, the host) are fitted per backend on
 * measured runs (`npm run calibrate`). The overhead is paid once per step, not per pass: the
 * runtimes run classifier-free guidance's two passes as one batch of two through the denoiser
 * (diffusers concatenates the latents, `torch.cat([latents] * 2)`; ComfyUI and A1111 batch cond and
 * uncond), so CFG doubles the FLOPs but not the launches.
 */
import type { Generation } from '../catalog/generation-schema.js';
import type { Backend } from '../catalog/schema.js';
import type { Band } from '../catalog/specs.js';

export interface DiffusionFit {
  /** Share of the achievable FP16 tensor throughput a denoiser reaches, by backend. */
  efficiency: Partial<Record<Backend, number>>;
  /** Seconds each step (one batched denoiser call) costs beyond its FLOPs, by backend. */
  overheadSec: Partial<Record<Backend, number>>;
  /**
   * Seconds per step of the runtimes measured often enough to have their own (A1111's loop costs
   * more than diffusers'); a run of another or an unknown runtime pays its backend's.
   */
  runtimeOverheadSec?: Record<string, number> | undefined;
  /** A UNet's tokens as a share of its full-resolution latent's. */
  unetTokenShare: number;
  /** Relative spread of the fit's residuals (for the band). */
  band: { low: number; high: number };
}

/** Used where no fit is loaded: an efficiency typical of PyTorch diffusion at batch 1, no overhead. */
export const UNFITTED_DIFFUSION: DiffusionFit = {
  efficiency: {},
  overheadSec: {},
  unetTokenShare: 0.1,
  band: { low: 0.6, high: 1.6 },
};
const DEFAULT_EFFICIENCY = 0.3;

export interface DiffusionRun {
  steps: number;
  width: number;
  height: number;
  /** Video frames; absent for an image. */
  frames?: number | undefined;
  /**
   * The software that ran it ("A1111", "diffusers", ...), when known: each spends its own time per
   * step outside the denoiser (samplers, callbacks, previews). A verdict leaves it out.
   */
  runtime?: string | undefined;
}

/** The default run of a model: its card's steps, resolution and frames. */
export const defaultRun = (g: Generation): DiffusionRun => ({
  steps: g.defaultSteps,
  width: g.width,
  height: g.height,
  ...(g.frames !== undefined ? { frames: g.frames } : {}),
});

/** Latent positions the denoiser attends over: spatial tokens x latent frames. */
export function latentTokens(g: Generation, run: Pick<DiffusionRun, 'width' | 'height' | 'frames'>): number {
  const side = g.vaeSpatial * g.patch;
  const spatial = Math.ceil(run.width / side) * Math.ceil(run.height / side);
  const frames = run.frames === undefined ? 1 : Math.floor((run.frames - 1) / g.vaeTemporal) + 1;
  return spatial * frames;
}

/** Weights of a standard transformer block (attention 4 h^2, MLP at ratio 4 8 h^2) per unit h^2. */
const BLOCK_WEIGHTS_PER_H2 = 12;

/**
 * Weights each latent token is multiplied by in one transformer pass: a block's 12 h^2 per layer,
 * never more than the model's parameters (a narrower MLP, as in FLUX.2 or Sana, has fewer).
 */
export function weightsPerToken(g: Generation, paramsB: number): number {
  return Math.min(paramsB * 1e9, BLOCK_WEIGHTS_PER_H2 * g.layers * g.hidden * g.hidden);
}

/** FLOPs of one denoiser pass over `tokens` positions. */
export function flopsPerPass(g: Generation, paramsB: number, tokens: number, fit: DiffusionFit): number {
  if (g.denoiser === 'unet') return 2 * paramsB * 1e9 * tokens * fit.unetTokenShare;
  return 2 * weightsPerToken(g, paramsB) * tokens + 4 * g.layers * g.hidden * tokens * tokens;
}

export interface DiffusionDevice {
  backend: Backend;
  /**
   * Dense FP16 tensor TFLOPS (the catalog's FP16-accumulate figure). PyTorch allows reduced-precision
   * reductions in half-precision matmuls by default, and measured FLUX runs on an RTX 4090 (~190
   * TFLOPS achieved) exceed its FP32-accumulate peak (165), so the full figure is the ceiling.
   */
  fp16Tflops: number;
}

/** Seconds per denoising step (all its passes) of `run` on the device. */
/** The time a step costs outside the denoiser: the runtime's own when fitted, else the backend's. */
export function overheadOf(fit: DiffusionFit, backend: Backend, runtime?: string): number {
  return (runtime !== undefined ? fit.runtimeOverheadSec?.[runtime] : undefined) ?? fit.overheadSec[backend] ?? 0;
}

export function secondsPerStep(
  g: Generation,
  paramsB: number,
  run: DiffusionRun,
  device: DiffusionDevice,
  fit: DiffusionFit,
): number {
  const flops = flopsPerPass(g, paramsB, latentTokens(g, run), fit);
  const eff = fit.efficiency[device.backend] ?? DEFAULT_EFFICIENCY;
  const overhead = overheadOf(fit, device.backend, run.runtime);
  return (g.passesPerStep * flops) / (device.fp16Tflops * 1e12 * eff) + overhead;
}

export interface DiffusionEstimate {
  run: DiffusionRun;
  secondsPerStep: number;
  /** The whole denoising loop (steps x seconds per step); text encoding and the VAE decode are not in it. */
  seconds: number;
  band: Band;
  tokens: number;
}

export function estimateDiffusion(
  g: Generation,
  paramsB: number,
  run: DiffusionRun,
  device: DiffusionDevice,
  fit: DiffusionFit,
): DiffusionEstimate {
  const perStep = secondsPerStep(g, paramsB, run, device, fit);
  const seconds = perStep * run.steps;
  return {
    run,
    secondsPerStep: perStep,
    seconds,
    band: { low: seconds * fit.band.low, high: seconds * fit.band.high },
    tokens: latentTokens(g, run),
  };
}
