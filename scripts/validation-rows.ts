/**
 * Reading a validation row: the device string to an ad-hoc DeviceSpec (chip TFLOPS, memory and
 * bandwidth fallbacks, the host's RAM from the note), the depth, the quant and the catalog model.
 */
import { z } from 'zod';
import { resolveModel, resolveQuant, type Catalog, type CatalogModel } from '../src/core/index.js';
import { SpeedRowSchema, statedFlashAttention, statedMicroBatch } from './calibration-points.js';
export const RowSchema = SpeedRowSchema;
export type Row = z.infer<typeof RowSchema>;

/**
 * Dense FP16 tensor TFLOPS per GPU (Apple: GPU ALU rate), by chip. Values copied from
 * data/calibration-inputs.json and data/hardware.json; chips found in neither are left out, so
 * their prefill is not estimated. Order matters: more specific patterns first.
 */
const FP16_TFLOPS: [RegExp, number, string][] = [
  [/DGX Spark|GB10/, 125, 'calibration-inputs.json "NVIDIA DGX Spark GB10"; hardware.json dgx-spark'],
  [/RTX PRO 6000 Blackwell/, 503.8, 'calibration-inputs.json "NVIDIA RTX PRO 6000 Blackwell WS 96GB"'],
  [/RTX 6000 Ada/, 364.2, 'calibration-inputs.json "NVIDIA RTX 6000 Ada 48GB"'],
  [/RTX A6000/, 154.8, 'calibration-inputs.json "NVIDIA RTX A6000 48GB"'],
  [/H100 PCIe/, 756, 'calibration-inputs.json "NVIDIA H100 PCIe 80GB"'],
  [/RTX 5090/, 419, 'calibration-inputs.json; hardware.json rtx-5090'],
  [/RTX 4090/, 330.3, 'calibration-inputs.json; hardware.json rtx-4090'],
  [/RTX 4080/, 194.9, 'calibration-inputs.json "NVIDIA RTX 4080 16GB"'],
  [/RTX 3090/, 142, 'calibration-inputs.json; hardware.json rtx-3090'],
  [/M2 Ultra \(76-core/, 27.2, 'calibration-inputs.json "Apple M2 Ultra (76-core GPU, 800 GB/s)"'],
  [/M3 Ultra \(80-core/, 32.8, 'hardware.json mac-studio-m3-ultra-512gb'],
  [/M4 Max \(40-core/, 18.4, 'calibration-inputs.json; hardware.json mac-studio-m4-max-128gb'],
  [/M3 Max \(40-core/, 16.4, 'calibration-inputs.json "Apple M3 Max 40-core GPU"'],
  [/M1 Max \(32-core/, 10.4, 'calibration-inputs.json "Apple M1 Max 32-core GPU 64GB"'],
  // Not in either file, so omitted: M1 Ultra 64-core, M2 Max 38-core, M1 Max (cores unknown), RTX 4070.
];

/** The FP16 TFLOPS the calibration used for a device string's chip, where the table has it. */
export const fp16Of = (device: string) => FP16_TFLOPS.find(([re]) => re.test(device))?.[1];

/** For device strings that do not state a figure themselves. */
const DEVICE_FALLBACK: [RegExp, { memoryGB?: number; bandwidthGBs?: number }, string][] = [
  [/DGX Spark/, { memoryGB: 128 }, 'NVIDIA spec: 128 GB LPDDR5X unified (hardware.json dgx-spark)'],
  [
    /M3 Ultra \(80-core/,
    { memoryGB: 512 },
    'pp512 row of the notes-file run: its tg128 row states 498216 MB working set => 512GB Mac Studio',
  ],
  [
    /M4 Max \(40-core/,
    { memoryGB: 128 },
    'itsmostafa result path "macbook-pro-m4-max-128gb-40-core-gpu"; README rows say MacBook Pro 128GB',
  ],
];

/** CSV quant labels the catalog does not spell that way (after dropping any parenthetical). */
const QUANT_MAP: Record<string, string> = {
  'MLX 4bit': 'MLX-4bit',
  'MLX 8bit': 'MLX-8bit',
  'GGUF 4bit': 'Q4_K_M', // "likely Q4_K_M; not stated"
  'MLX MXFP4-Q8': 'MXFP4', // mlx-community gpt-oss: the same MXFP4 expert weights, 8-bit for the rest
};

interface DeviceInput {
  name: string;
  memoryGB: number;
  bandwidthGBs: number;
  backend: 'metal' | 'cuda';
  gpus: number;
  unified?: boolean;
  fp16Tflops?: number;
  systemMemoryGB?: number;
  systemBandwidthGBs?: number;
}

function fallbackFor(device: string) {
  return DEVICE_FALLBACK.find(([re]) => re.test(device))?.[1] ?? {};
}

/** Apple RAM is rarely in the device string; the note names the machine ("Mac Studio 192GB"). */
function appleMemoryFromNote(note: string): number | undefined {
  const m =
    /(?:Mac Studio|MacBook Pro|M\d (?:Max|Ultra|Pro))[^;]*?(\d+)\s?GB\b(?!\/s)/.exec(note) ??
    /(\d+)\s?GB Mac Studio/.exec(note);
  return m ? Number(m[1]) : undefined;
}

/** Host RAM of an offload row, when the note states size and type ("64 GB DDR5-6000 ... dual channel"). */
function hostFromNote(note: string): { systemMemoryGB?: number; systemBandwidthGBs?: number } {
  const m = /(\d+)\s?GB DDR\d-(\d+)/.exec(note);
  if (!m) return {};
  const channels = /\bdual[- ]channel/i.test(note)
    ? 2
    : /\bquad[- ]channel/i.test(note)
      ? 4
      : /\bocta[- ]channel|eight[- ]channel/i.test(note)
        ? 8
        : undefined;
  return {
    systemMemoryGB: Number(m[1]),
    // MT/s x 8 bytes per 64-bit channel.
    ...(channels !== undefined ? { systemBandwidthGBs: (Number(m[2]) * 8 * channels) / 1000 } : {}),
  };
}

export function parseDevice(row: Row): DeviceInput | string {
  const s = row.device;
  // The offload fit leaves this fork out too: its CPU kernels are its own, and two runs cannot fit them.
  if (/ik_llama/i.test(row.backend)) return 'ik_llama.cpp: a fork with its own CPU kernels, not the runtime modelled';
  const fb = fallbackFor(s);
  const bw = /(\d+(?:\.\d+)?)\s*(GB|TB)\/s/.exec(s);
  const bandwidthGBs = bw ? Number(bw[1]) * (bw[2] === 'TB' ? 1000 : 1) : fb.bandwidthGBs;
  const apple = /\bApple\b/.test(s);
  const mem = /(\d+)\s?GB\b(?!\/s)/.exec(s);
  const memoryGB = mem ? Number(mem[1]) : ((apple ? appleMemoryFromNote(row.note) : undefined) ?? fb.memoryGB);
  if (bandwidthGBs === undefined) return 'no bandwidth in the device string or fallback table';
  if (memoryGB === undefined) return 'no memory size in the device string, note or fallback table';
  const gpusM = /^(\d+)x\s/.exec(s);
  const backend = /metal|mlx/i.test(row.backend) ? 'metal' : 'cuda';
  const fp16 = FP16_TFLOPS.find(([re]) => re.test(s))?.[1];
  const offloadRow = /offload/i.test(row.backend) || /\+ CPU/.test(s);
  const host = offloadRow ? hostFromNote(row.note) : {};
  return {
    name: s.slice(0, 120),
    memoryGB,
    bandwidthGBs,
    backend,
    gpus: gpusM ? Number(gpusM[1]) : 1,
    ...(apple || /DGX Spark/.test(s) ? { unified: true } : {}),
    ...(fp16 !== undefined ? { fp16Tflops: fp16 } : {}),
    ...host,
  };
}

/**
 * The placement an offload row's note states: `-ngl N`, `--n-cpu-moe N`, or every expert on the CPU
 * (`--cpu-moe`, `-ot exps=CPU`); and Ollama's own layer split for Ollama rows.
 */
export function placementOf(row: Row): { gpuLayers?: number; cpuMoeLayers?: number | 'all'; runtime?: 'ollama' } {
  const n = row.note;
  const ngl = /-ngl (\d+)/.exec(n);
  const cpuMoe = /--n-cpu-moe (\d+)/.exec(n);
  const allExperts = /--cpu-moe\b|-ot exps=CPU|exps=CPU/.test(n);
  return {
    ...(/ollama/i.test(row.backend) ? { runtime: 'ollama' as const } : {}),
    ...(allExperts ? { cpuMoeLayers: 'all' as const } : cpuMoe ? { cpuMoeLayers: Number(cpuMoe[1]) } : {}),
    ...(ngl && !allExperts && !cpuMoe && Number(ngl[1]) < 99 ? { gpuLayers: Number(ngl[1]) } : {}),
  };
}

/**
 * A prompt row's prompt length, micro-batch and FlashAttention as its context and note state them
 * ("pp4096", "pp 2048", llama-bench's "-ub 2048", "-fa 1"); absent, the estimate's defaults.
 */
export function promptOf(row: Row): { promptTokens?: number; microBatch?: number; flashAttention?: boolean } {
  if (row.metric !== 'pp') return {};
  const p = /\bpp\s?(\d+)/i.exec(row.context);
  const ub = statedMicroBatch(row.note);
  // FlashAttention as the run states it; unstated, the estimate takes its build's default.
  const fa = statedFlashAttention(`${row.backend} ${row.note}`);
  return {
    ...(p ? { promptTokens: Number(p[1]) } : {}),
    ...(ub !== undefined ? { microBatch: ub } : {}),
    ...(fa !== undefined ? { flashAttention: fa } : {}),
  };
}

/** Average context depth while the measured tokens were generated (prefill: 0). */
export function parseDepth(row: Row): { depth: number; basis: string } {
  if (row.metric === 'pp') return { depth: 0, basis: 'prefill' };
  const c = row.context;
  let base: number | undefined;
  const d = /(?:^|[\s@~(])d(\d+)/.exec(c) ?? /N_KV (\d+)/.exec(c) ?? /depth (\d+)/i.exec(c);
  if (d) base = Number(d[1]);
  else {
    const p = /~?(\d+(?:\.\d+)?)(K?)-token prompt/i.exec(c);
    if (p) base = Number(p[1]) * (p[2] ? 1000 : 1);
  }
  const g = /\btg(\d+)/i.exec(c) ?? /(\d+) tokens generated/.exec(c) ?? /gen ~?(\d+) tokens/.exec(c);
  const gen = g ? Number(g[1]) : undefined;
  if (base === undefined && gen === undefined) return { depth: 128, basis: 'default' };
  return { depth: Math.round((base ?? 0) + (gen ?? 0) / 2), basis: 'parsed' };
}

export function mapQuant(catalog: Catalog, text: string): string | undefined {
  const head = text.replace(/\s*\(.*$/, '').trim();
  const id = QUANT_MAP[head] ?? head;
  const q = resolveQuant(catalog, id);
  return q.ok ? q.value.id : undefined;
}

/** The catalog model for the row, if it resolves to a real model of the same size (not a phantom, not a shape estimated from the size). */
export function catalogModel(catalog: Catalog, row: Row): CatalogModel | undefined {
  const text = row.model;
  const candidates = [text, text.replace(/\s*\(.*\)\s*$/, '')];
  const tag = /\(ollama ([^)]+)\)/.exec(text);
  if (tag) candidates.push(tag[1]!);
  for (const c of candidates) {
    const r = resolveModel(catalog, c);
    if (!r.ok || r.value.phantom || r.value.estimated) continue;
    const m = r.value.model;
    if (Math.abs(m.paramsB / row.params_b - 1) <= 0.05) return m;
  }
  return undefined;
}
