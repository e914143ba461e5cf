/**
 * Reads data/serving-runs.csv (measured concurrent-serving runs, each with its source) into serving
 * points: the device and model resolved in the catalog (a device the catalog does not know falls back
 * to the bandwidth and memory its row states), the weights from the row, the catalog's file size or
 * the quant's bits, and the workload from the runner (llama-batched-bench times the decode steps
 * alone; a serving benchmark divides output tokens by a wall time that holds the prompts too).
 *
 * A run is held out of the fit when a hash of its source and device says so (a third of them,
 * fixed): the fit never sees them, whoever adds rows later.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  fingerprint,
  resolveDevice,
  resolveModel,
  resolveQuant,
  weightsGB,
  type Backend,
  type Catalog,
  type DeviceSpec,
  type ServingPoint,
  type ServingRuntime,
  type ServingWorkload,
} from '../src/core/index.js';
import { root } from './calibration-points.js';

export const servingRunsPath = join(root, 'data', 'serving-runs.csv');

const optionalNumber = z
  .string()
  .transform((s) => (s.trim() === '' ? undefined : Number(s)))
  .pipe(z.number().positive().optional());

export const ServingRowSchema = z.object({
  device: z.string().min(1),
  backend: z.string().min(1),
  model: z.string().min(1),
  params_b: optionalNumber,
  active_params_b: optionalNumber,
  quant: z.string(),
  size_gb: optionalNumber,
  concurrency: z.coerce.number().int().positive(),
  prompt_tokens: optionalNumber,
  gen_tokens: optionalNumber,
  aggregate_tps: z.coerce.number().positive(),
  per_user_tps: optionalNumber,
  source: z.string().min(1),
  note: z.string().default(''),
});
export type ServingRow = z.infer<typeof ServingRowSchema>;

export interface ServingRun {
  row: ServingRow;
  point: ServingPoint;
  holdout: boolean;
}

export interface SkippedServingRun {
  row: ServingRow;
  why: string;
}

/** The Vulkan rows past 8 sequences fall off its 8-column mat-vec path: a software cliff its PR fixes. */
const SOFTWARE_CLIFF = /backend artifact|falls off the Vulkan/i;
/** Long prompts and short answers: the wall time is mostly prefill, the decode step is a small part of it. */
const PROMPT_BOUND = /prefill-dominated|prompt-bound/i;

function runtimeOf(backend: string): ServingRuntime | undefined {
  if (/vllm/i.test(backend)) return 'vllm';
  if (/llama\.cpp/i.test(backend)) return 'llama.cpp';
  if (/\bmlx\b/i.test(backend)) return 'mlx';
  return undefined;
}

/** The GPU API the runner used, where the row names one other than the catalog device's. */
function backendOf(backend: string): Backend | undefined {
  if (/vulkan/i.test(backend)) return 'vulkan';
  if (/rocm|hip/i.test(backend)) return 'rocm';
  if (/metal/i.test(backend)) return 'metal';
  if (/cuda/i.test(backend)) return 'cuda';
  return undefined;
}

/** A device the catalog does not know, from the figures its row states ("(128 GB LPDDR5X, 273 GB/s)"). */
function deviceFromRow(row: ServingRow): Pick<DeviceSpec, 'backend' | 'bandwidthGBs' | 'fp16Tflops'> | undefined {
  const bandwidth = /(\d+(?:\.\d+)?)\s*GB\/s/i.exec(row.device);
  const tflops = /(\d+(?:\.\d+)?)\s*TFLOPS/i.exec(row.device);
  const backend = backendOf(row.backend);
  if (!bandwidth || !tflops || !backend) return undefined;
  return { backend, bandwidthGBs: Number(bandwidth[1]), fp16Tflops: Number(tflops[1]) };
}

