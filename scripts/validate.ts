/**
 * `npm run validate`: checks the speed model against data/validation-llm-speed.csv, public
 * measurements that the calibration never saw. Every row becomes an `estimate` query with an
 * ad-hoc DeviceSpec (parsed from the CSV's device string) and the catalog's architecture where
 * the model resolves. The script prints each row's error (estimated / measured - 1) and a summary
 * per category. It is a report and always exits 0.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { loadCatalog } from '../src/catalog/load.js';
import { estimateOne, resolveModel, resolveQuant, type Catalog, type CatalogModel } from '../src/core/index.js';
import { SpeedRowSchema } from './calibration-points.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = process.env.VALIDATION_CSV ?? join(root, 'data', 'validation-llm-speed.csv');

const RowSchema = SpeedRowSchema;
type Row = z.infer<typeof RowSchema>;

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

function parseDevice(row: Row): DeviceInput | string {
  const s = row.device;
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

/** Average context depth while the measured tokens were generated (prefill: 0). */
function parseDepth(row: Row): { depth: number; basis: string } {
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

function mapQuant(catalog: Catalog, text: string): string | undefined {
  const head = text.replace(/\s*\(.*$/, '').trim();
  const id = QUANT_MAP[head] ?? head;
  const q = resolveQuant(catalog, id);
  return q.ok ? q.value.id : undefined;
}

/** The catalog model for the row, if it resolves to a real (non-phantom) model of the same size. */
function catalogModel(catalog: Catalog, row: Row): CatalogModel | undefined {
  const text = row.model;
  const candidates = [text, text.replace(/\s*\(.*\)\s*$/, '')];
  const tag = /\(ollama ([^)]+)\)/.exec(text);
  if (tag) candidates.push(tag[1]!);
  for (const c of candidates) {
    const r = resolveModel(catalog, c);
    if (!r.ok || r.value.phantom) continue;
    const m = r.value.model;
    if (Math.abs(m.paramsB / row.params_b - 1) <= 0.05) return m;
  }
  return undefined;
}

const CATEGORIES = ['dense-27b-plus', 'moe', 'multi-gpu', 'offload', 'long-context', 'apple', 'nvidia'] as const;

interface Outcome {
  row: Row;
  quant: string;
  depth: number;
  estimated: number | null;
  fit: string;
  error: number; // estimated / measured - 1; +/-1 (100%) when the estimate says it cannot run
  categories: string[];
  modelBasis: string;
}

const catalog = loadCatalog();
const rows = (parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[]).map((r) =>
  RowSchema.parse(r),
);
const outcomes: Outcome[] = [];
const skipped: string[] = [];
const unestimated: string[] = [];

rows.forEach((row, i) => {
  const line = i + 2;
  const label = `line ${line}: ${row.device.slice(0, 40)} | ${row.model.slice(0, 40)} | ${row.quant} | ${row.metric} ${row.context.slice(0, 30)}`;
  const quant = mapQuant(catalog, row.quant);
  if (!quant) return void skipped.push(`${label} -> quant "${row.quant}" is not in the catalog`);
  const device = parseDevice(row);
  if (typeof device === 'string') return void skipped.push(`${label} -> ${device}`);
  const { depth } = parseDepth(row);
  const size = row.size_gb.trim() === '' ? undefined : Number(row.size_gb);
  const cm = catalogModel(catalog, row);
  let model: unknown;
  let modelBasis: string;
  if (cm && size === undefined) {
    model = cm.id;
    modelBasis = `catalog ${cm.id}`;
  } else {
    model = {
      name: row.model.slice(0, 200),
      paramsB: row.params_b,
      activeParamsB: row.active_params_b,
      quant,
      ...(size !== undefined ? { fileGB: size } : {}),
      ...(cm ? { layers: cm.layers, kvHeads: cm.kvHeads, headDim: cm.headDim } : {}),
    };
    modelBasis = cm ? `spec + ${cm.id} shape` : 'spec, shape estimated';
  }
  const r = estimateOne(catalog, { id: line, device, model, quant, depthTokens: depth, contextTokens: depth + 2048 });
  if (!r.ok) return void skipped.push(`${label} -> estimate error ${r.error.code}: ${r.error.message}`);
  const e = r.value;
  const estimated = row.metric === 'tg' ? e.decodeTokensPerSec : e.prefillTokensPerSec;
  if (e.fit !== 'none' && estimated === null) return void unestimated.push(`${label} -> ${e.assumptions.join('; ')}`);
  const categories: string[] = [];
  if (row.params_b >= 27 && row.active_params_b === row.params_b) categories.push('dense-27b-plus');
  if (row.active_params_b < row.params_b) categories.push('moe');
  if (device.gpus > 1) categories.push('multi-gpu');
  if (e.fit === 'offload' || /offload/i.test(row.backend)) categories.push('offload');
  if (depth >= 4096) categories.push('long-context');
  if (/\bApple\b/.test(row.device)) categories.push('apple');
  if (/\bNVIDIA\b/.test(row.device)) categories.push('nvidia');
  outcomes.push({
    row,
    quant,
    depth,
    estimated: e.fit === 'none' ? null : estimated,
    fit: e.fit,
    error: e.fit === 'none' || estimated === null ? -1 : estimated / row.value - 1,
    categories,
    modelBasis,
  });
});

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s).padEnd(n);

