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
import { loadCatalog } from '../src/catalog/load.js';
import { estimateOne, residualsOf } from '../src/core/index.js';
import { loadMediaRuns } from './diffusion-points.js';
import {
  catalogModel,
  mapQuant,
  parseDepth,
  parseDevice,
  placementOf,
  RowSchema,
  type Row,
} from './validation-rows.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = process.env.VALIDATION_CSV ?? join(root, 'data', 'validation-llm-speed.csv');

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
  const r = estimateOne(catalog, {
    id: line,
    device,
    model,
    quant,
    depthTokens: depth,
    contextTokens: depth + 2048,
    ...placementOf(row),
  });
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
// Image and video: the held-out third of data/media-runs.csv, predicted by the fit that never saw it.
const { runs: mediaRuns } = loadMediaRuns(catalog);
const heldOut = residualsOf(
  mediaRuns.filter((r) => r.holdout).map((r) => r.point),
  catalog.diffusion,
);
console.log('\nImage and video seconds per step, held out of the diffusion fit (data/media-runs.csv)');
for (const r of heldOut)
  console.log(
    `${pct(r.error).padStart(8)}  ${r.point.label.slice(0, 80)} | measured ${r.point.secondsPerStep.toFixed(3)} s/step`,
  );
for (const kind of ['image', 'video'] as const) {
  const sel = heldOut.filter((r) => (r.point.run.frames === undefined) === (kind === 'image'));
  if (!sel.length) {
    console.log(`${kind} n=0`);
    continue;
  }
  const abs = sel.map((r) => Math.abs(r.error));
  const within = abs.filter((a) => a <= 0.25).length / abs.length;
  console.log(
    `${kind.padEnd(6)} n=${String(sel.length).padEnd(3)} median |error| ${(median(abs) * 100).toFixed(1).padStart(5)}%  within 25% ${(within * 100).toFixed(0).padStart(3)}%  (median signed ${pct(median(sel.map((r) => r.error)))})`,
  );
}
process.exit(0);
