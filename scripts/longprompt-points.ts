/**
 * Reads data/mlx-longprompt-runs.csv: prompt runs deep in the context (llama-bench `-d`, long single
 * prompts) and MLX runs. Prompt runs of one series (source, device, build, model, quant) become
 * pairs, deep against shallow, for fitting attention's efficiency; a third of the series, chosen by
 * a hash, is held out of the fit and predicted by `npm run validate`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  estimateArchitecture,
  fingerprint,
  resolveDevice,
  resolveModel,
  resolveQuant,
  type CalibrationPoint,
  type Catalog,
  type ModelSpec,
  type PrefillInput,
  type PrefillPair,
} from '../src/core/index.js';
import { flashAttentionOf, root, statedMicroBatch } from './calibration-points.js';
import { fp16Of, mapQuant } from './validation-rows.js';

const RowSchema = z.object({
  device: z.string(),
  backend: z.string(),
  model: z.string(),
  params_b: z.string(),
  active_params_b: z.string(),
  quant: z.string(),
  size_gb: z.string(),
  metric: z.enum(['tg', 'pp']),
  context: z.string(),
  depth: z.coerce.number().nonnegative(),
  value: z.coerce.number().positive(),
  source: z.string(),
  note: z.string(),
});
export type LongPromptRow = z.infer<typeof RowSchema>;

export interface LongPromptRun {
  row: LongPromptRow;
  label: string;
  series: string;
  holdout: boolean;
  runtime: 'llama.cpp' | 'mlx';
  input: PrefillInput;
}

/**
 * "Apple M2 Ultra (76-core GPU, 800 GB/s)" -> the catalog's chip; the stated bandwidth and the
 * calibration's own TFLOPS for the chip win (the catalog would take "M3 Max 40-core" for the binned
 * 30-core part).
 */
function deviceOf(catalog: Catalog, text: string): PrefillInput['device'] | undefined {
  const name = text
    .replace(/\(.*$/, '')
    .replace(/\bNVIDIA\b|\bAMD\b/g, '')
    .trim();
  const cores = /(\d+)-core GPU/.exec(text);
  const d = resolveDevice(catalog, cores ? `${name} ${cores[1]}-core` : name);
  if (!d.ok) return undefined;
  const bw = /(\d+(?:\.\d+)?)\s*GB\/s/.exec(text);
  return {
    backend: d.value.backend,
    fp16Tflops: fp16Of(text) ?? d.value.fp16Tflops,
    bandwidthGBs: bw ? Number(bw[1]) : d.value.bandwidthGBs,
  };
}

function modelOf(catalog: Catalog, row: LongPromptRow): ModelSpec | undefined {
  const params = Number(row.params_b);
  const active = Number(row.active_params_b);
  if (!(params > 0)) return undefined;
  const r = resolveModel(catalog, row.model.replace(/\s*\(.*$/, ''));
  if (r.ok && !r.value.phantom && Math.abs(r.value.model.paramsB / params - 1) <= 0.05) return r.value.model;
  return estimateArchitecture({ paramsB: params, ...(active > 0 ? { activeParamsB: active } : {}) });
}

export function loadLongPromptRuns(catalog: Catalog): {
  runs: LongPromptRun[];
  skipped: { label: string; why: string }[];
} {
  const raw = parse(readFileSync(join(root, 'data', 'mlx-longprompt-runs.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as unknown[];
  const runs: LongPromptRun[] = [];
  const skipped: { label: string; why: string }[] = [];
  for (const r of raw) {
    const row = RowSchema.parse(r);
    const label = `${row.device.slice(0, 34)} | ${row.backend.slice(0, 22)} | ${row.model.slice(0, 22)} | ${row.metric} ${row.context.slice(0, 26)}`;
    const device = deviceOf(catalog, row.device);
    if (!device) {
      skipped.push({ label, why: 'device not in the catalog' });
      continue;
    }
    const model = modelOf(catalog, row);
    if (!model) {
      skipped.push({ label, why: 'model size not stated' });
      continue;
    }
    const runtime = /\bMLX\b/.test(row.backend) ? 'mlx' : 'llama.cpp';
    // gpt-oss "F16" GGUFs keep the MXFP4 experts (ggml-org's files): MXFP4 in the catalog's terms.
    const quantId =
      mapQuant(catalog, /MXFP4/.test(row.quant) ? 'MXFP4' : row.quant) ?? (runtime === 'mlx' ? 'MLX-4bit' : undefined);
    const quant = quantId ? resolveQuant(catalog, quantId) : undefined;
    if (!quant?.ok) {
      skipped.push({ label, why: `quant "${row.quant}" not in the catalog` });
      continue;
    }
    const size = Number(row.size_gb);
    const prompt = /\bpp\s?(\d+)/.exec(row.context);
    // A micro-batch the run states (llama-bench -ub 2048) is the one it prefilled in.
    const ubatch = statedMicroBatch(row.note);
    const series = `${row.source}|${row.device}|${row.backend}|${row.model}|${row.quant}`;
    runs.push({
      row,
      label,
      series,
      holdout: parseInt(fingerprint(series), 16) % 3 === 0,
      runtime,
      input: {
        device,
        model,
        weightsGB: size > 0 ? size : (model.paramsB * quant.value.bitsPerWeight) / 8,
        family: quant.value.family,
        depthTokens: row.metric === 'pp' ? row.depth : 0,
        ...(prompt ? { promptTokens: Number(prompt[1]) } : {}),
        ...(ubatch !== undefined ? { microBatch: ubatch } : {}),
        ...(runtime === 'llama.cpp' && row.metric === 'pp' && !flashAttentionOf(row) ? { flashAttention: false } : {}),
      },
    });
  }
  return { runs, skipped };
}

/** A run as a calibration point: decode depth is the context before it plus half the tokens generated. */
export function pointOf(r: LongPromptRun): CalibrationPoint {
  const gen = /\btg\s?(\d+)/.exec(r.row.context);
  return {
    device: r.row.device,
    backend: r.input.device.backend,
    bandwidthGBs: r.input.device.bandwidthGBs,
    fp16Tflops: r.input.device.fp16Tflops,
    model: r.input.model,
    weightsGB: r.input.weightsGB,
    family: r.input.family ?? 'k-quant',
    metric: r.row.metric,
    depthTokens: r.row.metric === 'pp' ? r.row.depth : r.row.depth + (gen ? Number(gen[1]) / 2 : 64),
    ...(r.input.promptTokens !== undefined ? { promptTokens: r.input.promptTokens } : {}),
    ...(r.input.microBatch !== undefined ? { microBatch: r.input.microBatch } : {}),
    ...(r.input.flashAttention === false ? { flashAttention: false } : {}),
    value: r.row.value,
  };
}

/** llama.cpp prompt runs of one series: each deeper run against the series' shallowest. */
export function prefillPairsOf(runs: LongPromptRun[]): PrefillPair[] {
  const pp = runs.filter((r) => r.runtime === 'llama.cpp' && r.row.metric === 'pp');
  const pairs: PrefillPair[] = [];
  for (const series of new Set(pp.map((r) => r.series))) {
    const of = pp.filter((r) => r.series === series).sort((a, b) => a.row.depth - b.row.depth);
    const shallow = of[0]!;
    for (const deep of of.slice(1))
      if (deep.row.depth > shallow.row.depth)
        pairs.push({ shallow: shallow.input, deep: deep.input, measuredRatio: deep.row.value / shallow.row.value });
  }
  return pairs;
}
