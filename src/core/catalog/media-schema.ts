/**
 * Image and video generation models (data/media-models.json) and the model families people name
 * (so "GLM-5.1" or "Kimi K2.5" is read as a model even before the catalog knows it). Their speed
 * physics come later; here they are names, sizes and files, sourced like every other figure.
 */
import { z } from 'zod';
import { FigureSchema, SourceEntrySchema } from './schema.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'date must be YYYY-MM or YYYY-MM-DD');
const sourceRef = z.string().min(1);

export const MediaKindSchema = z.enum(['image', 'video']);
export type MediaKind = z.infer<typeof MediaKindSchema>;

export const MediaModelSchema = z.object({
  /** "flux-1-dev", "sdxl", "wan-2.1-t2v-14b", "hunyuanvideo". */
  id: z.string().regex(/^[a-z0-9]+([-.][a-z0-9]+)*$/),
  /** "FLUX.1 [dev]", "Stable Diffusion XL 1.0", "Wan 2.1 T2V 14B". */
  name: z.string().min(1),
  kind: MediaKindSchema,
  /** "flux", "stable-diffusion", "wan", "hunyuanvideo", "ltx-video". */
  family: z.string().min(1),
  /** Ways people write it: "flux dev", "flux1-dev", "sdxl", "wan2.1 14b", "wan 2.1 i2v". */
  aliases: z.array(z.string()).default([]),
  huggingface: z.array(z.string()).default([]),
  released: isoDate,
  /** Parameters of the diffusion transformer or UNet, billions. */
  paramsB: FigureSchema,
  /** File sizes of the main model in GB (1e9 bytes) by precision: "BF16", "FP16", "FP8", "Q8_0", "Q4_K_M". */
  fileGB: z.record(z.string(), FigureSchema).default({}),
  /** Text encoders and VAE loaded beside it, with their sizes at the usual precision. */
  companions: z
    .array(z.object({ name: z.string().min(1), role: z.enum(['text-encoder', 'vae', 'other']), fileGB: FigureSchema }))
    .default([]),
  /** The image workload of workflows.json whose reported it/s apply (sdxl, flux-dev ...), if any. */
  workload: z.string().optional(),
  source: sourceRef,
  notes: z.array(z.string()).default([]),
});
export type MediaModel = z.infer<typeof MediaModelSchema>;

/**
 * A model family people name, catalogued or not: the words that start a model reference ("glm",
 * "kimi", "qwen", "deepseek") and what kind of model the family makes.
 */
export const ModelFamilySchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  name: z.string().min(1),
  kind: z.enum(['llm', 'image', 'video', 'audio', 'other']),
  /** Lowercase words or word pairs that name it: "glm", "chatglm", "kimi", "command r", "gpt-oss". */
  words: z.array(z.string().min(2)).min(1),
});
export type ModelFamily = z.infer<typeof ModelFamilySchema>;

export const MediaModelsFileSchema = z.object({
  sources: z.record(z.string(), SourceEntrySchema),
  models: z.array(MediaModelSchema).min(1),
  families: z.array(ModelFamilySchema).min(1),
});
export type MediaModelsFile = z.infer<typeof MediaModelsFileSchema>;
