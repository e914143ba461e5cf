/**
 * The compare query: one zod schema at the boundary (CLI flags, Discord options, Slack text all
 * end up here), with the ranges users are told when they step outside them.
 */
import { z } from 'zod';
import { WorkflowIdSchema } from '../catalog/schema.js';

export const PrioritySchema = z.enum(['speed', 'silence', 'power', 'budget', 'balanced']);
export type Priority = z.infer<typeof PrioritySchema>;

export const LIMITS = {
  contextTokens: { min: 256, max: 2_097_152 },
  hoursPerDay: { min: 0.1, max: 24 },
  kwhPrice: { min: 0, max: 5 },
  years: { min: 1, max: 10 },
  tokensPerDay: { min: 0, max: 10_000_000_000 },
  apiPricePerMTok: { min: 0, max: 1000 },
  promptTokens: { min: 0, max: 2_097_152 },
  imageSteps: { min: 1, max: 200 },
  imageResolution: { min: 256, max: 4096 },
  datasetTokens: { min: 1000, max: 1_000_000_000_000 },
} as const;

const ranged = (key: keyof typeof LIMITS, unit: string) =>
  z
    .number({ error: `${key} must be a number` })
    .finite()
    .min(LIMITS[key].min, `${key} must be between ${LIMITS[key].min} and ${LIMITS[key].max}${unit}`)
    .max(LIMITS[key].max, `${key} must be between ${LIMITS[key].min} and ${LIMITS[key].max}${unit}`);

export const CompareInputSchema = z.object({
  model: z.string().trim().max(300).optional(),
  quant: z.string().trim().max(40).optional(),
  contextTokens: ranged('contextTokens', ' tokens').int().optional(),
  workflow: WorkflowIdSchema.optional(),
  priority: PrioritySchema.optional(),
  /** The first device (default rtx-5090). */
  device: z.string().trim().max(80).optional(),
  /** The device to compare with (default mac-studio-m4-max-128gb). */
  against: z.string().trim().max(80).optional(),
  hoursPerDay: ranged('hoursPerDay', ' hours').optional(),
  kwhPrice: ranged('kwhPrice', ' per kWh').optional(),
  years: ranged('years', ' years').optional(),
  tokensPerDay: ranged('tokensPerDay', ' tokens').optional(),
  apiPricePerMTok: ranged('apiPricePerMTok', ' USD per million tokens').optional(),
  promptTokens: ranged('promptTokens', ' tokens').int().optional(),
  imageSteps: ranged('imageSteps', '').int().optional(),
  imageResolution: ranged('imageResolution', ' px').int().optional(),
  /** How the KV cache is stored (llama.cpp --cache-type-k/-v, OLLAMA_KV_CACHE_TYPE); f16 by default. */
  kvCache: z.enum(['f16', 'q8_0', 'q4_0']).optional(),
  /** Tokens in a fine-tuning dataset, for hours per epoch (DEFAULTS.datasetTokens when absent). */
  datasetTokens: ranged('datasetTokens', ' tokens').optional(),
});
export type CompareInput = z.infer<typeof CompareInputSchema>;

/** Defaults from the seed article: 8 h a day at $0.16/kWh, three years. */
export const DEFAULTS = {
  priority: 'balanced' as Priority,
  hoursPerDay: 8,
  kwhPrice: 0.16,
  years: 3,
  device: 'rtx-5090',
  against: 'mac-studio-m4-max-128gb',
  quant: 'Q4_K_M',
  /** Output tokens of a typical answer, to turn speeds into seconds per request. */
  answerTokens: 500,
  /** A fine-tuning dataset when none is stated: 10M tokens (~5,000 examples of 2,048 tokens). */
  datasetTokens: 10_000_000,
};

/**
 * The quant a model is answered in when none is said: its native format when llama.cpp runs it as
 * shipped (gpt-oss's MXFP4), else Q4_K_M. An FP8 or INT4 release (DeepSeek V3.1, Kimi K2) is what
 * the GGUF quants people run locally are made from, not what they run.
 */
export function defaultQuantOf(model: { record: { nativeQuant?: string | undefined } }): string {
  return model.record.nativeQuant === 'MXFP4' ? 'MXFP4' : DEFAULTS.quant;
}

/** The query after resolution: every field concrete, ids canonical. */
export interface NormalizedQuery {
  model: string | null;
  modelInput: string | null;
  quant: string;
  contextTokens: number;
  depthTokens: number;
  promptTokens: number;
  workflow: z.infer<typeof WorkflowIdSchema>;
  priority: Priority;
  devices: [string, string];
  hoursPerDay: number;
  kwhPrice: number;
  years: number;
  tokensPerDay: number | null;
  apiPricePerMTok: number | null;
  imageSteps: number | null;
  imageResolution: number | null;
  /** The KV cache's storage type: f16 unless a quantized cache was asked for. */
  kvCache: 'f16' | 'q8_0' | 'q4_0';
  /** Tokens in the fine-tuning dataset, when stated (else DEFAULTS.datasetTokens is assumed and said). */
  datasetTokens: number | null;
}

/** What resolution settled: the model (null for the overview), the quant, the token counts, the pair. */
export interface ResolvedParts {
  model: string | null;
  quant: string;
  contextTokens: number;
  promptTokens: number;
  workflow: z.infer<typeof WorkflowIdSchema>;
  devices: [string, string];
}

/**
 * The one constructor of a NormalizedQuery (field order is part of `compare --json`). A query
 * without a model (the overview) keeps none of the per-model inputs: it answers no question about
 * one model, so it echoes no model name, image steps or resolution.
 */
export function normalizedQuery(input: CompareInput, r: ResolvedParts): NormalizedQuery {
  const perModel = r.model !== null;
  return {
    model: r.model,
    modelInput: perModel ? (input.model ?? null) : null,
    quant: r.quant,
    contextTokens: r.contextTokens,
    depthTokens: r.promptTokens,
    promptTokens: r.promptTokens,
    workflow: r.workflow,
    priority: input.priority ?? DEFAULTS.priority,
    devices: r.devices,
    hoursPerDay: input.hoursPerDay ?? DEFAULTS.hoursPerDay,
    kwhPrice: input.kwhPrice ?? DEFAULTS.kwhPrice,
    years: input.years ?? DEFAULTS.years,
    tokensPerDay: input.tokensPerDay ?? null,
    apiPricePerMTok: input.apiPricePerMTok ?? null,
    imageSteps: perModel ? (input.imageSteps ?? null) : null,
    imageResolution: perModel ? (input.imageResolution ?? null) : null,
    kvCache: input.kvCache ?? 'f16',
    datasetTokens: perModel ? (input.datasetTokens ?? null) : null,
  };
}