console.log(`Validation against ${csvPath} (${rows.length} rows; not used for fitting)\n`);
console.log(
  [
    cut('device', 42),
    cut('model', 30),
    cut('quant', 8),
    'metric',
    'context'.padStart(7),
    'measured'.padStart(9),
    'estimated'.padStart(9),
    '  error'.padStart(8),
    ' fit    ',
    'categories',
  ].join(' '),
);
for (const o of outcomes) {
  console.log(
    [
      cut(o.row.device, 42),
      cut(o.row.model, 30),
      cut(o.quant, 8),
      o.row.metric.padEnd(6),
      String(o.depth).padStart(7),
      o.row.value.toFixed(2).padStart(9),
      (o.estimated === null ? 'none' : o.estimated.toFixed(2)).padStart(9),
      pct(o.error).padStart(8),
      ` ${o.fit.padEnd(7)}`,
      o.categories.join(','),
    ].join(' '),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

console.log('\nSummary (|error| = |estimated / measured - 1|; "cannot run" counts as 100%)');
for (const metric of ['tg', 'pp'] as const) {
  for (const cat of ['overall', ...CATEGORIES]) {
    const sel = outcomes.filter((o) => o.row.metric === metric && (cat === 'overall' || o.categories.includes(cat)));
    if (sel.length === 0) {
      console.log(`${metric} ${cat.padEnd(15)} n=0`);
      continue;
    }
    const abs = sel.map((o) => Math.abs(o.error));
    const within = abs.filter((a) => a <= 0.3).length / abs.length;
    const signed = median(sel.map((o) => o.error));
    console.log(
      `${metric} ${cat.padEnd(15)} n=${String(sel.length).padEnd(3)} median |error| ${(median(abs) * 100).toFixed(1).padStart(5)}%  within 30% ${(within * 100).toFixed(0).padStart(3)}%  (median signed ${pct(signed)})`,
    );
  }
}

const worst = outcomes
  .filter((o) => o.row.metric === 'tg')
  .sort((a, b) => Math.abs(b.error) - Math.abs(a.error))
  .slice(0, 10);
console.log('\nWorst 10 tg rows');
for (const o of worst)
  console.log(
    `${pct(o.error).padStart(8)}  ${o.row.device.slice(0, 45)} | ${o.row.model.slice(0, 40)} | ${o.quant} | d${o.depth} | measured ${o.row.value} est ${o.estimated ?? 'none'} (${o.fit}; ${o.modelBasis})`,
  );

const none = outcomes.filter((o) => o.fit === 'none');
console.log(`\nRows the estimate says cannot run (counted as 100% error): ${none.length}`);
for (const o of none) console.log(`  ${o.row.device} | ${o.row.model} | ${o.quant} | ${o.row.metric} ${o.row.context}`);
console.log(`\nSkipped rows: ${skipped.length}`);
for (const s of skipped) console.log(`  ${s}`);
if (unestimated.length) {
  console.log(`\nRows not estimated (metric not computable, e.g. no fp16Tflops for prefill): ${unestimated.length}`);
  for (const s of unestimated) console.log(`  ${s}`);
}
process.exit(0);
