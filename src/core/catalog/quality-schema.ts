/**
 * Quality scores (issue 15): how good a model is at a workflow, from public leaderboards, each
 * score with the benchmark, what it measures, its source and date; and what a quant costs in
 * quality, from llama.cpp's and model cards' measurements. data/quality.json.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/);

export const QualitySourceSchema = z.object({
  title: z.string().min(1),
  url: z.string().url(),
  date: isoDate,
  kind: z.enum(['leaderboard', 'paper', 'model-card', 'measured']),
});

/** What a benchmark measures, and which way is better. */
export const BenchmarkSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  name: z.string().min(1),
  /** One sentence: what a higher score means. */
  measures: z.string().min(1),
  /** The workflows it ranks models for, most telling first. */
  workflows: z.array(z.enum(['chat', 'coding', 'rag', 'image', 'video'])).min(1),
  /** Scores are compared within a benchmark only; this is its usual range, for display. */
  unit: z.string().min(1),
  higherIsBetter: z.boolean().default(true),
  /**
   * How much a score on it counts when ranking against models scored on another board (1 by default);
   * lower for a saturated or contamination-prone board, with the reason in `weightNote`.
   */
  weight: z.number().min(0.1).max(1).default(1),
  weightNote: z.string().optional(),
});

export const QualityScoreSchema = z.object({
  /** A model id of the catalog (LLM) or of media-models.json (image, video). */
  model: z.string().min(1),
  benchmark: z.string().min(1),
  score: z.number().finite(),
  /** The variant scored when it is not the model itself ("thinking", "instruct-2507"). */
  variant: z.string().optional(),
  source: z.string().min(1),
  date: isoDate,
  note: z.string().optional(),
});

/** What a quant costs against the 16-bit model: KL divergence or perplexity increase. */
export const QuantQualitySchema = z.object({
  quant: z.string().min(1),
  /** "kld" (mean KL divergence vs F16) or "ppl-pct" (perplexity increase in %). */
  metric: z.enum(['kld', 'ppl-pct']),
  value: z.number().nonnegative(),
  /** The model it was measured on. */
  measuredOn: z.string().min(1),
  source: z.string().min(1),
  note: z.string().optional(),
});

export const QualityFileSchema = z.object({
  sources: z.record(z.string(), QualitySourceSchema),
  benchmarks: z.array(BenchmarkSchema).min(1),
  scores: z.array(QualityScoreSchema),
  quants: z.array(QuantQualitySchema).default([]),
});
export type QualityFile = z.infer<typeof QualityFileSchema>;
export type QualityScore = z.infer<typeof QualityScoreSchema>;
export type Benchmark = z.infer<typeof BenchmarkSchema>;
