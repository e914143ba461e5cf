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
import { decodeTokensPerSec, estimateOne, prefillTokensPerSec, residualsOf } from '../src/core/index.js';
import { buildMonthOf } from './calibration-points.js';
import { loadLongPromptRuns, pointOf } from './longprompt-points.js';
import { loadMediaRuns } from './diffusion-points.js';
import {
  catalogModel,
  mapQuant,
  parseDepth,
  parseDevice,
  placementOf,
  promptOf,
  RowSchema,
  type Row,
} from './validation-rows.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = process.env.VALIDATION_CSV ?? join(root, 'data', 'validation-llm-speed.csv');

const CATEGORIES = ['dense-27b-plus', 'moe', 'multi-gpu', 'offload', 'long-context', 'mlx', 'apple', 'nvidia'] as const;

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
const readRows = (path: string) =>
  (parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[]).map((r) =>
    RowSchema.parse(r),
  );
const rows = readRows(csvPath);
const outcomes: Outcome[] = [];
const skipped: string[] = [];
const unestimated: string[] = [];

rows.forEach((row, i) => evaluateRow(row, i + 2, outcomes, skipped, unestimated));

/** Estimates one measured row as an `estimate` query and files its outcome, or why it was skipped. */
function evaluateRow(row: Row, line: number, outcomes: Outcome[], skipped: string[], unestimated: string[]) {
  const label = `line ${line}: ${row.device.slice(0, 40)} | ${row.model.slice(0, 40)} | ${row.quant} | ${row.metric} ${row.context.slice(0, 30)}`;
  const quant = mapQuant(catalog, row.quant);
  if (!quant) return void skipped.push(`${label} -> quant "${row.quant}" is not in the catalog`);
  const device = parseDevice(row);
  if (typeof device === 'string') return void skipped.push(`${label} -> ${device}`);
  const { depth } = parseDepth(row);
  const prompt = promptOf(row);
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
  // Checked against the build it was measured on (its per-layer cost and prompt efficiency), as the fit treats its own runs.
  const build = buildMonthOf(row);
  const r = estimateOne(catalog, {
    id: line,
    device,
    model,
    quant,
    depthTokens: depth,
    contextTokens: depth + 2048 + (prompt.promptTokens ?? 0),
    ...prompt,
    ...placementOf(row),
    ...(build !== undefined ? { build } : {}),
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
  // MLX's own fit runs MLX files; an MLX-converted gpt-oss keeps MXFP4 experts (llama.cpp's fit).
  if (catalog.quant(quant)?.family === 'mlx') categories.push('mlx');
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
}

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
    const within = abs.filter((a) => a <= 0.25).length / abs.length;
    const signed = median(sel.map((o) => o.error));
    console.log(
      `${metric} ${cat.padEnd(15)} n=${String(sel.length).padEnd(3)} median |error| ${(median(abs) * 100).toFixed(1).padStart(5)}%  within 25% ${(within * 100).toFixed(0).padStart(3)}%  (median signed ${pct(signed)})`,
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
// Prompts over several cards: XiongjieDai's llama-bench table at 512-8192 tokens on 1-8 RTX 3090s
// and 4090s (data/multigpu-prompt-runs.csv), which no fit saw. A longer prompt's micro-batches are
// pipelined over the cards (pipelineSpeedup); a 512-token prompt is one micro-batch.
const multi: Outcome[] = [];
const multiSkipped: string[] = [];
readRows(join(root, 'data', 'multigpu-prompt-runs.csv')).forEach((row, i) =>
  evaluateRow(row, i + 2, multi, multiSkipped, multiSkipped),
);
console.log('\nPrompts over several cards, held out of every fit (data/multigpu-prompt-runs.csv)');
for (const o of multi)
  console.log(
    `${pct(o.error).padStart(8)}  ${o.row.device.slice(0, 40)} | ${o.row.model} ${o.quant} | ${o.row.context} | measured ${o.row.value} est ${o.estimated === null ? 'none' : o.estimated.toFixed(0)} (${o.fit})`,
  );
for (const s of multiSkipped) console.log(`  skipped ${s}`);
const promptOfRow = (o: Outcome) => promptOf(o.row).promptTokens ?? 512;
const groupSummary = (name: string, sel: Outcome[]) => {
  if (!sel.length) return console.log(`${name.padEnd(30)} n=0`);
  const abs = sel.map((o) => Math.abs(o.error));
  console.log(
    `${name.padEnd(30)} n=${String(sel.length).padEnd(3)} median |error| ${(median(abs) * 100).toFixed(1).padStart(5)}%  within 25% ${((abs.filter((a) => a <= 0.25).length / abs.length) * 100).toFixed(0).padStart(3)}%  (median signed ${pct(median(sel.map((o) => o.error)))})`,
  );
};
groupSummary(
  'one card, pp1024-8192',
  multi.filter((o) => !o.categories.includes('multi-gpu')),
);
groupSummary(
  '2-8 cards, pp512',
  multi.filter((o) => o.categories.includes('multi-gpu') && promptOfRow(o) <= 512),
);
groupSummary(
  '2-8 cards, pp1024-8192',
  multi.filter((o) => o.categories.includes('multi-gpu') && promptOfRow(o) > 512),
);
// The pipeline alone: each several-card run against the one-card run of the same card, model, quant
// and prompt (the build's own prompt speed, right or wrong, cancels out).
const card = (o: Outcome) => o.row.device.replace(/^\d+x\s+/, '');
const gain = multi.flatMap((o) => {
  if (!o.categories.includes('multi-gpu') || o.estimated === null) return [];
  const one = multi.find(
    (b) =>
      !b.categories.includes('multi-gpu') &&
      card(b) === card(o) &&
      b.row.model === o.row.model &&
      b.quant === o.quant &&
      b.row.context === o.row.context,
  );
  if (!one || one.estimated === null) return [];
  return [{ ...o, error: o.estimated / one.estimated / (o.row.value / one.row.value) - 1 }];
});
groupSummary('speedup over one card', gain);

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

// Long prompts: prompt runs 8k+ tokens into the context, from the series of
// data/mlx-longprompt-runs.csv that the attention fit never saw. Where the backend's prefill is
// calibrated, tokens/s; elsewhere (ROCm), the slowdown against the series' shallowest run.
const long = loadLongPromptRuns(catalog).runs.filter(
  (r) => r.holdout && r.runtime === 'llama.cpp' && r.row.metric === 'pp',
);
const longErrors: number[] = [];
console.log('\nLong prompts (prompt + depth >= 8k), held out of the attention fit (data/mlx-longprompt-runs.csv)');
for (const r of long) {
  if ((r.input.depthTokens ?? 0) + (r.input.promptTokens ?? 0) < 8192) continue;
  const calibrated = catalog.calibration.prefill[r.input.device.backend] !== undefined;
  const shallow = long
    .filter((s) => s.series === r.series)
    .sort((a, b) => (a.input.depthTokens ?? 0) - (b.input.depthTokens ?? 0))[0]!;
  const est = prefillTokensPerSec(r.input, catalog.calibration);
  const error = calibrated
    ? est / r.row.value - 1
    : est / prefillTokensPerSec(shallow.input, catalog.calibration) / (r.row.value / shallow.row.value) - 1;
  longErrors.push(error);
  console.log(
    `${pct(error).padStart(8)}  ${r.label.slice(0, 90)} | measured ${r.row.value} tok/s${calibrated ? '' : ' (slowdown vs its shallowest run)'}`,
  );
}
const summary = (name: string, errors: number[]) => {
  if (!errors.length) return console.log(`${name.padEnd(12)} n=0`);
  const abs = errors.map(Math.abs);
  console.log(
    `${name.padEnd(12)} n=${String(errors.length).padEnd(3)} median |error| ${(median(abs) * 100).toFixed(1).padStart(5)}%  within 25% ${((abs.filter((a) => a <= 0.25).length / abs.length) * 100).toFixed(0).padStart(3)}%`,
  );
};
summary('long prompt', longErrors);

// MLX: the long-prompt file's MLX runs that the MLX fit never saw (the validation rows above carry
// the "mlx" category too).
console.log('\nMLX runs held out of the MLX fit (data/mlx-longprompt-runs.csv)');
const mlxErrors: number[] = [];
for (const r of loadLongPromptRuns(catalog).runs.filter((r) => r.holdout && r.runtime === 'mlx')) {
  const p = pointOf(r);
  const input = { device: p, model: p.model, weightsGB: p.weightsGB, family: p.family, depthTokens: p.depthTokens };
  const est =
    p.metric === 'tg'
      ? decodeTokensPerSec(input, catalog.calibration)
      : prefillTokensPerSec(
          { ...input, ...(p.promptTokens ? { promptTokens: p.promptTokens } : {}) },
          catalog.calibration,
        );
  mlxErrors.push(est / p.value - 1);
  console.log(`${pct(est / p.value - 1).padStart(8)}  ${r.label.slice(0, 90)} | measured ${p.value}`);
}
summary('mlx (file)', mlxErrors);

// Serving, fine-tuning and power: the held-out third of each fit, as \`npm run calibrate\` measured
// it (its --check run recomputes them and fails when the stored figures are stale).
const fitFile = (name: string) => JSON.parse(readFileSync(join(root, 'data', name), 'utf8'));
const serving = fitFile('serving-calibration.json').residuals;
const finetune = fitFile('finetune-calibration.json');
const power = fitFile('power-calibration.json').error;
const line = (name: string, n: number | string, medianAbs: number | null, within: number | null) =>
  console.log(
    `${name.padEnd(12)} n=${String(n).padEnd(3)} median |error| ${medianAbs === null ? '    -' : (medianAbs * 100).toFixed(1).padStart(5)}%  within 25% ${within === null ? '  -' : (within * 100).toFixed(0).padStart(3)}%`,
  );
console.log('\nServing, fine-tuning and power: held out of their fits (npm run calibrate)');
line('serving', serving.holdoutPoints, serving.holdoutMedianAbs, serving.holdoutWithin25);
line('fine-tune', '-', finetune.medianError.holdout, finetune.within25.holdout);
line('power', '-', power.holdout.median, power.holdout.within25);
process.exit(0);
