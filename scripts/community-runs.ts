/**
 * Community reports (issue 18) as calibration runs: `npm run reports:export` writes the approved
 * ones in the calibration CSV's columns (../shared/calibration-llm-speed.csv), one row per measured
 * figure, with the report's id as its source; `npm run calibrate -- --with-community FILE` reads
 * them back as calibration points. Devices, models and quants are catalog ids, so their specs come
 * from the catalog rather than data/calibration-inputs.json.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import {
  estimateOne,
  resolveDevice,
  resolveQuant,
  type Backend,
  type CalibrationPoint,
  type Catalog,
} from '../src/core/index.js';
import type { CommunityReport } from '../src/store/store.js';
import { SpeedRowSchema } from './calibration-points.js';

export const CSV_HEADER = [
  'device',
  'backend',
  'model',
  'params_b',
  'active_params_b',
  'quant',
  'size_gb',
  'metric',
  'context',
  'value',
  'source',
  'note',
] as const;

const BACKEND_WORDS: Record<Backend, string> = {
  cuda: 'CUDA',
  metal: 'Metal',
  rocm: 'ROCm',
  vulkan: 'Vulkan',
  cpu: 'CPU',
};
const RUNTIME_WORDS: Record<string, string> = {
  'llama.cpp': 'llama.cpp',
  ollama: 'Ollama (llama.cpp)',
  'lm-studio': 'LM Studio',
  mlx: 'MLX',
};

/** "llama.cpp CUDA", "MLX", "Ollama (llama.cpp) Metal": the runtime as the shared CSV names it, then the device's backend. */
function backendOf(r: CommunityReport, backend: Backend | undefined): string {
  const runtime = r.runtime ? (RUNTIME_WORDS[r.runtime] ?? r.runtime) : '';
  if (runtime === 'MLX') return runtime;
  return [runtime, backend ? BACKEND_WORDS[backend] : ''].filter(Boolean).join(' ');
}

const round3 = (x: number) => String(Math.round(x * 1000) / 1000);

/**
 * The CSV rows of approved reports: a `tg` row for a decode figure ("tg @ d<N>": decoded after N
 * tokens of context, the depth plus the prompt) and a `pp` row for a prefill one ("pp<prompt> @
 * d<depth>"), each sourced "whichgpu community report #<id> (<platform>:<server>, <date>)".
 */
export function communityRows(catalog: Catalog, reports: readonly CommunityReport[]): string[][] {
  const rows: string[][] = [];
  for (const r of reports) {
    if (r.status !== 'approved') continue;
    const device = catalog.device(r.device);
    const model = catalog.model(r.model);
    const estimate = estimateOne(catalog, { device: r.device, model: r.model, ...(r.quant ? { quant: r.quant } : {}) });
    const names = [
      device?.name ?? r.device,
      model?.name ?? r.model,
      r.runtimeVersion ? `build ${r.runtimeVersion}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const note = `${names}; approved ${r.reviewedAt?.slice(0, 10) ?? ''}${r.flagged ? "; outside the estimate's band when reported" : ''}`;
    const common = [
      r.device,
      backendOf(r, device?.backend),
      r.model,
      model ? String(model.paramsB) : '',
      model ? String(model.activeParamsB) : '',
      r.quant ?? (estimate.ok ? estimate.value.quant : ''),
      estimate.ok ? round3(estimate.value.memory.weightsGB) : '',
    ];
    const source = `whichgpu community report #${r.id} (${r.platform}:${r.serverId}, ${r.reportedAt.slice(0, 10)})`;
    if (r.decodeTokensPerSec !== null)
      rows.push([
        ...common,
        'tg',
        `tg @ d${r.depthTokens + (r.promptTokens ?? 0)}`,
        String(r.decodeTokensPerSec),
        source,
        note,
      ]);
    if (r.prefillTokensPerSec !== null)
      rows.push([
        ...common,
        'pp',
        `pp${r.promptTokens ?? 512} @ d${r.depthTokens}`,
        String(r.prefillTokensPerSec),
        source,
        note,
      ]);
  }
  return rows;
}

/** One CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function toCsv(rows: readonly (readonly string[])[]): string {
  return [CSV_HEADER, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** What `loadCommunityPoints` read, and the rows it left out with why. */
export interface CommunityPoints {
  points: CalibrationPoint[];
  skipped: { source: string; why: string }[];
}

/**
 * The exported rows as calibration points, the specs from the catalog. Left out: a device the
 * fit has no backend for (it fits CUDA and Metal from the shared CSV), and a run the model does not
 * fit in GPU memory for (offload is fitted apart, on data/offload-runs.csv).
 */
export function loadCommunityPoints(catalog: Catalog, path: string, backends: ReadonlySet<Backend>): CommunityPoints {
  const raw = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  const points: CalibrationPoint[] = [];
  const skipped: CommunityPoints['skipped'] = [];
  raw.forEach((r, i) => {
    const row = SpeedRowSchema.parse(r);
    const skip = (why: string) => void skipped.push({ source: row.source || `line ${i + 2}`, why });
    const device = resolveDevice(catalog, row.device);
    const model = catalog.model(row.model);
    const quant = resolveQuant(catalog, row.quant);
    if (!device.ok || !model || !quant.ok)
      return skip(`not in the catalog: ${row.device} / ${row.model} / ${row.quant}`);
    if (!backends.has(device.value.backend)) return skip(`no ${device.value.backend} fit to add it to`);
    const depth = Number(/\bd(\d+)/.exec(row.context)?.[1] ?? 0);
    const estimate = estimateOne(catalog, {
      device: device.value.id,
      model: model.id,
      quant: quant.value.id,
      depthTokens: depth,
    });
    if (!estimate.ok || estimate.value.fit !== 'gpu')
      return skip('does not fit in GPU memory (offload is fitted apart)');
    points.push({
      device: row.device,
      backend: device.value.backend,
      bandwidthGBs: device.value.bandwidthGBs,
      fp16Tflops: device.value.fp16Tflops,
      model,
      weightsGB: row.size_gb.trim() === '' ? (model.paramsB * quant.value.bitsPerWeight) / 8 : Number(row.size_gb),
      family: quant.value.family,
      metric: row.metric,
      depthTokens: depth,
      ...(row.metric === 'pp' ? { promptTokens: Number(/\bpp(\d+)/.exec(row.context)?.[1] ?? 512) } : {}),
      value: row.value,
    });
  });
  return { points, skipped };
}

/**
 * `--with-community FILE` of `npm run calibrate`: the shared CSV's points plus the file's, and the
 * words the fitted file's `source` adds; without the flag, the points as they are and no words.
 */
export function withCommunity(
  catalog: Catalog,
  points: CalibrationPoint[],
  argv: readonly string[] = process.argv,
): { points: CalibrationPoint[]; source: string } {
  const at = argv.indexOf('--with-community');
  if (at < 0) return { points, source: '' };
  const path = argv[at + 1];
  if (!path || path.startsWith('--'))
    throw new Error('--with-community takes the exported file, e.g. data/community-runs.csv');
  const community = loadCommunityPoints(catalog, path, new Set(points.map((p) => p.backend)));
  console.log(`Community runs from ${path}: ${community.points.length} included, ${community.skipped.length} left out`);
  for (const s of community.skipped) console.log(`  left out ${s.source}: ${s.why}`);
  return { points: [...points, ...community.points], source: `, community reports: ${path}` };
}
