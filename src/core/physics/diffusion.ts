/**
 * Diffusion speed (images and video) from the denoiser's work and the chip's tensor throughput:
 *
 *   seconds per step = passes x (FLOPs per pass / (FP16 TFLOPS x efficiency) + overhead per pass)
 *   FLOPs per pass   = 2 x parameters x tokens x share + 4 x layers x hidden x tokens^2
 *
 * where tokens are the latent positions the denoiser sees (pixels / (VAE factor x patch))^2, times
 * latent frames for video. The attention term is what makes video (tens of thousands of tokens)
 * slow; the linear term is the familiar 2 FLOPs per parameter per token. A UNet (SD 1.5, SDXL)
 * applies most of its parameters at downsampled resolutions, so it sees a fitted share of the full
 * latent's tokens and no separate attention term. Efficiency and the per-pass overhead (kernel
 * launches, the scheduler, the host) are fitted per backend on measured runs (`npm run calibrate`).
 */
import type { Generation } from '../catalog/generation-schema.js';
import type { Backend } from '../catalog/schema.js';
import type { Band } from '../catalog/specs.js';

export interface DiffusionFit {
  /** Share of the achievable FP16 tensor throughput a denoiser reaches, by backend. */
  efficiency: Partial<Record<Backend, number>>;
  /** Seconds each denoiser pass costs beyond its FLOPs, by backend. */
  overheadSec: Partial<Record<Backend, number>>;
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

/** FLOPs of one denoiser pass over `tokens` positions. */
export function flopsPerPass(g: Generation, paramsB: number, tokens: number, fit: DiffusionFit): number {
  const params = paramsB * 1e9;
  if (g.denoiser === 'unet') return 2 * params * tokens * fit.unetTokenShare;
  return 2 * params * tokens + 4 * g.layers * g.hidden * tokens * tokens;
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
export function secondsPerStep(
  g: Generation,
  paramsB: number,
  run: DiffusionRun,
  device: DiffusionDevice,
  fit: DiffusionFit,
): number {
  const flops = flopsPerPass(g, paramsB, latentTokens(g, run), fit);
  const eff = fit.efficiency[device.backend] ?? DEFAULT_EFFICIENCY;
  const overhead = fit.overheadSec[device.backend] ?? 0;
  return g.passesPerStep * (flops / (device.fp16Tflops * 1e12 * eff) + overhead);
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