/** "FP16/BF16 (16-bit)" reads as F16; a vLLM run that states no quant serves the checkpoint's 16-bit weights. */
function quantName(row: ServingRow, runtime: ServingRuntime): string | undefined {
  const q = row.quant.trim();
  if (q === '') return runtime === 'vllm' ? 'BF16' : undefined;
  return q.split(/[\s/]/)[0] === 'MLX' ? q : q.split(/[\s/(]/)[0];
}

/** The KV cache type a llama.cpp command line sets (`-ctk q4_0`). */
const kvTypeOf = (note: string) => /-ctk\s+(\w+)/.exec(note)?.[1];

/** Per-token time a serving benchmark states beside its wall-time throughput. */
const tpotMsOf = (note: string) => {
  const m = /tpot(?:_p50)?\s+([\d.]+)\s*ms/i.exec(note);
  return m ? Number(m[1]) : undefined;
};

/** One wave of requests that stop early: "total generated tokens 22170 for 50 requests". */
const waveOf = (note: string) => {
  const m = /total generated tokens (\d+) for (\d+) requests/i.exec(note);
  return m ? { tokens: Number(m[1]), requests: Number(m[2]) } : undefined;
};

export function loadServingRuns(catalog: Catalog): { runs: ServingRun[]; skipped: SkippedServingRun[] } {
  const raw = parse(readFileSync(servingRunsPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  const rows = raw.map((r) => ServingRowSchema.parse(r));
  const runs: ServingRun[] = [];
  const skipped: SkippedServingRun[] = [];
  const previous = new Map<string, ServingRow>();
  for (const row of rows) {
    const skip = (why: string) => skipped.push({ row, why });
    const series = `${row.source}|${row.device}|${row.backend}|${row.model}|${row.quant}`;
    const before = previous.get(series);
    previous.set(series, row);
    const runtime = runtimeOf(row.backend);
    if (!runtime) {
      skip('runner is none of llama.cpp, vLLM, MLX');
      continue;
    }
    if (SOFTWARE_CLIFF.test(row.note)) {
      skip('Vulkan at 9 or more sequences: a software slowdown (the 8-column mat-vec cliff), not the hardware');
      continue;
    }
    if (PROMPT_BOUND.test(row.note)) {
      skip('prompt-bound (4.6K-token prompts, 70-token answers): the wall time is prefill, not the decode step');
      continue;
    }
    if (/fp8/i.test(row.quant)) {
      skip('FP8 weights and tensor math (twice the FP16 rate on Hopper and Blackwell), which the model does not take');
      continue;
    }
    if (before && before.concurrency < row.concurrency && row.aggregate_tps < before.aggregate_tps) {
      skip('aggregate falls as concurrency rises: queueing past saturation, which no batched step does');
      continue;
    }
    const model = resolveModel(catalog, row.model);
    if (!model.ok || model.value.estimated || model.value.model.architectureEstimated) {
      skip('model architecture not in the catalog (layers and KV heads would be guessed)');
      continue;
    }
    const resolved = resolveDevice(catalog, row.device);
    const backend = backendOf(row.backend);
    const device = resolved.ok
      ? {
          backend: backend ?? resolved.value.backend,
          bandwidthGBs: resolved.value.bandwidthGBs,
          fp16Tflops: resolved.value.fp16Tflops,
        }
      : deviceFromRow(row);
    if (!device) {
      skip('device not in the catalog, and its row states no bandwidth and FP16 TFLOPS');
      continue;
    }
    const name = quantName(row, runtime);
    const quant = name === undefined ? undefined : resolveQuant(catalog, name);
    if (!quant?.ok) {
      skip('quantization not stated or unknown');
      continue;
    }
    const spec = model.value.model;
    const weights = row.size_gb ?? weightsGB(spec, quant.value).gb;
    const kvType = kvTypeOf(row.note);
    const input = {
      device,
      model: spec,
      weightsGB: weights,
      family: quant.value.family,
      depthTokens: 0,
      ...(kvType ? { kvType } : {}),
      runtime,
    };
    const label = `${resolved.ok ? resolved.value.shortName : row.device} · ${spec.id} ${quant.value.id} · ${runtime}${backend && resolved.ok && backend !== resolved.value.backend ? ` ${backend}` : ''}`;
    const P = row.prompt_tokens;
    const G = row.gen_tokens;
    let concurrency = row.concurrency;
    let workload: ServingWorkload;
    let measured = row.aggregate_tps;
    let depth: number;
    if (/batched-bench/i.test(row.backend) || /llama-batched-bench/i.test(row.note)) {
      if (P === undefined || G === undefined) {
        skip('prompt or generated tokens not stated');
        continue;
      }
      workload = { kind: 'decode' };
      depth = P + G / 2;
    } else if (P !== undefined && G !== undefined) {
      const wave = waveOf(row.note);
      if (wave) {
        // One wave whose requests end early: the wall time runs to the longest answer (the cap), over
        // which the batch holds on average tokens / cap sequences.
        concurrency = wave.tokens / G;
        workload = { kind: 'closed-loop', promptTokens: P, genTokens: G, prompts: wave.requests };
        depth = P + wave.tokens / wave.requests / 2;
      } else {
        workload = { kind: 'closed-loop', promptTokens: P, genTokens: G, prompts: row.concurrency };
        depth = P + G / 2;
      }
    } else {
      const tpot = tpotMsOf(row.note);
      if (tpot === undefined) {
        skip('prompt and output lengths not stated, nor a time per output token');
        continue;
      }
      // The wall-time throughput mixes in prefill of a workload whose lengths are not stated; the
      // time per output token is the decode step itself. A short chat: depth assumed 512 tokens.
      workload = { kind: 'decode' };
      measured = (row.concurrency * 1000) / tpot;
      depth = 512;
    }
    const point: ServingPoint = {
      label: `${label} · B=${row.concurrency}`,
      input: { ...input, depthTokens: depth },
      concurrency,
      workload,
      aggregateTokensPerSec: measured,
    };
    const holdout = parseInt(fingerprint(`${row.source}|${row.device}|${row.model}|${row.concurrency}`), 16) % 3 === 0;
    runs.push({ row, point, holdout });
  }
  return { runs, skipped };
}
