/**
 * Reads data/offload-runs.csv (measured runs with part of the model in host RAM) into `estimate`
 * queries: the GPU from the catalog, the host's RAM bandwidth from its type, speed and channels,
 * the placement the run used (`-ngl`, `--n-cpu-moe`, or llama.cpp's own `--fit`). Rows the model
 * cannot stand for are skipped with the reason: another runtime's CPU kernels (KTransformers,
 * ik_llama.cpp), runs the source itself doubts, a model whose layout the catalog does not know, or
 * a host whose RAM bandwidth nothing states. A third of the sources (by a hash of source|device,
 * as the other fits) is held out of the fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { fingerprint, resolveDevice, resolveModel, type Backend, type Catalog } from '../src/core/index.js';
import { root } from './calibration-points.js';
import { mapQuant } from './validation-rows.js';

const RowSchema = z.object({
  device: z.string(),
  host: z.string(),
  host_ram_gb: z.string(),
  host_ram: z.string(),
  host_channels: z.string(),
  backend: z.string(),
  model: z.string(),
  params_b: z.coerce.number().positive(),
  active_params_b: z.coerce.number().positive(),
  quant: z.string(),
  size_gb: z.string(),
  gpu_layers: z.string(),
  total_layers: z.string(),
  cpu_moe_layers: z.string(),
  metric: z.enum(['tg', 'pp']),
  context: z.string(),
  value: z.coerce.number().positive(),
  source: z.string(),
  note: z.string(),
});
export type OffloadRow = z.infer<typeof RowSchema>;

/**
 * Rated memory speed of hosts whose rows say "DDR4 (speed not stated)": the CPU's specification
 * (Intel ARK: Core i9-10900X supports DDR4-2933, four channels).
 */
const RATED_MTS: [RegExp, number][] = [[/i9-10900X/, 2933]];

/** Models named differently from the catalog model whose architecture they share (per their configs). */
const SHAPES: Record<string, string> = { 'Qwen3-Coder-Next': 'Qwen3-Next-80B-A3B' };

/** Catalog spellings of the quant labels these rows use. */
const QUANTS: Record<string, string> = { 'UD-Q4_K_XL': 'Q4_K_M', 'UD-Q5_K_XL': 'Q5_K_M', 'UD-IQ1_S': 'IQ1_S' };

export interface OffloadPoint {
  row: OffloadRow;
  label: string;
  query: { device: { backend: Backend } & Record<string, unknown> } & Record<string, unknown>;
  /** Held out of the fit (a third of source|device pairs, by hash). */
  holdout: boolean;
}

/** `-ngl` / `--n-cpu-moe` as the row states it; `fit` is llama.cpp's automatic placement. */
const layersField = (s: string) =>
  s === 'all' ? 'all' : s === 'fit' ? 'fit' : /^\d+$/.test(s) ? Number(s) : undefined;

/** A source is its address; the words after it (author, date) do not make it another source. */
const sourceKey = (source: string) => source.split(/\s/)[0]!;

export const isHeldOut = (row: Pick<OffloadRow, 'source' | 'device'>) =>
  parseInt(fingerprint(`${sourceKey(row.source)}|${row.device}`), 16) % 3 === 0;

/** RAM size matters only for the fit test: a run whose host RAM is unstated is assumed to have had room. */
const UNSTATED_RAM_GB = 1024;

/** Tokens in the context while the measured tokens ran: the prompt, plus half the generated run. */
export function depthOf(context: string, metric: 'tg' | 'pp'): number {
  const prompt = /([\d,]+)-token prompt/.exec(context);
  const promptTokens = prompt ? Number(prompt[1]!.replace(/,/g, '')) : 0;
  if (metric === 'pp') return 0;
  const gen = /(\d+) tokens after/.exec(context) ?? /\btg(\d+)/.exec(context);
  const k = /at (\d+)k context/.exec(context);
  if (k) return Number(k[1]) * 1000;
  return Math.round(promptTokens + (gen ? Number(gen[1]) / 2 : 64));
}

function hostBandwidth(row: OffloadRow): number | undefined {
  const channels = Number(row.host_channels);
  if (!Number.isInteger(channels) || channels < 1) return undefined;
  const stated = /DDR\d-(\d{4})/.exec(row.host_ram);
  const rated = RATED_MTS.find(([re]) => re.test(row.host))?.[1];
  const mts = stated ? Number(stated[1]) : rated;
  // MT/s x 8 bytes per 64-bit channel.
  return mts ? (mts * 8 * channels) / 1000 : undefined;
}

