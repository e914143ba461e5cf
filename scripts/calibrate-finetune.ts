/**
 * Fits the fine-tuning speed model on the fit share of data/finetune-runs.csv, prints every residual
 * (held-out runs predicted by the fit that never saw them) and the memory model's error where the
 * source measured peak memory, and writes data/finetune-calibration.json.
 *
 *   --check    fit and print only (exit 1 if data/finetune-calibration.json is stale)
 */
import { join } from 'node:path';
import {
  FineTuneCalibrationSchema,
  fineTuneErrorSummary,
  fineTuneMemoryGB,
  fineTuneResidualsOf,
  fitFineTune,
  type FineTuneResidual,
} from '../src/core/index.js';
import { loadCatalog } from '../src/catalog/load.js';
import { root } from './calibration-points.js';
import { loadFineTuneRuns, type FineTuneRunRow } from './finetune-points.js';
import { writeOrCheck } from './fit-file.js';

const outPath = join(root, 'data', 'finetune-calibration.json');
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(8);

function print(title: string, rs: FineTuneResidual[]) {
  console.log(`\n${title}`);
  console.log('run'.padEnd(72), 'measured tok/s'.padStart(15), 'fitted'.padStart(9), '   error');
  for (const r of rs)
    console.log(
      r.point.label.slice(0, 72).padEnd(72),
      r.point.tokensPerSec.toFixed(0).padStart(15),
      r.predicted.toFixed(0).padStart(9),
      pct(r.error),
    );
  const s = fineTuneErrorSummary(rs);
  if (s.medianAbs !== null)
    console.log(`median |error| ${(s.medianAbs * 100).toFixed(1)}%, within 25%: ${(s.within25! * 100).toFixed(0)}%`);
}

function printMemory(runs: FineTuneRunRow[]) {
  console.log('\nMemory (not fitted: activations per token from the model, checked against stated peaks)');
  console.log('run'.padEnd(72), 'measured GB'.padStart(12), 'model'.padStart(7), '   error', '  set');
  for (const r of runs) {
    if (r.peakMemoryGB === undefined) continue;
    const { run } = r.point;
    const gb = fineTuneMemoryGB(run.paramsB, run.method, run, r.point.device.backend);
    console.log(
      r.point.label.slice(0, 72).padEnd(72),
      r.peakMemoryGB.toFixed(1).padStart(12),
      gb.toFixed(1).padStart(7),
      pct(gb / r.peakMemoryGB - 1),
      r.holdout ? ' held out' : ' fit',
    );
  }
}

const { runs, skipped } = loadFineTuneRuns(loadCatalog());
const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
const heldOut = runs.filter((r) => r.holdout).map((r) => r.point);
const { fit, residuals } = fitFineTune(fitRuns);
const held = fineTuneResidualsOf(heldOut, fit);
const inSample = fineTuneErrorSummary(residuals);
const outSample = fineTuneErrorSummary(held);
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const roundOrNull = (x: number | null, d = 3) => (x === null ? null : round(x, d));
const file = FineTuneCalibrationSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'data/finetune-runs.csv',
  points: fitRuns.length,
  efficiency: Object.fromEntries(Object.entries(fit.efficiency).map(([k, v]) => [k, round(v)])),
  overheadSec: Object.fromEntries(Object.entries(fit.overheadSec).map(([k, v]) => [k, round(v, 7)])),
  qloraDequantBytes: round(fit.qloraDequantBytes, 2),
  band: { low: round(fit.band.low, 3), high: round(fit.band.high, 3) },
  medianError: { fit: round(inSample.medianAbs ?? 0, 3), holdout: roundOrNull(outSample.medianAbs) },
  within25: { fit: roundOrNull(inSample.within25), holdout: roundOrNull(outSample.within25) },
});

print(`Fit (${residuals.length} runs)`, residuals);
print(`Held out (${held.length} runs, never seen by the fit)`, held);
printMemory(runs);
console.log(`\nSkipped ${skipped.length} rows:`);
for (const s of skipped)
  console.log(`  ${s.row.device.slice(0, 34).padEnd(34)} ${s.row.model.slice(0, 26).padEnd(26)} ${s.why}`);
console.log('\nFitted fine-tuning parameters');
console.log(JSON.stringify(file, null, 2));

writeOrCheck(outPath, file, (x) => FineTuneCalibrationSchema.parse(x));
