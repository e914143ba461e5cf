/**
 * Reads ../shared/calibration-llm-speed.csv (or CALIBRATION_CSV) and the measured runs of
 * data/calibration-inputs.json (`runs`: MoE models, which the CSV lacks) into calibration points,
 * with the device and model specs of data/calibration-inputs.json. A third of the added runs'
 * source|device series is held out of the fit by a hash. Shared by `npm run calibrate` and the
 * test that keeps data/calibration.json in step with the CSV.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  BackendSchema,
  FigureSchema,
  fingerprint,
  generationOf,
  isEarlierBuild,
  isEarlierPromptBuild,
  flashAttentionByDefault,
  type Backend,
  type CalibrationPoint,
  type ModelSpec,
  type QuantFamily,
} from '../src/core/index.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const csvPath = process.env.CALIBRATION_CSV ?? resolve(root, '..', 'shared', 'calibration-llm-speed.csv');

const InputsSchema = z.object({
  devices: z.record(
    z.string(),
    z.object({ backend: BackendSchema, bandwidthGBs: FigureSchema, fp16Tflops: FigureSchema }),
  ),
  models: z.record(
    z.string(),
    z.object({
      layers: z.number().int(),
      kvHeads: z.number().int(),
      headDim: z.number().int(),
      embeddingParamsB: z.number(),
      tiedEmbeddings: z.boolean(),
      slidingWindow: z.number().int().optional(),
      globalLayers: z.number().int().optional(),
      experts: z.number().int().positive().optional(),
      activeExperts: z.number().int().positive().optional(),
    }),
  ),
  runs: z.array(z.record(z.string(), z.string())).default([]),
});

/** One row of a speed CSV (the calibration file and the holdout file share the columns). */
export const SpeedRowSchema = z.object({
  device: z.string(),
  backend: z.string(),
  model: z.string(),
  params_b: z.coerce.number().positive(),
  active_params_b: z.coerce.number().positive(),
  quant: z.string(),
  size_gb: z.string(),
  metric: z.enum(['tg', 'pp']),
  context: z.string(),
  value: z.coerce.number().positive(),
  source: z.string(),
  note: z.string().default(''),
});

/** The CSV's quant names, by kernel family and file-level bits per weight (llama.cpp README). */
const CSV_QUANTS: Record<string, { family: QuantFamily; bpw: number }> = {
  F16: { family: 'float', bpw: 16 },
  Q8_0: { family: 'legacy', bpw: 8.5 },
  Q4_0: { family: 'legacy', bpw: 4.5 },
  Q4_K_M: { family: 'k-quant', bpw: 4.89 },
  'MLX 4bit': { family: 'mlx', bpw: 4.5 },
  MXFP4: { family: 'mxfp4', bpw: 4.25 },
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * When each chip first shipped in a machine that runs llama.cpp (Apple: the first Macs; the M4 was in
 * an iPad from May 2024, in Macs from November 2024; the M3 Ultra came in March 2025): a run dated
 * only by its post or table is never older than its chip. A run whose source names its build and
 * that build's date ("build 8e672ef 2023-11-21": llama.cpp discussion #4167 asks every machine,
 * M4s included, to check out that commit) is dated by the build, whatever the chip.
 */
const CHIP_FIRST_SHIPPED: [RegExp, string][] = [
  [/\bM5\b/, '2025-10'],
  [/\bM4\b/, '2024-11'],
  [/\bM3 Ultra\b/, '2025-03'],
  [/\bM3\b/, '2023-10'],
  [/\bM2\b/, '2022-06'],
  [/\bM1\b/, '2020-11'],
  [/DGX Spark|GB10/, '2025-10'],
  [/RTX PRO \d+ Blackwell|\bRTX 50[5-9]0\b/, '2025-01'],
];

const MONTH = '(0[1-9]|1[0-2])';

/**
 * The month (YYYY-MM) of a run's llama.cpp build: the date of a build its source names ("build
 * 8e672ef 2023-11-21"); else a "Dec 2023 snapshot" in its note or the first ISO date in its source
 * or note, never before its chip shipped; undefined when nothing dates it.
 */