export function loadOffloadRuns(catalog: Catalog): {
  points: OffloadPoint[];
  skipped: { label: string; why: string }[];
} {
  const raw = parse(readFileSync(join(root, 'data', 'offload-runs.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as unknown[];
  const points: OffloadPoint[] = [];
  const skipped: { label: string; why: string }[] = [];
  for (const r of raw) {
    const row = RowSchema.parse(r);
    const label = `${row.device.slice(0, 26)} + ${row.host.slice(0, 20)} | ${row.model.slice(0, 22)} | ${row.metric} ${row.context.slice(0, 24)}`;
    const skip = (why: string) => void skipped.push({ label, why });
    if (/KTransformers/i.test(row.backend)) {
      skip('KTransformers: its own CPU kernels, not the llama.cpp placement modelled');
      continue;
    }
    if (/ik_llama/i.test(row.backend)) {
      // A runtime of its own (fused MoE, its own CPU matmuls): one host's runs are too few to fit
      // its CPU efficiency, and folding them into llama.cpp's would blur both.
      skip('ik_llama.cpp: a runtime with its own CPU kernels, too few runs to fit its own efficiency');
      continue;
    }
    if (/DOUBTFUL/.test(row.note)) {
      skip('the source doubts the run (decode far below its host, unexplained)');
      continue;
    }
    const gpu = resolveDevice(catalog, row.device.replace(/\s+\d+\s?GB\b/, ''));
    if (!gpu.ok || gpu.value.unified) {
      skip('GPU not stated or not in the catalog');
      continue;
    }
    const shape = resolveModel(catalog, SHAPES[row.model] ?? row.model);
    if (!shape.ok || shape.value.model.architectureEstimated) {
      skip('model not in the catalog: its expert layout (experts, active experts) is unknown');
      continue;
    }
    // Speed depends on the RAM's bandwidth; its size only decides whether the run fits.
    const bw = hostBandwidth(row);
    if (bw === undefined) {
      skip('host RAM speed or channels not stated (the offload speed depends on them)');
      continue;
    }
    const ram = Number(row.host_ram_gb) > 0 ? Number(row.host_ram_gb) : UNSTATED_RAM_GB;
    const quant = mapQuant(catalog, QUANTS[row.quant.replace(/\s*\(.*$/, '')] ?? row.quant);
    if (!quant) {
      skip(`quant "${row.quant}" not in the catalog`);
      continue;
    }
    const gpuLayers = layersField(row.gpu_layers);
    const cpuMoe = layersField(row.cpu_moe_layers);
    if (gpuLayers === undefined && cpuMoe === undefined) {
      skip('placement (-ngl, --n-cpu-moe) not stated');
      continue;
    }
    // `--fit`: llama.cpp places it itself, as the estimate does when no placement is set.
    const auto = gpuLayers === 'fit' || cpuMoe === 'fit';
    const d = gpu.value;
    const depth = depthOf(row.context, row.metric);
    const layers = Number(row.total_layers);
    points.push({
      row,
      label,
      query: {
        id: label,
        device: {
          name: d.name,
          memoryGB: d.memoryGB,
          bandwidthGBs: d.bandwidthGBs,
          backend: d.backend,
          gpus: d.gpus,
          fp16Tflops: d.fp16Tflops,
          systemMemoryGB: ram,
          systemBandwidthGBs: bw,
        },
        model: {
          name: SHAPES[row.model] ?? row.model,
          paramsB: row.params_b,
          activeParamsB: row.active_params_b,
          quant,
          ...(Number(row.size_gb) > 0 ? { fileGB: Number(row.size_gb) } : {}),
          ...(Number.isInteger(layers) && layers > 0 ? { layers } : {}),
        },
        quant,
        ...(!auto && typeof gpuLayers === 'number' ? { gpuLayers } : {}),
        ...(!auto && cpuMoe !== undefined ? { cpuMoeLayers: cpuMoe } : {}),
        ...(auto ? { runtime: 'llama.cpp' } : {}),
        depthTokens: depth,
        contextTokens: Math.max(4096, depth + 1024),
      },
      holdout: isHeldOut(row),
    });
  }
  return { points, skipped };
}
