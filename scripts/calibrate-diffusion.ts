/**
 * `npm run calibrate` (second half): fits the diffusion speed model on the fit share of
 * data/media-runs.csv, prints every residual (held-out runs predicted by the fit that never saw
 * them), and writes data/diffusion-calibration.json.
 *
 *   --check    fit and print only (exit 1 if data/diffusion-calibration.json is stale)
 */
import { join } from 'node:path';
import {
  DiffusionCalibrationSchema,
  fitDiffusion,
  median,
  residualsOf,
  type DiffusionResidual,
} from '../src/core/index.js';
import { loadCatalog } from '../src/catalog/load.js';
import { root } from './calibration-points.js';
import { loadMediaRuns } from './diffusion-points.js';
import { writeOrCheck } from './fit-file.js';

const outPath = join(root, 'data', 'diffusion-calibration.json');
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(8);

function print(title: string, rs: DiffusionResidual[]) {
  console.log(`\n${title}`);
  console.log('run'.padEnd(70), 'measured s/step'.padStart(16), 'fitted'.padStart(9), '   error');
  for (const r of rs)
    console.log(
      r.point.label.slice(0, 70).padEnd(70),
      r.point.secondsPerStep.toFixed(3).padStart(16),
      r.predicted.toFixed(3).padStart(9),
      pct(r.error),
    );
}

const { runs, skipped } = loadMediaRuns(loadCatalog());
const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
const heldOut = runs.filter((r) => r.holdout).map((r) => r.point);
const { fit, residuals } = fitDiffusion(fitRuns);
const held = residualsOf(heldOut, fit);
const heldImages = held.filter((r) => r.point.run.frames === undefined);
const medAbs = (rs: DiffusionResidual[]) => (rs.length ? median(rs.map((r) => Math.abs(r.error))) : null);
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const file = DiffusionCalibrationSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'data/media-runs.csv',
  points: fitRuns.length,
  efficiency: Object.fromEntries(Object.entries(fit.efficiency).map(([k, v]) => [k, round(v)])),
  overheadSec: Object.fromEntries(Object.entries(fit.overheadSec).map(([k, v]) => [k, round(v, 5)])),
  ...(fit.runtimeOverheadSec
    ? {
        runtimeOverheadSec: Object.fromEntries(
          Object.entries(fit.runtimeOverheadSec).map(([k, v]) => [k, round(v, 5)]),
        ),
      }
    : {}),
  unetTokenShare: round(fit.unetTokenShare),
  band: { low: round(fit.band.low, 3), high: round(fit.band.high, 3) },
  // The held-out figure verdicts quote is the images' (two video runs would blur it).
  medianError: {
    fit: round(medAbs(residuals) ?? 0, 3),
    holdout: heldImages.length ? round(medAbs(heldImages)!, 3) : null,
  },
});

print(`Fit (${residuals.length} runs)`, residuals);
print(`Held out (${held.length} runs, never seen by the fit)`, held);
// Fit residuals by runtime and by model: a runtime whose runs all lean one way has a per-step cost or
// an efficiency of its own that one constant per backend cannot hold (the 2023 A1111 table's
// whole-call it/s against diffusers' denoising loop).
const fitRows = runs.filter((r) => !r.holdout);
for (const key of ['runtime', 'model_id'] as const) {
  console.log(`\nFit residuals by ${key === 'runtime' ? 'runtime' : 'model'} (n, median signed error)`);
  const groups = new Map<string, number[]>();
  fitRows.forEach((r, i) => groups.set(r.row[key], [...(groups.get(r.row[key]) ?? []), residuals[i]!.error]));
  for (const [name, errors] of [...groups].sort((a, b) => b[1].length - a[1].length))
    console.log(`  ${name.padEnd(20)} ${String(errors.length).padStart(3)} ${pct(median(errors))}`);
}
console.log(`\nSkipped ${skipped.length} runs:`);
const why = new Map<string, number>();
for (const s of skipped) why.set(s.why, (why.get(s.why) ?? 0) + 1);
for (const [w, n] of why) console.log(`  ${n} × ${w}`);
console.log('\nFitted diffusion parameters');
console.log(JSON.stringify(file, null, 2));

writeOrCheck(outPath, file, (x) => DiffusionCalibrationSchema.parse(x));
