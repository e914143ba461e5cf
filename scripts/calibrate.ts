/**
 * `npm run calibrate`: fits the speed model on ../shared/calibration-llm-speed.csv, prints the
 * fitted values and every residual, and writes data/calibration.json for the core to use.
 *
 *   npm run calibrate               fit, print, write data/calibration.json
 *   npm run calibrate -- --check    fit and print only (exit 1 if data/calibration.json is stale)
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { BackendSchema, CalibrationFileSchema, FigureSchema } from '../src/core/catalog-schema.js';
import { calibrate, type CalibrationPoint, type PointResidual } from '../src/core/calibration-fit.js';
import type { ModelSpec, QuantFamily } from '../src/core/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = process.env.CALIBRATION_CSV ?? resolve(root, '..', 'shared', 'calibration-llm-speed.csv');
const outPath = join(root, 'data', 'calibration.json');

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
    }),
  ),
});

const RowSchema = z.object({
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
});

/** The CSV's quant names, by kernel family and file-level bits per weight (llama.cpp README). */
const CSV_QUANTS: Record<string, { family: QuantFamily; bpw: number }> = {
  F16: { family: 'float', bpw: 16 },
  Q8_0: { family: 'legacy', bpw: 8.5 },
  Q4_0: { family: 'legacy', bpw: 4.5 },
  Q4_K_M: { family: 'k-quant', bpw: 4.89 },
  'MLX 4bit': { family: 'mlx', bpw: 4.5 },
};

/** Average context depth while the measured tokens were generated. */
function depthOf(context: string): number {
  const d = /d(\d+)/.exec(context);
  if (d) return Number(d[1]);
  const tg = /tg(\d+)/.exec(context);
  if (tg) return Number(tg[1]) / 2;
  return 128;
}

function loadPoints(): CalibrationPoint[] {
  const inputs = InputsSchema.parse(JSON.parse(readFileSync(join(root, 'data', 'calibration-inputs.json'), 'utf8')));
  const rows = parse(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  return rows.map((raw, i) => {
    const row = RowSchema.parse(raw);
    const device = inputs.devices[row.device];
    const arch = inputs.models[row.model];
    const quant = CSV_QUANTS[row.quant];
    if (!device || !arch || !quant) throw new Error(`CSV line ${i + 2}: no spec for ${row.device} / ${row.model} / ${row.quant}`);
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
      value: row.value,
    };
  });
}

function pct(e: number | undefined) {
  if (e === undefined) return '     -';
  return `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(7);
}

function printResiduals(title: string, rs: PointResidual[]) {
  console.log(`\n${title}`);
  console.log('device'.padEnd(48), 'model'.padEnd(22), 'quant'.padEnd(8), 'depth'.padStart(6), 'measured'.padStart(9), 'fitted'.padStart(9), '  error', 'holdout');
  for (const r of rs) {
    const p = r.point;
    console.log(
      p.device.slice(0, 48).padEnd(48),
      p.model.name.slice(0, 22).padEnd(22),
      p.family.padEnd(8),
      String(p.depthTokens).padStart(6),
      p.value.toFixed(1).padStart(9),
      r.predicted.toFixed(1).padStart(9),
      pct(r.error),
      pct(r.holdoutError),
    );
  }
}

const points = loadPoints();
const result = calibrate(points);
const file = CalibrationFileSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'shared/calibration-llm-speed.csv',
  ...result.file,
});

printResiduals('Decode (tokens/s): fitted in-sample, and holdout = predicted by a fit that never saw that device', result.decodeResiduals);
printResiduals('Prefill (tokens/s)', result.prefillResiduals);
console.log('\nFitted parameters');
console.log(JSON.stringify({ decode: file.decode, prefill: file.prefill, kvReadFactor: file.kvReadFactor }, null, 2));
const r = file.residuals;
console.log(`\nDecode error on ${result.decodeResiduals.length} runs: median ${r.decodeMedianAbsPct}% | p90 ${r.decodeP90AbsPct}% | within 30%: ${r.decodeWithin30Pct}%`);
console.log(`Decode error, leave-one-device-out: median ${r.decodeHoldoutMedianAbsPct}% | within 30%: ${r.decodeHoldoutWithin30Pct}%`);
console.log(`Prefill error on ${result.prefillResiduals.length} runs: median ${r.prefillMedianAbsPct}%`);
console.log(`Displayed bands: decode x${Math.exp(r.decodeBand.low).toFixed(2)}-x${Math.exp(r.decodeBand.high).toFixed(2)}, prefill x${Math.exp(r.prefillBand.low).toFixed(2)}-x${Math.exp(r.prefillBand.high).toFixed(2)}`);

const { fittedAt: _ignored, ...comparable } = file;
if (process.argv.includes('--check')) {
  const current = existsSync(outPath) ? CalibrationFileSchema.parse(JSON.parse(readFileSync(outPath, 'utf8'))) : undefined;
  const { fittedAt: _old, ...currentComparable } = current ?? { fittedAt: '' };
  const same = JSON.stringify(currentComparable) === JSON.stringify(comparable);
  console.log(same ? '\ndata/calibration.json is up to date.' : '\ndata/calibration.json is stale: run npm run calibrate.');
  process.exit(same ? 0 : 1);
}
writeFileSync(outPath, `${JSON.stringify(file, null, 2)}\n`);
console.log(`\nWrote ${outPath}`);
