/**
 * How an image or video model generates (data/media-generation.json): the shape of its denoiser
 * (blocks, width, how the latent is cut into tokens) and how people run it by default (steps,
 * resolution, frames, guidance passes). The diffusion physics turns these into FLOPs per step.
 */
import { z } from 'zod';
import { BackendSchema, SourceEntrySchema } from './schema.js';

const sourceRef = z.string().min(1);

export const GenerationSchema = z.object({
  /** A model id of data/media-models.json. */
  model: z.string().min(1),
  /** transformer: a DiT/MMDiT (FLUX, SD3, Wan, HunyuanVideo); unet: SD 1.5, SDXL, SVD. */
  denoiser: z.enum(['transformer', 'unet']),
  /** Transformer blocks (FLUX: 19 double + 38 single = 57); for a UNet, its transformer blocks in all. */
  layers: z.number().int().positive(),
  /** Hidden width of a block (heads x head dim). */
  hidden: z.number().int().positive(),
  /** Pixels per latent pixel along a side (the VAE's spatial factor: 8 for SD/FLUX/Wan 2.1, 16, 32 for LTX). */
  vaeSpatial: z.number().int().positive(),
  /** Frames per latent frame (video VAEs: 4 for Wan and HunyuanVideo, 8 for LTX); 1 for images. */
  vaeTemporal: z.number().int().positive().default(1),
  /** Latent pixels per token along a side (patch size: 2 for FLUX/SD3/Wan; 1 for a UNet, whose tokens are latent pixels). */
  patch: z.number().int().positive(),
  /** Denoiser passes per step: 2 with classifier-free guidance, 1 when guidance is distilled in (FLUX dev, schnell). */
  passesPerStep: z.union([z.literal(1), z.literal(2)]),
  /** The steps, resolution and frames of the model card's or the reference workflow's default run. */
  defaultSteps: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Frames of the default clip (video), and its frame rate. */
  frames: z.number().int().positive().optional(),
  fps: z.number().positive().optional(),
  source: sourceRef,
  note: z.string().optional(),
});
export type Generation = z.infer<typeof GenerationSchema>;

export const GenerationFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  models: z.array(GenerationSchema).min(1),
});
export type GenerationFile = z.infer<typeof GenerationFileSchema>;

const byBackend = z.partialRecord(BackendSchema, z.number().nonnegative());

/** data/diffusion-calibration.json: the diffusion speed model's fit, written by `npm run calibrate`. */
export const DiffusionCalibrationSchema = z.object({
  fittedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  points: z.number().int().nonnegative(),
  efficiency: byBackend,
  overheadSec: byBackend,
  /** Seconds per step of the runtimes with enough fit runs of their own (see DiffusionFit). */
  runtimeOverheadSec: z.record(z.string(), z.number().nonnegative()).optional(),
  unetTokenShare: z.number().positive(),
  band: z.object({ low: z.number().positive(), high: z.number().positive() }),
  /** Median absolute error in-sample and on the held-out runs, for the README and the caveat. */
  medianError: z.object({ fit: z.number().nonnegative(), holdout: z.number().nonnegative().nullable() }),
});
export type DiffusionCalibration = z.infer<typeof DiffusionCalibrationSchema>;