/** The micro-batch a run's note states (llama-bench `-ub 2048`, `--ubatch-size 2048`), if any. */
export function statedMicroBatch(note: string | undefined): number | undefined {
  const m = /(?:^|[\s(;,])(?:-ub|--ubatch-size)[\s=](\d+)/.exec(note ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a run states FlashAttention on or off (llama-bench `-fa 1` / `-fa 0`, `--flash-attn on`,
 * "flash attention on"); undefined when it says nothing. Any mention that is not an "off" is an "on":
 * a run notes FlashAttention because it used it.
 */
export function statedFlashAttention(text: string | undefined): boolean | undefined {
  const t = text ?? '';
  if (/(?:-fa|--flash-attn)[\s=](?:0|off)\b|flash[- ]?att(?:ention|n) (?:off|disabled)|without flash[- ]?att/i.test(t))
    return false;
  if (/(?:^|[\s(,;])(?:-fa|--flash-attn)(?=$|[\s=),;])|flash[- ]?att(?:ention|n)/i.test(t)) return true;
  return undefined;
}

/** FlashAttention in a run: as it states, else its build's default (off before September 2025). */
export const flashAttentionOf = (row: { device: string; backend: string; source: string; note: string }): boolean =>
  statedFlashAttention(`${row.backend} ${row.note}`) ?? flashAttentionByDefault(buildMonthOf(row));

export function buildMonthOf(row: { device: string; source: string; note: string }): string | undefined {
  const text = `${row.source} ${row.note}`;
  const named = new RegExp(`\\bbuild [0-9a-f]{7,40}\\b(?: \\(\\d+\\))?[;,]? (20\\d\\d)-${MONTH}\\b`).exec(text);
  if (named) return `${named[1]}-${named[2]}`;
  const snapshot = /\b([A-Z][a-z]{2})[a-z]* (20\d\d) snapshot/.exec(row.note);
  const month = snapshot ? MONTHS.indexOf(snapshot[1]!.toLowerCase()) : -1;
  const iso = new RegExp(`\\b(20\\d\\d)-${MONTH}(?:-\\d\\d)?\\b`).exec(text);
  const stated =
    snapshot && month >= 0
      ? `${snapshot[2]}-${String(month + 1).padStart(2, '0')}`
      : iso
        ? `${iso[1]}-${iso[2]}`
        : undefined;
  if (stated === undefined) return undefined;
  const shipped = CHIP_FIRST_SHIPPED.find(([re]) => re.test(row.device))?.[1];
  return shipped !== undefined && shipped > stated ? shipped : stated;
}

/** A run whose build predates its backend's fixed-cost change (FIXED_COST_CHANGES). */
export const launchBound = (backend: Backend, row: { device: string; source: string; note: string }): boolean =>
  isEarlierBuild(backend, buildMonthOf(row));

/** A run whose build predates its backend's prompt-kernel change (PROMPT_KERNEL_CHANGES). */
export const olderPromptKernels = (backend: Backend, row: { device: string; source: string; note: string }): boolean =>
  isEarlierPromptBuild(backend, buildMonthOf(row));

/** Average context depth while the measured tokens were generated. */
function depthOf(context: string): number {
  const d = /d(\d+)/.exec(context);
  if (d) return Number(d[1]);
  const tg = /tg(\d+)/.exec(context);
  if (tg) return Number(tg[1]) / 2;
  return 128;
}

type Inputs = z.infer<typeof InputsSchema>;

const readInputs = (): Inputs =>
  InputsSchema.parse(JSON.parse(readFileSync(join(root, 'data', 'calibration-inputs.json'), 'utf8')));

/** An added run is held out of the fit when the hash of its source and device falls on 0 mod 3. */
const heldOut = (row: z.infer<typeof SpeedRowSchema>) =>
  parseInt(fingerprint(`${row.source}|${row.device}`), 16) % 3 === 0;

/** The CSV's runs and the fit two thirds of data/calibration-inputs.json's own runs. */
export function loadPoints(): CalibrationPoint[] {
  const inputs = readInputs();
  const rows = parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  const csv = rows.map((raw, i) => pointOf(inputs, SpeedRowSchema.parse(raw), `CSV line ${i + 2}`));
  const added = inputs.runs.map((raw) => SpeedRowSchema.parse(raw)).filter((row) => !heldOut(row));
  return [...csv, ...added.map((row, i) => pointOf(inputs, row, `calibration-inputs.json run ${i + 1}`))];
}

/** The held-out third of data/calibration-inputs.json's runs: never fitted, printed by `npm run calibrate`. */
export function loadHeldOutRuns(): CalibrationPoint[] {
  const inputs = readInputs();
  const added = inputs.runs.map((raw) => SpeedRowSchema.parse(raw)).filter(heldOut);
  return added.map((row, i) => pointOf(inputs, row, `calibration-inputs.json held-out run ${i + 1}`));
}

function pointOf(inputs: Inputs, row: z.infer<typeof SpeedRowSchema>, where: string): CalibrationPoint {
  const device = inputs.devices[row.device];
  const arch = inputs.models[row.model];
  const quant = CSV_QUANTS[row.quant];
  if (!device || !arch || !quant) throw new Error(`${where}: no spec for ${row.device} / ${row.model} / ${row.quant}`);
  const model: ModelSpec = {
    id: row.model,
    name: row.model,
    paramsB: row.params_b,
    activeParamsB: row.active_params_b,
    embeddingParamsB: arch.embeddingParamsB,
    tiedEmbeddings: arch.tiedEmbeddings,
    layers: arch.layers,
    kvHeads: arch.kvHeads,
    headDim: arch.headDim,
    maxContext: 131072,
    attention:
      arch.slidingWindow !== undefined
        ? { kind: 'sliding', window: arch.slidingWindow, globalLayers: arch.globalLayers ?? 0 }
        : { kind: 'full' },
    fileGB: {},
    architectureEstimated: false,
    ...(arch.experts !== undefined && arch.activeExperts !== undefined
      ? { moe: { experts: arch.experts, activeExperts: arch.activeExperts } }
      : {}),
  };
  const size = row.size_gb.trim() === '' ? (row.params_b * quant.bpw) / 8 : Number(row.size_gb);
  return {
    device: row.device,
    backend: device.backend,
    bandwidthGBs: device.bandwidthGBs.value,
    fp16Tflops: device.fp16Tflops.value,
    model,
    weightsGB: size,
    family: quant.family,
    metric: row.metric,
    depthTokens: row.metric === 'pp' ? 0 : depthOf(row.context),
    ...(row.metric === 'pp' ? { promptTokens: Number(/\bpp(\d+)/.exec(row.context)?.[1] ?? 512) } : {}),
    ...(row.metric === 'pp' && statedMicroBatch(row.note) !== undefined
      ? { microBatch: statedMicroBatch(row.note) }
      : {}),
    ...(row.metric === 'pp' && !flashAttentionOf(row) ? { flashAttention: false } : {}),
    value: row.value,
    ...(launchBound(device.backend, row) ? { launchBound: true } : {}),
    ...(olderPromptKernels(device.backend, row) ? { olderPromptKernels: true } : {}),
    ...generationOf(device.backend, row.device),
    source: row.source,
  };
}
